"""Speed of the causality check and of the live strategy runner.

1. ``check_causality`` with 50 random cuts on 20k synthetic 1-minute bars for an
   SMA cross (target: ~1 s), and on the 40,320 shipped BTCUSDT demo bars for each
   built-in strategy.
2. The live runner's cost per bar close (window build + target + transition) for
   each built-in at its default window.

Run by hand: `.venv/bin/python bench/strategy_causality.py`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from moonai_tui.domain import Bar
from moonai_tui.engine.strategy_runner import StrategyRunner
from moonai_tui.strategy import DEFAULT_PARAMS_FILE, load_params, load_strategy
from moonai_tui.strategy.bars import bars_from_arrays, demo_bars
from moonai_tui.strategy.causality import check_causality

FOLDER = Path(__file__).resolve().parents[1] / "strategies"
NAMES = ("sma_cross", "mean_reversion", "breakout")


def synthetic(n: int, seed: int = 1) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * 1.0005
    low = np.minimum(open_, close) * 0.9995
    ts = 1_704_067_200_000 + 60_000 * np.arange(n, dtype=np.int64)
    return ts, open_, high, low, close, np.ones(n)


def main() -> None:
    strategies = {n: load_strategy(n, FOLDER, load_params(DEFAULT_PARAMS_FILE, n)) for n in NAMES}
    bars = bars_from_arrays(*synthetic(20_000))
    for strategy in strategies.values():
        check_causality(strategy, bars.iloc[:500], cuts=2)  # compile the numba kernels once
    started = time.perf_counter()
    report = check_causality(strategies["sma_cross"], bars, cuts=50)
    elapsed = time.perf_counter() - started
    print(f"sma_cross, 20,000 bars, {report.cuts} histories: {elapsed:.3f} s (target ~1 s)")

    demo, _ = demo_bars()
    for name, strategy in strategies.items():
        started = time.perf_counter()
        report = check_causality(strategy, demo, cuts=50)
        elapsed = time.perf_counter() - started
        print(f"{name}, demo {len(demo):,} bars, {report.cuts} histories: {elapsed:.3f} s")

    ts, o, h, lo, c, v = synthetic(3_000, seed=2)
    feed = [Bar(int(t), *row) for t, *row in zip(ts, o, h, lo, c, v, strict=True)]
    for name, strategy in strategies.items():
        runner = StrategyRunner(name, strategy)
        runner.seed("X", feed[:1_500])
        started = time.perf_counter()
        for bar in feed[1_500:]:
            runner.on_bar_close("X", bar)
        per_bar = (time.perf_counter() - started) / 1_500 * 1e3
        print(f"live runner {name}: window {runner.window} bars, {per_bar:.3f} ms per bar close")


if __name__ == "__main__":
    main()
