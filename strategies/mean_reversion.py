"""Mean reversion: buy a close below the lower Bollinger band with RSI oversold, sell
the mirror image; hold until the close gets back to the middle band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.indicators import bollinger, rsi
from moonai_tui.strategy import Strategy, carried_target, param


class MeanReversion(Strategy):
    name = "mean_reversion"
    period: int = param(20, low=2, help="Bollinger length")
    width: float = param(2.0, low=0.1, help="Bollinger width in standard deviations")
    rsi_period: int = param(14, low=2)
    oversold: float = param(30.0, low=0.0, high=100.0)
    overbought: float = param(70.0, low=0.0, high=100.0)
    allow_short: bool = True

    def validate(self) -> None:
        if self.oversold >= self.overbought:
            raise ValueError(f"oversold ({self.oversold}) must be below overbought")

    def warmup(self) -> int:
        return max(self.period, self.rsi_period + 1)

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        middle, upper, lower = bollinger(close, self.period, self.width)
        strength = rsi(close, self.rsi_period)
        enter_long = (close < lower) & (strength < self.oversold)
        enter_short = (close > upper) & (strength > self.overbought) & self.allow_short
        # The exit that applies depends on the side of the last entry: a long is
        # closed back at the middle band, a short likewise from below.
        marks = np.full(close.size, np.nan)
        marks[enter_long] = 1.0
        marks[enter_short] = -1.0
        side = carried_target(marks)
        back = np.where(side > 0, close >= middle, np.where(side < 0, close <= middle, False))
        marks[back & np.isnan(marks)] = 0.0
        out = carried_target(marks)
        out[np.isnan(middle) | np.isnan(strength)] = np.nan
        return pd.Series(out, index=bars.index)

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        close = bars["close"].to_numpy()
        middle, upper, lower = bollinger(close, self.period, self.width)
        strength = rsi(close, self.rsi_period)[-1]
        half = max(upper[-1] - middle[-1], 1e-12)
        # Confidence: 0.5 at the band, 1 a further half band-width beyond it.
        beyond = max(close[-1] - upper[-1], lower[-1] - close[-1], 0.0) / half
        why = f"close {close[-1]:,.2f}, bands {lower[-1]:,.2f}-{upper[-1]:,.2f}, rsi {strength:.1f}"
        return min(1.0, 0.5 + beyond), why
