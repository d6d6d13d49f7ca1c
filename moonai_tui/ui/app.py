"""The Moon AI Textual app and the function that runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from moonai_tui.config import Settings
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.client import CommandResult, EngineClient
from moonai_tui.engine.clock import Clock, SystemClock
from moonai_tui.ui.bridge import EngineBridge
from moonai_tui.ui.format import fmt_decimal
from moonai_tui.ui.keys import KEYS, TRADING_KEYS, bindings
from moonai_tui.ui.screens.confirm import ConfirmScreen
from moonai_tui.ui.screens.help import HelpScreen
from moonai_tui.ui.screens.live_confirm import LiveConfirmScreen, live_summary
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.screens.symbol_picker import SymbolPicker
from moonai_tui.ui.widgets.list_pane import ListPane
from moonai_tui.ui.widgets.orders_pane import OrdersPane
from moonai_tui.ui.widgets.pending_pane import PendingPane
from moonai_tui.ui.widgets.positions_pane import PositionsPane

if TYPE_CHECKING:
    from moonai_tui.ml.service import ModelService

T = TypeVar("T")

_HERE = Path(__file__).parent

HELP_SCREEN = "help"
BRIDGE_WORKER = "read engine events"
"""Name of the worker that delivers engine events (errors read "could not <name>")."""
ACTOR = "tui"
"""Who the audit log says decided, for every command sent from the console."""
KILL_QUESTION = "Cancel all orders, close all positions at market and halt? [y/N]"
KILL_REASON = "operator pressed k"
_CONSOLE_ONLY = frozenset(
    {
        "help",
        "switch_symbol",
        "backtest",
        "models",
        "retrain",
        *(spec.action for spec in TRADING_KEYS),
    }
)
"""Actions that would act on the console from under a dialog."""


class MoonAIApp(App[int]):
    """The trading console.

    It commands the engine only through ``client`` and learns what happens
    only from ``client.subscribe()``.

    Args:
        client: The engine facade.
        settings: Moon AI settings (the ``ui`` and ``feeds`` sections are used).
        clock: The clock for data ages and the header clock; the system clock by default.
        live_check: When given, the console first asks to confirm live trading and
            calls it with the answer (True: confirmed; False or None: no trading).
        model_service: The model registry and training facade for ``m`` and ``r``;
            by default one on ``settings`` (built on first use).
    """

    TITLE = "Moon AI"
    # Absolute, so that a subclass in another package still finds them.
    CSS_PATH: ClassVar[list[str | PurePath]] = [_HERE / "app.tcss", _HERE / "screens/modals.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = bindings()

    def __init__(
        self,
        client: EngineClient,
        settings: Settings,
        clock: Clock | None = None,
        *,
        live_check: Callable[[bool | None], None] | None = None,
        model_service: ModelService | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._live_check = live_check
        self._model_service = model_service
        # Subscribe now, not on mount: an engine started beside the app may publish
        # its first events (EngineStarted, the candle history) before the screen exists.
        self._subscription: Subscription = client.subscribe()
        self.bridge: EngineBridge | None = None
        """Set on mount; delivers engine events to the main screen."""

    @property
    def main_screen(self) -> MainScreen:
        """The console screen (the bottom of the screen stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def get_default_screen(self) -> Screen[None]:
        """The console is the default screen."""
        return MainScreen(self.settings, self.clock, self.client.status())

    def on_mount(self) -> None:
        """Start delivering the engine's events to the console."""
        # Installed once: opening help then costs no compose, however busy the feed.
        self.install_screen(HelpScreen(), name=HELP_SCREEN)
        self.bridge = EngineBridge(self._subscription, self.main_screen)
        self.run_worker(self.bridge.run(), name=BRIDGE_WORKER, exit_on_error=False)
        if self._live_check is not None:
            # Live trading without --yes-live: ask first; the answer goes to ``live_check``.
            summary = live_summary(self.settings)
            self.push_screen(LiveConfirmScreen(summary), self._live_check)

    def on_unmount(self) -> None:
        """Let the bus forget this subscriber."""
        self._subscription.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for the console work only while no dialog is open; tabs only when narrow."""
        return self._usable(action, self.screen)

    def _usable(self, action: str, screen: Screen[object]) -> bool:
        on_console = screen is self.main_screen
        if action in _CONSOLE_ONLY:
            return on_console
        if action == "show_tab":
            return on_console and self.main_screen.narrow
        return True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands plus every usable hotkey, by name."""
        ours = {spec.title for spec in KEYS}
        for command in super().get_system_commands(screen):
            if command.title not in ours:
                yield command
        for spec in KEYS:
            # ``screen`` is the one the palette was opened from, not the palette.
            name, _, _ = spec.action.partition("(")
            if self._usable(name, screen):
                help_text = f"{spec.help} · key {spec.shown_key}"
                yield SystemCommand(spec.title, help_text, partial(self.run_action, spec.action))

    # Actions ----------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit with exit code 0."""
        self.exit(0, return_code=0)

    def action_help(self) -> None:
        """Open the key list."""
        self.push_screen(HELP_SCREEN)

    def action_backtest(self) -> None:
        """Open the backtest screen (its run keeps going while it is closed)."""
        from moonai_tui.ui.backtest_screen import open_backtest

        open_backtest(self, self.settings, self.clock, self.client.status().symbol)

    def action_models(self) -> None:
        """Open the Models screen of the market on screen."""
        self._open_models(retrain=False)

    def action_retrain(self) -> None:
        """Retrain the model of the market on screen; the Models screen shows the progress."""
        self._open_models(retrain=True)

    def _open_models(self, *, retrain: bool) -> None:
        from moonai_tui.ui.screens.models import open_models

        status = self.main_screen.status
        open_models(
            self,
            self.settings,
            status.symbol,
            status.timeframe,
            retrain=retrain,
            service=self._model_service,
        )

    def action_switch_symbol(self) -> None:
        """Open the symbol list; a choice is sent to the engine."""
        status = self.client.status()
        current = self.main_screen.status.symbol
        self.push_screen(SymbolPicker(status.symbols, current), self._symbol_chosen)

    def action_show_tab(self, tab_id: str) -> None:
        """Show a lower pane's tab (narrow layout)."""
        self.main_screen.show_tab(tab_id)

    def action_approve(self) -> None:
        """Approve the selected pending entry."""
        self._decide(approve=True)

    def action_reject(self) -> None:
        """Reject the selected pending entry."""
        self._decide(approve=False)

    def action_cancel_order(self) -> None:
        """Cancel the selected order if it is still open."""
        order = self._selected(OrdersPane, "orders", "c")
        if order is None:
            return
        order_id = order.request.client_order_id
        if order.is_final:
            message = f"#{order_id} is {order.status}; only open orders can be cancelled"
            self.notify(message, severity="warning", timeout=6)
            return
        call = partial(self.client.cancel_order, order_id, ACTOR)
        self._command(f"cancel #{order_id}", f"order {order_id}", call)

    def action_flatten(self) -> None:
        """Ask, then close the selected position at market."""
        row = self._selected(PositionsPane, "positions", "f")
        if row is None:
            return
        position = row.position
        side = "LONG" if position.qty > 0 else "SHORT"
        size = fmt_decimal(abs(position.qty), 8)
        question = f"Close {position.symbol} {side} {size} at market? [y/N]"
        confirmed = partial(self._flatten_confirmed, position.symbol)
        self.push_screen(ConfirmScreen("Flatten", question), confirmed)

    def action_kill(self) -> None:
        """Ask, then trip the kill switch."""
        dialog = ConfirmScreen("KILL SWITCH", KILL_QUESTION, danger=True)
        self.push_screen(dialog, self._kill_confirmed)

    def _decide(self, *, approve: bool) -> None:
        item = self._selected(PendingPane, "pending", "a" if approve else "x")
        if item is None:
            return
        verb, send = ("approve", self.client.approve) if approve else ("reject", self.client.reject)
        self._command(f"{verb} #{item.id}", f"approval {item.id}", partial(send, item.id, ACTOR))

    def _flatten_confirmed(self, symbol: str, yes: bool | None) -> None:
        if yes:
            self._command(
                f"flatten {symbol}",
                f"flatten {symbol}",
                partial(self.client.flatten, symbol, ACTOR),
            )

    def _kill_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._command("kill", "kill", partial(self.client.kill, ACTOR, KILL_REASON))

    def _selected(self, pane_type: type[ListPane[T]], tab_id: str, key: str) -> T | None:
        """The selected row of a pane, if the person can see that pane.

        In the tabbed layout a key for a hidden pane first shows its tab: a
        command must never act on a row the person cannot see.
        """
        screen = self.main_screen
        pane = screen.query_one(pane_type)
        if not screen.is_visible_pane(tab_id):
            screen.show_tab(tab_id)
            pane.focus()
            self.notify(f"press {key} again to act on the selected row", timeout=4)
            return None
        item = pane.selected
        if item is None:
            self.notify(f"{pane.BORDER_TITLE}: nothing to act on", severity="warning", timeout=4)
        return item

    def _command(self, what: str, group: str, call: Callable[[], Awaitable[CommandResult]]) -> None:
        """Send a command in a worker; a repeat for the same target replaces the wait."""
        self.run_worker(
            self._send(what, call), name=what, group=group, exclusive=True, exit_on_error=False
        )

    async def _send(self, what: str, call: Callable[[], Awaitable[CommandResult]]) -> None:
        result = await call()
        if result.ok:
            self.notify(result.message, title=what, timeout=6)
        else:
            self.notify(result.message, title=what, severity="error", timeout=15)

    def _symbol_chosen(self, symbol: str | None) -> None:
        if symbol is not None and symbol != self.main_screen.status.symbol:
            self.switch_symbol(symbol)

    @work(exclusive=True, group="switch-symbol", name="switch symbol", exit_on_error=False)
    async def switch_symbol(self, symbol: str) -> None:
        """Ask the engine to stream ``symbol``; the panes reset on ``SymbolChanged``."""
        self.notify(f"switching to {symbol}…", timeout=3)
        await self.client.switch_symbol(symbol)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes a visible error."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"could not {worker.name}: {worker.error}", severity="error", timeout=15)
        elif event.state == WorkerState.SUCCESS and worker.name == BRIDGE_WORKER:
            self.notify("the engine's event stream ended", severity="warning", timeout=15)


async def run_tui_async(client: EngineClient, settings: Settings) -> int:
    """Run the console in the running event loop (beside the engine's tasks).

    Returns:
        The exit code: 0 after ``q``, 1 if the app failed.
    """
    app = MoonAIApp(client, settings)
    await app.run_async()
    return app.return_code or 0


def run_tui(client: EngineClient, settings: Settings) -> int:
    """Run the console until the user quits.

    Textual runs its own event loop here; an engine whose tasks must share
    that loop should be started from :func:`run_tui_async` instead.

    Returns:
        The exit code: 0 after ``q``, 1 if the app failed.
    """
    app = MoonAIApp(client, settings)
    app.run()
    return app.return_code or 0
