"""The model behind the ``ml`` strategy: resolve once, then features -> probabilities ->
targets, identically in the backtester, paper and live.

Any problem with the model (none active, artifact missing or corrupt, features it needs
absent from the bars) means *no signal*: the target is NaN, which the contract reads as
"no change", and ``explain`` says why. A wrong model never trades.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.errors import DataError, MoonAIError
from moonai_tui.ml import context, signals
from moonai_tui.ml.features import FEATURES, LIVE_WINDOW, feature_matrix, open_times_ns
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
        self._last_inputs: _LastInputs | None = None
        self._generation = context.generation()

    @property
    def error(self) -> str:
        """Why there is no model ('' when one is loaded or none was asked for yet)."""
        return self._error

    def reload(self) -> None:
        """Forget the loaded model (e.g. after a promotion); the next call resolves again."""
        self._resolved, self._error, self._scored = None, "", _ScoreCache()
        self._last_inputs = None

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
        if resolved is None or bars.empty:
            return _no_signal(bars)
        keys = _keys(bars.index)
        proba = self._probabilities(bars, keys, resolved.model)
        if proba is None:
            return _no_signal(bars)
        out = signals.targets(proba, min_confidence)
        if resolved.trained_until is not None:
            out[keys < resolved.trained_until.as_unit("ns").value] = np.nan
        return pd.Series(out, index=bars.index, dtype=np.float64, copy=False)

    def _probabilities(
        self, bars: pd.DataFrame, keys: npt.NDArray[np.int64], model: Model
    ) -> FloatArray | None:
        """Probabilities per bar, reusing those of bars already scored.

        Live, each call's window differs from the last by one new bar; the features are
        causal, so an earlier bar's probabilities do not change and only the new bar is
        scored (one row instead of the whole window). Long histories (a backtest) are
        scored in one batch and not remembered.
        """
        live = len(bars) <= _CACHE_ROWS
        proba, todo = self._scored.lookup(keys) if live else _nothing_scored(len(keys))
        rows = np.flatnonzero(todo)
        if len(rows):
            x = _inputs(bars, model, rows)
            if x is None:
                return None
            scored = signals.predict(model, x)
            proba[rows] = scored
            if rows[-1] == len(bars) - 1:
                # A decision on this bar asks explain() next, on the same window.
                self._last_inputs = _LastInputs(_window_id(keys), x[-1].copy())
            if live:
                # The first window's early rows carry the exponential indicators' start-up
                # error, as they would if recomputed; only the newest rows are acted on.
                fresh = ~np.isnan(scored).any(axis=1)
                self._scored.add(keys[rows[fresh]], scored[fresh])
        return proba

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        """Confidence and the top contributing features of the last bar's prediction."""
        resolved = self.get()
        if resolved is None:
            return 0.0, f"no model: {self._error}"
        if bars.empty:
            return 0.0, f"{resolved.label}: no bars"
        remembered = self._last_inputs
        if remembered is not None and remembered.window == _window_id(_keys(bars.index)):
            x = remembered.values
        else:
            inputs = _inputs(bars, resolved.model, np.array([len(bars) - 1]))
            if inputs is None:
                names = resolved.model.feature_names
                missing = [n for n in names if n not in _available(bars)]
                return 0.0, f"{resolved.label}: bars lack {', '.join(missing[:3])}"
            x = inputs[0]
        confidence, why = signals.explain_values(resolved.model, x)
        return confidence, f"{resolved.label} {why}"


@dataclass(frozen=True, slots=True)
class _LastInputs:
    """The model inputs of the last bar of the last window scored, for :meth:`explain`."""

    window: tuple[int, int, int]
    values: FloatArray


def _window_id(keys: npt.NDArray[np.int64]) -> tuple[int, int, int]:
    # Closed bars never change, so length, first and last open time name a window.
    return len(keys), int(keys[0]), int(keys[-1])


def _keys(index: pd.Index) -> npt.NDArray[np.int64]:
    """Bar open times in ns: one cache whatever resolution the bars' source uses."""
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError("features: bars need a DatetimeIndex of bar open times")
    return open_times_ns(index)


def _no_signal(bars: pd.DataFrame) -> pd.Series:
    return pd.Series(np.nan, index=bars.index, dtype=np.float64)


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
        if not len(self._keys) or not len(keys):
            return proba, todo
        start = int(np.searchsorted(self._keys, keys[0]))
        known = self._keys[start : start + len(keys)]
        if np.array_equal(known, keys[: len(known)]):
            # Live: the window is a run of known bars plus the new one; no search per bar.
            proba[: len(known)] = self._proba[start : start + len(known)]
            todo[: len(known)] = False
        else:
            at = np.clip(np.searchsorted(self._keys, keys), 0, len(self._keys) - 1)
            hit = self._keys[at] == keys
            proba[hit] = self._proba[at[hit]]
            todo = ~hit
        return proba, todo

    def add(self, keys: npt.NDArray[np.int64], proba: FloatArray) -> None:
        merged = np.concatenate([self._keys, keys])
        rows = np.concatenate([self._proba, proba])
        # Live, the new bars come after every known one: already sorted, no sort needed.
        if not (merged[1:] > merged[:-1]).all():
            merged, first = np.unique(merged, return_index=True)
            rows = rows[first]
        self._keys, self._proba = merged[-_CACHE_ROWS:], rows[-_CACHE_ROWS:]


def _available(bars: pd.DataFrame) -> set[str]:
    return set(FEATURES) | {str(c) for c in bars.columns}


@cache
def _positions(names: tuple[str, ...]) -> npt.NDArray[np.intp]:
    """Where each model input sits among :data:`FEATURES`; -1 for a column of the bars."""
    at = {name: i for i, name in enumerate(FEATURES)}
    positions = np.array([at.get(name, -1) for name in names], dtype=np.intp)
    positions.setflags(write=False)
    return positions


def _inputs(bars: pd.DataFrame, model: Model, rows: npt.NDArray[np.intp]) -> FloatArray | None:
    """The model's input columns at ``rows``: computed features plus extra columns the bars
    carry (e.g. order-book features joined live); None when one is missing."""
    names = tuple(model.feature_names)
    positions = _positions(names)
    extra = np.flatnonzero(positions < 0)
    if any(names[i] not in bars.columns for i in extra):
        return None
    # Every row's features are computed (the indicators need the window), only ``rows``
    # are kept: live, that is the one new bar.
    x: FloatArray = feature_matrix(bars)[np.ix_(rows, np.maximum(positions, 0))]
    for i in extra:
        x[:, i] = bars[names[i]].to_numpy(dtype=np.float64)[rows]
    return x


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
