"""SMA cross: enter long when the fast average crosses above the slow one, short below."""

from __future__ import annotations

from collections.abc import Sequence

from moonai_tui.strategy import BarStrategy, Signal


class SmaCross(BarStrategy):
    name = "sma_cross"
    fast: int = 10
    slow: int = 30

    def on_bars(self, closes: Sequence[float]) -> Signal | None:
        if len(closes) <= self.slow:
            return None
        fast_now = sum(closes[-self.fast :]) / self.fast
        slow_now = sum(closes[-self.slow :]) / self.slow
        fast_prev = sum(closes[-self.fast - 1 : -1]) / self.fast
        slow_prev = sum(closes[-self.slow - 1 : -1]) / self.slow
        # Confidence grows with the gap between the averages, capped at 1.
        gap = min(1.0, 0.5 + abs(fast_now - slow_now) / slow_now * 100)
        why = f"sma{self.fast} {fast_now:,.1f} vs sma{self.slow} {slow_now:,.1f}"
        if fast_prev <= slow_prev and fast_now > slow_now:
            return Signal("buy", gap, f"{why}: crossed up")
        if fast_prev >= slow_prev and fast_now < slow_now:
            return Signal("sell", gap, f"{why}: crossed down")
        return None
