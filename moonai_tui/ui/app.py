"""The Moon AI Textual app and the function that runs it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from moonai_tui.config import Settings
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.client import EngineClient
from moonai_tui.engine.clock import Clock, SystemClock
from moonai_tui.ui.bridge import EngineBridge
from moonai_tui.ui.keys import KEYS, bindings
from moonai_tui.ui.screens.help import HelpScreen
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.screens.symbol_picker import SymbolPicker

_HERE = Path(__file__).parent

HELP_SCREEN = "help"
BRIDGE_WORKER = "read engine events"
"""Name of the worker that delivers engine events (errors read "could not <name>")."""


class MoonAIApp(App[int]):
    """The trading console.

    It commands the engine only through ``client`` and learns what happens
    only from ``client.subscribe()``.

    Args:
        client: The engine facade.
        settings: Moon AI settings (the ``ui`` and ``feeds`` sections are used).
        clock: The clock for data ages and the header clock; the system clock by default.
    """

    TITLE = "Moon AI"
    # Absolute, so that a subclass in another package still finds them.
    CSS_PATH: ClassVar[list[str | PurePath]] = [_HERE / "app.tcss", _HERE / "screens/modals.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = bindings()

    def __init__(
        self, client: EngineClient, settings: Settings, clock: Clock | None = None
    ) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
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

    def on_unmount(self) -> None:
        """Let the bus forget this subscriber."""
        self._subscription.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for the console work only while no dialog is open; tabs only when narrow."""
        return self._usable(action, self.screen)

    def _usable(self, action: str, screen: Screen[object]) -> bool:
        on_console = screen is self.main_screen
        if action in ("help", "switch_symbol"):
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

    def action_switch_symbol(self) -> None:
        """Open the symbol list; a choice is sent to the engine."""
        status = self.client.status()
        current = self.main_screen.status.symbol
        self.push_screen(SymbolPicker(status.symbols, current), self._symbol_chosen)

    def action_show_tab(self, tab_id: str) -> None:
        """Show a lower pane's tab (narrow layout)."""
        self.main_screen.show_tab(tab_id)

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
