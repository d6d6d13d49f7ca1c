"""The backtest screen (key b): a real run in a worker process, stored runs, compare, snapshots.

The run uses the shipped real ETHUSDT 1h candles and a temporary database; the snapshots
show a run stored beforehand with a fixed creation time, so they are deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, ProgressBar, Select, TabbedContent

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.data import BarsRequest
from moonai_tui.backtest.jobs import JobDone
from moonai_tui.backtest.report import format_metric
from moonai_tui.backtest.tasks import BacktestJob, run_job
from moonai_tui.config import Settings
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.backtest_screen import BacktestScreen
from moonai_tui.ui.widgets.backtest_runs import RunsTable
from moonai_tui.ui.widgets.equity_chart import EquityChart

from .fakes import T0_MS, FakeEngineClient

SnapCompare = Callable[..., bool]
WORKER_SECONDS = 180.0
"""A fresh worker process loads pandas and numba: slow on a busy machine, never stuck."""
STORED_MS = 1_709_900_000_000  # 2024-03-08 12:13:20 UTC


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()``; the worker is another process, so wall time."""
    deadline = time.monotonic() + WORKER_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def _app(tmp_path: Path) -> MoonAIApp:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    return MoonAIApp(FakeEngineClient(), settings, FixedClock(T0_MS))


def _cells(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row(key)] for key in table.rows]


async def test_b_runs_a_backtest_in_a_worker_to_100_percent(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BacktestScreen)
        screen.query_one("#bt-strategy", Select).value = "sma_cross"
        screen.query_one("#bt-symbol", Input).value = "ETHUSDT"
        screen.query_one("#bt-timeframe", Select).value = "1h"
        await pilot.pause()
        assert screen.query_one("#bt-params", Input).value.startswith("fast=10 slow=30")
        await pilot.press("ctrl+r")
        await until(
            pilot, lambda: screen.job is not None and screen.job.finished is not None, "run"
        )
        done = screen.job.finished if screen.job is not None else None
        assert isinstance(done, JobDone), done
        assert screen.progress == 1.0
        assert screen.query_one(ProgressBar).percentage == 1.0
        runs = screen.query_one(RunsTable)
        await until(pilot, lambda: runs.row_count == 1 and screen.shown_run == 1, "the run listed")
        metrics = dict(_cells(screen.query_one("#bt-metrics", DataTable)))
        assert metrics["total_return"] == format_metric("total_return", done.report["total_return"])
        assert metrics["trades"] == format_metric("trades", done.report["trades"])
        assert _cells(runs)[0][1:5] == ["#1", "03-11 14:02", "backtest", "sma_cross"]
        assert screen.query_one(EquityChart).curve[1][-1] == done.report["final_equity"]
        trades = screen.query_one("#bt-trades", DataTable)
        assert trades.row_count == done.report["trades"]
        await pilot.press("escape")
        assert not isinstance(app.screen, BacktestScreen)
        await pilot.press("b")
        assert app.screen is screen


def _store_runs(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    for strategy in ("sma_cross", "breakout"):
        job = BacktestJob(
            strategy,
            BarsRequest("ETHUSDT", "1h"),
            BacktestConfig(),
            database_url=url,
            created_ms=STORED_MS,
        )
        run_job(job)


def _snapshot_app(tmp_path: Path, tab: str) -> tuple[MoonAIApp, Callable[[Pilot[Any]], Any]]:
    _store_runs(tmp_path)
    app = _app(tmp_path)

    async def show(pilot: Pilot[Any]) -> None:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BacktestScreen)
        runs = screen.query_one(RunsTable)
        await until(pilot, lambda: runs.row_count == 2, "the stored runs")
        if tab == "bt-tab-compare":
            runs.focus()
            await pilot.press("space", "down", "space")
            compare = screen.query_one("#bt-compare", DataTable)
            await until(pilot, lambda: compare.row_count > 0, "the comparison")
        else:
            screen.show_run(1)
            await until(pilot, lambda: screen.shown_run == 1, "run 1")
            screen.query_one(TabbedContent).active = tab
        await pilot.pause()

    return app, show


def test_backtest_chart_at_120x40(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app, show = _snapshot_app(tmp_path, "bt-tab-chart")
    assert snap_compare(app, terminal_size=(120, 40), run_before=show)


def test_backtest_compare_at_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app, show = _snapshot_app(tmp_path, "bt-tab-compare")
    assert snap_compare(app, terminal_size=(80, 24), run_before=show)
