"""Composite models: a probability-averaging ensemble, and regime-specific models.

Both store their members' own artifacts inside their payload, so each member keeps its
native format (an XGBoost booster stays a booster).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np

from moonai_tui.errors import ModelError
from moonai_tui.ml.models.base import N_CLASSES, FloatArray, IntArray, Model


def _pack(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _unpack(payload: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _member(kind: str, params: dict[str, Any], names: Sequence[str]) -> Model:
    from moonai_tui.ml.models import create_model

    if kind in ("ensemble", "regime"):
        raise ModelError(f"a composite model cannot contain '{kind}'")
    return create_model(kind, params, names)


def _read(data: bytes, source: str) -> Model:
    from moonai_tui.ml.models import read_artifact

    return read_artifact(data, source)


class EnsembleModel(Model):
    """The weighted mean of its members' probabilities."""

    kind = "ensemble"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._members: list[Model] = []

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {"members": ["xgboost", "logreg", "rf"], "weights": None, "member_params": {}}

    def _weights(self) -> FloatArray:
        weights = self.params["weights"] or [1.0] * len(self.params["members"])
        if len(weights) != len(self.params["members"]):
            raise ModelError("model 'ensemble': give one weight per member")
        w = np.asarray(weights, dtype=np.float64)
        return np.asarray(w / w.sum(), dtype=np.float64)

    def _fit(self, x: FloatArray, y: IntArray) -> None:
        self._weights()
        member_params = self.params["member_params"]
        self._members = [
            _member(kind, member_params.get(kind, {}), self.feature_names)
            for kind in self.params["members"]
        ]
        for member in self._members:
            member.fit(x, y)

    def _predict_proba(self, x: FloatArray) -> FloatArray:
        weights = self._weights()
        total = np.zeros((len(x), N_CLASSES))
        for weight, member in zip(weights, self._members, strict=True):
            total += weight * member.predict_proba(x)
        return total

    def _importances(self) -> FloatArray:
        weights = self._weights()
        shares = [
            np.asarray(list(m.feature_importances().values())) * w
            for w, m in zip(weights, self._members, strict=True)
        ]
        return np.asarray(np.sum(shares, axis=0), dtype=np.float64)

    def _payload(self) -> bytes:
        return _pack({f"{i}.zip": m.to_bytes() for i, m in enumerate(self._members)})

    def _restore(self, payload: bytes) -> None:
        parts = _unpack(payload)
        self._members = [
            _read(parts[f"{i}.zip"], f"ensemble member {i}")
            for i in range(len(self.params["members"]))
        ]


@dataclass(frozen=True, slots=True)
class RegimeDetector:
    """Four regimes from two causal features: calm/volatile x ranging/trending.

    The thresholds are the training medians, so each regime holds about a quarter of the
    training rows when volatility and trend are independent.
    """

    vol_column: int
    trend_column: int
    vol_threshold: float
    trend_threshold: float

    @classmethod
    def fit(cls, x: FloatArray, vol_column: int, trend_column: int) -> RegimeDetector:
        return cls(
            vol_column,
            trend_column,
            float(np.nanmedian(x[:, vol_column])),
            float(np.nanmedian(np.abs(x[:, trend_column]))),
        )

    def regimes(self, x: FloatArray) -> IntArray:
        """Regime per row: 0 calm ranging, 1 calm trending, 2 volatile ranging, 3 volatile
        trending."""
        volatile = x[:, self.vol_column] > self.vol_threshold
        trending = np.abs(x[:, self.trend_column]) > self.trend_threshold
        return np.asarray(2 * volatile + trending, dtype=np.int64)


class RegimeModel(Model):
    """One base model per regime (where the regime has enough rows) plus a global fallback."""

    kind = "regime"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._detector: RegimeDetector | None = None
        self._global: Model | None = None
        self._per_regime: dict[int, Model] = {}

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {
            "base": "xgboost",
            "base_params": {},
            "vol_feature": "vol_60",
            "trend_feature": "trend_60",
            "min_samples": 1000,
        }

    def _column(self, name: str) -> int:
        try:
            return self.feature_names.index(name)
        except ValueError:
            raise ModelError(f"model 'regime': feature '{name}' is not in the features") from None

    def _fit(self, x: FloatArray, y: IntArray) -> None:
        p = self.params
        self._detector = RegimeDetector.fit(
            x, self._column(p["vol_feature"]), self._column(p["trend_feature"])
        )
        self._global = _member(p["base"], p["base_params"], self.feature_names)
        self._global.fit(x, y)
        regimes = self._detector.regimes(x)
        self._per_regime = {}
        for regime in range(4):
            rows = regimes == regime
            if rows.sum() >= int(p["min_samples"]):
                model = _member(p["base"], p["base_params"], self.feature_names)
                model.fit(x[rows], y[rows])
                self._per_regime[regime] = model

    def _parts(self) -> tuple[RegimeDetector, Model]:
        if self._detector is None or self._global is None:
            raise ModelError("model 'regime' is not trained yet")
        return self._detector, self._global

    def _predict_proba(self, x: FloatArray) -> FloatArray:
        detector, fallback = self._parts()
        regimes = detector.regimes(x)
        out = fallback.predict_proba(x)
        for regime, model in self._per_regime.items():
            rows = regimes == regime
            if rows.any():
                out[rows] = model.predict_proba(x[rows])
        return out

    def _importances(self) -> FloatArray:
        _, fallback = self._parts()
        return np.asarray(list(fallback.feature_importances().values()), dtype=np.float64)

    def _payload(self) -> bytes:
        detector, fallback = self._parts()
        parts = {"detector.json": json.dumps(astuple(detector)).encode()}
        parts["global.zip"] = fallback.to_bytes()
        parts.update({f"{r}.zip": m.to_bytes() for r, m in self._per_regime.items()})
        return _pack(parts)

    def _restore(self, payload: bytes) -> None:
        parts = _unpack(payload)
        self._detector = RegimeDetector(*json.loads(parts.pop("detector.json")))
        self._global = _read(parts.pop("global.zip"), "regime global model")
        self._per_regime = {
            int(name.removesuffix(".zip")): _read(data, f"regime model {name}")
            for name, data in parts.items()
        }
