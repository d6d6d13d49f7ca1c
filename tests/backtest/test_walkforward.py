"""Walk-forward: window arithmetic by hand, and out-of-sample data never choosing params."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from bt_builders import FixedTarget
from wf_builders import ALL_IN, Cross, random_bars

from moonai_tui.backtest import run_backtest
from moonai_tui.backtest import walkforward as wf
from moonai_tui.backtest.optimize import parse_space
from moonai_tui.backtest.walkforward import Window, make_windows, out_of_sample, walk_forward
from moonai_tui.errors import DataError


def test_rolling_windows_by_hand() -> None:
    # 100 bars, train 30, test 20: tests start at 30, 50, 70; 90 + 20 > 100 does not fit.
    assert make_windows(100, 30, 20) == [
        Window(0, 0, 30, 30, 50),
        Window(1, 20, 50, 50, 70),
        Window(2, 40, 70, 70, 90),
    ]


def test_anchored_windows_and_a_longer_step() -> None:
    assert make_windows(100, 30, 20, 25, anchored=True) == [
        Window(0, 0, 30, 30, 50),
        Window(1, 0, 55, 55, 75),
        Window(2, 0, 80, 80, 100),
    ]


@pytest.mark.parametrize(
    ("bars", "train", "test", "step", "anchored"),
    [(1_000, 100, 50, None, False), (997, 13, 7, 11, True), (50, 40, 10, None, False)],
)
def test_test_windows_never_overlap_and_follow_their_training(
    bars: int, train: int, test: int, step: int | None, anchored: bool
) -> None:
    windows = make_windows(bars, train, test, step, anchored=anchored)
    for window in windows:
        assert window.train_end == window.test_start
        assert window.test_end - window.test_start == test
        assert window.train_end - window.train_start == (window.test_start if anchored else train)
        assert window.train_start >= 0 and window.test_end <= bars
    for before, after in itertools.pairwise(windows):
        assert before.test_end <= after.test_start


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 0, 10, None), "train is 0 bars"),
        ((100, 10, 10, 5), "test windows would overlap"),
        ((30, 25, 10, None), "at least train \\+ test = 35 bars, got 30"),
    ],
)
def test_impossible_windows_are_refused(
    args: tuple[int, int, int, int | None], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        make_windows(*args)


def test_the_search_only_ever_sees_its_training_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = random_bars(900)
    seen: list[pd.DatetimeIndex] = []
    real = wf.optimize

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(pd.DatetimeIndex(args[4].index))
        return real(*args, **kwargs)

    monkeypatch.setattr(wf, "optimize", spy)
    windows = make_windows(len(bars), 300, 200)
    space = parse_space(Cross, ["period=3,8,20"])
    walk_forward(Cross, {}, space, bars, ALL_IN, "total_return", windows)
    assert len(seen) == len(windows) == 3
    for index, window in zip(seen, windows, strict=True):
        assert index.equals(bars.index[window.train_start : window.train_end])


def test_changing_the_future_does_not_change_a_windows_choice() -> None:
    bars = random_bars(900)
    windows = make_windows(len(bars), 300, 200)
    space = parse_space(Cross, ["period=3,8,20"])
    other = bars.copy()
    # After window 0's training data everything differs: a steady rise.
    later = bars.index >= bars.index[windows[0].test_start]
    rise = np.linspace(1.0, 1.5, int(later.sum()))
    for column in ("open", "high", "low", "close"):
        other.loc[later, column] = other.loc[later, column].to_numpy() * rise
    first = walk_forward(Cross, {}, space, bars, ALL_IN, "total_return", windows)
    second = walk_forward(Cross, {}, space, other, ALL_IN, "total_return", windows)
    assert first.windows[0].params == second.windows[0].params
    assert first.windows[0].in_sample == second.windows[0].in_sample
    assert first.windows[0].out_of_sample != second.windows[0].out_of_sample


def test_out_of_sample_trades_the_full_history_target_on_the_test_bars_only() -> None:
    bars = random_bars(600)
    strategy = Cross(period=10)
    result = out_of_sample(strategy, bars, 400, 500, ALL_IN)
    # Second method: the target on the whole history, cut to the window, as a fixed target.
    target = strategy.target(bars).to_numpy()[400:500]
    direct = run_backtest(FixedTarget(target), bars.iloc[400:500], ALL_IN)
    assert result.equity.index.equals(bars.index[400:500])
    assert result.equity.to_numpy() == pytest.approx(direct.equity.to_numpy(), rel=1e-12)
    assert len(result.trades) == len(direct.trades) > 0
    assert (result.trades["entry_time"] >= bars.index[401]).all()


def test_stitched_run_compounds_the_windows() -> None:
    bars = random_bars(900)
    windows = make_windows(len(bars), 300, 200)
    space = parse_space(Cross, ["period=3,8,20"])
    result = walk_forward(Cross, {}, space, bars, ALL_IN, "total_return", windows)
    growth = np.prod([w.out_of_sample.final_equity / 10_000.0 for w in result.windows])
    assert result.stitched.metrics.final_equity == pytest.approx(10_000.0 * growth, rel=1e-12)
    assert result.stitched.metrics.trades == sum(w.out_of_sample.trades for w in result.windows)
    assert len(result.stitched.equity) == 600
    table = result.table()
    assert [row["test"] for row in table] == [[300, 500], [500, 700], [700, 900]]
    assert table[1]["in_sample"] == result.windows[1].in_sample.to_dict()
