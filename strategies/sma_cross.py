"""SMA cross: long while the fast average is above the slow one, short (or flat) below.

Optional trend filter: with ``trend > 0`` a long is held only while the close is
above SMA(trend) and a short only while it is below; otherwise the target is flat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.indicators import sma
from moonai_tui.strategy import Strategy, param
from moonai_tui.strategy.bars import bar_column


class SmaCross(Strategy):
    name = "sma_cross"
    fast: int = param(10, low=1)
    slow: int = param(30, low=2)
    trend: int = param(0, low=0, help="SMA length of the trend filter; 0 = off")
    allow_short: bool = True

    def validate(self) -> None:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be below slow ({self.slow})")

    def warmup(self) -> int:
        return max(self.slow, self.trend)

    def lookback(self) -> int:
        # Plain moving averages forget everything older than their length: a live
        # window just past the warm-up gives the full history's values and keeps
        # the per-bar evaluation well inside the 1 ms tick-to-order budget.
        return self.warmup()

    def target(self, bars: pd.DataFrame) -> np.ndarray:
        close = bar_column(bars, "close")
        fast, slow = sma(close, self.fast), sma(close, self.slow)
        out = np.where(fast > slow, 1.0, -1.0 if self.allow_short else 0.0)
        unknown = np.isnan(slow)
        if self.trend:
            trend = sma(close, self.trend)
            out[(out > 0) & ~(close > trend)] = 0.0
            out[(out < 0) & ~(close < trend)] = 0.0
            unknown |= np.isnan(trend)
        out[unknown] = np.nan
        # An array on bars' rows is accepted as a Series (see evaluate_target) and
        # skips building one: this runs at every bar close, on the order path.
        return out

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        close = bar_column(bars, "close")
        fast, slow = sma(close, self.fast)[-1], sma(close, self.slow)[-1]
        # Confidence grows with the gap between the averages: 0.5 at a touch, 1 at 0.5%.
        confidence = min(1.0, 0.5 + abs(fast - slow) / slow * 100)
        return confidence, f"sma{self.fast} {fast:,.2f} vs sma{self.slow} {slow:,.2f}"
