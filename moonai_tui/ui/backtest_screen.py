"""The backtest screen (key ``b``): run a strategy on history, chart it, compare runs.

Everything goes through :class:`~moonai_tui.backtest.jobs.BacktestService`: a run is a
job in a worker process (the console and the engine keep going, the progress bar
follows its messages), stored runs are read off the UI's event loop. Keys: ctrl+r (or
enter in a field) runs, ctrl+t cancels a running job, esc closes (a job keeps running
and is picked up when the screen reopens); in the Runs tab enter shows a run and space
marks it, and the last two marked runs appear side by side in Compare.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from moonai_tui.backtest.report import format_metric
from moonai_tui.domain import TIMEFRAME_MS
from moonai_tui.ui.format import utc
from moonai_tui.ui.widgets.backtest_runs import SHOWN_METRICS, RunsTable, compare_rows, mark
from moonai_tui.ui.widgets.equity_chart import EquityChart
from moonai_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual.app import App

    from moonai_tui.backtest.jobs import BacktestService, JobHandle
    from moonai_tui.backtest.tasks import BacktestJob
    from moonai_tui.config import Settings
    from moonai_tui.engine.clock import Clock
    from moonai_tui.store.backtests import BacktestRunRecord, BacktestRunSummary

POLL_SECONDS = 0.1
"""How often the worker's messages are read while a job runs."""


class BacktestScreen(Screen[None]):
    """Choose, run, chart, list and compare backtests."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", key_display="esc"),
        Binding("ctrl+r", "run", "run"),
        Binding("ctrl+t", "cancel_job", "cancel run"),
    ]
    DEFAULT_CSS = """
    BacktestScreen #bt-form { width: 30; border: round $accent; padding: 0 1; }
    BacktestScreen #bt-form Label { margin-top: 1; color: $text-muted; }
    BacktestScreen #bt-range Input { width: 1fr; }
    BacktestScreen #bt-range { height: auto; }
    BacktestScreen #bt-run { margin-top: 1; width: 100%; }
    BacktestScreen #bt-progress { margin-top: 1; }
    BacktestScreen #bt-stage { height: auto; color: $text-muted; }
    BacktestScreen #bt-tabs { width: 1fr; }
    BacktestScreen DataTable { height: 1fr; }
    BacktestScreen #bt-chart { height: 1fr; }
    """

    def __init__(self, service: BacktestService, symbol: str, timeframe: str) -> None:
        super().__init__()
        self.service = service
        self._symbol = symbol
        self._timeframe = timeframe if timeframe in TIMEFRAME_MS else "1m"
        self.job: JobHandle | None = None
        self._timer: Timer | None = None
        self.progress = 0.0
        """The running (or last) job's progress, 0..1."""
        self.shown_run: int | None = None
        self.marked: list[int] = []
        self.runs: list[BacktestRunSummary] = []

    def compose(self) -> ComposeResult:
        strategies = self.service.strategies()
        with Horizontal():
            with VerticalScroll(id="bt-form") as form:
                form.border_title = "Backtest"
                yield Label("Strategy")
                yield Select(
                    [(name, name) for name in strategies],
                    id="bt-strategy",
                    allow_blank=not strategies,
                    value=_first(strategies),
                    compact=True,
                )
                yield Label("Symbol")
                yield Input(self._symbol, id="bt-symbol", compact=True)
                yield Label("Timeframe")
                yield Select(
                    [(tf, tf) for tf in TIMEFRAME_MS],
                    id="bt-timeframe",
                    allow_blank=False,
                    value=self._timeframe,
                    compact=True,
                )
                yield Label("From · until (UTC, ISO)")
                with Horizontal(id="bt-range"):
                    yield Input(placeholder="first bar", id="bt-since", compact=True)
                    yield Input(placeholder="end", id="bt-until", compact=True)
                yield Label("Parameters (name=value …)")
                yield Input(id="bt-params", compact=True)
                yield Button("Run  ctrl+r", id="bt-run", variant="primary", compact=True)
                yield ProgressBar(total=100, show_eta=False, id="bt-progress")
                yield Static("", id="bt-stage")
            with TabbedContent(id="bt-tabs"):
                with TabPane("Metrics", id="bt-tab-metrics"):
                    yield DataTable(id="bt-metrics", cursor_type="row")
                with TabPane("Chart", id="bt-tab-chart"):
                    yield EquityChart(id="bt-chart")
                with TabPane("Trades", id="bt-tab-trades"):
                    yield DataTable(id="bt-trades", cursor_type="row")
                with TabPane("Runs", id="bt-tab-runs"):
                    yield RunsTable(id="bt-runs", cursor_type="row")
                with TabPane("Compare", id="bt-tab-compare"):
                    yield DataTable(id="bt-compare", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bt-metrics", DataTable).add_columns("metric", "value")
        self.query_one("#bt-trades", DataTable).add_columns(
            "#", "side", "entry (UTC)", "exit (UTC)", "qty", "entry", "exit", "fees", "pnl", "why"
        )
        runs = self.query_one(RunsTable)
        runs.add_column("", width=1, key="mark")
        runs.add_columns(
            "run", "created (UTC)", "kind", "strategy", "market", "return", "sharpe", "max dd"
        )
        self.query_one("#bt-compare", DataTable).add_columns("", "A", "B")
        self._fill_params()
        self.refresh_runs()

    def on_screen_resume(self) -> None:
        """Pick up what a job reported while the screen was closed."""
        if self.job is not None:
            self._poll()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "bt-strategy":
            self._fill_params()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "bt-run":
            self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def on_runs_table_marked(self, event: RunsTable.Marked) -> None:
        self.toggle_mark(event.run_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "bt-runs" and event.row_key.value is not None:
            self.show_run(int(event.row_key.value))

    # Actions -------------------------------------------------------------------------

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_run(self) -> None:
        """Start a backtest of the form's choices in a worker process."""
        from moonai_tui.errors import MoonAIError

        if self.job is not None and self.job.finished is None:
            self.notify("a backtest is running; ctrl+t cancels it", severity="warning")
            return
        try:
            job = self._job_from_form()
            self.job = self.service.start(job)
        except MoonAIError as exc:
            self.notify(str(exc), title="backtest", severity="error", timeout=15)
            return
        self._set_progress("starting a worker…", 0.0)
        self._timer = self.set_interval(POLL_SECONDS, self._poll)

    def action_cancel_job(self) -> None:
        if self.job is None or self.job.finished is not None:
            self.notify("no backtest is running", timeout=4)
            return
        self.job.cancel()
        self._poll()

    # Jobs ----------------------------------------------------------------------------

    def _job_from_form(self) -> BacktestJob:
        from moonai_tui.backtest.data import BarsRequest
        from moonai_tui.backtest.tasks import BacktestJob
        from moonai_tui.errors import ConfigError, StrategyError
        from moonai_tui.strategy.params import parse_param_overrides
        from moonai_tui.timeutil import parse_iso_utc_ms

        strategy = self.query_one("#bt-strategy", Select).value
        if not isinstance(strategy, str):
            raise StrategyError(f"no strategy to run in {self.service.strategies_dir}")
        times: list[int | None] = []
        for field in ("since", "until"):
            text = self.query_one(f"#bt-{field}", Input).value.strip()
            try:
                times.append(parse_iso_utc_ms(text) if text else None)
            except ValueError:
                raise ConfigError(f"{field} {text!r} is not an ISO date (2024-03-01)") from None
        timeframe = self.query_one("#bt-timeframe", Select).value
        words = re.split(r"[\s,]+", self.query_one("#bt-params", Input).value.strip())
        return BacktestJob(
            strategy=strategy,
            bars=BarsRequest(
                self.query_one("#bt-symbol", Input).value.strip() or self._symbol,
                timeframe if isinstance(timeframe, str) else self._timeframe,
                times[0],
                times[1],
            ),
            config=self.service.config,
            overrides=parse_param_overrides(w for w in words if w),
        )

    def _poll(self) -> None:
        from moonai_tui.backtest.jobs import JobDone, JobFailed, JobProgress

        if self.job is None:
            return
        for message in self.job.poll():
            if isinstance(message, JobProgress):
                self._set_progress(message.stage, message.fraction)
            elif isinstance(message, JobDone):
                self._set_progress(f"done: run #{message.run_id} · {message.report['source']}", 1.0)
                self._show_metrics(message.report)
                self.notify(f"run #{message.run_id} stored", title="backtest", timeout=6)
                if message.run_id is not None:
                    self.show_run(message.run_id)
                self.refresh_runs()
            elif isinstance(message, JobFailed):
                self._set_progress(f"failed: {message.message}", self.progress)
                self.notify(message.message, title="backtest", severity="error", timeout=20)
        if self.job.finished is not None and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _set_progress(self, stage: str, fraction: float) -> None:
        self.progress = fraction
        self.query_one(ProgressBar).update(progress=round(fraction * 100, 1))
        self.query_one("#bt-stage", Static).update(stage)

    # Runs ----------------------------------------------------------------------------

    @work(exclusive=True, group="bt-runs", name="list backtest runs", exit_on_error=False)
    async def refresh_runs(self) -> None:
        """Reload the Runs table from the store."""
        self.runs = await self.service.recent()
        table = self.query_one(RunsTable)
        table.clear()
        for run in self.runs:
            metrics = run.metrics
            table.add_row(
                mark(run.id, self.marked),
                f"#{run.id}",
                f"{utc(run.created_ms):%m-%d %H:%M}",
                run.kind,
                run.strategy,
                f"{run.symbol} {run.timeframe}",
                format_metric("total_return", metrics.get("total_return")),
                format_metric("sharpe", metrics.get("sharpe")),
                format_metric("max_drawdown", metrics.get("max_drawdown")),
                key=str(run.id),
            )

    @work(exclusive=True, group="bt-show", name="load a backtest run", exit_on_error=False)
    async def show_run(self, run_id: int) -> None:
        """Show stored run ``run_id``: metrics, chart and trades."""
        record = await self.service.load(run_id)
        if record is None:
            self.notify(f"run #{run_id} is not in the database", severity="warning")
            return
        self.shown_run = run_id
        self._show_metrics(record.summary.metrics, record)
        start = float(record.config.get("initial_equity", record.equity[0]))
        self.query_one(EquityChart).show(record.equity_ms, record.equity, start)
        trades = self.query_one("#bt-trades", DataTable)
        trades.clear()
        for t in record.trades:
            trades.add_row(
                str(t.seq),
                t.side,
                f"{utc(t.entry_ms):%m-%d %H:%M}",
                f"{utc(t.exit_ms):%m-%d %H:%M}",
                f"{t.qty:,.6g}",
                f"{t.entry_price:,.2f}",
                f"{t.exit_price:,.2f}",
                f"{t.fees:,.2f}",
                f"{t.pnl:+,.2f}",
                t.exit_reason,
            )

    def toggle_mark(self, run_id: int) -> None:
        """Mark (or unmark) a run; the last two marked are compared."""
        if run_id in self.marked:
            self.marked.remove(run_id)
        else:
            self.marked = [*self.marked, run_id][-2:]
        table = self.query_one(RunsTable)
        for run in self.runs:
            table.update_cell(str(run.id), "mark", mark(run.id, self.marked))
        if len(self.marked) == 2:
            self.compare(*self.marked)

    @work(exclusive=True, group="bt-compare", name="compare backtest runs", exit_on_error=False)
    async def compare(self, first: int, second: int) -> None:
        """Fill Compare with two runs side by side and show it."""
        runs = [await self.service.load(first), await self.service.load(second)]
        table = self.query_one("#bt-compare", DataTable)
        table.clear()
        if runs[0] is None or runs[1] is None:
            self.notify("a marked run is no longer stored", severity="warning")
            return
        for label, values in compare_rows(runs[0], runs[1]):
            table.add_row(label, *values)
        self.query_one(TabbedContent).active = "bt-tab-compare"

    def _show_metrics(
        self, metrics: dict[str, Any], record: BacktestRunRecord | None = None
    ) -> None:
        table = self.query_one("#bt-metrics", DataTable)
        table.clear()
        if record is not None:
            summary = record.summary
            table.add_row("run", f"#{summary.id} {summary.kind} {summary.strategy}")
            table.add_row("market", f"{summary.symbol} {summary.timeframe} · {summary.bars:,} bars")
        for name in SHOWN_METRICS:
            if name in metrics:
                table.add_row(name, format_metric(name, metrics[name]))

    def _fill_params(self) -> None:
        from moonai_tui.errors import MoonAIError

        strategy = self.query_one("#bt-strategy", Select).value
        text = ""
        if isinstance(strategy, str):
            try:
                defaults = self.service.default_params(strategy)
            except MoonAIError as exc:
                self.notify(str(exc), severity="error", timeout=15)
                defaults = {}
            text = " ".join(f"{k}={_yaml_word(v)}" for k, v in defaults.items())
        self.query_one("#bt-params", Input).value = text


def _first(names: list[str]) -> Any:
    return names[0] if names else Select.NULL


def _yaml_word(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


BACKTEST_SCREEN = "backtest"
"""Name the screen is installed under: it outlives being closed, and so does its job."""


def open_backtest(app: App[Any], settings: Settings, clock: Clock, symbol: str) -> None:
    """Show the backtest screen, building it (and its service) on first use.

    A test installs its own ``BacktestScreen`` under :data:`BACKTEST_SCREEN` first.
    """
    from moonai_tui.backtest.jobs import BacktestService

    if not app.is_screen_installed(BACKTEST_SCREEN):
        service = BacktestService.from_settings(settings, clock.now_ms)
        screen = BacktestScreen(service, symbol.replace("/", "").split(":")[0], settings.timeframe)
        app.install_screen(screen, name=BACKTEST_SCREEN)
    if app.screen is not app.get_screen(BACKTEST_SCREEN):
        app.push_screen(BACKTEST_SCREEN)
