"""The edge-triggered rule: a target series becomes order events only where it changes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moonai_tui.strategy import carried_target, next_action, order_events, target_edges

NAN = math.nan


def series(values: list[float]) -> pd.Series:
    index = pd.date_range("2024-01-01", periods=len(values), freq="1min", tz="UTC")
    return pd.Series(values, index=index, dtype="float64")


def test_hand_worked_sequence() -> None:
    # bar:     0    1    2    3    4     5    6   7    8    9   10
    target = [NAN, 0.0, 1.0, 1.0, NAN, -1.0, NAN, 0.0, 0.0, 1.0, -1.0]
    events = order_events(series(target))
    got = [(e.index, e.action, e.previous, e.reversal) for e in events]
    assert got == [
        (2, "enter_long", 0.0, False),  # the first 0 is no change from flat
        (5, "enter_short", 1.0, True),  # NaN at 4 carried the long
        (7, "exit", -1.0, False),
        (9, "enter_long", 0.0, False),
        (10, "enter_short", 1.0, True),
    ]
    assert events[0].time == pd.Timestamp("2024-01-01 00:02", tz="UTC")
    assert [e.target for e in events] == [1.0, -1.0, 0.0, 1.0, -1.0]


def test_carried_target_and_start_state() -> None:
    assert carried_target([NAN, 1.0, NAN, 0.0, NAN]).tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert carried_target([NAN, NAN], start=-1.0).tolist() == [-1.0, -1.0]
    # Starting long, a first +1 is no change and a 0 is an exit.
    events = order_events(series([1.0, 1.0, 0.0]), start=1.0)
    assert [(e.index, e.action) for e in events] == [(2, "exit")]


def test_no_events_on_an_empty_or_all_nan_series() -> None:
    assert order_events(series([])) == []
    assert order_events(series([NAN, NAN])) == []


def test_values_outside_the_contract_are_refused() -> None:
    with pytest.raises(ValueError, match=r"is 0\.5; expected -1, 0, \+1 or NaN"):
        order_events(series([0.0, 0.5]))


@given(
    st.lists(st.sampled_from([NAN, -1.0, 0.0, 1.0]), max_size=60),
    st.sampled_from([-1.0, 0.0, 1.0]),
)
def test_vectorised_rule_equals_the_one_step_rule(values: list[float], start: float) -> None:
    state, expected = start, []
    for i, value in enumerate(values):
        before = state
        state, action = next_action(state, value)
        if action is not None:
            expected.append((i, action, before))
    got = [(e.index, e.action, e.previous) for e in order_events(series(values), start)]
    assert got == expected
    where, new, previous = target_edges(np.array(values, dtype=float), start)
    assert where.tolist() == [i for i, _, _ in expected]
    assert previous.tolist() == [p for _, _, p in expected]
    assert len(new) == len(where)
