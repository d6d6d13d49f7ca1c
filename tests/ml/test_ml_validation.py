"""Purged walk-forward CV and the OOS metrics, against hand-built cases and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score
from sklearn.metrics import log_loss as sk_log_loss

from moonai_tui.errors import ModelError
from moonai_tui.ml.validation import (
    baselines,
    brier,
    calibration,
    persistence_forecast,
    purged_walk_forward,
    score,
)


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start <= b_end and b_start <= a_end


def test_no_training_label_window_overlaps_any_test_window() -> None:
    # Labels of very different lengths, including some reaching far ahead, and a gap in
    # the sample positions (bars dropped for NaN features).
    rng = np.random.default_rng(3)
    positions = np.concatenate([np.arange(0, 300), np.arange(320, 600)])
    label_end = positions + rng.integers(0, 40, len(positions))
    label_end[50] = 400  # one sample whose label spans several later blocks
    embargo = 7

    folds = purged_walk_forward(positions, label_end, n_folds=4, embargo=embargo)

    assert len(folds) == 4
    for fold in folds:
        test_start = positions[fold.test].min()
        for t in fold.test:
            for i in fold.train:
                assert not _overlaps(positions[i], label_end[i], positions[t], label_end[t])
        # Embargo: the last training label ends at least `embargo` bars before the test.
        assert label_end[fold.train].max() < test_start - embargo
        assert set(fold.train).isdisjoint(fold.test)
        assert positions[fold.train].max() < test_start
    assert 50 not in set(folds[0].train) | set(folds[1].train)


def test_purging_drops_exactly_the_overlapping_samples() -> None:
    # 12 samples, each label 2 bars long; 2 folds of 4 samples after a first block of 4.
    positions = np.arange(12)
    label_end = positions + 2

    folds = purged_walk_forward(positions, label_end, n_folds=2, embargo=0)

    # Fold 1 tests 4..7: samples 2 and 3 (labels end at 4 and 5) are purged.
    assert folds[0].test.tolist() == [4, 5, 6, 7]
    assert folds[0].train.tolist() == [0, 1]
    assert folds[1].test.tolist() == [8, 9, 10, 11]
    assert folds[1].train.tolist() == [0, 1, 2, 3, 4, 5]

    embargoed = purged_walk_forward(positions, label_end, n_folds=2, embargo=1)
    assert embargoed[1].train.tolist() == [0, 1, 2, 3, 4]


def test_impossible_split_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="no training samples"):
        purged_walk_forward(np.arange(6), np.arange(6) + 5, n_folds=2)
    with pytest.raises(ModelError, match="label_end"):
        purged_walk_forward([0, 1, 2], [0, 0, 2])


def test_scores_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    proba = rng.dirichlet([1, 1, 1], 200)

    scores = score(y, proba)

    assert scores["log_loss"] == pytest.approx(sk_log_loss(y, proba, labels=[0, 1, 2]))
    assert scores["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(y, proba.argmax(axis=1))
    )
    assert scores["accuracy"] == pytest.approx(np.mean(y == proba.argmax(axis=1)))
    # Brier by hand for two rows: truth up with (0.2, 0.3, 0.5) -> 0.04 + 0.09 + 0.25.
    two = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    assert brier(np.array([2, 0]), two) == pytest.approx((0.38 + 0.0) / 2)


def test_persistence_repeats_the_latest_known_label() -> None:
    # Horizon-2 labels: the label of sample j is known from bar j + 2 on.
    labels = np.array([2, 0, 1, 1, 0, 2])
    positions = np.arange(6)
    label_end = positions + 2

    forecast = persistence_forecast(labels, positions, label_end, fallback=1)

    # Bars 0, 1 know nothing; bar 2 knows sample 0; bar 3 sample 1; ...
    assert forecast.tolist() == [1, 1, 2, 0, 1, 1]


def test_majority_baseline_uses_training_frequencies() -> None:
    y_train = np.array([0, 1, 1, 1, 2])
    y_test = np.array([1, 2])

    result = baselines(y_test, y_train, persistence=np.array([1, 1]))

    assert result["majority"]["accuracy"] == 0.5
    assert result["majority"]["log_loss"] == pytest.approx(-(np.log(0.6) + np.log(0.2)) / 2)
    assert result["persistence"]["balanced_accuracy"] == pytest.approx(0.5)


def test_calibration_bins_and_error_by_hand() -> None:
    # Two confident hits at 0.9 and two misses at 0.55: ECE = (2*0.1 + 2*0.55) / 4.
    proba = np.array([[0.9, 0.05, 0.05]] * 2 + [[0.55, 0.45, 0.0]] * 2)
    y = np.array([0, 0, 1, 1])

    result = calibration(y, proba)

    assert result["bins"] == [[0.55, 0.0, 2], [0.9, 1.0, 2]]
    assert result["ece"] == pytest.approx((2 * 0.1 + 2 * 0.55) / 4)
