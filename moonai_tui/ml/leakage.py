"""Leakage detectors: a causality check on a feature function and a shuffled-label check.

A feature that peeks at later bars changes when those bars are cut off; a split that lets
test rows into training still scores above chance when the labels are shuffled. Both are
cheap enough to run on every training job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from moonai_tui.ml.models.base import Model
from moonai_tui.ml.validation import FloatArray, Fold, IntArray, balanced_accuracy

FeatureFunction = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class CausalityReport:
    """Which feature columns changed at bar t when every bar after t was removed."""

    checked: tuple[int, ...]
    """Bar positions recomputed on truncated data."""
    leaking: tuple[str, ...]
    """Columns whose value at a checked bar depended on later bars (empty = causal)."""

    @property
    def ok(self) -> bool:
        return not self.leaking


def causality_check(
    feature_fn: FeatureFunction, bars: pd.DataFrame, checks: int = 4, rtol: float = 1e-9
) -> CausalityReport:
    """Recompute ``feature_fn`` on ``bars`` cut after a few bars t and compare row t.

    The checked bars lie in the second half of ``bars`` (past any warm-up) and stop one
    bar before the end, so a feature using even the next bar is caught.
    """
    n = len(bars)
    full = feature_fn(bars)
    positions = sorted({int(p) for p in np.linspace(n // 2, n - 2, checks)} - {-1})
    leaking: set[str] = set()
    for t in positions:
        cut = feature_fn(bars.iloc[: t + 1])
        for column in full.columns:
            a = float(full[column].iloc[t])
            b = float(cut[column].iloc[t]) if column in cut else math.nan
            same = (math.isnan(a) and math.isnan(b)) or math.isclose(
                a, b, rel_tol=rtol, abs_tol=1e-12
            )
            if not same:
                leaking.add(str(column))
    ordered = tuple(str(c) for c in full.columns if str(c) in leaking)
    return CausalityReport(tuple(positions), ordered)


@dataclass(frozen=True, slots=True)
class ShuffleReport:
    """Out-of-sample balanced accuracy after training on randomly permuted labels."""

    balanced_accuracy: float
    chance: float
    limit: float
    """Scores above this (chance + 4 standard errors) mean information leaks."""

    @property
    def ok(self) -> bool:
        return self.balanced_accuracy <= self.limit


def shuffled_label_check(
    make_model: Callable[[], Model], x: FloatArray, y: IntArray, fold: Fold, seed: int = 0
) -> ShuffleReport:
    """Permute all labels, then train and score ``fold`` as usual.

    The permutation destroys every link between features and labels, so an honest split
    scores at chance. Above chance means the split itself leaks: test rows (or copies of
    them) among the training rows, which a flexible model memorises.
    """
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(y)
    model = make_model()
    model.fit(x[fold.train], shuffled[fold.train])
    y_test = shuffled[fold.test]
    predicted = model.predict_proba(x[fold.test]).argmax(axis=1)
    classes = np.unique(y_test)
    chance = 1.0 / len(classes)
    # Standard error of a mean of per-class recalls under the null (recall ~ chance).
    counts = np.array([np.sum(y_test == c) for c in classes], dtype=np.float64)
    stderr = math.sqrt(float(np.sum(chance * (1 - chance) / counts))) / len(classes)
    return ShuffleReport(balanced_accuracy(y_test, predicted), chance, chance + 4 * stderr)
