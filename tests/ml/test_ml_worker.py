"""Training in a worker process: progress reaches the caller's loop, the result comes back,
failures are one clear error, and cancelling stops the process."""

from __future__ import annotations

import asyncio
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest
from ml_builders import real_bars

from moonai_tui.config import Settings
from moonai_tui.ml.jobs import TrainRequest
from moonai_tui.ml.retrain import RetrainSchedule
from moonai_tui.ml.worker import train_in_process


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        ml={
            "folds": 2,
            "horizon": 10,
            "models_dir": tmp_path / "models",
            "model_params": {"xgboost": {"n_estimators": 5, "n_jobs": 1}},
        },
    )


def _data(tmp_path: Path) -> Path:
    bars = real_bars(2500, start=25_000)
    path = tmp_path / "bars.csv"
    frame = bars.reset_index(drop=True)
    frame.insert(
        0, "timestamp_ms", (bars.index - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ms")
    )
    frame.to_csv(path, index=False)
    return path


def _exists(path: str) -> bool:
    return Path(path).is_file()


async def test_worker_reports_progress_and_returns_the_registered_version(
    tmp_path: Path,
) -> None:
    seen: list[tuple[str, float]] = []
    request = TrainRequest("BTC/USDT:USDT", "1m", data=_data(tmp_path))

    result = await train_in_process(_settings(tmp_path), request, lambda s, f: seen.append((s, f)))

    assert result.record.version == 1 and result.record.active
    assert _exists(result.record.artifact_path)
    assert seen[0] == ("features", 0.0) and seen[-1] == ("done", 1.0)
    assert any(stage.startswith("fold 1/2: log_loss") for stage, _ in seen)
    assert multiprocessing.active_children() == []


async def test_cancelling_terminates_the_process(tmp_path: Path) -> None:
    started = asyncio.Event()
    request = TrainRequest("BTC/USDT:USDT", "1m", data=_data(tmp_path))
    task = asyncio.create_task(
        train_in_process(_settings(tmp_path), request, lambda s, f: started.set())
    )

    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert multiprocessing.active_children() == []


async def test_schedule_is_off_by_default_and_failures_are_one_notice(tmp_path: Path) -> None:
    notes: list[tuple[str, str]] = []
    settings = _settings(tmp_path)
    schedule = RetrainSchedule(settings, lambda level, text: notes.append((level, text)))

    assert schedule.interval is None
    schedule.start()  # off: starts nothing
    await schedule.stop()
    assert (
        RetrainSchedule(
            settings.model_copy(
                update={"ml": settings.ml.model_copy(update={"retrain_interval": "12h"})}
            ),
            lambda level, text: None,
        ).interval
        == 12 * 3600
    )
    # The config's symbol has no data anywhere (no DB rows, no demo file): a clear notice.
    odd = settings.model_copy(update={"symbol": "DOGE/USDT", "timeframe": "1m"})
    assert await RetrainSchedule(odd, lambda lv, t: notes.append((lv, t))).retrain_now() is None
    assert notes == [
        (
            "error",
            "retraining failed: training failed: DataError: no demo candles for DOGE/USDT 1m; "
            "shipped: BTCUSDT 1m, ETHUSDT 1h",
        )
    ]
