"""The scikit-learn models: random forest, logistic regression, a linear SVM and an MLP.

Each is a pipeline (scaling where the estimator needs it) pickled into the artifact. The
registry verifies an artifact's sha256 before it is unpickled, so only files this program
wrote and recorded are ever loaded.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

from moonai_tui.ml.models.base import FloatArray, IntArray, Model, class_columns


class _SklearnModel(Model):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._estimator: Any = None

    def _build(self) -> Any:
        raise NotImplementedError

    def _fit(self, x: FloatArray, y: IntArray) -> None:
        self._estimator = self._build()
        self._estimator.fit(x, y)

    def _predict_proba(self, x: FloatArray) -> FloatArray:
        proba = np.asarray(self._estimator.predict_proba(x), dtype=np.float64)
        return class_columns(proba, [int(c) for c in self._estimator.classes_])

    def _payload(self) -> bytes:
        return pickle.dumps(self._estimator, protocol=pickle.HIGHEST_PROTOCOL)

    def _restore(self, payload: bytes) -> None:
        self._estimator = pickle.loads(payload)

    def _final_step(self) -> Any:
        return self._estimator[-1] if hasattr(self._estimator, "steps") else self._estimator


class RandomForestModel(_SklearnModel):
    """Bagged decision trees; each tree sees a sub-sample so a year of bars stays fast."""

    kind = "rf"

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {
            # 50 trees on 10 % sub-samples: 100 trees on 20 % took 133 s for a year of
            # minute bars on 2 busy cores (bench/ml_training.py).
            "n_estimators": 50,
            "max_depth": 8,
            "min_samples_leaf": 50,
            "max_samples": 0.1,
            "max_features": "sqrt",
            "n_jobs": 2,
            "seed": 0,
        }

    def _build(self) -> Any:
        from sklearn.ensemble import RandomForestClassifier

        p = self.params
        return RandomForestClassifier(
            n_estimators=int(p["n_estimators"]),
            max_depth=int(p["max_depth"]),
            min_samples_leaf=int(p["min_samples_leaf"]),
            max_samples=float(p["max_samples"]),
            max_features=p["max_features"],
            n_jobs=int(p["n_jobs"]),
            random_state=int(p["seed"]),
        )

    def _importances(self) -> Sequence[float]:
        return [float(v) for v in self._estimator.feature_importances_]


class LogisticModel(_SklearnModel):
    """Multinomial logistic regression on standardised features."""

    kind = "logreg"

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {"C": 0.1, "max_iter": 300}

    def _build(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        p = self.params
        return make_pipeline(
            StandardScaler(), LogisticRegression(C=float(p["C"]), max_iter=int(p["max_iter"]))
        )

    def _importances(self) -> FloatArray:
        coef = np.asarray(self._final_step().coef_, dtype=np.float64)
        return np.asarray(np.abs(coef).mean(axis=0), dtype=np.float64)


class SvmModel(_SklearnModel):
    """A linear SVM (hinge loss) made probabilistic by sigmoid calibration.

    A kernel SVC is quadratic in the number of rows and cannot fit a year of minute bars;
    the linear SVM trains in seconds and its calibrated scores are proper probabilities.
    """

    kind = "svm"

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {"C": 0.05, "max_iter": 2000, "calibration_folds": 3}

    def _build(self) -> Any:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import LinearSVC

        p = self.params
        svm = LinearSVC(C=float(p["C"]), max_iter=int(p["max_iter"]))
        return make_pipeline(
            StandardScaler(),
            CalibratedClassifierCV(svm, method="sigmoid", cv=int(p["calibration_folds"])),
        )

    def _importances(self) -> FloatArray:
        calibrated = self._final_step().calibrated_classifiers_
        coefs = [np.abs(np.asarray(c.estimator.coef_)).mean(axis=0) for c in calibrated]
        return np.asarray(np.mean(coefs, axis=0), dtype=np.float64)


class MlpModel(_SklearnModel):
    """A small feed-forward network (two hidden layers) with early stopping."""

    kind = "mlp"

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {
            "hidden": [32, 16],
            "alpha": 1e-3,
            "learning_rate_init": 1e-3,
            "max_iter": 30,
            "batch_size": 512,
            "seed": 0,
        }

    def _build(self) -> Any:
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        p = self.params
        return make_pipeline(
            StandardScaler(),
            MLPClassifier(
                hidden_layer_sizes=tuple(int(h) for h in p["hidden"]),
                alpha=float(p["alpha"]),
                learning_rate_init=float(p["learning_rate_init"]),
                max_iter=int(p["max_iter"]),
                batch_size=int(p["batch_size"]),
                early_stopping=True,
                random_state=int(p["seed"]),
            ),
        )

    def _importances(self) -> FloatArray:
        first_layer = np.asarray(self._final_step().coefs_[0], dtype=np.float64)
        return np.asarray(np.abs(first_layer).sum(axis=1), dtype=np.float64)
