"""Parameter search: space parsing, grid and Optuna choices checked against closed forms.

On ``rising_bars(n, g)`` the ``Delay`` strategy decides to go long at bar ``d`` and buys at
bar ``d + 1``'s open ``100 g**d`` with all its equity (fee included), then sells at the last
close ``100 g**(n-1)`` (close at end). With fee rate ``f``:

    qty = E0 / (100 g**d (1 + f))
    total_return(d) = (1 - f) / (1 + f) x g**(n - 1 - d) - 1      (earlier is better)
    fees_paid(d) = f E0 / (1 + f) x (1 + g**(n - 1 - d))          (later is cheaper)
"""

from __future__ import annotations

import pytest
from wf_builders import ALL_IN, FEE, Delay, rising_bars

from moonai_tui.backtest.optimize import (
    MAX_GRID_POINTS,
    grid_search,
    optimize,
    optuna_search,
    parse_space,
)
from moonai_tui.errors import StrategyError

N, G, E0 = 60, 1.002, 10_000.0


def total_return(d: int) -> float:
    return (1 - FEE) / (1 + FEE) * G ** (N - 1 - d) - 1


def fees_paid(d: int) -> float:
    return FEE * E0 / (1 + FEE) * (1 + G ** (N - 1 - d))


def test_space_items_become_the_values_a_grid_walks() -> None:
    fast, skip = parse_space(Delay, ["delay=5:20:5", "skip=1,3"])
    assert fast.grid() == [5, 10, 15, 20] and skip.grid() == [1, 3]
    (whole,) = parse_space(Delay, ["delay=2:4"])
    assert whole.grid() == [2, 3, 4]


def test_float_and_bool_spaces() -> None:
    from moonai_tui.strategy import Strategy

    class Knobs(Strategy):
        width: float = 2.0
        short: bool = True

    width, short = parse_space(Knobs, ["width=0.5:1.5:0.25", "short=true,false"])
    assert width.grid() == [0.5, 0.75, 1.0, 1.25, 1.5]
    assert short.grid() == [True, False]
    with pytest.raises(StrategyError, match="a float range needs a step"):
        parse_space(Knobs, ["width=0.5:1.5"])[0].grid()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("dealy=1:3", "unknown parameter 'dealy'; did you mean 'delay'"),
        ("delay=5:1", "LOW <= HIGH"),
        ("delay=1:5:0", "STEP > 0"),
        ("delay=-1,2", "must be >= 0"),
        ("delay=x,2", "must be int"),
        ("delay", "expected NAME=a,b,c"),
    ],
)
def test_bad_space_items_are_one_clear_line(item: str, message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        parse_space(Delay, [item])


def test_empty_or_repeated_space_is_refused() -> None:
    with pytest.raises(StrategyError, match="empty"):
        parse_space(Delay, [])
    with pytest.raises(StrategyError, match="given twice"):
        parse_space(Delay, ["delay=1,2", "delay=3"])


def test_grid_scores_every_point_by_the_closed_form_and_skips_rejected_ones() -> None:
    bars = rising_bars(N, G)
    space = parse_space(Delay, ["delay=0:4"])
    result = grid_search(Delay, {"skip": 0}, space, bars, ALL_IN, "total_return")
    assert [t.params["delay"] for t in result.trials] == [0, 1, 2, 3, 4]
    rejected = result.trials[0]
    assert rejected.value is None and "skipped value" in rejected.error
    for trial in result.trials[1:]:
        assert trial.value == pytest.approx(total_return(int(trial.params["delay"])), rel=1e-9)
    assert result.best.params == {"delay": 1, "skip": 0}
    assert result.params == {"delay": 1, "skip": 0} and result.valid_trials == 4


def test_cost_metrics_are_minimised() -> None:
    bars = rising_bars(N, G)
    space = parse_space(Delay, ["delay=1:4"])
    result = grid_search(Delay, {}, space, bars, ALL_IN, "fees_paid")
    values = {int(t.params["delay"]): t.value for t in result.trials}
    assert values == pytest.approx({d: fees_paid(d) for d in (1, 2, 3, 4)}, rel=1e-9)
    assert result.best.params["delay"] == 4


def test_optuna_is_seeded_and_picks_its_best_trial() -> None:
    bars = rising_bars(N, G)
    space = parse_space(Delay, ["delay=0:10"])
    first = optuna_search(Delay, {"skip": 3}, space, bars, ALL_IN, "total_return", 12, seed=5)
    again = optuna_search(Delay, {"skip": 3}, space, bars, ALL_IN, "total_return", 12, seed=5)
    assert [t.params for t in first.trials] == [t.params for t in again.trials]
    assert len(first.trials) == 12
    valid = [t for t in first.trials if t.value is not None]
    for trial in valid:
        assert trial.value == pytest.approx(total_return(int(trial.params["delay"])), rel=1e-9)
    assert first.best.params["delay"] == min(int(t.params["delay"]) for t in valid)
    assert all(t.error for t in first.trials if t.params["delay"] == 3)


def test_no_valid_point_and_oversized_grid_are_refused() -> None:
    bars = rising_bars(N, G)
    with pytest.raises(StrategyError, match="no valid parameter point"):
        grid_search(Delay, {"skip": 2}, parse_space(Delay, ["delay=2"]), bars, ALL_IN, "sharpe")
    # 101 x (MAX // 101 + 1) points: just over the cap.
    big = parse_space(Delay, ["delay=0:100", f"skip=0:{MAX_GRID_POINTS // 101}"])
    with pytest.raises(StrategyError, match="narrow --space"):
        grid_search(Delay, {}, big, bars, ALL_IN, "sharpe")
    with pytest.raises(StrategyError, match="is not a metric"):
        optimize("grid", Delay, {}, parse_space(Delay, ["delay=1"]), bars, ALL_IN, "nope")
