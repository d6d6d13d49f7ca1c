"""The Models screen (key ``m``): registered versions with out-of-sample scores, the
highlighted one's folds and feature importance, promote / roll back, and retraining with
live progress (key ``r`` here or on the console).

Everything goes through :class:`~moonai_tui.ml.service.ModelService`: a retrain is a job in
a worker process, so the console and the engine keep going while the progress bar and the
fold lines follow its messages. One screen per market stays installed: esc closes it and a
running retrain carries on (its end is announced, and ``m`` shows it again); ctrl+t
cancels it, and nothing is registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, ProgressBar, Static

from moonai_tui.errors import MoonAIError
from moonai_tui.ui.format import utc
from moonai_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual.app import App

    from moonai_tui.config import Settings
    from moonai_tui.ml.service import ModelService
    from moonai_tui.store.model_registry import ModelVersionRecord

MODELS_SCREEN = "models"
"""Prefix of the installed screens' names (one per market)."""
ACTOR = "tui"
BAR_WIDTH = 24
TOP_FEATURES = 10
COLUMNS = ("id", "ver", "model", "log_loss", "majority", "bal_acc", "acc", "ECE", "data")
RETRAIN_GROUP = "models-retrain"


def importance_chart(importances: dict[str, float], top: int = TOP_FEATURES) -> str:
    """Horizontal bars of the largest shares, scaled to the largest one."""
    ranked = sorted(importances.items(), key=lambda kv: -kv[1])[:top]
    if not ranked or ranked[0][1] <= 0:
        return "no feature importances recorded"
    width = max(len(name) for name, _ in ranked)
    peak = ranked[0][1]
    return "\n".join(
        f"{name:<{width}} {'█' * max(1, round(share / peak * BAR_WIDTH)):<{BAR_WIDTH}} {share:6.1%}"
        for name, share in ranked
    )


def _num(value: Any, digits: int) -> str:
    return "-" if value is None else f"{float(value):.{digits}f}"


def _day(ms: int) -> str:
    return utc(ms).strftime("%Y-%m-%d")


class ModelsScreen(Screen[None]):
    """Versions of one market's model, newest first; the active one is marked ``*``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retrain", "retrain"),
        Binding("p", "promote", "promote"),
        Binding("u", "rollback", "roll back"),
        Binding("ctrl+t", "cancel_training", "cancel training"),
        Binding("escape", "close", "close", key_display="esc"),
    ]
    DEFAULT_CSS = """
    ModelsScreen #models-title { padding: 0 1; text-style: bold; }
    ModelsScreen #models-table { height: 1fr; }
    ModelsScreen #models-detail { height: 1fr; }
    ModelsScreen #models-detail Static { padding: 0 1; }
    ModelsScreen #models-progress { height: 1; padding: 0 1; }
    ModelsScreen #models-status { padding: 0 1; }
    """

    def __init__(self, service: ModelService, symbol: str, timeframe: str) -> None:
        super().__init__()
        self.service = service
        self.symbol = symbol
        self.timeframe = timeframe
        self.records: list[ModelVersionRecord] = []
        self.fold_lines: list[str] = []
        self.training = False
        self._job = 0
        """Numbers the retrains, so a cancelled one ending late cannot clear ``training``."""

    def compose(self) -> ComposeResult:
        yield Label(
            f"Models · {self.symbol} {self.timeframe}   "
            "* active  x rolled back · out-of-sample scores only",
            id="models-title",
        )
        yield DataTable(id="models-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="models-detail"):
            with VerticalScroll():
                yield Static("", id="models-folds")
            with VerticalScroll():
                yield Static("", id="models-importance")
        with Horizontal(id="models-progress"):
            yield ProgressBar(total=1.0, show_eta=False, id="models-bar")
        yield Static("", id="models-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#models-table", DataTable).add_columns(*COLUMNS)

    def on_screen_resume(self) -> None:
        """Read the registry each time the screen is shown (the CLI may have changed it)."""
        self.refresh_versions()

    @work(exclusive=True, group="models-load")
    async def refresh_versions(self) -> None:
        """Reload the versions from the registry (off the key handlers)."""
        try:
            records = await self.service.versions(self.symbol, self.timeframe)
        except MoonAIError as exc:
            self.status(f"cannot read the registry: {exc}")
            return
        self.show_versions(records)

    def show_versions(self, records: list[ModelVersionRecord]) -> None:
        self.records = list(reversed(records))  # newest first
        table = self.query_one("#models-table", DataTable)
        table.clear()
        for r in self.records:
            overall = r.metrics.get("overall", {})
            majority = overall.get("baselines", {}).get("majority", {})
            mark = "*" if r.active else ("x" if r.rolled_back else " ")
            table.add_row(
                f"{r.id}{mark}",
                f"v{r.version}",
                r.model_type,
                _num(overall.get("log_loss"), 4),
                _num(majority.get("log_loss"), 4),
                _num(overall.get("balanced_accuracy"), 3),
                _num(overall.get("accuracy"), 3),
                _num(overall.get("calibration", {}).get("ece"), 3),
                f"{_day(r.data_from_ms)} → {_day(r.data_until_ms)}",
                key=str(r.id),
            )
        if not self.records and not self.training:
            self.status("no models yet: press r to train one")
        self.show_detail(self.records[0] if self.records else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(self.highlighted())

    def highlighted(self) -> ModelVersionRecord | None:
        table = self.query_one("#models-table", DataTable)
        if not self.records or table.cursor_row < 0 or table.cursor_row >= len(self.records):
            return None
        return self.records[table.cursor_row]

    def show_detail(self, record: ModelVersionRecord | None) -> None:
        folds = self.query_one("#models-folds", Static)
        chart = self.query_one("#models-importance", Static)
        if self.training:
            return  # the fold lines of the running job are showing
        if record is None:
            folds.update("")
            chart.update("")
            return
        lines = [f"v{record.version} out-of-sample folds (log_loss / bal_acc / acc):"]
        for fold in record.metrics.get("folds", []):
            lines.append(
                f"  {fold['fold']}: {fold['log_loss']:.4f} / {fold['balanced_accuracy']:.3f} / "
                f"{fold['accuracy']:.3f}  {fold['test_from'][:10]}..{fold['test_to'][:10]}"
            )
        backtest = record.metrics.get("backtest")
        if backtest:
            lines.append(
                f"OOS backtest with fees: return {backtest['total_return']:+.2%}, "
                f"{backtest['trades']} trades, max drawdown {backtest['max_drawdown']:.2%}"
            )
        folds.update("\n".join(lines))
        chart.update(importance_chart(record.metrics.get("importances") or {}))

    def status(self, text: str) -> None:
        self.query_one("#models-status", Static).update(text)

    def action_close(self) -> None:
        """Back to the console; a running retrain carries on."""
        self.app.pop_screen()

    @work(exclusive=True, group="models-command")
    async def action_promote(self) -> None:
        record = self.highlighted()
        if record is None:
            return
        try:
            promoted = await self.service.promote(record.id, ACTOR)
        except MoonAIError as exc:
            self.status(f"promote failed: {exc}")
            return
        self.status(f"v{promoted.version} is active")
        self.refresh_versions()

    @work(exclusive=True, group="models-command")
    async def action_rollback(self) -> None:
        try:
            back = await self.service.rollback(self.symbol, self.timeframe, ACTOR)
        except MoonAIError as exc:
            self.status(f"roll back failed: {exc}")
            return
        self.status(f"rolled back: v{back.version} is active")
        self.refresh_versions()

    def action_retrain(self) -> None:
        if self.training:
            self.status("already training: ctrl+t cancels")
            return
        self._job += 1
        self.training = True
        self.retrain(self._job)

    def action_cancel_training(self) -> None:
        if not self.training:
            self.status("nothing is training")
            return
        self.workers.cancel_group(self, RETRAIN_GROUP)
        self._job += 1
        self.training = False
        self.status("training cancelled: nothing registered")

    @work(exclusive=True, group=RETRAIN_GROUP)
    async def retrain(self, job: int) -> None:
        """Train in a worker process; fold scores appear as each fold finishes."""
        self.fold_lines = []
        self.query_one("#models-bar", ProgressBar).update(progress=0.0)
        self.query_one("#models-folds", Static).update("")
        self.query_one("#models-importance", Static).update("")
        self.status(f"training {self.symbol} {self.timeframe} in a worker process...")
        try:
            result = await self.service.retrain(self.symbol, self.timeframe, self.on_progress)
        except MoonAIError as exc:
            self._finished(f"training failed: {exc}", error=True)
            return
        finally:
            if job == self._job:
                self.training = False
        report = result.report
        state = "now active" if report["active"] else "registered (the active model is better)"
        self._finished(
            f"trained v{report['version']}: log_loss {report['log_loss']:.4f} "
            f"(majority {report['baselines']['majority']['log_loss']:.4f}), "
            f"bal_acc {report['balanced_accuracy']:.3f}; {state}"
        )
        self.refresh_versions()

    def on_progress(self, stage: str, fraction: float) -> None:
        """Called on the UI loop for each worker message."""
        self.query_one("#models-bar", ProgressBar).update(progress=fraction)
        if stage.startswith("fold") and "log_loss" in stage:
            self.fold_lines.append(stage)
            self.query_one("#models-folds", Static).update("\n".join(self.fold_lines))
        self.status(f"training: {stage}")

    def _finished(self, text: str, *, error: bool = False) -> None:
        """Show how a retrain ended, and announce it if the screen is closed."""
        self.status(text)
        if not self.is_current:
            self.app.notify(
                text,
                title=f"model {self.symbol} {self.timeframe}",
                severity="error" if error else "information",
                timeout=15 if error else 8,
            )


def open_models(
    app: App[Any],
    settings: Settings,
    symbol: str,
    timeframe: str,
    *,
    retrain: bool = False,
    service: ModelService | None = None,
) -> ModelsScreen:
    """Show the Models screen of ``symbol``/``timeframe`` (``retrain``: start training).

    The screen is built on first use, on ``service`` or a
    :class:`~moonai_tui.ml.service.ModelService` on ``settings``, and kept installed.
    """
    name = f"{MODELS_SCREEN} {symbol} {timeframe}"
    if not app.is_screen_installed(name):
        if service is None:
            from moonai_tui.ml.service import ModelService

            service = ModelService(settings)
        app.install_screen(ModelsScreen(service, symbol, timeframe), name=name)
    screen = app.get_screen(name)
    assert isinstance(screen, ModelsScreen)
    if not screen.is_current:
        app.push_screen(screen)
    if retrain:
        screen.call_after_refresh(screen.action_retrain)
    return screen
