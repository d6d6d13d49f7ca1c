"""Second, deliberately naive implementation of every indicator, for golden values.

Plain Python loops over lists, written from the textbook/TA-Lib documented definitions
rather than from moonai_tui's code: exact sums (math.fsum), exact population/sample std
(statistics, which works in fractions), textbook EMA form ``k*x + (1-k)*prev``, Wilder's
RSI as ``100 - 100 / (1 + RS)``. Slow on purpose; use on a few thousand bars at most.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

NAN = math.nan


def sma(x: Sequence[float], n: int) -> list[float]:
    return [NAN if i < n - 1 else math.fsum(x[i - n + 1 : i + 1]) / n for i in range(len(x))]


def ema_seeded(x: Sequence[float], n: int, seed_start: int) -> list[float]:
    """TA-Lib's EMA: SMA of ``x[seed_start:seed_start+n]`` on its last bar, then recursion."""
    out = [NAN] * len(x)
    first = seed_start + n - 1
    if first >= len(x):
        return out
    k = 2.0 / (n + 1)
    prev = math.fsum(x[seed_start : first + 1]) / n
    out[first] = prev
    for i in range(first + 1, len(x)):
        prev = k * x[i] + (1.0 - k) * prev
        out[i] = prev
    return out


def ema(x: Sequence[float], n: int) -> list[float]:
    return ema_seeded(x, n, 0)


def macd(
    x: Sequence[float], fast: int, slow: int, signal: int
) -> tuple[list[float], list[float], list[float]]:
    """TA-Lib's MACD: both EMAs first valid on bar slow-1 (fast seeded from the ``fast`` bars
    ending there), signal = EMA of the line seeded with the mean of its first values, and
    nothing is output before bar slow + signal - 2."""
    slow_ema = ema_seeded(x, slow, 0)
    fast_ema = ema_seeded(x, fast, slow - fast)
    first = slow - 1
    line = [
        f - s if i >= first else NAN
        for i, (f, s) in enumerate(zip(fast_ema, slow_ema, strict=True))
    ]
    sig = [NAN] * len(x)
    if first < len(x):
        sig[first:] = ema_seeded(line[first:], signal, 0)
    ready = slow + signal - 2
    out_line = [v if i >= ready else NAN for i, v in enumerate(line)]
    hist = [a - b for a, b in zip(out_line, sig, strict=True)]
    return out_line, sig, hist


def rsi(x: Sequence[float], n: int) -> list[float]:
    out = [NAN] * len(x)
    if len(x) <= n:
        return out
    changes = [x[i] - x[i - 1] for i in range(1, len(x))]
    gain = math.fsum(max(c, 0.0) for c in changes[:n]) / n
    loss = math.fsum(max(-c, 0.0) for c in changes[:n]) / n

    def value(g: float, lo: float) -> float:
        if g == 0.0 and lo == 0.0:
            return 0.0  # TA-Lib's output when nothing moved
        if lo == 0.0:
            return 100.0
        return 100.0 - 100.0 / (1.0 + g / lo)

    out[n] = value(gain, loss)
    for i in range(n + 1, len(x)):
        c = changes[i - 1]
        gain = (gain * (n - 1) + max(c, 0.0)) / n
        loss = (loss * (n - 1) + max(-c, 0.0)) / n
        out[i] = value(gain, loss)
    return out


def bollinger(x: Sequence[float], n: int, k: float) -> tuple[list[float], list[float], list[float]]:
    mid, up, low = [NAN] * len(x), [NAN] * len(x), [NAN] * len(x)
    for i in range(n - 1, len(x)):
        window = list(x[i - n + 1 : i + 1])
        mean = statistics.fmean(window)
        std = statistics.pstdev(window)
        mid[i], up[i], low[i] = mean, mean + k * std, mean - k * std
    return mid, up, low


def true_range(h: Sequence[float], lo: Sequence[float], c: Sequence[float]) -> list[float]:
    return [NAN] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]


def atr(h: Sequence[float], lo: Sequence[float], c: Sequence[float], n: int) -> list[float]:
    tr = true_range(h, lo, c)
    out = [NAN] * len(c)
    if len(c) <= n:
        return out
    prev = math.fsum(tr[1 : n + 1]) / n
    out[n] = prev
    for i in range(n + 1, len(c)):
        prev = (prev * (n - 1) + tr[i]) / n
        out[i] = prev
    return out


def donchian(
    h: Sequence[float], lo: Sequence[float], n: int
) -> tuple[list[float], list[float], list[float]]:
    up = [NAN if i < n - 1 else max(h[i - n + 1 : i + 1]) for i in range(len(h))]
    down = [NAN if i < n - 1 else min(lo[i - n + 1 : i + 1]) for i in range(len(lo))]
    return up, down, [(a + b) / 2 for a, b in zip(up, down, strict=True)]


def vwap(
    h: Sequence[float],
    lo: Sequence[float],
    c: Sequence[float],
    v: Sequence[float],
    n: int | None,
) -> list[float]:
    tp = [(a + b + d) / 3 for a, b, d in zip(h, lo, c, strict=True)]
    out = []
    for i in range(len(c)):
        begin = 0 if n is None else i - n + 1
        if begin < 0:
            out.append(NAN)
            continue
        volume = math.fsum(v[begin : i + 1])
        weighted = math.fsum(
            p * q for p, q in zip(tp[begin : i + 1], v[begin : i + 1], strict=True)
        )
        out.append(weighted / volume if volume > 0 else NAN)
    return out


def rolling_volatility(c: Sequence[float], n: int) -> list[float]:
    returns = [NAN] + [math.log(c[i] / c[i - 1]) for i in range(1, len(c))]
    return [NAN if i < n else statistics.stdev(returns[i - n + 1 : i + 1]) for i in range(len(c))]


def zscore(x: Sequence[float], n: int) -> list[float]:
    out = [NAN] * len(x)
    for i in range(n - 1, len(x)):
        window = list(x[i - n + 1 : i + 1])
        std = statistics.pstdev(window)
        out[i] = 0.0 if std == 0 else (x[i] - statistics.fmean(window)) / std
    return out
