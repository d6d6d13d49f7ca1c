"""Every model type: learns a planted signal, round-trips through its artifact, explains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moonai_tui.errors import ModelError
from moonai_tui.ml.models import MODEL_TYPES, create_model, load_model, read_artifact

NAMES = ["signal", "noise_a", "noise_b", "vol_60", "trend_60"]

# Small and fast: a few trees, a few iterations.
FAST_XGB = {"n_estimators": 10, "learning_rate": 0.3, "min_child_weight": 1, "n_jobs": 1}
FAST: dict[str, dict[str, object]] = {
    "xgboost": {"n_estimators": 20, "learning_rate": 0.3, "min_child_weight": 1, "n_jobs": 1},
    "rf": {"n_estimators": 10, "n_jobs": 1, "max_samples": 0.5, "min_samples_leaf": 5},
    "logreg": {},
    "svm": {},
    "mlp": {"max_iter": 100, "hidden": [16], "batch_size": 64, "learning_rate_init": 0.01},
    "ensemble": {
        "members": ["xgboost", "logreg"],
        "member_params": {"xgboost": FAST_XGB},
    },
    "regime": {"base_params": FAST_XGB, "min_samples": 100},
}


def _data(n: int = 1200, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Class = which third the 'signal' column falls in (plus a little label noise)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(NAMES)))
    y = np.digitize(x[:, 0], [-0.43, 0.43])
    flip = rng.random(n) < 0.05
    y[flip] = rng.integers(0, 3, flip.sum())
    return x, y.astype(np.int64)


@pytest.mark.parametrize("kind", list(MODEL_TYPES))
def test_model_learns_signal_and_round_trips(kind: str, tmp_path: Path) -> None:
    x, y = _data()
    model = create_model(kind, FAST[kind], NAMES)
    model.fit(x[:900], y[:900])

    proba = model.predict_proba(x[900:])
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # A third is chance; the planted signal gets every model well above it.
    assert np.mean(proba.argmax(axis=1) == y[900:]) > 0.7

    importances = model.feature_importances()
    assert set(importances) == set(NAMES)
    assert sum(importances.values()) == pytest.approx(1.0)
    assert max(importances, key=importances.__getitem__) == "signal"

    path = tmp_path / f"{kind}.zip"
    model.save(path)
    restored = load_model(path)
    np.testing.assert_allclose(restored.predict_proba(x[900:]), proba, rtol=1e-12)
    assert restored.feature_names == NAMES


@pytest.mark.parametrize("kind", ["xgboost", "logreg"])
def test_contributions_point_at_the_signal(kind: str) -> None:
    x, y = _data()
    model = create_model(kind, FAST[kind], NAMES)
    model.fit(x, y)
    row = np.array([[2.0, 0.0, 0.0, 0.0, 0.0]])  # clearly "up"

    contributions = model.contributions(row, cls=2)

    assert contributions.shape == (1, len(NAMES))
    assert int(np.argmax(contributions[0])) == 0
    assert contributions[0, 0] > 0


def test_xgboost_contributions_are_shap_values_summing_to_the_margin() -> None:
    import xgboost as xgb

    x, y = _data(400)
    model = create_model("xgboost", FAST["xgboost"], NAMES)
    model.fit(x, y)
    rows = x[:5]

    contributions = model.contributions(rows, cls=2)
    margin = model._booster.predict(xgb.DMatrix(rows, feature_names=NAMES), output_margin=True)
    bias = model._booster.predict(xgb.DMatrix(rows, feature_names=NAMES), pred_contribs=True)[
        :, 2, -1
    ]

    np.testing.assert_allclose(contributions.sum(axis=1) + bias, margin[:, 2], rtol=1e-5)


def test_a_class_missing_from_training_gets_zero_probability() -> None:
    x, y = _data(600)
    keep = y != 1
    model = create_model("logreg", {}, NAMES)
    model.fit(x[keep], y[keep])

    proba = model.predict_proba(x[:10])

    assert proba.shape == (10, 3)
    assert (proba[:, 1] == 0).all()


def test_unknown_type_and_parameter_are_clear_errors() -> None:
    with pytest.raises(ModelError, match="unknown model type 'lstm'; expected one of xgboost"):
        create_model("lstm")
    with pytest.raises(ModelError, match="unknown parameter"):
        create_model("xgboost", {"n_trees": 3})
    with pytest.raises(ModelError, match="not trained"):
        create_model("rf").predict_proba(np.zeros((1, 1)))


def test_damaged_artifacts_are_clear_errors(tmp_path: Path) -> None:
    x, y = _data(300)
    model = create_model("xgboost", FAST["xgboost"], NAMES)
    model.fit(x, y)
    data = model.to_bytes()

    with pytest.raises(ModelError, match="not a readable model artifact"):
        read_artifact(data[: len(data) // 2], "half.zip")
    with pytest.raises(ModelError, match="is missing"):
        load_model(tmp_path / "nothing.zip")
