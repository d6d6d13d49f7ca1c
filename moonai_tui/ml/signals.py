"""From model probabilities to targets and explanations: one code path for the walk-forward
backtest in training, the ``ml`` strategy in the backtester, paper and live."""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.ml.models.base import CLASS_NAMES, FloatArray, Model

DOWN, FLAT, UP = 0, 1, 2


def probabilities(model: Model, features: pd.DataFrame) -> FloatArray:
    """Class probabilities per row of ``features`` (NaN rows where any feature is NaN)."""
    return predict(model, features.loc[:, model.feature_names].to_numpy(dtype=np.float64))


def predict(model: Model, x: FloatArray) -> FloatArray:
    """As :func:`probabilities`, on the model's input columns as an array."""
    out = np.full((len(x), 3), np.nan)
    ok = ~np.isnan(x).any(axis=1)
    if ok.any():
        out[ok] = model.predict_proba(x[ok])
    return out


def targets(proba: FloatArray, min_confidence: float) -> FloatArray:
    """+1 when p(up) >= ``min_confidence``, -1 when p(down) >= it, else 0; NaN rows stay NaN.

    With ``min_confidence`` > 0.5 at most one side can qualify; below it the likelier wins.
    """
    p_down, p_up = proba[:, DOWN], proba[:, UP]
    long = (p_up >= min_confidence) & (p_up >= p_down)
    short = (p_down >= min_confidence) & (p_down > p_up)
    out = np.where(long, 1.0, np.where(short, -1.0, 0.0))
    return np.where(np.isnan(proba).any(axis=1), np.nan, out)


def explain(model: Model, row: pd.Series, top: int = 3) -> tuple[float, str]:
    """Confidence (the top class's probability) and the features that pushed it most.

    For XGBoost the contributions are exact SHAP values of that class's margin; other
    models report occlusion effects (see :meth:`Model.contributions`).
    """
    return explain_values(model, row.loc[model.feature_names].to_numpy(dtype=np.float64), top)


def explain_values(model: Model, values: FloatArray, top: int = 3) -> tuple[float, str]:
    """As :func:`explain`, on the model's inputs of one bar as an array."""
    x = np.asarray(values, dtype=np.float64).reshape(1, -1)
    if np.isnan(x).any():
        missing = [n for n, v in zip(model.feature_names, x[0], strict=True) if np.isnan(v)]
        return 0.0, f"features not ready: {', '.join(missing[:3])}"
    proba = model.predict_proba(x)[0]
    cls = int(np.argmax(proba))
    contributions = model.contributions(x, cls)[0]
    order = np.argsort(-np.abs(contributions))[:top]
    parts = [f"{model.feature_names[i]}={x[0, i]:.4g} ({contributions[i]:+.3f})" for i in order]
    probs = " ".join(f"{name} {p:.2f}" for name, p in zip(CLASS_NAMES, proba, strict=True))
    return float(proba[cls]), f"{CLASS_NAMES[cls]} [{probs}]: " + ", ".join(parts)
