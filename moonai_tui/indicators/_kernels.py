"""Compiled loops behind the indicators: rolling moments, extremes, EMA and Wilder smoothing.

Every kernel takes and returns C-contiguous float64 arrays and writes NaN where it has no
value. The recursive kernels use TA-Lib's seeds and recursions; the EMA repeats its
arithmetic operation by operation (bit-identical results), Wilder's smoothing multiplies by
``(n-1)/n`` and ``1/n`` where TA-Lib divides by ``n`` (a serial divide is ~4x slower; the
results differ by rounding, ~1e-13 on BTC prices).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from moonai_tui.indicators._inputs import FloatArray


@njit(cache=True)
def first_valid(x: FloatArray) -> int:
    """Index of the first non-NaN value, or ``x.size`` when there is none."""
    for i in range(x.size):
        if not np.isnan(x[i]):
            return i
    return x.size


@njit(cache=True)
def _window_moments(
    x: FloatArray, end: int, n: int, anchor: float, with_m2: bool
) -> tuple[float, float]:
    """Exact two-pass mean (relative to ``anchor``) and M2 of ``x[end-n+1 : end+1]``."""
    total = 0.0
    for j in range(end - n + 1, end + 1):
        total += x[j] - anchor
    mu = total / n
    ss = 0.0
    if with_m2:
        for j in range(end - n + 1, end + 1):
            dev = (x[j] - anchor) - mu
            ss += dev * dev
    return mu, ss


_SPREAD_COLLAPSE = 1e-3
"""Recompute a window exactly once its M2 falls below this fraction of the largest M2 since
the last exact computation: the O(1) update carries an absolute error of about one rounding
of that peak, which would otherwise dominate a window whose spread has collapsed."""


@njit(cache=True)
def rolling_mean_m2(x: FloatArray, n: int, with_m2: bool) -> tuple[FloatArray, FloatArray]:
    """Mean and sum of squared deviations (M2) of each full window ``x[i-n+1 : i+1]``.

    ``with_m2=False`` skips the spread (the second array is then empty), for plain means.
    A window that holds a NaN gives NaN.

    Accuracy, which the 1e-9 target at BTC prices (~75 ulps of 60,000) makes the point:
    windows are updated in O(1) (Welford's add/remove step) and recomputed exactly,
    two-pass, every ``n`` bars and whenever the spread collapses (``_SPREAD_COLLAPSE``),
    so rounding cannot drift. The running mean is kept relative to an anchor (a value of
    the window at the last recompute): ``x - anchor`` is exact for prices within 2x of it,
    and the small relative mean keeps each update's rounding at the scale of the price
    moves, not of the price. A window of identical values is detected from the run length
    and gets its value as mean and exactly 0 as M2 (rounding would otherwise leave a tiny
    spread, which a z-score would blow up), the same trick pandas' rolling variance uses.
    """
    size = x.size
    mean = np.full(size, np.nan)
    m2 = np.full(size if with_m2 else 0, np.nan)
    last_nan = -1
    run = 0
    stale = True
    since = 0
    anchor = 0.0
    mu = 0.0
    ss = 0.0
    peak = 0.0
    for i in range(size):
        value = x[i]
        if np.isnan(value):
            last_nan = i
            run = 0
            stale = True
            continue
        run = run + 1 if i > 0 and value == x[i - 1] else 1
        if i - last_nan < n:
            continue
        if run >= n:
            anchor = value
            mu = 0.0
            ss = 0.0
            peak = 0.0
            since = 0
            stale = False
        elif stale or since >= n:
            anchor = value
            mu, ss = _window_moments(x, i, n, anchor, with_m2)
            peak = ss
            since = 0
            stale = False
        else:
            leaving = x[i - n] - anchor
            entering = value - anchor
            previous = mu
            mu = previous + (entering - leaving) / n
            since += 1
            if with_m2:
                ss += (entering - leaving) * (entering - mu + leaving - previous)
                if ss > peak:
                    peak = ss
                elif ss < peak * _SPREAD_COLLAPSE:
                    anchor = value
                    mu, ss = _window_moments(x, i, n, anchor, with_m2)
                    peak = ss
                    since = 0
        mean[i] = anchor + mu
        if with_m2:
            m2[i] = ss if ss > 0.0 else 0.0
    return mean, m2


@njit(cache=True)
def rolling_extreme(x: FloatArray, n: int, highest: bool) -> FloatArray:
    """Rolling max (``highest``) or min over full windows of ``n``; NaN in a window gives NaN.

    Monotonic deque: each value enters and leaves once, so O(len) for any ``n`` and any
    trend (TA-Lib rescans the window whenever the extreme expires). The deque lives in a
    power-of-two ring of at least ``n + 1`` slots: no length-sized scratch arrays, whose
    page faults cost more than the loop on a busy VM. The min is the max of ``-x``.
    """
    size = x.size
    out = np.full(size, np.nan)
    capacity = 1
    while capacity < n + 1:
        capacity *= 2
    mask = capacity - 1
    indices = np.empty(capacity, dtype=np.int64)
    values = np.empty(capacity)
    sign = 1.0 if highest else -1.0
    head = 0
    tail = 0
    last_nan = -1
    for i in range(size):
        value = sign * x[i]
        if np.isnan(value):
            last_nan = i
            head = tail
            continue
        while tail > head and values[(tail - 1) & mask] <= value:
            tail -= 1
        indices[tail & mask] = i
        values[tail & mask] = value
        tail += 1
        if indices[head & mask] <= i - n:
            head += 1
        if i - last_nan >= n:
            out[i] = sign * values[head & mask]
    return out


@njit(cache=True)
def ema_from(x: FloatArray, n: int, seed_start: int) -> FloatArray:
    """TA-Lib's EMA: seed with the mean of ``x[seed_start : seed_start+n]``, then recurse.

    ``ema = (x - ema) * k + ema`` with ``k = 2 / (n + 1)``, written exactly as TA-Lib does.
    The first value lands at ``seed_start + n - 1``; a later NaN poisons the rest.
    """
    size = x.size
    out = np.full(size, np.nan)
    if seed_start < 0 or seed_start + n > size:
        return out
    k = 2.0 / (n + 1)
    total = 0.0
    for j in range(seed_start, seed_start + n):
        total += x[j]
    prev = total / n
    out[seed_start + n - 1] = prev
    for i in range(seed_start + n, size):
        prev = ((x[i] - prev) * k) + prev
        out[i] = prev
    return out


@njit(cache=True)
def macd_lines(
    x: FloatArray, fast: int, slow: int, signal: int, start: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """TA-Lib's MACD in one pass: same seeds and arithmetic as three :func:`ema_from` calls.

    Both EMAs produce their first value on bar ``start + slow - 1`` (the fast one seeded
    with the mean of the ``fast`` bars ending there); the signal EMA is seeded with the mean
    of the first ``signal`` line values. All three outputs start on bar
    ``start + slow + signal - 2``, as in TA-Lib. One pass, no scratch arrays.
    """
    size = x.size
    line = np.full(size, np.nan)
    sig = np.full(size, np.nan)
    hist = np.full(size, np.nan)
    first = start + slow - 1
    ready = first + signal - 1
    if start >= size or ready >= size:
        return line, sig, hist
    k_fast = 2.0 / (fast + 1)
    k_slow = 2.0 / (slow + 1)
    k_signal = 2.0 / (signal + 1)
    total = 0.0
    for j in range(start, first + 1):
        total += x[j]
    slow_ema = total / slow
    total = 0.0
    for j in range(first + 1 - fast, first + 1):
        total += x[j]
    fast_ema = total / fast
    total = 0.0 + (fast_ema - slow_ema)
    for i in range(first + 1, ready + 1):
        fast_ema = ((x[i] - fast_ema) * k_fast) + fast_ema
        slow_ema = ((x[i] - slow_ema) * k_slow) + slow_ema
        total += fast_ema - slow_ema
    signal_ema = total / signal
    value = fast_ema - slow_ema
    line[ready] = value
    sig[ready] = signal_ema
    hist[ready] = value - signal_ema
    for i in range(ready + 1, size):
        fast_ema = ((x[i] - fast_ema) * k_fast) + fast_ema
        slow_ema = ((x[i] - slow_ema) * k_slow) + slow_ema
        value = fast_ema - slow_ema
        signal_ema = ((value - signal_ema) * k_signal) + signal_ema
        line[i] = value
        sig[i] = signal_ema
        hist[i] = value - signal_ema
    return line, sig, hist


@njit(cache=True)
def _rsi_value(gain: float, loss: float) -> float:
    total = gain + loss
    # TA-Lib writes 0 when there was no movement at all (it tests |total| < 1e-8; we test
    # exact zero so sub-cent assets with tiny moves still get an RSI).
    if total == 0.0:
        return 0.0
    return 100.0 * (gain / total)


@njit(cache=True)
def wilder_rsi(x: FloatArray, n: int, start: int) -> FloatArray:
    """TA-Lib's RSI from ``start``: mean gain/loss of the first ``n`` changes, then Wilder."""
    size = x.size
    out = np.full(size, np.nan)
    if start + n >= size:
        return out
    gain = 0.0
    loss = 0.0
    prev = x[start]
    for i in range(start + 1, start + n + 1):
        change = x[i] - prev
        prev = x[i]
        if change < 0:
            loss -= change
        else:
            gain += change
    loss /= n
    gain /= n
    out[start + n] = _rsi_value(gain, loss)
    keep = (n - 1) / n
    step = 1.0 / n
    for i in range(start + n + 1, size):
        change = x[i] - prev
        prev = x[i]
        # Written as selects, not a branch (up/down moves are a coin flip for the branch
        # predictor); a NaN change lands in the gain, as in TA-Lib.
        down = -change if change < 0 else 0.0
        up = 0.0 if change < 0 else change
        loss = loss * keep + down * step
        gain = gain * keep + up * step
        out[i] = _rsi_value(gain, loss)
    return out


@njit(cache=True)
def _true_range(high: float, low: float, prev_close: float) -> float:
    # Selects, not branches: which term wins is unpredictable bar to bar.
    greatest = high - low
    up = abs(prev_close - high)
    greatest = up if up > greatest else greatest
    down = abs(prev_close - low)
    return down if down > greatest else greatest


@njit(cache=True)
def wilder_atr(
    high: FloatArray, low: FloatArray, close: FloatArray, n: int, start: int
) -> FloatArray:
    """TA-Lib's ATR from ``start``: mean true range of bars ``start+1..start+n``, then Wilder.

    True range (TA-Lib's TRANGE, needs the previous close, so none on the first bar) is
    ``max(high - low, |prev_close - high|, |prev_close - low|)``.
    """
    size = close.size
    out = np.full(size, np.nan)
    if start + n >= size:
        return out
    # True range is computed on the fly (no length-sized scratch array, see rolling_extreme).
    total = 0.0
    for i in range(start + 1, start + n + 1):
        total += _true_range(high[i], low[i], close[i - 1])
    prev = total / n
    out[start + n] = prev
    keep = (n - 1) / n
    step = 1.0 / n
    for i in range(start + n + 1, size):
        prev = prev * keep + _true_range(high[i], low[i], close[i - 1]) * step
        out[i] = prev
    return out


@njit(cache=True)
def compensated_cumsum(x: FloatArray) -> FloatArray:
    """Running sum with Neumaier compensation: error stays near one rounding of the total
    instead of growing with the length (a plain cumsum over 1M prices drifts ~1e-6)."""
    size = x.size
    out = np.empty(size)
    total = 0.0
    carry = 0.0
    for i in range(size):
        value = x[i]
        t = total + value
        if abs(total) >= abs(value):
            carry += (total - t) + value
        else:
            carry += (value - t) + total
        total = t
        out[i] = total + carry
    return out
