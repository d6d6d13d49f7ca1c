"""Volume-weighted average price, cumulative or rolling."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import IndicatorError
from moonai_tui.indicators import _kernels
from moonai_tui.indicators._inputs import FloatArray, period, same_length, series


def vwap(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    n: int | None = None,
) -> FloatArray:
    """Volume-weighted average of the typical price ``(high + low + close) / 3``.

    ``n=None``: cumulative from the first bar, ``sum(tp * v) / sum(v)`` over bars ``0..i``
    (no warm-up; NaN while no volume has traded yet; a NaN poisons the rest). ``n``: the
    same over the last ``n`` bars (warm-up ``n - 1`` bars; a window with no volume or with
    a NaN gives NaN). Volumes must not be negative.
    """
    h = series("vwap", "high", high)
    lo = series("vwap", "low", low)
    c = series("vwap", "close", close)
    v = series("vwap", "volume", volume)
    same_length("vwap", high=h, low=lo, close=c, volume=v)
    if np.any(v < 0):
        first = int(np.argmax(v < 0))
        raise IndicatorError(f"vwap: volume must be >= 0, got {v[first]} at bar {first}")
    typical = (h + lo + c) / 3.0
    weighted = typical * v
    if n is None:
        numerator = _kernels.compensated_cumsum(weighted)
        denominator = _kernels.compensated_cumsum(v)
        empty = denominator == 0.0
    else:
        n = period("vwap", "n", n)
        # Ratio of rolling means = ratio of rolling sums; the mean kernel does not drift.
        numerator, _ = _kernels.rolling_mean_m2(weighted, n, False)
        denominator, _ = _kernels.rolling_mean_m2(v, n, False)
        # Count traded bars exactly (integers) so an all-zero window is NaN even if the
        # rolling mean of volume kept a rounding residue.
        traded = np.concatenate(([0], np.cumsum(v > 0.0)))
        empty = np.zeros(v.size, dtype=bool)
        empty[n - 1 :] = (traded[n:] - traded[:-n]) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    out[empty] = np.nan
    return out
