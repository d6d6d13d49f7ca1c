"""The model behind the ``ml`` strategy: resolve once, then features -> probabilities ->
targets, identically in the backtester, paper and live.

Any problem with the model (none active, artifact missing or corrupt, features it needs
absent from the bars) means *no signal*: the target is NaN, which the contract reads as
"no change", and ``explain`` says why. A wrong model never trades.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.errors import MoonAIError
from moonai_tui.ml import context, signals
from moonai_tui.ml.features import LIVE_WINDOW, compute_features
from moonai_tui.ml.models import Model
from moonai_tui.ml.models.base import FloatArray

log = logging.getLogger(__name__)

_CACHE_ROWS = 2 * LIVE_WINDOW
"""Windows up to this long are live windows whose scored bars are remembered."""


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where the model comes from: an artifact file, or the registry."""

    symbol: str
    timeframe: str
    version: int = 0
    """0 = the active version."""
    model_file: str = ""
    """An artifact path (research); bypasses the registry and its checksum."""
    database_url: str = ""
    """'' = the config's database."""


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    model: Model
    label: str
    """e.g. 'BTC/USDT:USDT 1m v3', shown in reasons."""
    trained_until: pd.Timestamp | None
    """Bars before this were in the training data: no signal there (in-sample)."""


class ModelSlot:
    """Loads the model lazily and remembers a failure instead of retrying every bar."""

    def __init__(self, source: ModelSource) -> None:
        self._source = source
        self._resolved: ResolvedModel | None = None
        self._error = ""
        self._scored = _ScoreCache()
        self._generation = context.generation()

    @property
    def error(self) -> str:
        """Why there is no model ('' when one is loaded or none was asked for yet)."""
        return self._error

    def reload(self) -> None:
        """Forget the loaded model (e.g. after a promotion); the next call resolves again."""
        self._resolved, self._error, self._scored = None, "", _ScoreCache()

    def get(self) -> ResolvedModel | None:
        if self._generation != context.generation():
            self.reload()
            self._generation = context.generation()
        if self._resolved is None and not self._error:
            try:
                self._resolved = _resolve(self._source)
            except MoonAIError as exc:
                self._error = str(exc)
                log.error("ml strategy: no model, no signal: %s", exc)
        return self._resolved

    def targets(self, bars: pd.DataFrame, min_confidence: float) -> pd.Series:
        """Targets on ``bars.index``; NaN without a model or inside its training range."""
        resolved = self.get()
        nan = pd.Series(np.nan, index=bars.index, dtype=np.float64)
        if resolved is None or bars.empty:
            return nan
        proba = self._probabilities(bars, resolved.model)
        if proba is None:
            return nan
        out = signals.targets(proba, min_confidence)
        if resolved.trained_until is not None:
            out[bars.index < resolved.trained_until] = np.nan
        return pd.Series(out, index=bars.index, dtype=np.float64)

    def _probabilities(self, bars: pd.DataFrame, model: Model) -> FloatArray | None:
        """Probabilities per bar, reusing those of bars already scored.

        Live, each call's window differs from the last by one new bar; the features are
        causal, so an earlier bar's probabilities do not change and only the new bar is
        scored (one row instead of the whole window). Long histories (a backtest) are
        scored in one batch and not remembered.
        """
        keys = pd.DatetimeIndex(bars.index).asi8
        live = len(bars) <= _CACHE_ROWS
        proba, todo = self._scored.lookup(keys) if live else _nothing_scored(len(keys))
        if todo.any():
            features = _features(bars, model)
            if features is None:
                return None
            proba[todo] = signals.probabilities(model, features.iloc[np.flatnonzero(todo)])
            if live:
                # The first window's early rows carry the exponential indicators' start-up
                # error, as they would if recomputed; only the newest rows are acted on.
                fresh = todo & ~np.isnan(proba).any(axis=1)
                self._scored.add(keys[fresh], proba[fresh])
        return proba

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        """Confidence and the top contributing features of the last bar's prediction."""
        resolved = self.get()
        if resolved is None:
            return 0.0, f"no model: {self._error}"
        features = _features(bars, resolved.model)
        if features is None:
            missing = [n for n in resolved.model.feature_names if n not in _available(bars)]
            return 0.0, f"{resolved.label}: bars lack {', '.join(missing[:3])}"
        confidence, why = signals.explain(resolved.model, features.iloc[-1])
        return confidence, f"{resolved.label} {why}"


def _nothing_scored(rows: int) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    return np.full((rows, 3), np.nan), np.ones(rows, dtype=bool)


class _ScoreCache:
    """Probabilities of recently scored bars, by bar open time (sorted arrays)."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.int64)
        self._proba = np.empty((0, 3))

    def lookup(self, keys: npt.NDArray[np.int64]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Known probabilities (NaN rows where unknown) and which rows are unknown."""
        proba, todo = _nothing_scored(len(keys))
        if len(self._keys):
            at = np.clip(np.searchsorted(self._keys, keys), 0, len(self._keys) - 1)
            hit = self._keys[at] == keys
            proba[hit] = self._proba[at[hit]]
            todo = ~hit
        return proba, todo

    def add(self, keys: npt.NDArray[np.int64], proba: FloatArray) -> None:
        merged = np.concatenate([self._keys, keys])
        rows = np.concatenate([self._proba, proba])
        merged, first = np.unique(merged, return_index=True)
        self._keys, self._proba = merged[-_CACHE_ROWS:], rows[first][-_CACHE_ROWS:]


def _available(bars: pd.DataFrame) -> set[str]:
    from moonai_tui.ml.features import FEATURES

    return set(FEATURES) | {str(c) for c in bars.columns}


def _features(bars: pd.DataFrame, model: Model) -> pd.DataFrame | None:
    """The model's feature columns: computed ones plus extra columns the bars carry (e.g.
    order-book features joined live); None when one is missing."""
    features = compute_features(bars)
    extra = [n for n in model.feature_names if n not in features.columns]
    if any(n not in bars.columns for n in extra):
        return None
    if extra:
        features = features.join(bars[extra])
    return features


def _resolve(source: ModelSource) -> ResolvedModel:
    from moonai_tui.ml.models import load_model

    if source.model_file:
        model = load_model(Path(source.model_file))
        return ResolvedModel(model, Path(source.model_file).name, None)
    from moonai_tui.ml.registry import load_active_blocking

    url = source.database_url or context.defaults().database_url
    loaded = load_active_blocking(url, source.symbol, source.timeframe, source.version)
    record = loaded.record
    until = pd.Timestamp(record.data_until_ms, unit="ms", tz="UTC")
    label = f"{record.symbol} {record.timeframe} v{record.version}"
    return ResolvedModel(loaded.model, label, until)
