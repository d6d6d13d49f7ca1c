"""The model market: real candles, each filled with a seeded intra-candle market (``path.py``)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from moonai_tui.sim.candles import CandleSeries
from moonai_tui.sim.feed import Feed, Steps, TradeBatch
from moonai_tui.sim.path import CandlePath, candle_rng, generate_path, step_ms_for

PATH_CACHE_SIZE = 512
"""Generated candles kept in memory (a path costs ~0.2 ms for a 1m bar)."""
MAX_TRADE_SCAN = 2_000
"""Most candles scanned backwards for one trades query (bounds a request after a long gap)."""


class ModelFeed(Feed):
    """One symbol replayed from candles with a deterministic generated market inside each.

    Args:
        symbol: ByBit id.
        series: the real candles.
        seed: generator seed; the same seed gives the same market.
        floor_ms: earliest time served.
    """

    def __init__(self, symbol: str, series: CandleSeries, seed: int, floor_ms: int) -> None:
        super().__init__(symbol, series, floor_ms)
        self._seed = seed
        self.step_ms = step_ms_for(series.interval_ms)
        self.n_steps = series.interval_ms // self.step_ms
        self._cache: OrderedDict[int, CandlePath] = OrderedDict()
        self._step_offsets = np.arange(self.n_steps, dtype=np.int64) * self.step_ms

    def path(self, row: int) -> CandlePath:
        """The generated market inside data row ``row`` (cached)."""
        cached = self._cache.get(row)
        if cached is not None:
            self._cache.move_to_end(row)
            return cached
        s = self.series
        # The previous close of row 0 is the data's last close: that is what
        # precedes it on the looping timeline.
        prev_close = int(s.close[row - 1])
        ohlc = (int(s.open[row]), int(s.high[row]), int(s.low[row]), int(s.close[row]))
        rng = candle_rng(self._seed, self.symbol, row)
        path = generate_path(ohlc, int(s.volume[row]), prev_close, self.n_steps, self.step_ms, rng)
        self._cache[row] = path
        if len(self._cache) > PATH_CACHE_SIZE:
            self._cache.popitem(last=False)
        return path

    def price_at(self, t: int) -> tuple[int, bool]:
        """Path price at ``t`` (the last close during a data gap) and the last trade's side."""
        row, shift, inside = self.series.locate(t)
        if not inside:
            return int(self.series.close[row]), True
        path = self.path(row)
        step = (t - shift - int(self.series.ts[row])) // self.step_ms
        traded = int(path.last_trade[step])
        return int(path.prices[step]), bool(path.buys[traded]) if traded >= 0 else True

    def trades(self, t0: int, t1: int, limit: int) -> TradeBatch:
        """Generated trades with ``t0 < ts <= t1``, the newest ``limit`` of them, oldest first."""
        s = self.series
        row, shift, _ = s.locate(t1)
        parts: list[TradeBatch] = []
        count = 0
        for _ in range(MAX_TRADE_SCAN):
            start = int(s.ts[row]) + shift
            if start + s.interval_ms <= t0 + 1 or start + s.interval_ms <= self.floor_ms:
                break
            path = self.path(row)
            times = start + self._step_offsets
            mask = (path.sizes > 0) & (times > t0) & (times <= t1)
            if mask.any():
                # At most one trade per step, so the step's time identifies the trade.
                key = times[mask] // self.step_ms
                parts.append(
                    TradeBatch(
                        times[mask], path.prices[mask], path.sizes[mask], path.buys[mask], key
                    )
                )
                count += int(mask.sum())
                if count >= limit:
                    break
            row -= 1
            if row < 0:
                row, shift = len(s.ts) - 1, shift - s.period_ms
        parts.reverse()
        return TradeBatch.concat(parts).last(limit)

    def steps(self, row: int, shift: int, t0: int, t1: int) -> Steps:
        """Path points (with trade sizes, 0 where none) of candle ``row`` in ``[t0, t1)``."""
        path = self.path(row)
        times = int(self.series.ts[row]) + shift + self._step_offsets
        lo = int(np.searchsorted(times, t0, side="left"))
        hi = int(np.searchsorted(times, t1, side="left"))
        return Steps(times[lo:hi], path.prices[lo:hi], path.sizes[lo:hi])
