"""The Models screen with a pilot: versions and scores, promote / roll back keys, and `r`
retraining in a worker process with progress, ending with a new active version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from textual.app import App
from textual.widgets import DataTable, ProgressBar, Static

from moonai_tui.config import Settings
from moonai_tui.ml.models import create_model
from moonai_tui.ml.registry import market_folder, register, write_artifact
from moonai_tui.store import open_store
from moonai_tui.store.model_registry import NewModelVersion
from moonai_tui.ui.screens.models import ModelsScreen, importance_chart, open_models

SYMBOL, TF = "BTC/USDT:USDT", "1m"


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        ml={
            "folds": 2,
            "horizon": 10,
            "train_bars": 2000,
            "models_dir": tmp_path / "models",
            "model_params": {"xgboost": {"n_estimators": 5, "n_jobs": 1}},
        },
    )


class Host(App[None]):
    def __init__(self, settings: Settings, retrain: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.retrain = retrain
        self.models: ModelsScreen | None = None

    def on_mount(self) -> None:
        self.models = open_models(self, self.settings, SYMBOL, TF, retrain=self.retrain)


async def _register_two(settings: Settings) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    async with await open_store(settings.database_url) as store:
        for version, loss in ((1, 1.05), (2, 1.02)):
            model = create_model("logreg", {}, ["a", "b"])
            model.fit(x, (x[:, 0] > 0).astype(np.int64) * 2)
            folder = market_folder(settings.ml.models_dir, SYMBOL, TF)
            path, digest = _write(model.to_bytes(), folder)
            metrics: dict[str, Any] = {
                "overall": {
                    "log_loss": loss,
                    "balanced_accuracy": 0.36,
                    "accuracy": 0.41,
                    "calibration": {"ece": 0.01},
                    "baselines": {"majority": {"log_loss": 1.08}},
                },
                "folds": [],
                "importances": {"a": 0.9, "b": 0.1},
            }
            new = NewModelVersion(
                SYMBOL, TF, "logreg", {}, ["a", "b"], {}, 0, 60_000 * version, metrics, path, digest
            )
            await register(store, new, now_ms=version, promote=True)


def _write(data: bytes, folder: Path) -> tuple[str, str]:
    path, digest = write_artifact(data, "logreg", folder)
    return str(path), digest


def _cells(screen: ModelsScreen) -> list[list[str]]:
    table = screen.query_one("#models-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_versions_promote_and_rollback(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await _register_two(settings)
    app = Host(settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        screen = app.models
        assert screen is not None
        rows = _cells(screen)
        assert [r[:4] for r in rows] == [
            ["2*", "v2", "logreg", "1.0200"],
            ["1 ", "v1", "logreg", "1.0500"],
        ]
        assert "a" in str(screen.query_one("#models-importance", Static).render())

        await pilot.press("u")  # roll back to v1
        await app.workers.wait_for_complete()
        assert [r[0] for r in _cells(screen)] == ["2x", "1*"]

        await pilot.press("p")  # promote the highlighted (top) row: v2
        await app.workers.wait_for_complete()
        assert [r[0] for r in _cells(screen)] == ["2*", "1 "]
        assert "v2 is active" in str(screen.query_one("#models-status", Static).render())


async def test_r_retrains_with_progress_and_shows_the_new_version(tmp_path: Path) -> None:
    app = Host(_settings(tmp_path), retrain=True)
    async with app.run_test(size=(140, 40)):
        await app.workers.wait_for_complete()
        screen = app.models
        assert screen is not None
        await app.workers.wait_for_complete()

        assert screen.query_one("#models-bar", ProgressBar).progress == 1.0
        assert [line[:9] for line in screen.fold_lines] == ["fold 1/2:", "fold 2/2:"]
        status = str(screen.query_one("#models-status", Static).render())
        assert status.startswith("trained v1: log_loss") and "now active" in status
        assert [r[:3] for r in _cells(screen)] == [["1*", "v1", "xgboost"]]


def test_importance_chart_scales_bars_to_the_largest_share() -> None:
    chart = importance_chart({"small": 0.25, "big": 0.5, "none": 0.0}, top=2)

    lines = chart.splitlines()
    assert lines[0].startswith("big   " + "█" * 24)
    assert lines[1].startswith("small " + "█" * 12 + " ")
    assert lines[1].endswith("25.0%")
