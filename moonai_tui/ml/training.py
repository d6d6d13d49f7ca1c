"""Training: features and labels, purged walk-forward validation, leakage checks, the final
fit. Pure CPU work with no database or event loop, so a worker process can run it and report
through ``progress(stage, fraction)``.

Only out-of-sample numbers are reported: each fold's model is trained on the past alone and
scored on the next block; the model that ships is then fitted on all the data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from moonai_tui.domain import TIMEFRAME_MS
from moonai_tui.errors import ModelError
from moonai_tui.ml import signals
from moonai_tui.ml.features import compute_features
from moonai_tui.ml.labels import LabelSpec, make_labels
from moonai_tui.ml.leakage import causality_check, shuffled_label_check
from moonai_tui.ml.models import DEFAULT_MODEL, Model, create_model
from moonai_tui.ml.validation import (
    FloatArray,
    Fold,
    IntArray,
    baselines,
    calibration,
    persistence_forecast,
    purged_walk_forward,
    score,
)

Progress = Callable[[str, float], None]
MIN_SAMPLES = 500
"""Fewer labelled bars than this cannot give meaningful folds."""
_CAUSALITY_BARS = 2_000


@dataclass(frozen=True, slots=True)
class TrainSpec:
    """What to train; everything but the data."""

    symbol: str
    timeframe: str
    model: str = DEFAULT_MODEL
    params: dict[str, Any] = field(default_factory=dict)
    label: LabelSpec = field(default_factory=LabelSpec)
    folds: int = 5
    embargo: int | None = None
    """Bars between the last training label and each test block; None = the label horizon."""
    min_confidence: float = 0.6
    leakage_checks: bool = True


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    """A trained model and its out-of-sample report; picklable across processes."""

    spec: TrainSpec
    artifact: bytes
    features: list[str]
    data_from_ms: int
    data_until_ms: int
    """Last bar's open time plus one bar (exclusive end)."""
    metrics: dict[str, Any]
    oos_targets: pd.Series
    """The walk-forward models' targets on their test bars (NaN elsewhere)."""
    seconds: float


def _report(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, min(1.0, max(0.0, fraction)))


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}


def train(
    bars: pd.DataFrame,
    spec: TrainSpec,
    progress: Progress | None = None,
    *,
    extra_features: pd.DataFrame | None = None,
) -> TrainOutcome:
    """Validate and fit ``spec.model`` on ``bars``.

    Args:
        bars: OHLCV bars per the strategy contract, oldest first.
        spec: Model, label and validation settings.
        progress: Called with a short stage text and the fraction done (0..1); fold
            lines carry that fold's out-of-sample scores.
        extra_features: Optional columns on ``bars.index`` to use as well (e.g. from
            :func:`moonai_tui.ml.book_features.join_book_features`).

    Raises:
        ModelError: too little data, or a setting that cannot work.
    """
    started = time.perf_counter()
    _report(progress, "features", 0.0)
    features = compute_features(bars)
    if extra_features is not None:
        features = features.join(extra_features, how="left")
    names = [str(c) for c in features.columns]
    labels, label_end = make_labels(bars, spec.label)
    x_all = features.to_numpy(dtype=np.float64)
    valid = ~np.isnan(x_all).any(axis=1) & labels.notna().to_numpy()
    positions = np.flatnonzero(valid).astype(np.int64)
    if len(positions) < MIN_SAMPLES:
        raise ModelError(
            f"{spec.symbol} {spec.timeframe}: {len(positions)} usable bars after warm-up and "
            f"label horizon; need at least {MIN_SAMPLES}"
        )
    x = x_all[valid]
    y = labels.to_numpy()[valid].astype(np.int64)
    ends = label_end[valid]
    embargo = spec.label.horizon if spec.embargo is None else spec.embargo
    folds = purged_walk_forward(positions, ends, spec.folds, embargo)

    def make() -> Model:
        return create_model(spec.model, spec.params, names)

    majority = int(np.bincount(y, minlength=3).argmax())
    persist = persistence_forecast(y, positions, ends, fallback=majority)
    steps = len(folds) + 1 + int(spec.leakage_checks)
    fold_rows, oos_proba, oos_prior = [], np.full((len(y), 3), np.nan), np.full((len(y), 3), 0.0)
    for i, fold in enumerate(folds):
        _report(progress, f"fold {fold.number}/{len(folds)}: training", (i + 0.1) / steps)
        model = make()
        model.fit(x[fold.train], y[fold.train])
        proba = model.predict_proba(x[fold.test])
        oos_proba[fold.test] = proba
        prior = np.bincount(y[fold.train], minlength=3) / len(fold.train)
        oos_prior[fold.test] = prior
        row = _fold_metrics(fold, y, proba, persist, pd.DatetimeIndex(bars.index[positions]))
        fold_rows.append(row)
        _report(
            progress,
            f"fold {fold.number}/{len(folds)}: log_loss {row['log_loss']:.4f} "
            f"acc {row['accuracy']:.3f} bal_acc {row['balanced_accuracy']:.3f}",
            (i + 1) / steps,
        )
    tested = np.concatenate([fold.test for fold in folds])
    overall = _overall(y[tested], oos_proba[tested], oos_prior[tested], persist[tested])
    metrics: dict[str, Any] = {"folds": fold_rows, "overall": overall, "samples": len(y)}
    if spec.leakage_checks:
        _report(progress, "leakage checks", (len(folds) + 1) / steps)
        metrics["leakage"] = _leakage(bars, make, x, y, folds[0])
    oos = np.full(len(bars), np.nan)
    oos[positions[tested]] = signals.targets(oos_proba[tested], spec.min_confidence)
    _report(progress, "final fit on all data", (steps - 1) / steps)
    final = make()
    final.fit(x, y)
    ranked = sorted(final.feature_importances().items(), key=lambda kv: -kv[1])
    metrics["importances"] = {name: round(share, 6) for name, share in ranked}
    step_ms = TIMEFRAME_MS.get(spec.timeframe, 0)
    outcome = TrainOutcome(
        spec=spec,
        artifact=final.to_bytes(),
        features=names,
        data_from_ms=_ms(bars.index[0]),
        data_until_ms=_ms(bars.index[-1]) + step_ms,
        metrics=metrics,
        oos_targets=pd.Series(oos, index=bars.index, name="target"),
        seconds=round(time.perf_counter() - started, 3),
    )
    _report(progress, "done", 1.0)
    return outcome


def _ms(stamp: pd.Timestamp) -> int:
    return int((stamp - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ms"))


def _fold_metrics(
    fold: Fold, y: IntArray, proba: FloatArray, persist: IntArray, times: pd.DatetimeIndex
) -> dict[str, Any]:
    y_test = y[fold.test]
    row: dict[str, Any] = {
        "fold": fold.number,
        "train_rows": len(fold.train),
        "test_rows": len(fold.test),
        "test_from": times[fold.test[0]].isoformat(),
        "test_to": times[fold.test[-1]].isoformat(),
    }
    row.update(_rounded(score(y_test, proba)))
    row["ece"] = round(float(calibration(y_test, proba)["ece"]), 6)
    row["baselines"] = {
        name: _rounded(values)
        for name, values in baselines(y_test, y[fold.train], persist[fold.test]).items()
    }
    return row


def _overall(
    y: IntArray, proba: FloatArray, prior: FloatArray, persist: IntArray
) -> dict[str, Any]:
    out: dict[str, Any] = _rounded(score(y, proba))
    majority = _rounded(score(y, prior))
    persisted = _rounded(score(y, np.eye(3)[persist]))
    out["baselines"] = {
        "majority": majority,
        "persistence": {k: persisted[k] for k in ("accuracy", "balanced_accuracy")},
    }
    out["calibration"] = calibration(y, proba)
    out["class_share"] = [round(float(v), 4) for v in np.bincount(y, minlength=3) / len(y)]
    return out


def _leakage(
    bars: pd.DataFrame, make: Callable[[], Model], x: FloatArray, y: IntArray, fold: Fold
) -> dict[str, Any]:
    causal = causality_check(compute_features, bars.iloc[-_CAUSALITY_BARS:], checks=3)
    shuffled = shuffled_label_check(make, x, y, fold)
    return {
        "causality": {"ok": causal.ok, "leaking_features": list(causal.leaking)},
        "shuffled_labels": {
            "ok": shuffled.ok,
            "balanced_accuracy": round(shuffled.balanced_accuracy, 6),
            "chance": round(shuffled.chance, 6),
            "limit": round(shuffled.limit, 6),
        },
    }
