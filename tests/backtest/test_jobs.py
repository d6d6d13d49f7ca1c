"""Backtest jobs in a worker process: progress messages, the stored run, failures, cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.data import BarsRequest
from moonai_tui.backtest.jobs import BacktestService, JobDone, JobFailed, JobProgress, start_job
from moonai_tui.backtest.tasks import BacktestJob, run_job
from moonai_tui.store import open_store

TIMEOUT = 180.0
"""Seconds a worker may stay silent on a busy machine (a fresh process loads numba)."""


def _job(tmp_path: Path, strategy: str = "sma_cross") -> BacktestJob:
    return BacktestJob(
        strategy=strategy,
        bars=BarsRequest("ETHUSDT", "1h"),
        config=BacktestConfig(),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        created_ms=1_700_000_000_000,
    )


def test_a_job_reports_rising_progress_then_stores_the_run(tmp_path: Path) -> None:
    messages = start_job(_job(tmp_path)).wait(TIMEOUT)
    last = messages[-1]
    assert isinstance(last, JobDone), last
    progress = [m.fraction for m in messages if isinstance(m, JobProgress)]
    assert progress == sorted(progress) and progress[0] == 0.0 and progress[-1] == 1.0
    assert len(progress) == len(messages) - 1
    # The same job in this process: same metrics, the next run id.
    here = run_job(_job(tmp_path))
    assert last.run_id is not None and here.run_id == last.run_id + 1
    for key in ("total_return", "sharpe", "max_drawdown", "trades", "final_equity"):
        assert last.report[key] == here.report[key]

    async def stored() -> list[int]:
        async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
            return [r.id for r in await store.backtests.recent()]

    assert asyncio.run(stored()) == [here.run_id, last.run_id]


def test_a_bad_strategy_fails_with_its_one_line(tmp_path: Path) -> None:
    last = start_job(_job(tmp_path, "no_such_strategy")).wait(TIMEOUT)[-1]
    assert isinstance(last, JobFailed)
    assert "no_such_strategy.py: no such strategy file" in last.message


def test_a_cancelled_job_ends_at_once(tmp_path: Path) -> None:
    handle = start_job(_job(tmp_path))
    handle.cancel()
    assert handle.finished == JobFailed("cancelled")
    assert handle.poll() == [] and handle.wait(1.0) == []


def test_the_service_fills_in_its_folders_database_and_clock() -> None:
    config = BacktestConfig(initial_equity=5_000.0)
    service = BacktestService(
        "sqlite+aiosqlite:///x.db", Path("strategies"), Path("p.yaml"), config, lambda: 42
    )
    job = service.backtest_job(BacktestJob("sma_cross", BarsRequest("BTCUSDT", "1m"), config))
    assert (job.database_url, job.strategies_dir, job.params_file, job.created_ms) == (
        "sqlite+aiosqlite:///x.db",
        Path("strategies"),
        Path("p.yaml"),
        42,
    )
    assert "sma_cross" in service.strategies()
