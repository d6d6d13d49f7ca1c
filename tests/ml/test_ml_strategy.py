"""The ``ml`` strategy: registry model -> targets after the training range, explanations,
the same values live and in batch, and no signal from a missing or corrupt model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from ml_builders import real_bars

from moonai_tui.ml import context
from moonai_tui.ml.features import LIVE_WINDOW, WARMUP
from moonai_tui.ml.labels import LabelSpec
from moonai_tui.ml.registry import market_folder, register, write_artifact
from moonai_tui.ml.training import TrainOutcome, TrainSpec, train
from moonai_tui.store import open_store
from moonai_tui.store.model_registry import NewModelVersion
from moonai_tui.strategy import load_strategy

STRATEGIES = Path(__file__).resolve().parents[2] / "strategies"
SYMBOL, TF = "BTC/USDT:USDT", "1m"
TRAIN_BARS = 3000


@pytest.fixture(scope="module")
def outcome() -> TrainOutcome:
    spec = TrainSpec(
        SYMBOL,
        TF,
        params={"n_estimators": 10, "learning_rate": 0.3, "n_jobs": 1},
        label=LabelSpec(horizon=10),
        folds=2,
        leakage_checks=False,
    )
    return train(real_bars(TRAIN_BARS, start=15_000), spec)


def _register(outcome: TrainOutcome, tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}"
    path, digest = write_artifact(
        outcome.artifact, "xgboost", market_folder(tmp_path / "models", SYMBOL, TF)
    )
    new = NewModelVersion(
        SYMBOL,
        TF,
        "xgboost",
        {},
        outcome.features,
        outcome.spec.label.to_dict(),
        outcome.data_from_ms,
        outcome.data_until_ms,
        outcome.metrics,
        str(path),
        digest,
    )

    async def run() -> None:
        async with await open_store(url) as store:
            await register(store, new, now_ms=1, promote=True)

    asyncio.run(run())
    return url, path


@pytest.fixture
def registered(outcome: TrainOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url, path = _register(outcome, tmp_path)
    monkeypatch.setattr(context, "_defaults", None)
    context.configure(url, min_confidence=0.4)
    return path


def test_targets_only_after_the_training_range(registered: Path) -> None:
    bars = real_bars(TRAIN_BARS + 1500, start=15_000)
    strategy = load_strategy("ml", STRATEGIES, {})

    target = strategy.target(bars)

    assert target.iloc[:TRAIN_BARS].isna().all()  # in-sample: no opinion
    after = target.iloc[TRAIN_BARS:]
    assert after.notna().all()
    assert set(np.unique(after)) <= {-1.0, 0.0, 1.0}
    assert (after != 0).any()


def test_live_window_gives_the_batch_targets(registered: Path) -> None:
    bars = real_bars(TRAIN_BARS + 600, start=15_000)
    strategy = load_strategy("ml", STRATEGIES, {})
    batch = strategy.target(bars)

    for end in (TRAIN_BARS + 10, TRAIN_BARS + 300, TRAIN_BARS + 599):
        window = bars.iloc[end + 1 - LIVE_WINDOW : end + 1]
        assert strategy.target(window).iloc[-1] == batch.iloc[end]
    # Bar after bar, as the live runner calls it (earlier bars come from the cache).
    for end in range(TRAIN_BARS + 400, TRAIN_BARS + 440):
        window = bars.iloc[end + 1 - LIVE_WINDOW : end + 1]
        live_target = strategy.target(window)
        assert live_target.iloc[-40:].equals(batch.iloc[end - 39 : end + 1])
    assert strategy.lookback() == LIVE_WINDOW and strategy.warmup() == WARMUP


def test_explain_gives_confidence_and_top_features(registered: Path) -> None:
    bars = real_bars(TRAIN_BARS + 200, start=15_000)
    strategy = load_strategy("ml", STRATEGIES, {})

    confidence, why = strategy.explain(bars)

    assert 1 / 3 <= confidence <= 1.0
    assert why.startswith(f"{SYMBOL} {TF} v1 ")
    assert why.count("=") == 3  # three features with their values and contributions


def test_corrupt_artifact_means_no_signal(registered: Path) -> None:
    data = bytearray(registered.read_bytes())
    data[100] ^= 0xFF
    registered.write_bytes(bytes(data))
    bars = real_bars(TRAIN_BARS + 300, start=15_000)
    strategy = load_strategy("ml", STRATEGIES, {})

    target = strategy.target(bars)
    confidence, why = strategy.explain(bars)

    assert target.isna().all()
    assert confidence == 0.0
    assert "no model" in why and "corrupt" in why


def test_no_active_model_means_no_signal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "_defaults", None)
    context.configure(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", 0.6)
    strategy = load_strategy("ml", STRATEGIES, {})

    assert strategy.target(real_bars(500)).isna().all()
    assert "no active model" in strategy.explain(real_bars(500))[1]


def test_a_model_registered_later_is_picked_up(
    outcome: TrainOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context, "_defaults", None)
    context.configure(f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}", 0.4)
    strategy = load_strategy("ml", STRATEGIES, {})
    bars = real_bars(TRAIN_BARS + 100, start=15_000)
    assert strategy.target(bars).isna().all()

    _register(outcome, tmp_path)
    context.models_changed()  # what promote / rollback / retrain do in this process

    assert strategy.target(bars).iloc[TRAIN_BARS:].notna().all()


def test_model_file_parameter_skips_the_registry(
    outcome: TrainOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.zip"
    path.write_bytes(outcome.artifact)
    monkeypatch.setattr(context, "_defaults", context.MlDefaults("sqlite+aiosqlite:///x.db", 0.4))
    strategy = load_strategy("ml", STRATEGIES, {"model_file": str(path)})

    target = strategy.target(real_bars(600, start=15_000))

    # No training range is known for a bare file: every bar after warm-up gets a target.
    assert target.iloc[WARMUP:].notna().all()
