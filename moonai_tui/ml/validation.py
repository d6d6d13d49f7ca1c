"""Purged, embargoed walk-forward cross-validation and the out-of-sample metrics.

Samples are identified by bar position. A sample's label looks at bars ``pos .. label_end``
(inclusive). A training sample is kept for a fold only if its whole label window ends more
than ``embargo`` bars before the fold's first test bar, so no training label overlaps a test
sample's window and serially correlated neighbours of the test block stay out as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import ModelError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

N_CLASSES = 3
_EPS = 1e-15


@dataclass(frozen=True, slots=True)
class Fold:
    """One walk-forward split: indices into the sample arrays."""

    number: int
    train: IntArray
    test: IntArray


def purged_walk_forward(
    positions: Sequence[int] | IntArray,
    label_end: Sequence[int] | IntArray,
    n_folds: int = 5,
    embargo: int = 0,
) -> list[Fold]:
    """Expanding-window walk-forward folds with purging and an embargo.

    The samples are cut into ``n_folds + 1`` contiguous blocks; fold k tests block k and
    trains on the samples before it whose label windows end before
    ``first test bar - embargo``.

    Args:
        positions: Bar position of each sample, strictly increasing.
        label_end: Last bar position each sample's label depends on (>= its position).
        n_folds: Number of test blocks (>= 1).
        embargo: Extra bars kept empty between the last training label and the test block.

    Raises:
        ModelError: inconsistent inputs, or too few samples for the folds.
    """
    pos = np.asarray(positions, dtype=np.int64)
    end = np.asarray(label_end, dtype=np.int64)
    if len(pos) != len(end):
        raise ModelError("purged_walk_forward: positions and label_end differ in length")
    if n_folds < 1 or embargo < 0:
        raise ModelError("purged_walk_forward: need n_folds >= 1 and embargo >= 0")
    if (np.diff(pos) <= 0).any() or (end < pos).any():
        raise ModelError("purged_walk_forward: positions must increase and label_end >= position")
    bounds = np.linspace(0, len(pos), n_folds + 2).astype(np.int64)
    folds: list[Fold] = []
    for k in range(1, n_folds + 1):
        test = np.arange(bounds[k], bounds[k + 1], dtype=np.int64)
        if len(test) == 0:
            raise ModelError(f"too few samples ({len(pos)}) for {n_folds} folds")
        first_test_bar = pos[test[0]]
        candidates = np.arange(0, bounds[k], dtype=np.int64)
        train = candidates[end[candidates] < first_test_bar - embargo]
        if len(train) == 0:
            raise ModelError(
                f"fold {k}: purging and an embargo of {embargo} bars leave no training samples"
            )
        folds.append(Fold(k, train, test))
    return folds


def persistence_forecast(
    labels: IntArray, positions: IntArray, label_end: IntArray, fallback: int
) -> IntArray:
    """The naive forecast: at each sample, the most recent label already known then.

    A label is known at bar t once its window has closed (``label_end <= t``). Samples
    with no known label yet get ``fallback``.
    """
    pos = np.asarray(positions, dtype=np.int64)
    end = np.asarray(label_end, dtype=np.int64)
    # Latest sample index whose label is known at each sample's bar.
    order = np.argsort(end, kind="stable")
    running_max = np.maximum.accumulate(order)
    known = np.searchsorted(end[order], pos, side="right")
    out = np.full(len(pos), fallback, dtype=np.int64)
    has = known > 0
    out[has] = np.asarray(labels, dtype=np.int64)[running_max[known[has] - 1]]
    return out


def log_loss(y: IntArray, proba: FloatArray) -> float:
    """Mean negative log probability of the true class (probabilities clipped at 1e-15)."""
    p = np.clip(proba[np.arange(len(y)), y], _EPS, 1.0)
    return float(-np.mean(np.log(p)))


def brier(y: IntArray, proba: FloatArray) -> float:
    """Multi-class Brier score: mean over rows of the squared distance to the one-hot truth."""
    onehot = np.eye(proba.shape[1])[y]
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def accuracy(y: IntArray, predicted: IntArray) -> float:
    return float(np.mean(np.asarray(y) == np.asarray(predicted)))


def balanced_accuracy(y: IntArray, predicted: IntArray) -> float:
    """Mean recall over the classes present in ``y`` (1/3 is chance for three classes)."""
    recalls = [np.mean(predicted[y == c] == c) for c in np.unique(y)]
    return float(np.mean(recalls))


def calibration(y: IntArray, proba: FloatArray, bins: int = 10) -> dict[str, Any]:
    """Reliability of the top-class confidence: per bin mean confidence, hit rate and count,
    and the expected calibration error (count-weighted mean |confidence - hit rate|)."""
    confidence = proba.max(axis=1)
    hit = proba.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    rows: list[list[float]] = []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        if count == 0:
            continue
        conf, rate = float(confidence[mask].mean()), float(hit[mask].mean())
        rows.append([round(conf, 4), round(rate, 4), count])
        ece += count / len(y) * abs(conf - rate)
    return {"ece": ece, "bins": rows}


def score(y: IntArray, proba: FloatArray) -> dict[str, float]:
    """log_loss, brier, accuracy and balanced_accuracy of probabilistic forecasts."""
    predicted = proba.argmax(axis=1)
    return {
        "log_loss": log_loss(y, proba),
        "brier": brier(y, proba),
        "accuracy": accuracy(y, predicted),
        "balanced_accuracy": balanced_accuracy(y, predicted),
    }


def baselines(
    y_test: IntArray, y_train: IntArray, persistence: IntArray
) -> dict[str, dict[str, float]]:
    """What a model must beat: the training class frequencies (predicting the majority
    class) and persistence (repeating the last known label)."""
    prior = np.bincount(y_train, minlength=N_CLASSES) / len(y_train)
    majority = np.tile(prior, (len(y_test), 1))
    persist = np.asarray(persistence, dtype=np.int64)
    return {
        "majority": score(y_test, majority),
        "persistence": {
            "accuracy": accuracy(y_test, persist),
            "balanced_accuracy": balanced_accuracy(y_test, persist),
        },
    }
