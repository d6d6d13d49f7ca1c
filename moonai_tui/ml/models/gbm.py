"""XGBoost, the default model: histogram gradient boosting with exact per-row SHAP values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from moonai_tui.ml.models.base import N_CLASSES, FloatArray, IntArray, Model

SINGLE_THREAD_ROWS = 64
"""Batches up to this size are scored on one thread: live scores one row per bar, and a
second thread only adds its wake-up (one-row predict p99 1.7 ms on 2 threads vs 0.44 ms
on 1 under load, bench/ml_training.py)."""


class XGBoostModel(Model):
    """Multi-class (softprob) gradient-boosted trees via the low-level ``xgboost.train``."""

    kind = "xgboost"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._booster: Any = None
        self._threads = 0
        """The booster's current ``nthread`` (0 = as trained or loaded)."""

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {
            # Shallow, slow and well-regularised: minute returns are mostly noise, and
            # deeper or faster settings scored worse than the class frequencies out of
            # sample on the demo data.
            "n_estimators": 100,
            "max_depth": 3,
            "learning_rate": 0.03,
            "subsample": 0.8,
            "colsample_bytree": 0.8,
            "min_child_weight": 50.0,
            "reg_lambda": 1.0,
            "max_bin": 128,
            "n_jobs": 2,
            "seed": 0,
        }

    def _fit(self, x: FloatArray, y: IntArray) -> None:
        import xgboost as xgb

        p = self.params
        booster_params = {
            "objective": "multi:softprob",
            "num_class": N_CLASSES,
            "eval_metric": "mlogloss",
            "tree_method": "hist",
            "max_depth": int(p["max_depth"]),
            "eta": float(p["learning_rate"]),
            "subsample": float(p["subsample"]),
            "colsample_bytree": float(p["colsample_bytree"]),
            "min_child_weight": float(p["min_child_weight"]),
            "lambda": float(p["reg_lambda"]),
            "max_bin": int(p["max_bin"]),
            "nthread": int(p["n_jobs"]),
            "seed": int(p["seed"]),
            "verbosity": 0,
        }
        train = xgb.DMatrix(x, label=y, feature_names=self._xgb_names())
        self._booster = xgb.train(booster_params, train, num_boost_round=int(p["n_estimators"]))
        self._threads = 0

    def _predict_proba(self, x: FloatArray) -> FloatArray:
        threads = 1 if len(x) <= SINGLE_THREAD_ROWS else int(self.params["n_jobs"])
        if threads != self._threads:
            self._booster.set_param({"nthread": threads})
            self._threads = threads
        # inplace_predict skips building a DMatrix: the live path scores one row per bar.
        out = self._booster.inplace_predict(x)
        return np.asarray(out, dtype=np.float64).reshape(len(x), N_CLASSES)

    def contributions(self, x: FloatArray, cls: int) -> FloatArray:
        """Exact SHAP values (``pred_contribs``) of each feature to class ``cls``'s margin."""
        import xgboost as xgb

        self._require_fitted()
        matrix = xgb.DMatrix(np.asarray(x, dtype=np.float64), feature_names=self._xgb_names())
        contribs = np.asarray(self._booster.predict(matrix, pred_contribs=True))
        # (rows, classes, features + bias): drop the bias column.
        return np.asarray(contribs[:, cls, :-1], dtype=np.float64)

    def _importances(self) -> Sequence[float]:
        gains = self._booster.get_score(importance_type="total_gain")
        return [float(gains.get(name, 0.0)) for name in self._xgb_names()]

    def _payload(self) -> bytes:
        return bytes(self._booster.save_raw(raw_format="ubj"))

    def _restore(self, payload: bytes) -> None:
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(bytearray(payload))
        booster.set_param({"nthread": int(self.params["n_jobs"])})
        self._booster = booster
        self._threads = 0

    def _xgb_names(self) -> list[str]:
        # XGBoost refuses names with [, ] or <; ours are plain, but stay safe for user features.
        names = self.feature_names
        return [n.replace("[", "(").replace("]", ")").replace("<", "lt") for n in names]
