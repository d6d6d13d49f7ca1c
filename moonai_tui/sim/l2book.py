"""An L2 order book with integer prices and sizes that reports depth-limited deltas.

ByBit streams ``orderbook.{depth}.{symbol}`` as a snapshot of the best
``depth`` levels followed by deltas, and a client that applies the deltas must
end up with exactly the server's top-``depth`` view. A change deep in the book
can push a level into or out of that view, so the delta for depth ``d`` is not
just "the levels that changed": it also deletes levels that fell out of the top
``d`` and adds levels that moved into it. ``commit`` computes exactly that, in
O(changes + levels crossing the boundary), for every depth being streamed.

Usage per update: ``begin(depths)``, any number of ``set``, then ``commit()``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

INF = float("inf")

Level = tuple[int, int]
"""(price units, size units)."""


class BookSide:
    """One side: prices kept sorted best first (as keys: -price for bids, +price for asks)."""

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.sign = -1 if is_bid else 1
        self.keys: list[int] = []
        self.sizes: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def best(self) -> int | None:
        """Best price, or None if the side is empty."""
        return self.sign * self.keys[0] if self.keys else None

    def worst(self) -> int | None:
        """Worst (deepest) price, or None if the side is empty."""
        return self.sign * self.keys[-1] if self.keys else None

    def top(self, depth: int) -> list[Level]:
        """The best ``depth`` levels, best first."""
        sign, sizes = self.sign, self.sizes
        return [(sign * key, sizes[sign * key]) for key in self.keys[:depth]]

    def better_than(self, price: int) -> list[int]:
        """Prices strictly better than ``price`` (higher bids, lower asks), best first."""
        end = bisect.bisect_left(self.keys, self.sign * price)
        return [self.sign * key for key in self.keys[:end]]

    def worse_than_rank(self, rank: int) -> list[int]:
        """Prices beyond the best ``rank`` levels."""
        return [self.sign * key for key in self.keys[rank:]]

    def level_at_or_beyond(self, price: int) -> int | None:
        """The first existing price at ``price`` or deeper, if any."""
        index = bisect.bisect_left(self.keys, self.sign * price)
        return self.sign * self.keys[index] if index < len(self.keys) else None

    def count_to(self, price: int) -> int:
        """Number of levels at ``price`` or better."""
        return bisect.bisect_right(self.keys, self.sign * price)

    def at_rank(self, rank: int) -> int:
        """Price of the level at ``rank`` (0 = best)."""
        return self.sign * self.keys[rank]

    def boundary(self, depth: int) -> float:
        """Key of the ``depth``-th best level (infinity if the side is shallower)."""
        return self.keys[depth - 1] if len(self.keys) >= depth else INF

    def _put(self, price: int, size: int) -> None:
        old = self.sizes.get(price, 0)
        if size > 0:
            if old == 0:
                bisect.insort(self.keys, self.sign * price)
            self.sizes[price] = size
        elif old > 0:
            del self.sizes[price]
            del self.keys[bisect.bisect_left(self.keys, self.sign * price)]


@dataclass(frozen=True, slots=True)
class DepthDelta:
    """Changes to one depth-limited view; size 0 deletes the level."""

    bids: list[Level]
    asks: list[Level]

    def __bool__(self) -> bool:
        return bool(self.bids or self.asks)


class L2Book:
    """Bids and asks with change tracking for depth-limited delta streams."""

    def __init__(self) -> None:
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self._pending: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._bounds: dict[int, tuple[float, float]] = {}

    def side(self, is_bid: bool) -> BookSide:
        """The bid or ask side."""
        return self.bids if is_bid else self.asks

    def begin(self, depths: Iterable[int]) -> None:
        """Start an update; remember each streamed depth's boundary before any change."""
        self._pending = ({}, {})
        self._bounds = {d: (self.bids.boundary(d), self.asks.boundary(d)) for d in depths}

    def set(self, is_bid: bool, price: int, size: int) -> None:
        """Set a level's size (0 deletes it) within the current update."""
        side = self.bids if is_bid else self.asks
        pending = self._pending[0] if is_bid else self._pending[1]
        if price not in pending:
            pending[price] = side.sizes.get(price, 0)
        side._put(price, size)

    def size(self, is_bid: bool, price: int) -> int:
        """Current size at ``price`` (0 if no level)."""
        return (self.bids if is_bid else self.asks).sizes.get(price, 0)

    def changed(self) -> int:
        """Number of levels touched in the current update."""
        return len(self._pending[0]) + len(self._pending[1])

    def commit(self) -> dict[int, DepthDelta]:
        """Finish the update: the delta of each depth given to ``begin`` (possibly empty)."""
        result = {
            depth: DepthDelta(
                _side_delta(self.bids, self._pending[0], bounds[0], self.bids.boundary(depth)),
                _side_delta(self.asks, self._pending[1], bounds[1], self.asks.boundary(depth)),
            )
            for depth, bounds in self._bounds.items()
        }
        self._pending = ({}, {})
        self._bounds = {}
        return result

    def top(self, depth: int) -> tuple[list[Level], list[Level]]:
        """The best ``depth`` bids and asks, best first."""
        return self.bids.top(depth), self.asks.top(depth)


def _side_delta(side: BookSide, pending: dict[int, int], old_b: float, new_b: float) -> list[Level]:
    sign, sizes = side.sign, side.sizes
    out: dict[int, int] = {}
    for price, old_size in pending.items():
        key = sign * price
        new_size = sizes.get(price, 0)
        in_new = new_size > 0 and key <= new_b
        in_old = old_size > 0 and key <= old_b
        if in_new:
            if not in_old or new_size != old_size:
                out[price] = new_size
        elif in_old:
            out[price] = 0
    # Untouched levels between the old and the new boundary entered or left the view.
    if new_b != old_b:
        lo, hi = min(old_b, new_b), max(old_b, new_b)
        entering = new_b > old_b
        keys = side.keys
        for key in keys[bisect.bisect_right(keys, lo) : bisect.bisect_right(keys, hi)]:
            price = sign * key
            if price not in pending:
                out[price] = sizes[price] if entering else 0
    return list(out.items())
