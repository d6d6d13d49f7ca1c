"""Before live trading starts: where real orders would go, and a deliberate "yes".

Shown by the console when ``trading: live`` was configured without ``--yes-live``.
A single key is too easy to press by habit, so only typing ``LIVE`` (then Enter)
starts live trading; Esc declines, and the console then watches the market
without trading (the engine says so in a notice).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from moonai_tui.config import Settings
from moonai_tui.ui.widgets.footer import Footer

CONFIRM_WORD = "LIVE"
_VENUES = {
    "bybit": "ByBit (mainnet): REAL MONEY",
    "bybit-testnet": "ByBit testnet (test funds)",
    "sim": "the built-in simulator's account (offline)",
}


def masked(key: str | None) -> str:
    """An API key as exchanges show it: enough to recognise, not enough to use."""
    if not key:
        return "none set"
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:4]}…{key[-2:]}"


def live_summary(settings: Settings) -> list[str]:
    """What the operator is about to confirm, one line each."""
    if settings.market == "sim":
        key: str | None = settings.sim.api_key
    else:
        secret = settings.bybit.api_key
        key = None if secret is None else secret.get_secret_value()
    strategies = ", ".join(settings.trade.strategies) or "none (start them with s or ctl)"
    lines = [
        f"Real orders will be sent to {_VENUES[settings.market]}.",
        f"account    API key {masked(key)}",
        f"symbol     {settings.symbol} ({settings.timeframe})",
        f"approval   {settings.approval}"
        + ("  (entries are sent WITHOUT asking)" if settings.approval == "auto" else ""),
        f"strategies {strategies}",
    ]
    if key is None:
        lines.append("No API key is set: the engine will refuse to trade live.")
    return lines


class LiveConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only after ``LIVE`` is typed and Enter pressed; Esc gives False.

    Args:
        lines: The summary to show (see :func:`live_summary`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "decline", "no trading"),
    ]

    def __init__(self, lines: list[str]) -> None:
        super().__init__(classes="-danger")
        self._lines = lines

    def compose(self) -> ComposeResult:
        """The summary, the typed confirmation, and the key line."""
        with Vertical(id="live-box") as box:
            box.border_title = "LIVE TRADING"
            box.border_subtitle = f"type {CONFIRM_WORD} + enter: start · esc: no trading"
            yield Static("\n".join(self._lines), id="live-summary", markup=False)
            yield Static(
                f"Type {CONFIRM_WORD} and press Enter to start live trading. "
                "Esc watches the market without trading.",
                id="live-how",
                markup=False,
            )
            yield Input(placeholder=f"type {CONFIRM_WORD}", id="live-input", max_length=16)
            yield Static("", id="live-error", markup=False)
        yield Footer()

    @on(Input.Submitted, "#live-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == CONFIRM_WORD:
            self.dismiss(True)
            return
        event.input.clear()
        self.query_one("#live-error", Static).update(
            f"not confirmed: type {CONFIRM_WORD} exactly (capitals), or Esc for no trading"
        )

    def action_decline(self) -> None:
        """No live trading."""
        self.dismiss(False)
