"""Settings with a private model registry, registered versions, and a retrain the test paces."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from moonai_tui.config import FeedSettings, Settings, UISettings
from moonai_tui.ml.jobs import TrainResult, build_report
from moonai_tui.ml.models import create_model
from moonai_tui.ml.registry import market_folder, register, write_artifact
from moonai_tui.ml.service import ModelService
from moonai_tui.store import open_store
from moonai_tui.store.model_registry import ModelVersionRecord, NewModelVersion

from .fakes import SYMBOL

TF = "1m"
FEATURES = ["rsi_14", "ret_15"]


def model_settings(tmp_path: Path) -> Settings:
    """The UI tests' settings on a database and models folder under ``tmp_path``, with a
    training job small enough for a test: 2,000 bars, 2 folds, 5 trees on one thread."""
    return Settings(
        ui=UISettings(book_levels=8, trades_tape=12, chart_bars=60),
        feeds=FeedSettings(stale_after_seconds=10.0),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        ml={
            "folds": 2,
            "horizon": 10,
            "train_bars": 2000,
            "models_dir": tmp_path / "models",
            "model_params": {"xgboost": {"n_estimators": 5, "n_jobs": 1}},
        },
    )


def metrics(log_loss: float) -> dict[str, Any]:
    """Out-of-sample metrics as training records them (one fold)."""
    return {
        "overall": {
            "log_loss": log_loss,
            "brier": 0.6,
            "accuracy": 0.41,
            "balanced_accuracy": 0.36,
            "calibration": {"ece": 0.01},
            "baselines": {"majority": {"log_loss": 1.08}},
        },
        "folds": [
            {
                "fold": 1,
                "log_loss": log_loss,
                "balanced_accuracy": 0.36,
                "accuracy": 0.41,
                "test_from": "2024-03-01T00:00:00",
                "test_to": "2024-03-02T00:00:00",
            }
        ],
        "importances": {"rsi_14": 0.75, "ret_15": 0.25},
    }


async def register_version(settings: Settings, log_loss: float, now_ms: int) -> ModelVersionRecord:
    """A small logistic model registered (and made active) with ``log_loss`` as its score."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    model = create_model("logreg", {}, FEATURES)
    model.fit(x, (x[:, 0] > 0).astype(np.int64) * 2)
    folder = market_folder(settings.ml.models_dir, SYMBOL, TF)
    path, digest = write_artifact(model.to_bytes(), "logreg", folder)
    new = NewModelVersion(
        SYMBOL, TF, "logreg", {}, FEATURES, {}, 0, now_ms, metrics(log_loss), str(path), digest
    )
    async with await open_store(settings.database_url) as store:
        return await register(store, new, now_ms=now_ms, promote=True)


class PacedModelService(ModelService):
    """The real registry, but a retrain that reports two stages, then waits for
    :attr:`release` and registers a version scoring :attr:`next_log_loss`."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()
        self.next_log_loss = 1.0

    async def retrain(
        self,
        symbol: str,
        timeframe: str,
        on_progress: Callable[[str, float], None] | None = None,
    ) -> TrainResult:
        assert (symbol, timeframe) == (SYMBOL, TF)
        assert on_progress is not None
        on_progress("features", 0.0)
        on_progress("fold 1/2: log_loss 1.0100 bal_acc 0.360", 0.5)
        self.waiting.set()
        await self.release.wait()
        record = await register_version(self._settings, self.next_log_loss, now_ms=10_000_000)
        on_progress("done", 1.0)
        return TrainResult(record, build_report(record, "test", 100, 0.1))
