"""The live per-bar path of the ``ml`` model: bar after bar it scores only the new bar,
explains a deciding bar without computing its features again, and its targets equal
those of the whole history scored at once (computed here from the features and the
model directly, not through :class:`ModelSlot`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ml_builders import real_bars

from moonai_tui.ml import live
from moonai_tui.ml.features import FEATURES, LIVE_WINDOW, compute_features, feature_matrix
from moonai_tui.ml.labels import LabelSpec, make_labels
from moonai_tui.ml.live import ModelSlot, ModelSource
from moonai_tui.ml.models import Model, create_model

CONFIDENCE = 0.4
START = 15_000
EXTRA = "book_imbalance"
"""An input the bars carry themselves (order-book features joined live)."""


def _fit(names: list[str], tmp: Path) -> Path:
    bars = real_bars(3000, start=START)
    features = compute_features(bars)
    features[EXTRA] = _book(bars)
    labels, _ = make_labels(bars, LabelSpec(horizon=10))
    ok = features.notna().all(axis=1).to_numpy() & labels.notna().to_numpy()
    model = create_model("xgboost", {"n_estimators": 10, "learning_rate": 0.3, "n_jobs": 1}, names)
    model.fit(features[names].to_numpy()[ok], labels.to_numpy()[ok].astype(np.int64))
    path = tmp / "model.zip"
    model.save(path)
    return path


def _book(bars: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    # A stand-in order-book column, a deterministic function of each bar alone.
    return np.sin(bars["close"].to_numpy() / 7.0)


@pytest.fixture(scope="module")
def plain_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fit(list(FEATURES), tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def book_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Reordered, a subset, and one column the feature function does not compute.
    return _fit(["rsi_14", EXTRA, "ret_1", "vol_60", "macd_hist"], tmp_path_factory.mktemp("b"))


def _slot(path: Path) -> ModelSlot:
    slot = ModelSlot(ModelSource("BTC/USDT:USDT", "1m", model_file=str(path)))
    assert slot.get() is not None
    return slot


def _model(slot: ModelSlot) -> Model:
    resolved = slot.get()
    assert resolved is not None
    return resolved.model


def _reference(model: Model, bars: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Targets of the whole history: features -> predict_proba -> the documented rule."""
    features = compute_features(bars)
    if EXTRA in bars.columns:
        features[EXTRA] = bars[EXTRA]
    x = features[model.feature_names].to_numpy()
    out = np.full(len(x), np.nan)
    for i, row in enumerate(x):
        if np.isnan(row).any():
            continue
        p_down, _, p_up = model.predict_proba(row[None, :])[0]
        if p_up >= CONFIDENCE and p_up >= p_down:
            out[i] = 1.0
        elif p_down >= CONFIDENCE and p_down > p_up:
            out[i] = -1.0
        else:
            out[i] = 0.0
    return out


def _count_rows(model: Model, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows passed to ``model.predict_proba`` per call, recorded in the returned list."""
    rows: list[int] = []
    original = model.predict_proba

    def counted(x: np.ndarray[Any, np.dtype[np.float64]]) -> Any:
        rows.append(len(x))
        return original(x)

    monkeypatch.setattr(model, "predict_proba", counted)
    return rows


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per feature computation of the live path."""
    calls: list[int] = []
    original: Callable[[pd.DataFrame], Any] = feature_matrix

    def counted(bars: pd.DataFrame) -> Any:
        calls.append(len(bars))
        return original(bars)

    monkeypatch.setattr(live, "feature_matrix", counted)
    return calls


def _scored_setup(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[pd.DataFrame, ModelSlot, np.ndarray, list[int]]:
    """Real bars, a slot on ``model_file``, the batch reference targets and a row counter."""
    bars = real_bars(LIVE_WINDOW + 300, start=START)
    slot = _slot(model_file)
    return bars, slot, _reference(_model(slot), bars), _count_rows(_model(slot), monkeypatch)


def test_bar_after_bar_only_the_new_bar_is_scored_and_targets_equal_batch(
    plain_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars, slot, expected, rows = _scored_setup(plain_model, monkeypatch)
    assert (expected[LIVE_WINDOW:] != 0).any()  # the rule decides something here

    first = LIVE_WINDOW + 200
    slot.targets(bars.iloc[:first], CONFIDENCE)  # the history the live runner seeds with
    for end in range(first, first + 60):
        window = bars.iloc[end + 1 - LIVE_WINDOW : end + 1]
        rows.clear()
        target = slot.targets(window, CONFIDENCE)

        assert rows == [1]  # the earlier bars come from the cache
        np.testing.assert_array_equal(target.to_numpy(), expected[end + 1 - LIVE_WINDOW : end + 1])


def test_windows_out_of_order_and_in_another_time_unit_reuse_the_scores(
    plain_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars, slot, expected, rows = _scored_setup(plain_model, monkeypatch)

    late = bars.iloc[300:]
    early = bars.iloc[150 : 150 + LIVE_WINDOW]  # reaches back before the scored bars
    slot.targets(late, CONFIDENCE)
    target = slot.targets(early, CONFIDENCE)
    np.testing.assert_array_equal(target.to_numpy()[-200:], expected[LIVE_WINDOW - 50 : 1150])

    # The same bars with a nanosecond index: the same open times, nothing to score.
    rows.clear()
    in_ns = early.copy()
    in_ns.index = pd.DatetimeIndex(in_ns.index).as_unit("ns")
    again = slot.targets(in_ns, CONFIDENCE)
    assert sum(rows) == 0
    np.testing.assert_array_equal(again.to_numpy(), target.to_numpy())


def test_explaining_the_deciding_bar_does_not_compute_its_features_again(
    plain_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = real_bars(LIVE_WINDOW + 10, start=START)
    window = bars.iloc[-LIVE_WINDOW:]
    fresh = _slot(plain_model).explain(window)  # features computed for explain alone
    slot = _slot(plain_model)
    calls = _count_calls(monkeypatch)

    slot.targets(window, CONFIDENCE)
    explained = slot.explain(window)

    assert calls == [LIVE_WINDOW]
    assert explained == fresh
    assert explained[1].count("=") == 3
    # Another window (one bar shorter, same last bar) is computed, not taken for this one.
    assert slot.explain(window.iloc[1:]) == _slot(plain_model).explain(window.iloc[1:])
    assert calls == [LIVE_WINDOW, LIVE_WINDOW - 1, LIVE_WINDOW - 1]


def test_inputs_the_bars_carry_are_used_in_the_model_order(book_model: Path) -> None:
    bars = real_bars(LIVE_WINDOW + 100, start=START)
    bars[EXTRA] = _book(bars)
    slot = _slot(book_model)
    expected = _reference(_model(slot), bars)

    for end in range(LIVE_WINDOW + 50, LIVE_WINDOW + 60):
        window = bars.iloc[end + 1 - LIVE_WINDOW : end + 1]
        assert slot.targets(window, CONFIDENCE).iloc[-1] == expected[end]
    confidence, why = slot.explain(window)
    assert confidence > 0 and why.count("=") == 3


def test_bars_without_an_input_the_model_needs_give_no_signal(book_model: Path) -> None:
    window = real_bars(LIVE_WINDOW, start=START)
    slot = _slot(book_model)

    assert slot.targets(window, CONFIDENCE).isna().all()
    confidence, why = slot.explain(window)
    assert confidence == 0.0 and f"bars lack {EXTRA}" in why
