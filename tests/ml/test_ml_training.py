"""Training end to end on real bars: out-of-sample report, progress, a loadable artifact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ml_builders import real_bars

from moonai_tui.errors import ModelError
from moonai_tui.ml.features import FEATURES
from moonai_tui.ml.labels import LabelSpec
from moonai_tui.ml.models import read_artifact
from moonai_tui.ml.training import TrainSpec, train

FAST = {"n_estimators": 10, "n_jobs": 1}


def _spec(**changes: object) -> TrainSpec:
    values: dict[str, object] = {
        "symbol": "BTC/USDT:USDT",
        "timeframe": "1m",
        "params": FAST,
        "label": LabelSpec(horizon=10),
        "folds": 3,
    }
    values.update(changes)
    return TrainSpec(**values)  # type: ignore[arg-type]


def test_training_reports_out_of_sample_scores_and_progress() -> None:
    bars = real_bars(3000, start=20_000)
    seen: list[tuple[str, float]] = []

    outcome = train(bars, _spec(), progress=lambda stage, f: seen.append((stage, f)))

    metrics = outcome.metrics
    folds, overall = metrics["folds"], metrics["overall"]
    assert [f["fold"] for f in folds] == [1, 2, 3]
    # Overall accuracy over the concatenated test blocks = test-size-weighted fold mean.
    weighted = sum(f["accuracy"] * f["test_rows"] for f in folds) / sum(
        f["test_rows"] for f in folds
    )
    assert overall["accuracy"] == pytest.approx(weighted, abs=1e-5)
    for key in ("log_loss", "brier", "accuracy", "balanced_accuracy", "calibration"):
        assert key in overall
    assert set(overall["baselines"]) == {"majority", "persistence"}
    assert overall["baselines"]["majority"]["balanced_accuracy"] == pytest.approx(1 / 3)
    assert metrics["leakage"]["causality"] == {"ok": True, "leaking_features": []}
    assert metrics["leakage"]["shuffled_labels"]["ok"]
    # Progress: fractions never go back, fold lines carry scores, it ends at 1.
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(stage.startswith("fold 2/3: log_loss") for stage, _ in seen)

    importances = metrics["importances"]
    assert list(importances) == sorted(importances, key=lambda k: -importances[k])
    assert set(importances) == set(FEATURES)
    assert sum(importances.values()) == pytest.approx(1.0, abs=1e-4)
    assert outcome.features == list(FEATURES)
    assert outcome.data_from_ms == int(bars.index[0].timestamp()) * 1000
    assert outcome.data_until_ms == int(bars.index[-1].timestamp()) * 1000 + 60_000
    model = read_artifact(outcome.artifact, "outcome")
    assert model.kind == "xgboost" and model.feature_names == list(FEATURES)


def test_oos_targets_exist_only_on_test_blocks() -> None:
    bars = real_bars(3000, start=20_000)

    outcome = train(bars, _spec(leakage_checks=False, min_confidence=0.4))

    targets = outcome.oos_targets
    first_test = pd.Timestamp(outcome.metrics["folds"][0]["test_from"])
    assert targets.loc[: first_test - pd.Timedelta(minutes=1)].isna().all()
    assert targets.loc[first_test:].notna().sum() > 1000
    assert set(np.unique(targets.dropna())) <= {-1.0, 0.0, 1.0}


def test_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="usable bars after warm-up and label horizon"):
        train(real_bars(300), _spec())
