"""Small builders for backtest tests: bars from tuples, a strategy with a fixed target."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from moonai_tui.backtest import BacktestConfig, BacktestResult, run_backtest
from moonai_tui.strategy import Strategy

START = pd.Timestamp("2024-03-01 01:00", tz="UTC")
"""Away from the 00/08/16 UTC funding times, so minute bars pay no funding."""

Ohlc = tuple[float, float, float, float]


def make_bars(
    rows: Sequence[Ohlc], *, start: pd.Timestamp = START, freq: str = "1min"
) -> pd.DataFrame:
    """Bars from ``(open, high, low, close)`` rows, one per ``freq`` from ``start``."""
    array = np.asarray(rows, dtype=np.float64)
    index = pd.date_range(start, periods=len(rows), freq=freq)
    return pd.DataFrame(
        {
            "open": array[:, 0],
            "high": array[:, 1],
            "low": array[:, 2],
            "close": array[:, 3],
            "volume": np.ones(len(rows)),
        },
        index=index,
    )


def flat(price: float) -> Ohlc:
    """A bar that never moves."""
    return (price, price, price, price)


class FixedTarget(Strategy):
    """A strategy whose target (and stops) are given up front."""

    name = "fixed_target"

    def __init__(self, target: Sequence[float], stops: pd.DataFrame | None = None) -> None:
        super().__init__()
        self._target = np.asarray(target, dtype=np.float64)
        self._stops = stops

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(self._target, index=bars.index)

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame | None:
        return self._stops


NAN = float("nan")

NO_FUNDING = BacktestConfig(funding_rate=0.0)


def run(
    rows: Sequence[Ohlc],
    target: Sequence[float],
    config: BacktestConfig = NO_FUNDING,
    **changes: object,
) -> BacktestResult:
    """Backtest a fixed target on ``rows`` with ``config`` (plus ``changes``)."""
    cfg = config.with_changes(**changes) if changes else config
    return run_backtest(FixedTarget(target), make_bars(rows), cfg)
