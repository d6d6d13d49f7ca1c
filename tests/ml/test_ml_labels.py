"""Labels by hand: forward-return thresholds and triple barriers on tiny price paths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moonai_tui.errors import ModelError
from moonai_tui.ml.labels import LabelSpec, forward_labels, triple_barrier_labels


def test_forward_labels_threshold_scales_with_volatility() -> None:
    close = np.array([100.0, 101.0, 100.0, 103.0, 103.0])
    # horizon 2, threshold 1, vol 0.01 -> band = 0.01 * sqrt(2) = 1.414 %.
    vol = np.full(5, 0.01)

    labels, end = forward_labels(close, vol, horizon=2, threshold=1.0)

    # t0: ln(100/100)=0 flat; t1: ln(103/101)=1.96 % up; t2: ln(103/100)=2.96 % up.
    assert labels[:3].tolist() == [1.0, 2.0, 2.0]
    assert np.isnan(labels[3:]).all()
    assert end.tolist() == [2, 3, 4, 5, 6]

    # Double the volatility: the 1.96 % move is inside 2.83 % and becomes flat.
    labels, _ = forward_labels(close, np.full(5, 0.02), horizon=2, threshold=1.0)
    assert labels[:3].tolist() == [1.0, 1.0, 2.0]


def test_forward_labels_need_known_volatility() -> None:
    close = np.array([100.0, 90.0, 80.0, 70.0])
    vol = np.array([np.nan, 0.01, 0.01, 0.01])

    labels, _ = forward_labels(close, vol, horizon=1, threshold=1.0)

    assert math.isnan(labels[0])
    assert labels[1:3].tolist() == [0.0, 0.0]


def test_triple_barrier_first_touch_wins() -> None:
    close = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    high = np.array([100.0, 101.0, 103.0, 100.5, 100.5, 100.5])
    low = np.array([100.0, 99.5, 99.0, 97.0, 99.5, 99.5])
    up = np.full(6, 0.02)  # take profit at 102
    down = np.full(6, 0.02)  # stop at 98

    labels, end = triple_barrier_labels(close, high, low, up, down, horizon=3)

    # t0: bar 2 reaches 103 first -> up at bar 2; t1: same bar 2 -> up;
    # t2: bar 3 falls to 97 -> down at bar 3; t3: bars 4, 5 stay inside, window unfinished.
    assert labels[:3].tolist() == [2.0, 2.0, 0.0]
    assert end[:3].tolist() == [2, 2, 3]
    assert np.isnan(labels[3:]).all()


def test_triple_barrier_time_limit_and_ambiguous_bar_are_flat() -> None:
    close = np.full(5, 100.0)
    high = np.array([100.0, 101.0, 105.0, 101.0, 101.0])
    low = np.array([100.0, 99.0, 95.0, 99.0, 99.0])
    width = np.full(5, 0.03)

    labels, end = triple_barrier_labels(close, high, low, width, width, horizon=1)

    # t0: bar 1 stays inside -> time limit, flat, ends at bar 1.
    # t1: bar 2 touches both 103 and 97 -> ambiguous -> flat, ends at bar 2.
    assert labels[:2].tolist() == [1.0, 1.0]
    assert end[:2].tolist() == [1, 2]


def test_label_spec_round_trips_and_rejects_nonsense() -> None:
    spec = LabelSpec(kind="triple_barrier", horizon=30, barriers="risk")
    assert LabelSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ModelError, match="expected forward or triple_barrier"):
        LabelSpec(kind="sideways")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="unknown field"):
        LabelSpec.from_dict({"horizn": 3})
