"""Oscillators: Wilder's RSI and the rolling z-score."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from moonai_tui.indicators import _kernels
from moonai_tui.indicators._inputs import FloatArray, period, series


def rsi(close: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Relative strength index with Wilder smoothing, as TA-Lib's ``RSI``.

    Over the first ``n`` close-to-close changes the average gain and loss are plain means;
    after that ``avg = (avg * (n - 1) + current) / n``. ``rsi = 100 * gain / (gain + loss)``,
    and 0 when there was no movement at all (TA-Lib's choice, kept for parity).

    Warm-up: the first ``n`` values are NaN (after any leading NaNs, which are skipped as
    the TA-Lib Python wrapper does). A later NaN poisons every later value.
    """
    n = period("rsi", "n", n)
    values = series("rsi", "close", close)
    return _kernels.wilder_rsi(values, n, _kernels.first_valid(values))


def zscore(x: npt.ArrayLike, n: int = 20) -> FloatArray:
    """``(x - rolling mean) / rolling population std`` over the last ``n`` values (ddof=0).

    A window of identical values has no spread; its z-score is 0 (the value equals the mean)
    rather than 0/0. Warm-up: the first ``n - 1`` values are NaN; a window holding a NaN
    gives NaN.
    """
    n = period("zscore", "n", n)
    values = series("zscore", "x", x)
    mean, m2 = _kernels.rolling_mean_m2(values, n, True)
    std = np.sqrt(m2 / n)
    deviation = values - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        z = deviation / std
    z[std == 0.0] = 0.0
    return z
