"""Donchian breakout: long on a close above the previous ``channel``-bar high, short
below the low; out on the opposite ``exit_channel`` break. ATR filters quiet markets
and sets the stop (and optional take-profit) of each trade."""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.indicators import atr, donchian
from moonai_tui.strategy import Strategy, carried_target, param


class Breakout(Strategy):
    name = "breakout"
    channel: int = param(20, low=2, help="entry channel length")
    exit_channel: int = param(10, low=2, help="exit channel length")
    atr_period: int = param(14, low=1)
    min_atr_pct: float = param(0.0, low=0.0, help="trade only when ATR/close >= this")
    stop_atr: float = param(2.0, low=0.0, help="stop-loss distance in ATRs; 0 = risk settings")
    take_atr: float = param(0.0, low=0.0, help="take-profit distance in ATRs; 0 = risk settings")
    allow_short: bool = True

    def warmup(self) -> int:
        return max(self.channel, self.exit_channel, self.atr_period) + 1

    def _previous(self, bars: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The channel of the bars before each bar (a bar cannot break its own range)."""
        upper, lower, _ = donchian(bars["high"].to_numpy(), bars["low"].to_numpy(), n)
        return np.concatenate(([np.nan], upper[:-1])), np.concatenate(([np.nan], lower[:-1]))

    def _atr(self, bars: pd.DataFrame) -> np.ndarray:
        return atr(bars["high"], bars["low"], bars["close"], self.atr_period)

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        high, low = self._previous(bars, self.channel)
        exit_high, exit_low = self._previous(bars, self.exit_channel)
        lively = self._atr(bars) / close >= self.min_atr_pct
        marks = np.full(close.size, np.nan)
        enter_long = (close > high) & lively
        enter_short = (close < low) & lively & self.allow_short
        side = carried_target(np.where(enter_long, 1.0, np.where(enter_short, -1.0, np.nan)))
        out_long = (side > 0) & (close < exit_low)
        out_short = (side < 0) & (close > exit_high)
        marks[out_long | out_short] = 0.0
        marks[enter_long] = 1.0
        marks[enter_short] = -1.0
        out = carried_target(marks)
        out[: min(self.warmup() - 1, close.size)] = np.nan
        return pd.Series(out, index=bars.index)

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame:
        distance = self._atr(bars) / bars["close"].to_numpy()
        stop = distance * self.stop_atr if self.stop_atr else np.full(len(bars), np.nan)
        take = distance * self.take_atr if self.take_atr else np.full(len(bars), np.nan)
        return pd.DataFrame({"stop_loss_pct": stop, "take_profit_pct": take}, index=bars.index)

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        close = float(bars["close"].iloc[-1])
        high, low = self._previous(bars, self.channel)
        vol = float(self._atr(bars)[-1])
        # Confidence: 0.5 at the channel, 1 one ATR beyond it.
        beyond = max(close - high[-1], low[-1] - close, 0.0) / max(vol, 1e-12)
        why = f"close {close:,.2f}, {self.channel}-bar range {low[-1]:,.2f}-{high[-1]:,.2f}"
        return min(1.0, 0.5 + beyond / 2), f"{why}, atr {vol:,.2f}"
