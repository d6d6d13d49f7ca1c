"""Base of the lower panes while they have nothing to list yet."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from moonai_tui.ui import colours


class InfoPane(Static):
    """A bordered pane that says plainly what will appear in it.

    Subclasses set ``BORDER_TITLE`` and :attr:`EMPTY`; the features that fill
    them (strategies, approvals, orders, risk) replace :meth:`empty_text`
    with real rows.
    """

    EMPTY: ClassVar[str] = ""
    """What the pane says before it has anything to show."""

    def on_mount(self) -> None:
        """Show the empty text."""
        self.update(self.empty_text())

    def empty_text(self) -> Text:
        """The explanation shown while the pane is empty."""
        return Text(self.EMPTY, style=colours.MUTED)
