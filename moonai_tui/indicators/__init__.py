"""Technical indicators: vectorised/compiled, float64 in and out, TA-Lib's conventions.

Every function takes numpy arrays or pandas Series and returns numpy float64 arrays of
the input's length, NaN during the warm-up stated in its docstring. Bad periods or inputs
raise :class:`moonai_tui.errors.IndicatorError` (a ``ValueError``).

Warm-up (leading NaN bars; recursive ones count from the first non-NaN input):

=====================================  ===========================================
sma, bollinger, donchian, zscore        ``n - 1``
ema                                     ``n - 1``
rsi, atr, rolling_volatility            ``n``
macd (all three outputs)                ``slow + signal - 2``
vwap                                    none (cumulative), ``n - 1`` (rolling)
=====================================  ===========================================

NaN inside a series: windowed indicators give NaN for the windows that contain it and
recover; recursive ones (ema, rsi, macd, atr, cumulative vwap) stay NaN from there on, as
in TA-Lib. Clean the data first.
"""

from __future__ import annotations

from moonai_tui.indicators.averages import ema, macd, sma
from moonai_tui.indicators.oscillators import rsi, zscore
from moonai_tui.indicators.volatility import atr, bollinger, donchian, rolling_volatility
from moonai_tui.indicators.volume import vwap

__all__ = [
    "atr",
    "bollinger",
    "donchian",
    "ema",
    "macd",
    "rolling_volatility",
    "rsi",
    "sma",
    "vwap",
    "zscore",
]
