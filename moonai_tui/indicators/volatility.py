"""Volatility and range indicators: Bollinger bands, ATR, Donchian channel, rolling vol."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import IndicatorError
from moonai_tui.indicators import _kernels
from moonai_tui.indicators._inputs import FloatArray, period, same_length, series


def bollinger(
    close: npt.ArrayLike, n: int = 20, k: float = 2.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Bollinger bands ``(middle, upper, lower)`` as TA-Lib's ``BBANDS`` with an SMA.

    ``middle = SMA(close, n)``, ``upper/lower = middle +/- k * std`` with the population std
    (ddof=0) of the same ``n`` closes. TA-Lib gets that std from ``E[x^2] - E[x]^2``, which
    loses ~1e-8 at BTC prices; we compute it from deviations, so any difference from TA-Lib
    is TA-Lib's rounding. Warm-up: the first ``n - 1`` values are NaN; a window holding a
    NaN gives NaN.
    """
    n = period("bollinger", "n", n)
    given: object = k  # checked at runtime: callers pass config values
    if (
        isinstance(given, bool)
        or not isinstance(given, int | float | np.integer | np.floating)
        or not math.isfinite(given)
    ):
        raise IndicatorError(f"bollinger: k must be a finite number, got {k!r}")
    middle, m2 = _kernels.rolling_mean_m2(series("bollinger", "close", close), n, True)
    width = float(k) * np.sqrt(m2 / n)
    return middle, middle + width, middle - width


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Average true range with Wilder smoothing, as TA-Lib's ``ATR``.

    True range needs the previous close, so it starts on the second bar. The first ATR is
    the mean of the first ``n`` true ranges, then ``atr = (atr * (n - 1) + tr) / n``.
    Warm-up: the first ``n`` values are NaN (after any leading bars where an input is NaN,
    skipped as the TA-Lib Python wrapper does). A later NaN poisons every later value.
    """
    n = period("atr", "n", n)
    h = series("atr", "high", high)
    lo = series("atr", "low", low)
    c = series("atr", "close", close)
    same_length("atr", high=h, low=lo, close=c)
    start = _kernels.first_valid(h + lo + c)
    return _kernels.wilder_atr(h, lo, c, n, start)


def donchian(
    high: npt.ArrayLike, low: npt.ArrayLike, n: int = 20
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Donchian channel ``(upper, lower, middle)`` over the last ``n`` bars, current included.

    ``upper = max(high)``, ``lower = min(low)`` (TA-Lib's ``MAX``/``MIN``), ``middle`` their
    mean. A breakout test against the previous bar's channel must shift it by one bar itself.
    Warm-up: the first ``n - 1`` values are NaN; a window holding a NaN gives NaN.
    """
    n = period("donchian", "n", n)
    h = series("donchian", "high", high)
    lo = series("donchian", "low", low)
    same_length("donchian", high=h, low=lo)
    upper = _kernels.rolling_extreme(h, n, True)
    lower = _kernels.rolling_extreme(lo, n, False)
    return upper, lower, (upper + lower) / 2.0


def rolling_volatility(close: npt.ArrayLike, n: int = 20) -> FloatArray:
    """Sample std (ddof=1) of the last ``n`` log returns ``ln(close[i] / close[i-1])``.

    Per bar, not annualised (multiply by ``sqrt(bars per year)`` for that). Needs ``n >= 2``.
    Warm-up: the first ``n`` values are NaN (``n`` returns need ``n + 1`` closes).
    """
    n = period("rolling_volatility", "n", n, minimum=2)
    c = series("rolling_volatility", "close", close)
    returns = np.full(c.size, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        returns[1:] = np.log(c[1:] / c[:-1])
    _, m2 = _kernels.rolling_mean_m2(returns, n, True)
    return np.sqrt(m2 / (n - 1))
