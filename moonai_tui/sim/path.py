"""A seeded, deterministic intra-candle market for one real candle.

The price path is a Brownian bridge through the candle's four anchors:
O → first extreme → second extreme → C, where the extreme nearer to the open
is more likely to come first. It is clamped to [L, H] and kept on the data's
price grid, so it touches O, H, L and C exactly and never leaves the range.

Public trades sit on path steps (about 60 % of them, always including the four
anchors, so a candle rebuilt from its trades equals the real candle). Their
sizes are integer volume units that sum exactly to the candle's volume, and the
aggressor side follows the tick rule: an uptick is a buy, a downtick a sell, a
zero tick repeats the previous side.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TRADE_PROBABILITY = 0.6
"""Share of path steps that carry a trade (before forcing the anchors)."""
NOISE = 0.3
"""Per-step noise of the bridge relative to (H - L) / sqrt(steps)."""


@dataclass(frozen=True, slots=True)
class CandlePath:
    """The generated market inside one candle, in the series' integer units."""

    step_ms: int
    prices: NDArray[np.int64]
    """Price at each step (step i covers [open + i·step_ms, open + (i+1)·step_ms))."""
    sizes: NDArray[np.int64]
    """Trade size at each step in volume units; 0 means no trade at that step."""
    buys: NDArray[np.bool_]
    """Aggressor side of the trade at each step (True = buy); meaningless where size is 0."""
    last_trade: NDArray[np.int64]
    """For each step, the latest step at or before it that traded (-1 if none yet)."""


def step_ms_for(interval_ms: int) -> int:
    """Path resolution: one step per market second up to 1h candles, else one per minute.

    Both divide 60 s, so every kline interval finer than the candle is a whole
    number of steps.
    """
    return 1_000 if interval_ms <= 3_600_000 else 60_000


def candle_rng(seed: int, symbol: str, row: int) -> np.random.Generator:
    """The generator for one candle: the same (seed, symbol, row) always gives the same market."""
    return np.random.default_rng([seed, zlib.crc32(symbol.encode()), row])


def _bridge(
    start: int, end: int, steps: int, sigma: float, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``steps + 1`` points of a Brownian bridge from ``start`` to ``end``."""
    if steps <= 0:
        return np.array([float(start)])
    walk = np.concatenate(([0.0], np.cumsum(rng.normal(0.0, sigma, steps))))
    fraction = np.arange(steps + 1) / steps
    points: NDArray[np.float64] = start + (end - start) * fraction + walk - fraction * walk[-1]
    return points


def _anchor_steps(n_steps: int, rng: np.random.Generator) -> tuple[int, int]:
    """Two distinct inner steps (sorted) where the path touches its extremes (needs 4+ steps)."""
    first, second = sorted(rng.choice(np.arange(1, n_steps - 1), size=2, replace=False))
    return int(first), int(second)


def generate_path(
    ohlc: tuple[int, int, int, int],
    volume: int,
    prev_close: int,
    n_steps: int,
    step_ms: int,
    rng: np.random.Generator,
) -> CandlePath:
    """Generate the market inside one candle.

    Args:
        ohlc: open, high, low, close in price units.
        volume: the candle's volume in volume units.
        prev_close: close of the previous candle (the reference for the first tick).
        n_steps: number of path steps in the candle (at least 4).
        step_ms: duration of one step.
        rng: the candle's generator (``candle_rng``).
    """
    o, h, lo, c = ohlc
    high_first = True
    if h > lo:
        # The extreme nearer to the open tends to be reached first.
        high_first = bool(rng.random() < (o - lo) / ((h - o) + (o - lo)))
    i1, i2 = _anchor_steps(n_steps, rng)
    v1, v2 = (h, lo) if high_first else (lo, h)
    sigma = NOISE * (h - lo) / np.sqrt(n_steps)
    path = np.empty(n_steps, dtype=np.float64)
    path[: i1 + 1] = _bridge(o, v1, i1, sigma, rng)
    path[i1 : i2 + 1] = _bridge(v1, v2, i2 - i1, sigma, rng)
    path[i2:] = _bridge(v2, c, n_steps - 1 - i2, sigma, rng)
    prices = np.clip(np.rint(path), lo, h).astype(np.int64)
    prices[0], prices[i1], prices[i2], prices[-1] = o, v1, v2, c

    high_step, low_step = (i1, i2) if high_first else (i2, i1)
    sizes = _trade_sizes(volume, n_steps, (high_step, low_step, n_steps - 1, 0), rng)
    buys = _tick_rule(prices, sizes, prev_close, rng)
    traded = np.where(sizes > 0, np.arange(n_steps), -1)
    return CandlePath(step_ms, prices, sizes, buys, np.maximum.accumulate(traded))


def _trade_sizes(
    volume: int, n_steps: int, anchors: tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    sizes = np.zeros(n_steps, dtype=np.int64)
    if volume <= 0:
        return sizes
    chosen = rng.random(n_steps) < TRADE_PROBABILITY
    chosen[list(anchors)] = False
    others = rng.permutation(np.flatnonzero(chosen))
    ordered = list(dict.fromkeys(anchors)) + [int(i) for i in others]
    steps = np.array(ordered[: min(len(ordered), volume)], dtype=np.int64)
    # Heavy-tailed sizes (a few large prints, many small), each at least one unit.
    weights = rng.lognormal(0.0, 1.0, len(steps))
    extra = rng.multinomial(volume - len(steps), weights / weights.sum())
    sizes[steps] = extra + 1
    return sizes


def _tick_rule(
    prices: NDArray[np.int64], sizes: NDArray[np.int64], prev_close: int, rng: np.random.Generator
) -> NDArray[np.bool_]:
    buys = np.zeros(len(prices), dtype=np.bool_)
    steps = np.flatnonzero(sizes)
    if len(steps) == 0:
        return buys
    traded = prices[steps]
    ticks = np.sign(np.diff(traded, prepend=prev_close))
    # Carry the last non-zero tick forward over zero ticks; before any, a coin flip.
    marks = np.where(ticks != 0, np.arange(len(ticks)), -1)
    last = np.maximum.accumulate(marks)
    initial = 1 if rng.random() < 0.5 else -1
    direction = np.where(last >= 0, ticks[np.maximum(last, 0)], initial)
    buys[steps] = direction > 0
    return buys
