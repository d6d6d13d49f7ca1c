"""Leakage detectors: shuffled labels score at chance on an honest split and above it on a
leaky one; a planted future feature is caught by the causality check (test_ml_features)."""

from __future__ import annotations

import numpy as np
from ml_builders import real_bars

from moonai_tui.ml.features import compute_features
from moonai_tui.ml.labels import LabelSpec, make_labels
from moonai_tui.ml.leakage import shuffled_label_check
from moonai_tui.ml.models import Model, create_model
from moonai_tui.ml.validation import Fold, purged_walk_forward


def _samples() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    bars = real_bars(2500, start=10_000)
    features = compute_features(bars).to_numpy()
    labels, end = make_labels(bars, LabelSpec(horizon=10))
    ok = ~np.isnan(features).any(axis=1) & labels.notna().to_numpy()
    positions = np.flatnonzero(ok)
    return features[ok], labels.to_numpy()[ok].astype(np.int64), positions, end[ok]


def _memoriser() -> Model:
    # Deep, unregularised trees: they memorise whatever rows they are shown.
    return create_model(
        "rf",
        {
            "n_estimators": 20,
            "max_depth": 30,
            "min_samples_leaf": 1,
            "max_samples": 1.0,
            "n_jobs": 1,
        },
    )


def test_shuffled_labels_score_at_chance_on_purged_folds() -> None:
    x, y, positions, end = _samples()
    folds = purged_walk_forward(positions, end, n_folds=3, embargo=10)

    for fold in folds:
        report = shuffled_label_check(_memoriser, x, y, fold, seed=fold.number)
        assert report.ok, report
        assert abs(report.balanced_accuracy - report.chance) < 0.05


def test_test_rows_leaking_into_training_are_flagged() -> None:
    x, y, positions, end = _samples()
    honest = purged_walk_forward(positions, end, n_folds=3, embargo=10)[-1]
    # The bug: training on everything, test block included.
    leaky = Fold(honest.number, np.arange(len(y)), honest.test)

    report = shuffled_label_check(_memoriser, x, y, leaky)

    assert not report.ok
    assert report.balanced_accuracy > 0.9
