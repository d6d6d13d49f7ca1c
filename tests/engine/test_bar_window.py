"""The live bar window: each frame equals the bars built afresh, and frames handed out
earlier never change as later bars arrive (even when the buffer fills and moves)."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

from moonai_tui.domain import Bar
from moonai_tui.engine.bar_window import BarWindow
from moonai_tui.strategy.bars import bars_from_list

MINUTE = 60_000


def walk(count: int, seed: int = 5) -> list[Bar]:
    """1m bars with a 3-minute gap at bar 17 and a spacing change to 2 minutes at bar 40."""
    rng = np.random.default_rng(seed)
    bars, ts = [], 1_709_251_200_000
    for i in range(count):
        ts += 4 * MINUTE if i == 17 else (2 * MINUTE if i >= 40 else MINUTE)
        price = float(100 + rng.normal())
        bars.append(Bar(ts, price, price + 1, price - 1, price + 0.5, float(i)))
    return bars


def test_every_frame_equals_the_window_built_from_scratch() -> None:
    bars = walk(90)
    window = BarWindow(12)
    for i, bar in enumerate(bars):
        window.append(bar)
        expected = bars_from_list(bars[max(0, i + 1 - 12) : i + 1])
        pd.testing.assert_frame_equal(window.frame(), expected)


def test_frames_and_columns_handed_out_never_change_afterwards() -> None:
    bars = walk(60)
    window = BarWindow(8)
    kept: list[tuple[pd.DataFrame, pd.DataFrame, np.ndarray]] = []
    for bar in bars:
        window.append(bar)
        frame = window.frame()
        kept.append((frame, frame.copy(), frame["close"].to_numpy()))
    # 60 bars through a 16-row buffer: it filled and moved several times meanwhile.
    for frame, snapshot, close in kept:
        pd.testing.assert_frame_equal(frame, snapshot)
        np.testing.assert_array_equal(close, snapshot["close"].to_numpy())


def test_a_strategy_writing_to_its_frame_does_not_touch_the_window() -> None:
    bars = walk(20)
    window = BarWindow(10)
    for bar in bars:
        window.append(bar)
    frame = window.frame()
    frame.loc[frame.index[-1], "close"] = -1.0
    assert window.frame()["close"].iloc[-1] == bars[-1].close


def test_an_empty_window_is_an_empty_bars_frame() -> None:
    frame = BarWindow(5).frame()
    assert frame.empty and list(frame.columns) == ["open", "high", "low", "close", "volume"]


def test_writing_into_a_frame_kept_from_before_a_rebuild_leaves_the_window_alone() -> None:
    window = BarWindow(5)
    start = 1_709_251_200_000
    for i in range(4):
        window.append(Bar(start + i * MINUTE, 100 + i, 101 + i, 99 + i, 100.5 + i, 1.0))
    kept = window.frame()
    window.append(Bar(start + 10 * MINUTE, 200, 201, 199, 200.5, 1.0))  # a gap: rebuilt
    before = window.frame()["close"].tolist()
    gc.collect()  # the frame the kept one came from is gone

    kept.iloc[-1, 3] = -999.0

    assert window.frame()["close"].tolist() == before
