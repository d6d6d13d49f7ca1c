"""The interface every model shares, and the artifact format they are saved in.

Classes are always the three label classes 0 = down, 1 = flat, 2 = up, even when a training
fold lacks one (its probability is then 0). An artifact is a zip holding ``meta.json``
(kind, params, feature names, training means) and the model's own payload; the registry
checks its sha256 before any byte of it is read.
"""

from __future__ import annotations

import io
import json
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import ModelError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

N_CLASSES = 3
CLASS_NAMES = ("down", "flat", "up")
ARTIFACT_FORMAT = 1
_META = "meta.json"
_PAYLOAD = "model.bin"


class Model(ABC):
    """A 3-class probabilistic classifier over a fixed, named feature list."""

    kind: ClassVar[str] = ""

    def __init__(
        self, params: Mapping[str, Any] | None = None, feature_names: Sequence[str] = ()
    ) -> None:
        defaults = self.default_params()
        unknown = sorted(set(params or {}) - set(defaults))
        if unknown:
            raise ModelError(
                f"model '{self.kind}': unknown parameter(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(defaults))}"
            )
        self.params: dict[str, Any] = {**defaults, **(params or {})}
        self.feature_names: list[str] = list(feature_names)
        self._means: FloatArray = np.zeros(len(self.feature_names))
        self._fitted = False

    @classmethod
    @abstractmethod
    def default_params(cls) -> dict[str, Any]:
        """Hyper-parameters and their defaults; only these names are accepted."""

    def fit(self, x: FloatArray, y: IntArray) -> None:
        """Train on ``x`` (rows x features, NaN allowed only where the model copes) and ``y``.

        Raises:
            ModelError: shapes disagree, or a label is not 0, 1 or 2.
        """
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)
        if x.ndim != 2 or len(x) != len(y) or len(x) == 0:
            raise ModelError(f"model '{self.kind}': need rows x features and one label per row")
        if not self.feature_names:
            self.feature_names = [f"f{i}" for i in range(x.shape[1])]
        if x.shape[1] != len(self.feature_names):
            raise ModelError(
                f"model '{self.kind}': {x.shape[1]} feature columns, "
                f"expected {len(self.feature_names)}"
            )
        if ((y < 0) | (y >= N_CLASSES)).any():
            raise ModelError(f"model '{self.kind}': labels must be 0 (down), 1 (flat) or 2 (up)")
        self._means = np.nan_to_num(np.nanmean(x, axis=0))
        self._fit(x, y)
        self._fitted = True

    def predict_proba(self, x: FloatArray) -> FloatArray:
        """Probabilities of down, flat, up: shape (rows, 3), each row summing to 1."""
        self._require_fitted()
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise ModelError(
                f"model '{self.kind}': expected {len(self.feature_names)} feature columns, "
                f"got shape {x.shape}"
            )
        return _normalised(self._predict_proba(x))

    def contributions(self, x: FloatArray, cls: int) -> FloatArray:
        """Per-row, per-feature contribution to the probability (or margin) of class ``cls``.

        The default is occlusion: how much p(cls) falls when one feature is replaced by its
        training mean. Models with exact attributions (XGBoost's SHAP values) override it.
        """
        x = np.asarray(x, dtype=np.float64)
        rows, width = x.shape
        occluded = np.repeat(x, width, axis=0).reshape(rows, width, width)
        idx = np.arange(width)
        occluded[:, idx, idx] = self._means
        base = self.predict_proba(x)[:, cls]
        probs = self.predict_proba(occluded.reshape(rows * width, width))[:, cls]
        return base[:, None] - probs.reshape(rows, width)

    def feature_importances(self) -> dict[str, float]:
        """Global importance per feature name, non-negative and summing to 1 (or all 0)."""
        self._require_fitted()
        raw = np.clip(np.asarray(self._importances(), dtype=np.float64), 0.0, None)
        total = raw.sum()
        share = raw / total if total > 0 else np.zeros_like(raw)
        return {name: float(v) for name, v in zip(self.feature_names, share, strict=True)}

    def to_bytes(self) -> bytes:
        """The artifact: a zip of ``meta.json`` and the model's payload."""
        self._require_fitted()
        meta = {
            "format": ARTIFACT_FORMAT,
            "kind": self.kind,
            "params": self.params,
            "feature_names": self.feature_names,
            "means": self._means.tolist(),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_META, json.dumps(meta, sort_keys=True))
            archive.writestr(_PAYLOAD, self._payload())
        return buffer.getvalue()

    def save(self, path: Path) -> None:
        """Write the artifact to ``path`` (atomically: a crash leaves no half-written file)."""
        data = self.to_bytes()
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def restore(self, meta: Mapping[str, Any], payload: bytes) -> None:
        """Fill this (unfitted) model from an artifact's parts; used by :func:`read_artifact`."""
        self.feature_names = list(meta["feature_names"])
        self._means = np.asarray(meta["means"], dtype=np.float64)
        self._restore(payload)
        self._fitted = True

    def _require_fitted(self) -> None:
        if not self._fitted:
            raise ModelError(f"model '{self.kind}' is not trained yet")

    @abstractmethod
    def _fit(self, x: FloatArray, y: IntArray) -> None: ...

    @abstractmethod
    def _predict_proba(self, x: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _importances(self) -> Sequence[float] | FloatArray: ...

    @abstractmethod
    def _payload(self) -> bytes: ...

    @abstractmethod
    def _restore(self, payload: bytes) -> None: ...


def split_artifact(data: bytes, source: str) -> tuple[dict[str, Any], bytes]:
    """The ``meta.json`` mapping and payload of an artifact.

    Raises:
        ModelError: ``source`` (named in the message) is not a Moon AI model artifact.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = json.loads(archive.read(_META))
            payload = archive.read(_PAYLOAD)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelError(f"{source}: not a readable model artifact ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != ARTIFACT_FORMAT:
        raise ModelError(f"{source}: unsupported model artifact format")
    return meta, payload


def class_columns(proba: FloatArray, classes: Sequence[int]) -> FloatArray:
    """Spread an estimator's columns (for the ``classes`` it saw) over all three classes."""
    full = np.zeros((len(proba), N_CLASSES))
    full[:, list(classes)] = proba
    return full


def _normalised(proba: FloatArray) -> FloatArray:
    proba = np.clip(np.asarray(proba, dtype=np.float64), 0.0, None)
    total = proba.sum(axis=1, keepdims=True)
    uniform = np.full_like(proba, 1.0 / N_CLASSES)
    safe = np.where(total > 0, total, 1.0)
    return np.asarray(np.where(total > 0, proba / safe, uniform), dtype=np.float64)
