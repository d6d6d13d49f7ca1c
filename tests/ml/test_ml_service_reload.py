"""ModelService tells running ``ml`` strategies to reload after promote, roll back and a
retrain whose new version became active (the generation of ``moonai_tui.ml.context``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moonai_tui.config import Settings
from moonai_tui.ml import context, worker
from moonai_tui.ml.jobs import TrainRequest, TrainResult
from moonai_tui.ml.service import ModelService
from moonai_tui.store import open_store
from moonai_tui.store.model_registry import ModelVersionRecord, NewModelVersion

SYMBOL, TF = "BTC/USDT:USDT", "1m"


def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}")


def version(path: Path) -> NewModelVersion:
    return NewModelVersion(
        SYMBOL, TF, "logreg", {}, ["x"], {}, 1_000, 2_000, {}, str(path), "0" * 64
    )


def trained(active: bool) -> TrainResult:
    record = ModelVersionRecord(
        1, SYMBOL, TF, 2, "logreg", {}, ["x"], {}, 1_000, 2_000, {}, 5_000, "m.pkl", "0" * 64,
        active, 5_000 if active else None, False,
    )  # fmt: skip
    return TrainResult(record, {})


@pytest.mark.parametrize(("active", "bumps"), [(True, 1), (False, 0)])
async def test_a_retrain_reloads_running_strategies_only_when_its_version_is_active(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, active: bool, bumps: int
) -> None:
    async def fake_train(
        settings: Settings, request: TrainRequest, on_progress: object = None
    ) -> TrainResult:
        assert (request.symbol, request.timeframe) == (SYMBOL, TF)
        return trained(active)

    monkeypatch.setattr(worker, "train_in_process", fake_train)
    before = context.generation()
    result = await ModelService(settings(tmp_path)).retrain(SYMBOL, TF)
    assert result.record.active is active
    assert context.generation() - before == bumps


async def test_promote_and_rollback_reload_running_strategies(tmp_path: Path) -> None:
    async with await open_store(settings(tmp_path).database_url) as store:
        first = await store.models.register(version(tmp_path / "a.pkl"), 1_000, activate=True)
        second = await store.models.register(version(tmp_path / "b.pkl"), 2_000)
    service = ModelService(settings(tmp_path), now_ms=lambda: 9_000)
    before = context.generation()
    assert (await service.promote(second.id, "alice")).active
    assert context.generation() - before == 1
    assert (await service.rollback(SYMBOL, TF, "alice")).id == first.id
    assert context.generation() - before == 2
