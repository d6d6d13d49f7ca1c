"""``m`` opens the Models screen of the market on screen; ``r`` retrains its model with
progress on that screen, while the console keeps going; ctrl+t cancels; quitting stops
the worker process."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker

from moonai_tui.config import Settings
from moonai_tui.engine import events
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ml.jobs import TrainResult
from moonai_tui.ml.service import ModelService
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.screens.models import RETRAIN_GROUP, ModelsScreen
from moonai_tui.ui.widgets.price_pane import PricePane

from .fakes import SYMBOL, FakeEngineClient, make_ticker
from .model_fakes import PacedModelService, model_settings, register_version
from .pilot_tools import shown, until

WIDE = (120, 40)


def _rows(screen: ModelsScreen) -> list[list[str]]:
    table = screen.query_one("#models-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _text(screen: ModelsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _models_screen(app: MoonAIApp) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, ModelsScreen)


def _retrain_worker(app: MoonAIApp) -> Worker[None]:
    (worker,) = [w for w in app.workers if w.group == RETRAIN_GROUP]
    return worker


class ObservedModelService(ModelService):
    """The real service (a worker process); remembers each progress message it relays."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.stages: list[tuple[str, float]] = []
        self.progressed = asyncio.Event()

    async def retrain(
        self,
        symbol: str,
        timeframe: str,
        on_progress: Callable[[str, float], None] | None = None,
    ) -> TrainResult:
        assert on_progress is not None

        def relay(stage: str, fraction: float) -> None:
            self.stages.append((stage, fraction))
            self.progressed.set()
            on_progress(stage, fraction)

        return await super().retrain(symbol, timeframe, relay)


async def test_m_shows_the_registered_versions_of_the_market_on_screen(
    tmp_path: Path, client: FakeEngineClient, clock: FixedClock
) -> None:
    settings = model_settings(tmp_path)
    await register_version(settings, 1.05, now_ms=60_000)
    await register_version(settings, 1.02, now_ms=120_000)
    app = MoonAIApp(client, settings, clock)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("m")
        await until(pilot, _models_screen(app), "the Models screen")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: len(screen.records) == 2, "the versions")

        assert (screen.symbol, screen.timeframe) == (SYMBOL, "1m")
        # Newest first; v2 is active (registered last with promote).
        assert [row[:5] for row in _rows(screen)] == [
            ["2*", "v2", "logreg", "1.0200", "1.0800"],
            ["1 ", "v1", "logreg", "1.0500", "1.0800"],
        ]
        # The importance chart: 0.75 is the longest bar (24 cells), 0.25 a third of it.
        chart = _text(screen, "#models-importance").splitlines()
        assert chart[0].startswith("rsi_14 " + "█" * 24) and chart[0].endswith("75.0%")
        assert chart[1].startswith("ret_15 " + "█" * 8 + " ")
        assert "v2 out-of-sample folds" in _text(screen, "#models-folds")
        assert "Models · BTC/USDT:USDT 1m" in shown(app, screen)

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")


async def test_r_trains_in_a_worker_process_and_ends_with_a_new_version_listed(
    tmp_path: Path, client: FakeEngineClient, clock: FixedClock
) -> None:
    settings = model_settings(tmp_path)
    service = ObservedModelService(settings)
    app = MoonAIApp(client, settings, clock, model_service=service)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        await until(pilot, _models_screen(app), "the Models screen")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: screen.training, "the retrain to start")
        await _retrain_worker(app).wait()
        await until(pilot, lambda: len(screen.records) == 1, "the new version")

        # What the worker reported is what the screen showed, in order.
        assert service.stages[0] == ("features", 0.0) and service.stages[-1] == ("done", 1.0)
        fractions = [fraction for _, fraction in service.stages]
        assert fractions == sorted(fractions)
        folds = [stage for stage, _ in service.stages if "log_loss" in stage]
        assert [line[:9] for line in folds] == ["fold 1/2:", "fold 2/2:"]
        assert screen.fold_lines == folds
        assert screen.query_one("#models-bar", ProgressBar).progress == 1.0
        assert _text(screen, "#models-status").startswith("trained v1: log_loss")
        assert [row[:3] for row in _rows(screen)] == [["1*", "v1", "xgboost"]]
    assert multiprocessing.active_children() == []


async def test_quitting_while_training_stops_the_worker_process(
    tmp_path: Path, client: FakeEngineClient, clock: FixedClock
) -> None:
    service = ObservedModelService(model_settings(tmp_path))
    app = MoonAIApp(client, service._settings, clock, model_service=service)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        await until(pilot, _models_screen(app), "the Models screen")
        await asyncio.wait_for(service.progressed.wait(), timeout=60)
        assert len(multiprocessing.active_children()) == 1
        await pilot.press("escape")  # the screen stays installed, its worker running
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")
        await pilot.press("q")
    assert app.return_code == 0
    assert multiprocessing.active_children() == []


async def test_the_console_keeps_going_while_training_and_the_end_is_announced(
    tmp_path: Path, client: FakeEngineClient, clock: FixedClock
) -> None:
    settings = model_settings(tmp_path)
    await register_version(settings, 1.05, now_ms=60_000)
    service = PacedModelService(settings)
    app = MoonAIApp(client, settings, clock, model_service=service)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        await until(pilot, service.waiting.is_set, "the retrain to start")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: bool(screen.fold_lines), "the first fold")
        assert screen.query_one("#models-bar", ProgressBar).progress == 0.5
        fold = "fold 1/2: log_loss 1.0100 bal_acc 0.360"
        assert _text(screen, "#models-folds") == fold
        assert _text(screen, "#models-status") == f"training: {fold}"
        await pilot.press("r")  # a second r does not start a second job
        assert _text(screen, "#models-status") == "already training: ctrl+t cancels"

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")
        client.publish(events.TickerUpdated(make_ticker(70_000.0)))
        price = app.screen.query_one(PricePane)
        await until(pilot, lambda: price.ticker is not None, "a ticker while training")
        assert screen.training

        service.release.set()
        await until(pilot, lambda: not screen.training, "the end of training")
        await until(pilot, lambda: len(app._notifications) == 1, "the announcement")
        (note,) = app._notifications
        assert note.title == f"model {SYMBOL} 1m"
        assert note.message.startswith("trained v2: log_loss 1.0000")
        assert note.message.endswith("now active")

        await pilot.press("m")
        await until(pilot, lambda: app.screen is screen, "the same Models screen")
        await until(pilot, lambda: len(screen.records) == 2, "the new version")
        assert [row[0] for row in _rows(screen)] == ["2*", "1 "]


async def test_ctrl_t_cancels_training_and_registers_nothing(
    tmp_path: Path, client: FakeEngineClient, clock: FixedClock
) -> None:
    service = PacedModelService(model_settings(tmp_path))
    app = MoonAIApp(client, service._settings, clock, model_service=service)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("m")
        await until(pilot, _models_screen(app), "the Models screen")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: "no models yet" in _text(screen, "#models-status"), "empty")

        await pilot.press("r")
        await until(pilot, service.waiting.is_set, "the retrain to start")
        worker = _retrain_worker(app)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: worker.is_finished, "the cancelled job")
        assert worker.is_cancelled and not screen.training
        assert _text(screen, "#models-status") == "training cancelled: nothing registered"
        assert await service.versions() == []
