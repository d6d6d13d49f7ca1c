"""Model types behind one interface: fit, predict_proba, contributions, importances, save/load.

``xgboost`` is the default. scikit-learn and XGBoost are imported only when a model is
trained or read, never when this package is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from moonai_tui.errors import ModelError
from moonai_tui.ml.models.base import CLASS_NAMES, N_CLASSES, Model, split_artifact
from moonai_tui.ml.models.ensemble import EnsembleModel, RegimeDetector, RegimeModel
from moonai_tui.ml.models.gbm import XGBoostModel
from moonai_tui.ml.models.sklearn_models import (
    LogisticModel,
    MlpModel,
    RandomForestModel,
    SvmModel,
)

MODEL_TYPES: dict[str, type[Model]] = {
    cls.kind: cls
    for cls in (
        XGBoostModel,
        RandomForestModel,
        LogisticModel,
        SvmModel,
        MlpModel,
        EnsembleModel,
        RegimeModel,
    )
}
"""Every model type by name, the default first."""

DEFAULT_MODEL = "xgboost"


def create_model(
    kind: str, params: Mapping[str, Any] | None = None, feature_names: Sequence[str] = ()
) -> Model:
    """A new, untrained model of type ``kind``.

    Raises:
        ModelError: unknown type or parameter.
    """
    _passive_openmp()
    try:
        cls = MODEL_TYPES[kind]
    except KeyError:
        raise ModelError(
            f"unknown model type '{kind}'; expected one of {', '.join(MODEL_TYPES)}"
        ) from None
    return cls(params, feature_names)


def _passive_openmp() -> None:
    """Make idle OpenMP threads sleep instead of spin (unless the user chose otherwise).

    XGBoost and scikit-learn read this when their OpenMP runtime loads. On a busy machine
    spinning threads fight over the cores: a 2-thread XGBoost fit measured 5-10x slower
    with the default policy than with PASSIVE (bench/ml_training.py).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def read_artifact(data: bytes, source: str) -> Model:
    """A trained model from artifact bytes; ``source`` names it in errors."""
    meta, payload = split_artifact(data, source)
    model = create_model(str(meta.get("kind")), meta.get("params"), meta.get("feature_names", []))
    try:
        model.restore(meta, payload)
    except ModelError:
        raise
    except Exception as exc:  # a damaged payload fails inside xgboost/pickle/zipfile
        raise ModelError(
            f"{source}: model payload cannot be read ({exc.__class__.__name__}: {exc})"
        ) from None
    return model


def load_model(path: Path) -> Model:
    """Read a model artifact file (no checksum: the registry checks that first)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: model artifact is missing") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model artifact ({exc.strerror})") from None
    return read_artifact(data, str(path))


__all__ = [
    "CLASS_NAMES",
    "DEFAULT_MODEL",
    "MODEL_TYPES",
    "N_CLASSES",
    "Model",
    "RegimeDetector",
    "create_model",
    "load_model",
    "read_artifact",
]
