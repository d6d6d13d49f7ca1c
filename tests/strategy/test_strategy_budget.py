"""The live time budget: a call past it raises StrategyTimeout; the timer state is restored."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import pandas as pd
import pytest

from moonai_tui.domain import Bar, Trade
from moonai_tui.engine.strategy_runner import StrategyRunner
from moonai_tui.errors import StrategyTimeout
from moonai_tui.strategy import Strategy
from moonai_tui.strategy.budget import time_budget

BUDGET = 0.05


def spin(deadline: float = 5.0) -> None:
    """Busy for up to ``deadline`` seconds (bounded: a broken budget fails, never hangs)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        pass


def test_a_call_past_its_budget_is_interrupted_with_a_named_error() -> None:
    started = time.monotonic()
    with (
        pytest.raises(StrategyTimeout, match=r"^strategy spin exceeded its time budget of 0.05 s$"),
        time_budget(BUDGET, "strategy spin"),
    ):
        spin()
    assert time.monotonic() - started < 2.0  # far below spin()'s 5 s


def test_a_strategy_that_swallows_the_timeout_is_interrupted_again() -> None:
    swallowed: list[Exception] = []
    with pytest.raises(StrategyTimeout), time_budget(BUDGET, "strategy greedy"):
        try:
            spin()
        except Exception as exc:  # a user's broad except
            swallowed.append(exc)
        spin()
    assert [type(exc) for exc in swallowed] == [StrategyTimeout]


def test_a_quick_call_returns_and_leaves_no_timer_armed() -> None:
    before = signal.getsignal(signal.SIGALRM)
    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # pytest-timeout's, if any
    with time_budget(BUDGET, "strategy quick"):
        value = 2 + 2
    assert value == 4
    left, interval = signal.getitimer(signal.ITIMER_REAL)
    assert (left > 0) == (outer > 0)  # our timer is gone, an outer one is back
    assert left <= outer and interval == 0.0
    assert signal.getsignal(signal.SIGALRM) is before


def test_an_outer_timer_and_handler_are_put_back_with_the_time_left() -> None:
    fired: list[int] = []

    def outer(signum: int, frame: FrameType | None) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        with time_budget(BUDGET, "strategy quick"):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert signal.getsignal(signal.SIGALRM) is outer
        assert 29.0 < left <= 30.0
        with pytest.raises(StrategyTimeout), time_budget(BUDGET, "strategy spin"):
            spin()
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 28.0 < left < 30.0
        assert fired == []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_off_the_main_thread_the_call_runs_without_a_budget() -> None:
    done: list[bool] = []

    def work() -> None:
        with time_budget(BUDGET, "strategy slow"):
            spin(3 * BUDGET)
        done.append(True)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=10)
    assert done == [True]


class Spin(Strategy):
    name = "spin"

    def warmup(self) -> int:
        return 1

    def target(self, bars: pd.DataFrame) -> pd.Series:
        if len(bars) >= 3:
            spin()
        return pd.Series(0.0, index=bars.index)

    def on_trade(self, trade: Trade) -> None:
        spin()


def test_the_runner_stops_a_spinning_target_and_hook_within_its_budget() -> None:
    runner = StrategyRunner("spin", Spin(), budget_seconds=BUDGET)
    bars = [Bar(60_000 * i, 1.0, 1.0, 1.0, 1.0, 1.0) for i in range(3)]
    assert runner.on_bar_close("BTCUSDT", bars[0]) is None
    assert runner.on_bar_close("BTCUSDT", bars[1]) is None
    with pytest.raises(StrategyTimeout, match="strategy spin exceeded"):
        runner.on_bar_close("BTCUSDT", bars[2])
    with pytest.raises(StrategyTimeout, match="strategy spin exceeded"):
        runner.on_trade(Trade("1", 0, 1.0, 1.0, "buy"))
