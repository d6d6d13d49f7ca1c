"""Shared bars for the strategy tests: a seeded random walk with consistent OHLC."""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.strategy.bars import bars_from_arrays

START_MS = 1_704_067_200_000  # 2024-01-01 00:00 UTC


def random_bars(n: int, seed: int = 7, step_ms: int = 60_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.001, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    volume = rng.uniform(1.0, 10.0, n)
    ts = START_MS + step_ms * np.arange(n, dtype=np.int64)
    return bars_from_arrays(ts, open_, high, low, close, volume)
