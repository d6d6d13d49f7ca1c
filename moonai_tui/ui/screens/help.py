"""The help screen: every key, from the same table as the bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from moonai_tui.ui import colours
from moonai_tui.ui.keys import EXTRA_HELP, KEYS
from moonai_tui.ui.widgets.footer import Footer


class HelpScreen(ModalScreen[None]):
    """Lists all keys; Esc (or ?) closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close", key_display="esc"),
        Binding("question_mark", "dismiss", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        """A titled box with the key table."""
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc closes"
            yield Static(key_text(), id="help-keys")
        yield Footer()


def key_text() -> Text:
    """Every key and what it does, one per line, keys right-aligned."""
    rows = [(spec.shown_key, spec.help, "") for spec in KEYS]
    rows += [(key, text, colours.MUTED) for key, text in EXTRA_HELP]
    width = max(len(key) for key, _, _ in rows)
    lines = [
        Text.assemble((f"{key:>{width}}", "bold"), "  ", (text, style)) for key, text, style in rows
    ]
    return Text("\n").join(lines)
