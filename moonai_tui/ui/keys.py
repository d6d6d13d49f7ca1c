"""Every key the console answers to, in one table.

The app's bindings, the help screen and the command palette are all built
from :data:`KEYS`, so a key cannot be bound without being documented. A key
is added here only when it does something (``s`` start/stop is not yet): a key
that does nothing is worse than no key.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One hotkey.

    Attributes:
        key: Textual key name, e.g. ``question_mark``.
        action: The app action it runs, e.g. ``show_tab('signals')``.
        label: Short text for the key line.
        title: Command palette title.
        help: One sentence for the help screen and the palette.
        show: Whether the key line shows it (the 1–5 tab keys share one entry).
        key_display: How the key is written, e.g. ``?`` or ``1-5``.
    """

    key: str
    action: str
    label: str
    title: str
    help: str
    show: bool = True
    key_display: str | None = None

    @property
    def shown_key(self) -> str:
        """The key as a person types it (``?`` rather than ``question_mark``)."""
        return _TYPED.get(self.key, self.key)


_TYPED = {"question_mark": "?", "slash": "/"}

TABS: tuple[tuple[str, str], ...] = (
    ("signals", "Signals"),
    ("pending", "Pending"),
    ("positions", "Positions"),
    ("orders", "Orders"),
    ("risk", "Risk"),
)
"""(id, title) of the lower panes, in tab order; tab n is key n."""

TABS_HELP = "Tabs (narrow layout): " + " ".join(
    f"{number} {title}" for number, (_, title) in enumerate(TABS, start=1)
)
"""The help screen's one line for the five tab keys."""


def _tab_keys() -> tuple[KeySpec, ...]:
    return tuple(
        KeySpec(
            key=str(number),
            action=f"show_tab('{tab_id}')",
            label="tabs",
            title=f"Show {title} tab",
            help=f"Show the {title} tab (narrow layout)",
            show=number == 1,
            key_display="1-5" if number == 1 else None,
        )
        for number, (tab_id, title) in enumerate(TABS, start=1)
    )


TRADING_KEYS: tuple[KeySpec, ...] = (
    KeySpec("a", "approve", "approve", "Approve entry", "Approve the selected pending entry"),
    KeySpec("x", "reject", "reject", "Reject entry", "Reject the selected pending entry"),
    KeySpec(
        "k",
        "kill",
        "KILL",
        "KILL: cancel all, close all, halt",
        "Kill switch: cancel all orders, close all positions, halt (asks first)",
    ),
    KeySpec("c", "cancel_order", "cancel", "Cancel order", "Cancel the selected open order"),
    KeySpec(
        "f", "flatten", "flatten", "Flatten position", "Close the selected position (asks first)"
    ),
)
"""Keys that command the engine; they act only on the console, never under a dialog."""

KEYS: tuple[KeySpec, ...] = (
    *TRADING_KEYS,
    KeySpec(
        "b",
        "backtest",
        "backtest",
        "Backtest",
        "Backtest a strategy on history: run, chart, list and compare runs",
    ),
    KeySpec(
        "r",
        "retrain",
        "retrain",
        "Retrain model",
        "Retrain the shown market's model (progress on the Models screen)",
    ),
    KeySpec(
        "m",
        "models",
        "models",
        "Models",
        "Models of the shown market: out-of-sample scores, promote, roll back",
    ),
    KeySpec("slash", "switch_symbol", "symbol", "Switch symbol", "Pick the symbol to show"),
    *_tab_keys(),
    KeySpec("question_mark", "help", "help", "Help", "List every key"),
    KeySpec("q", "quit", "quit", "Quit", "Quit Moon AI"),
)
"""The app's hotkeys in key-line order."""

KEY_LINE_DROP_ORDER: tuple[str, ...] = (
    "ctrl+p",
    "q",
    "slash",
    "b",
    "r",
    "m",
    "1",
    "f",
    "c",
    "x",
    "a",
)
"""Keys left off a key line too narrow for all of them, first to last (``?`` help and ``k``
KILL always stay; help, like the palette, lists every key)."""

EXTRA_HELP: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "Command palette: every key above, by name"),
    ("esc", "Close this help or a dialog"),
    ("tab / shift+tab", "Move the focus"),
    ("↑ ↓ enter", "Choose in a list"),
)
"""Keys Textual provides that the help screen lists too."""


def bindings() -> list[BindingType]:
    """The app's BINDINGS, built from :data:`KEYS`."""
    return [
        Binding(
            spec.key,
            spec.action,
            spec.label,
            show=spec.show,
            key_display=spec.key_display or spec.shown_key,
            tooltip=spec.help,
        )
        for spec in KEYS
    ]
