"""Capture replay: a real trades + L2 capture served as the market, looping.

The capture window [first diff, last diff] repeats with a period of its length
rounded up to whole minutes (so 1m klines line up in every copy); between the
end of one copy and the start of the next nothing trades and the book rests.
Each new copy starts from the capture's snapshot again, which subscribers
receive as a fresh ByBit ``snapshot`` message.

Klines come from the replayed trades (1m bars built from the capture, coarser
ones aggregated from those), so they exist only for the replayed window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.errors import DataError
from moonai_tui.sim.candles import CandleSeries
from moonai_tui.sim.capture_data import DepthCapture, TradesCapture
from moonai_tui.sim.feed import Feed, Steps, TradeBatch
from moonai_tui.sim.l2book import DepthDelta, L2Book
from moonai_tui.sim.units import rescale

MINUTE_MS = 60_000
MAX_COPIES_SCANNED = 1_000


def capture_window(depth: DepthCapture) -> tuple[int, int]:
    """(origin, period) of the looping timeline: origin on a minute, period whole minutes."""
    origin = depth.start_ms // MINUTE_MS * MINUTE_MS
    period = -(-(depth.end_ms + 1 - origin) // MINUTE_MS) * MINUTE_MS
    return origin, period


def _minute_bars(trades: TradesCapture, start: int, end: int) -> pd.DataFrame:
    keep = (trades.ts >= start) & (trades.ts <= end)
    frame = pd.DataFrame(
        {
            "minute": trades.ts[keep] // MINUTE_MS * MINUTE_MS,
            "price": trades.price[keep] / 10.0**trades.price_decimals,
            "size": trades.size[keep] / 10.0**trades.size_decimals,
        }
    )
    bars = frame.groupby("minute").agg(
        open=("price", "first"), high=("price", "max"), low=("price", "min"),
        close=("price", "last"), volume=("size", "sum"),
    )  # fmt: skip
    return bars.reset_index().rename(columns={"minute": "timestamp_ms"})


class CaptureFeed(Feed):
    """Trades of a capture replayed on the looping timeline.

    Args:
        symbol: ByBit id.
        depth: the depth capture (defines the window).
        trades: the trades capture; trades outside the window are ignored.
        floor_ms: earliest time served.
    """

    def __init__(
        self, symbol: str, depth: DepthCapture, trades: TradesCapture, floor_ms: int
    ) -> None:
        origin, period = capture_window(depth)
        keep = (trades.ts >= depth.start_ms) & (trades.ts <= depth.end_ms)
        if not keep.any():
            raise DataError(f"{symbol}: the trades capture does not overlap the depth capture")
        bars = _minute_bars(trades, depth.start_ms, depth.end_ms)
        series = CandleSeries(
            symbol, bars, f"{symbol} capture", period_align_ms=period, origin_ms=origin,
            interval_ms=MINUTE_MS, decimals=(trades.price_decimals, trades.size_decimals),
        )  # fmt: skip
        super().__init__(symbol, series, floor_ms)
        self.origin_ms, self.period_ms = origin, period
        self._ts = trades.ts[keep]
        self._price = trades.price[keep]
        self._size = trades.size[keep]
        self._buy = trades.buy[keep]

    def _copy(self, t: int) -> int:
        return (t - self.origin_ms) // self.period_ms

    def price_at(self, t: int) -> tuple[int, bool]:
        """Price and side of the last trade at or before ``t`` (any earlier copy included)."""
        copy = self._copy(t)
        index = int(np.searchsorted(self._ts, t - copy * self.period_ms, side="right")) - 1
        return int(self._price[index]), bool(self._buy[index])  # index -1 = previous copy's last

    def trades(self, t0: int, t1: int, limit: int) -> TradeBatch:
        """Replayed trades with ``t0 < ts <= t1`` (the newest ``limit``), oldest first."""
        parts: list[TradeBatch] = []
        count = 0
        first = max(self._copy(t0), self._copy(t1) - MAX_COPIES_SCANNED)
        n = len(self._ts)
        for copy in range(self._copy(t1), first - 1, -1):
            shift = copy * self.period_ms
            lo = int(np.searchsorted(self._ts, t0 - shift, side="right"))
            hi = int(np.searchsorted(self._ts, t1 - shift, side="right"))
            if hi > lo:
                keys = copy * n + np.arange(lo, hi, dtype=np.int64)
                part = slice(lo, hi)
                parts.append(
                    TradeBatch(
                        self._ts[part] + shift,
                        self._price[part],
                        self._size[part],
                        self._buy[part],
                        keys,
                    )
                )
                count += hi - lo
                if count >= limit:
                    break
        parts.reverse()
        return TradeBatch.concat(parts).last(limit)

    def steps(self, row: int, shift: int, t0: int, t1: int) -> Steps:
        """Trades of 1m bar ``row`` (copy ``shift``) with time in ``[t0, t1)``."""
        start = int(self.series.ts[row]) + shift
        lo_t, hi_t = max(t0, start), min(t1, start + MINUTE_MS)
        lo = int(np.searchsorted(self._ts, lo_t - shift, side="left"))
        hi = int(np.searchsorted(self._ts, hi_t - shift, side="left"))
        return Steps(self._ts[lo:hi] + shift, self._price[lo:hi], self._size[lo:hi])


class CaptureBook:
    """The capture's L2 book replayed in ByBit form for one category.

    Capture prices are mapped onto the instrument's tick: bids round down and
    asks round up, summing the sizes that land on the same tick (so a coarser
    tick, e.g. 0.10 for linear BTCUSDT, never crosses the book).

    Args:
        depth: the depth capture.
        tick: the instrument's tick in price units of ``price_decimals``.
        price_decimals: decimals of the instrument's price units.
    """

    def __init__(self, depth: DepthCapture, tick: int, price_decimals: int) -> None:
        self.book = L2Book()
        self.seq = 0
        self.size_decimals = depth.size_decimals
        self._depth = depth
        self._tick = tick
        self._decimals = (depth.price_decimals, price_decimals)
        self.origin_ms, self.period_ms = capture_window(depth)
        self._times = np.array([event.time_ms for event in depth.events], dtype=np.int64)
        self._source: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._copy: int | None = None
        self._applied = 0  # events of the current copy already in the book

    def _bucket(self, is_bid: bool, price: int) -> int:
        units = rescale(price, *self._decimals)
        return (
            (units // self._tick) * self._tick if is_bid else -((-units) // self._tick) * self._tick
        )

    def _set_source(self, is_bid: bool, price: int, size: int) -> None:
        source = self._source[0] if is_bid else self._source[1]
        old = source.get(price, 0)
        if size == old:
            return
        if size:
            source[price] = size
        else:
            source.pop(price, None)
        bucket = self._bucket(is_bid, price)
        self.book.set(is_bid, bucket, self.book.size(is_bid, bucket) - old + size)

    def _reset(self) -> None:
        for is_bid in (True, False):
            for price in self.book.side(is_bid).worse_than_rank(0):
                self.book.set(is_bid, price, 0)
        self._source = ({}, {})
        for is_bid, levels in ((True, self._depth.bids), (False, self._depth.asks)):
            for price, size in levels.items():
                self._set_source(is_bid, price, size)
        self._applied = 0

    def advance(self, now_ms: int, depths: tuple[int, ...]) -> tuple[dict[int, DepthDelta], bool]:
        """Apply every diff up to ``now_ms``.

        Returns:
            (delta per streamed depth, whether the book was reset to the snapshot,
            in which case subscribers need a new snapshot instead of the deltas).
        """
        copy = (now_ms - self.origin_ms) // self.period_ms
        self.book.begin(depths)
        reset = copy != self._copy
        if reset:
            self._copy = copy
            self._reset()
        due = int(np.searchsorted(self._times, now_ms - copy * self.period_ms, side="right"))
        for event in self._depth.events[self._applied : due]:
            for is_bid, price, size in zip(
                event.is_bid.tolist(), event.price.tolist(), event.size.tolist(), strict=True
            ):
                self._set_source(is_bid, price, size)
        self._applied = max(self._applied, due)
        self.seq += 1
        return self.book.commit(), reset
