"""Real candles as a periodic timeline.

The data set covers a finite span. To let the simulated clock run forever
without going backwards, the series repeats: copy ``k`` of the data is the data
with every timestamp shifted by ``k × period_ms``. ``period_ms`` is the data
span rounded up to whole days (so kline bins of every interval up to 1 day line
up identically in every copy); if the span is not whole days, the remainder is
a gap with no candles, like an exchange halt. The shipped demo spans exactly 28
days, so its copies join seamlessly in time (the price jumps from the last
close back to the first open, which is the price of looping real data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from moonai_tui.domain import TIMEFRAME_MS
from moonai_tui.errors import DataError
from moonai_tui.market.candles_csv import read_candles_csv
from moonai_tui.sim.units import infer_decimals, to_units

DAY_MS = 86_400_000

Int64s = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """Candles in a time window; prices and volume in the series' integer units."""

    ts: Int64s
    """Bar open times on the simulated timeline (data time + copy shift)."""
    index: Int64s
    """Row of each candle in the data."""
    open: Int64s
    high: Int64s
    low: Int64s
    close: Int64s
    volume: Int64s

    def __len__(self) -> int:
        return len(self.ts)


class CandleSeries:
    """One symbol's native candles, repeated periodically along the timeline.

    Args:
        symbol: ByBit id the candles are served as.
        frame: validated candles (``read_candles_csv``).
        source: file name for error messages.
        period_align_ms: the period is the span rounded up to a multiple of this.
        origin_ms: start of the first copy (default: the first candle's open time).
        interval_ms: the bar size (default: inferred from the smallest time step).
        decimals: (price, volume) decimals of the units (default: inferred from the values).
    """

    def __init__(
        self,
        symbol: str,
        frame: pd.DataFrame,
        source: str,
        period_align_ms: int = DAY_MS,
        origin_ms: int | None = None,
        interval_ms: int | None = None,
        decimals: tuple[int, int] | None = None,
    ) -> None:
        ts = frame["timestamp_ms"].to_numpy(dtype=np.int64)
        if interval_ms is None and len(ts) < 2:
            raise DataError(f"{source}: need at least 2 candles to infer the interval")
        interval = interval_ms or int(np.diff(ts).min())
        if interval not in TIMEFRAME_MS.values():
            raise DataError(f"{source}: candle interval {interval} ms is not a supported timeframe")
        if (ts % interval != 0).any():
            raise DataError(f"{source}: candle times are not aligned to the {interval} ms interval")
        prices = frame[["open", "high", "low", "close"]].to_numpy(dtype=np.float64)
        volume = frame["volume"].to_numpy(dtype=np.float64)
        self.symbol = symbol
        self.interval_ms = interval
        if decimals is None:
            decimals = (infer_decimals(prices.ravel()), infer_decimals(volume))
        self.price_decimals, self.volume_decimals = decimals
        self.ts: Int64s = ts
        units = to_units(prices, self.price_decimals)
        self.open: Int64s = np.ascontiguousarray(units[:, 0])
        self.high: Int64s = np.ascontiguousarray(units[:, 1])
        self.low: Int64s = np.ascontiguousarray(units[:, 2])
        self.close: Int64s = np.ascontiguousarray(units[:, 3])
        self.volume: Int64s = to_units(volume, self.volume_decimals)
        self.first_ms = int(ts[0]) if origin_ms is None else origin_ms
        span = int(ts[-1]) + interval - self.first_ms
        self.period_ms = -(-span // period_align_ms) * period_align_ms

    @classmethod
    def from_csv(cls, symbol: str, path: Path, period_align_ms: int = DAY_MS) -> CandleSeries:
        """Read a candle CSV(.gz) in the shared format.

        Raises:
            DataError: one line naming the file and the problem.
        """
        return cls(symbol, read_candles_csv(path), str(path), period_align_ms)

    @property
    def data_end_ms(self) -> int:
        """End (exclusive) of the last candle in data time."""
        return int(self.ts[-1]) + self.interval_ms

    def shift_of(self, t: int) -> int:
        """Shift (ms) of the data copy that contains timeline time ``t``."""
        return ((t - self.first_ms) // self.period_ms) * self.period_ms

    def locate(self, t: int) -> tuple[int, int, bool]:
        """The latest candle that opened at or before ``t``.

        Returns:
            (data row, shift of its copy, whether ``t`` falls inside the candle).
            Outside means a data gap; the row is then the last candle before it.
        """
        shift = self.shift_of(t)
        local = t - shift
        row = int(np.searchsorted(self.ts, local, side="right")) - 1
        if row < 0:  # unreachable: local >= first_ms; kept for safety
            row, shift = len(self.ts) - 1, shift - self.period_ms
        inside = local < int(self.ts[row]) + self.interval_ms
        return row, shift, inside

    def window(self, t0: int, t1: int) -> CandleArrays:
        """Candles whose timeline open time is in ``[t0, t1)``, oldest first."""
        rows: list[Int64s] = []
        times: list[Int64s] = []
        if t1 > t0:
            for copy in range(
                self.shift_of(t0) // self.period_ms, self.shift_of(t1 - 1) // self.period_ms + 1
            ):
                shift = copy * self.period_ms
                lo = int(np.searchsorted(self.ts, t0 - shift, side="left"))
                hi = int(np.searchsorted(self.ts, t1 - shift, side="left"))
                if hi > lo:
                    rows.append(np.arange(lo, hi, dtype=np.int64))
                    times.append(self.ts[lo:hi] + shift)
        index = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        ts = np.concatenate(times) if times else np.empty(0, dtype=np.int64)
        return CandleArrays(
            ts=ts,
            index=index,
            open=self.open[index],
            high=self.high[index],
            low=self.low[index],
            close=self.close[index],
            volume=self.volume[index],
        )
