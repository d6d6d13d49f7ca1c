"""A synthetic L2 book around the model price, shaped by a calibrated ``BookProfile``.

Resting levels keep absolute prices, as real orders do. Each update:

1. re-centre: the touch follows the last price (the ask sits at the price after
   a buy, the bid after a sell) with a spread drawn from the calibrated spread
   samples; levels the price moved through are removed, and the gap it opened
   on the other side is filled with new levels;
2. perturb: a few random inserts / deletes / resizes near the touch, in the
   calibrated mix, at the calibrated rate (at least one per update, at most
   ``MAX_PERTURB``, so the stream never stalls and deltas stay small);
3. keep each side at ``MAX_LEVELS`` levels (trim the deepest, extend deeper).

New levels appear on each tick with the calibrated level density (levels per
bp of distance from mid) and get the calibrated mean size at that distance,
scaled by (target volume per minute / capture volume per minute), with
lognormal noise. Resizes pull sizes back toward that mean, so the book's shape
stays stationary.
"""

from __future__ import annotations

import bisect
import math
import random

import numpy as np
from numpy.typing import NDArray

from moonai_tui.sim.calibration import CHANGE_BAND_BPS, BookProfile
from moonai_tui.sim.l2book import DepthDelta, L2Book

MAX_LEVELS = 1000
"""Levels kept per side (ByBit's deepest stream is orderbook.1000)."""
TRIM_SLACK = 50
MAX_PERTURB = 8
MAX_JUMP_BPS = 20.0
"""A price move larger than this (e.g. the loop back to the data start) rebuilds the book."""
SIZE_NOISE = 0.7
REVERT = 0.2
"""Weight of the calibrated mean in a resize (mean reversion of level sizes)."""


class SyntheticBook:
    """The book of one (category, symbol), in the instrument's price and lot units.

    Args:
        profile: calibration measured on a real capture.
        volume_per_minute: typical traded base volume per minute of the target symbol.
        tick: price tick in price units.
        lot_decimals: decimals of the size units (the instrument's quantity step).
        rng: generator driving every random choice.
    """

    def __init__(
        self,
        profile: BookProfile,
        volume_per_minute: float,
        tick: int,
        lot_decimals: int,
        rng: np.random.Generator,
    ) -> None:
        self.book = L2Book()
        self.seq = 0
        self._p = profile
        self._tick = tick
        scale = volume_per_minute / profile.volume_per_minute
        levels = np.maximum(profile.levels_per_bps, 1e-9)
        self._size_per_level = profile.depth_per_bps / levels * scale * 10.0**lot_decimals
        # Scalar draws use Python's generator (numpy's per-call overhead dominates
        # single draws); both are seeded from ``rng``, so the book stays deterministic.
        self._rng = rng
        self._r = random.Random(int(rng.integers(2**63)))
        self._edges = profile.edges_bps.tolist()
        self._size_rows = self._size_per_level.tolist()
        self._spreads = profile.spread_bps.tolist()
        self._mid = 0.0
        self._last_ms: int | None = None
        self._band_mid = 0.0
        self._band_ticks = 2
        self._band_target = [1.0, 1.0]
        self._band_cumulative: list[list[float]] = [[1.0], [1.0]]

    # -- profile lookups ----------------------------------------------------------------
    def _bucket(self, distance_bps: NDArray[np.float64]) -> NDArray[np.intp]:
        last = len(self._p.edges_bps) - 2
        index = np.searchsorted(self._p.edges_bps, distance_bps, side="right") - 1
        buckets: NDArray[np.intp] = np.clip(index, 0, last)
        return buckets

    def _distance_bps(self, prices: NDArray[np.int64]) -> NDArray[np.float64]:
        distance: NDArray[np.float64] = np.abs(prices - self._mid) / self._mid * 1e4
        return distance

    def _sizes(self, side: int, prices: NDArray[np.int64]) -> NDArray[np.int64]:
        mean = self._size_per_level[side, self._bucket(self._distance_bps(prices))]
        noise = self._rng.lognormal(-(SIZE_NOISE**2) / 2, SIZE_NOISE, len(prices))
        sizes: NDArray[np.int64] = np.maximum(1, np.rint(mean * noise)).astype(np.int64)
        return sizes

    def _mean_size(self, side: int, price: int) -> float:
        distance = abs(price - self._mid) / self._mid * 1e4
        bucket = min(max(bisect.bisect_right(self._edges, distance) - 1, 0), len(self._edges) - 2)
        return float(self._size_rows[side][bucket])

    def _one_size(self, side: int, price: int) -> int:
        noise = self._r.lognormvariate(-(SIZE_NOISE**2) / 2, SIZE_NOISE)
        return max(1, round(self._mean_size(side, price) * noise))

    def _occupied(self, side: int, prices: NDArray[np.int64]) -> NDArray[np.int64]:
        """The subset of candidate prices that hold a level (calibrated density)."""
        bps_per_tick = self._tick / self._mid * 1e4
        density = self._p.levels_per_bps[side, self._bucket(self._distance_bps(prices))]
        keep = self._rng.random(len(prices)) < np.minimum(1.0, density * bps_per_tick)
        kept: NDArray[np.int64] = prices[keep]
        return kept

    # -- building blocks ------------------------------------------------------------------
    def _place(self, is_bid: bool, prices: NDArray[np.int64]) -> None:
        side = 0 if is_bid else 1
        for price, size in zip(prices.tolist(), self._sizes(side, prices).tolist(), strict=True):
            if self.book.size(is_bid, price) == 0:
                self.book.set(is_bid, price, size)

    def _fill(self, is_bid: bool, near: int, far: int) -> None:
        """Add levels on the ticks strictly between ``near`` and ``far`` (prices)."""
        count = abs(far - near) // self._tick - 1
        if count <= 0:
            return
        direction = -1 if is_bid else 1
        offsets = np.arange(1, count + 1, dtype=np.int64) * self._tick * direction
        self._place(is_bid, self._occupied(0 if is_bid else 1, near + offsets))

    def _extend(self, is_bid: bool) -> None:
        """Add levels beyond the deepest one until the side holds ``MAX_LEVELS``."""
        side = self.book.side(is_bid)
        direction = -1 if is_bid else 1
        while len(side) < MAX_LEVELS:
            worst = side.worst()
            assert worst is not None
            missing = MAX_LEVELS - len(side)
            # Enough candidate ticks for the expected density at this distance.
            distance = self._distance_bps(np.array([worst], dtype=np.int64))
            density = float(self._p.levels_per_bps[0 if is_bid else 1, self._bucket(distance)][0])
            per_tick = max(1e-4, min(1.0, density * self._tick / self._mid * 1e4))
            count = min(2_000_000, int(missing / per_tick * 1.5) + 16)
            prices = worst + np.arange(1, count + 1, dtype=np.int64) * self._tick * direction
            if is_bid:
                prices = prices[prices > 0]
                if len(prices) == 0:
                    return  # the book reaches zero
            self._place(is_bid, self._occupied(0 if is_bid else 1, prices)[:missing])

    def _trim(self, is_bid: bool) -> None:
        side = self.book.side(is_bid)
        if len(side) > MAX_LEVELS + TRIM_SLACK:
            for price in side.worse_than_rank(MAX_LEVELS):
                self.book.set(is_bid, price, 0)

    # -- one update -----------------------------------------------------------------------
    def _recentre(self, price: int, last_buy: bool) -> None:
        spread_bps = self._r.choice(self._spreads)
        spread = max(1, round(spread_bps * price / 1e4 / self._tick)) * self._tick
        best_bid, best_ask = (price - spread, price) if last_buy else (price, price + spread)
        self._mid = (best_bid + best_ask) / 2
        old_bid = self.book.bids.best()
        if old_bid is not None and abs(best_bid - old_bid) / price * 1e4 > MAX_JUMP_BPS:
            for is_bid in (True, False):
                for level in self.book.side(is_bid).worse_than_rank(0):
                    self.book.set(is_bid, level, 0)
        # The price moved through these levels: they traded away or were pulled.
        for level in self.book.bids.better_than(best_bid):
            self.book.set(True, level, 0)
        for level in self.book.asks.better_than(best_ask):
            self.book.set(False, level, 0)
        for is_bid, touch in ((True, best_bid), (False, best_ask)):
            current = self.book.side(is_bid).best()
            if current != touch:
                if current is not None:
                    self._fill(is_bid, touch, current)  # new orders join behind the moved touch
                self.book.set(is_bid, touch, self._one_size(0 if is_bid else 1, touch))

    def _perturb(self, dt_s: float) -> None:
        """Random inserts, deletes and resizes within ``CHANGE_BAND_BPS`` of the touch.

        Inserts land on ticks drawn from the calibrated level density, deletes and
        resizes pick uniformly among existing levels, and the insert/delete odds
        lean against any excess or shortage of levels in the band, so the band's
        level count and shape stay at the calibrated values.
        """
        # Hot path (hundreds of updates a second): plain Python on the sorted keys.
        r, book = self._r, self.book
        reach = self._band_ticks * self._tick
        wanted = min(MAX_PERTURB, max(1, int(self._rng.poisson(self._p.changes_per_second * dt_s))))
        insert, delete, resize = self._p.action_mix
        for _ in range(wanted):
            is_bid = r.random() < 0.5
            index = 0 if is_bid else 1
            side = book.bids if is_bid else book.asks
            keys, sign = side.keys, side.sign
            # Keys ascend from the touch on both sides, so the band is keys[0] .. keys[0] + reach.
            count = bisect.bisect_right(keys, keys[0] + reach)
            ratio = count / self._band_target[index]
            p_insert, p_delete = insert / ratio**2, delete * ratio**2
            draw = r.random() * (p_insert + p_delete + resize)
            if draw < p_insert:
                cumulative = self._band_cumulative[index]
                offset = 1 + bisect.bisect_left(cumulative, r.random() * cumulative[-1])
                price = sign * (keys[0] + offset * self._tick)
                if price not in side.sizes:
                    noise = r.lognormvariate(-(SIZE_NOISE**2) / 2, SIZE_NOISE)
                    book.set(is_bid, price, max(1, round(self._mean_size(index, price) * noise)))
                continue
            if count <= 1:
                continue
            level = sign * keys[1 + int(r.random() * (count - 1))]  # never the touch
            if draw < p_insert + p_delete:
                book.set(is_bid, level, 0)
                continue
            log_size = (1 - REVERT) * math.log(side.sizes[level]) + REVERT * math.log(
                self._mean_size(index, level)
            )
            book.set(is_bid, level, max(1, round(math.exp(log_size + r.gauss(0, 0.5)))))

    def _update_band(self) -> None:
        """Band width in ticks, expected level count and insert offsets for the current mid."""
        bps_per_tick = self._tick / self._mid * 1e4
        self._band_ticks = max(2, int(CHANGE_BAND_BPS / bps_per_tick))
        offsets = np.arange(1, self._band_ticks, dtype=np.int64)
        distance = ((offsets + 0.5) * bps_per_tick).astype(np.float64)
        weights = np.minimum(1.0, self._p.levels_per_bps[:, self._bucket(distance)] * bps_per_tick)
        self._band_target = (np.maximum(1.0, weights.sum(axis=1) + 1.0)).tolist()
        self._band_cumulative = [np.cumsum(row).tolist() for row in weights]

    def advance(
        self, price: int, last_buy: bool, now_ms: int, depths: tuple[int, ...]
    ) -> dict[int, DepthDelta]:
        """Move the book to ``price`` (on the tick grid) at market time ``now_ms``.

        Returns:
            The delta of each streamed depth in ``depths``.
        """
        dt_s = 0.0 if self._last_ms is None else max(0.0, (now_ms - self._last_ms) / 1000.0)
        self._last_ms = now_ms
        self.book.begin(depths)
        self._recentre(price, last_buy)
        if abs(self._mid - self._band_mid) > self._band_mid * 1e-3:
            self._band_mid = self._mid
            self._update_band()
        self._perturb(dt_s)
        for is_bid in (True, False):
            self._trim(is_bid)
            self._extend(is_bid)
        self.seq += 1
        return self.book.commit()
