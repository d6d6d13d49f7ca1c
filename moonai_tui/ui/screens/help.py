"""The help screen: every key, from the same table as the bindings.

It scrolls (↑ ↓, page keys) when the terminal is too short for it, and long lines wrap
beside their key: at 80x24 it is where the keys the key line has no room for are found.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from moonai_tui.ui import colours
from moonai_tui.ui.keys import EXTRA_HELP, KEYS, TABS_HELP
from moonai_tui.ui.widgets.footer import Footer


class HelpScreen(ModalScreen[None]):
    """Lists all keys; Esc (or ?) closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close", key_display="esc"),
        Binding("question_mark", "dismiss", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        """A titled, scrollable box with the key table."""
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "↑↓ scroll · esc closes"
            yield Static(key_table(), id="help-keys")
        yield Footer()


def help_rows() -> list[tuple[str, str, str]]:
    """(key, what it does, style) for every key, the five tab keys on one row."""
    rows: list[tuple[str, str, str]] = []
    for spec in KEYS:
        if spec.action.startswith("show_tab"):
            if spec.key_display is not None:  # the first tab key stands for all five
                rows.append((spec.key_display, TABS_HELP, ""))
            continue
        rows.append((spec.shown_key, spec.help, ""))
    rows += [(key, text, colours.MUTED) for key, text in EXTRA_HELP]
    return rows


def key_table() -> Table:
    """The rows of :func:`help_rows`, keys right-aligned; what they do wraps beside them."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, text, style in help_rows():
        table.add_row(key, Text(text, style=style))
    return table
