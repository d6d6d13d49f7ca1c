"""Moving averages: SMA, EMA and MACD, with TA-Lib's seeding and warm-up."""

from __future__ import annotations

import numpy.typing as npt

from moonai_tui.errors import IndicatorError
from moonai_tui.indicators import _kernels
from moonai_tui.indicators._inputs import FloatArray, period, series


def sma(x: npt.ArrayLike, n: int) -> FloatArray:
    """Simple moving average of the last ``n`` values (current bar included).

    Warm-up: the first ``n - 1`` values are NaN (TA-Lib's lookback ``n - 1``). A window that
    contains a NaN gives NaN; the average resumes once the NaN has left the window.
    """
    n = period("sma", "n", n)
    mean, _ = _kernels.rolling_mean_m2(series("sma", "x", x), n, False)
    return mean


def ema(x: npt.ArrayLike, n: int) -> FloatArray:
    """Exponential moving average as TA-Lib computes it.

    ``k = 2 / (n + 1)``; the first value is the SMA of the first ``n`` values, then
    ``ema[i] = (x[i] - ema[i-1]) * k + ema[i-1]``.

    Warm-up: ``n - 1`` values after the first non-NaN input (leading NaNs are skipped, as the
    TA-Lib Python wrapper does). A NaN after that poisons every later value, as in TA-Lib;
    clean the data first.
    """
    n = period("ema", "n", n)
    values = series("ema", "x", x)
    return _kernels.ema_from(values, n, _kernels.first_valid(values))


def macd(
    close: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """MACD ``(line, signal, hist)`` as TA-Lib's ``MACD``.

    ``line = ema_fast - ema_slow``, ``signal = EMA(line, signal)``, ``hist = line - signal``.
    TA-Lib aligns the two EMAs so that both start on bar ``slow - 1``: the slow EMA is seeded
    with the SMA of bars ``0..slow-1``, the fast one with the SMA of bars
    ``slow-fast..slow-1`` (not ``0..fast-1``); the signal EMA is seeded with the SMA of the
    first ``signal`` line values.

    Warm-up: all three outputs are NaN for the first ``slow + signal - 2`` bars (after any
    leading NaNs), exactly where TA-Lib starts writing. Requires ``fast <= slow``.
    """
    fast = period("macd", "fast", fast)
    slow = period("macd", "slow", slow)
    signal = period("macd", "signal", signal)
    if fast > slow:
        raise IndicatorError(f"macd: fast ({fast}) must not exceed slow ({slow})")
    values = series("macd", "close", close)
    return _kernels.macd_lines(values, fast, slow, signal, _kernels.first_valid(values))
