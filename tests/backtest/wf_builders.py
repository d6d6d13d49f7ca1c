"""Bars and small strategies for the optimisation and walk-forward tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.backtest import BacktestConfig
from moonai_tui.indicators import sma
from moonai_tui.strategy import Strategy, param
from moonai_tui.strategy.bars import bars_from_arrays

START_MS = 1_709_254_800_000  # 2024-03-01 01:00 UTC
FEE = 0.001
ALL_IN = BacktestConfig(
    sizing="all_in",
    stop_loss_pct=None,
    take_profit_pct=None,
    funding_rate=0.0,
    taker_fee=FEE,
)
"""Whole equity per entry, no stops, no funding: returns follow from prices alone."""


def rising_bars(n: int, growth: float) -> pd.DataFrame:
    """Closes ``100 x growth**i``, each bar opening at the previous close."""
    close = 100.0 * growth ** np.arange(n, dtype=np.float64)
    open_ = np.concatenate(([100.0], close[:-1]))
    ts = START_MS + 60_000 * np.arange(n, dtype=np.int64)
    return bars_from_arrays(ts, open_, close + 0.01, open_ - 0.01, close, np.ones(n))


def random_bars(n: int, seed: int = 3) -> pd.DataFrame:
    """A seeded random walk with consistent OHLC."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.003, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.001, n)) * close
    ts = START_MS + 60_000 * np.arange(n, dtype=np.int64)
    high, low = np.maximum(open_, close) + spread, np.minimum(open_, close) - spread
    return bars_from_arrays(ts, open_, high, low, close, np.ones(n))


class Delay(Strategy):
    """Flat until bar ``delay``, then long to the end; ``delay == skip`` is rejected."""

    name = "delay"
    delay: int = param(1, low=0, high=100)
    skip: int = -1

    def validate(self) -> None:
        if self.delay == self.skip:
            raise ValueError(f"delay {self.delay} is the skipped value")

    def target(self, bars: pd.DataFrame) -> pd.Series:
        out = np.zeros(len(bars))
        out[self.delay :] = 1.0
        return pd.Series(out, index=bars.index)


class Cross(Strategy):
    """Long above SMA(period) of the close, flat below."""

    name = "cross"
    period: int = param(5, low=2)

    def warmup(self) -> int:
        return self.period

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        average = sma(close, self.period)
        out = np.where(close > average, 1.0, 0.0)
        out[np.isnan(average)] = np.nan
        return pd.Series(out, index=bars.index)
