"""Base of the lower panes: a bordered pane that says what will appear in it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from moonai_tui.ui import colours


class InfoPane(Widget):
    """A bordered pane that draws :meth:`body`, or explains itself while empty.

    Subclasses set ``BORDER_TITLE`` and :attr:`EMPTY` and override
    :meth:`body`; the owner sets their attributes, the pane only draws them.
    """

    EMPTY: ClassVar[str] = ""
    """What the pane says before it has anything to show."""

    def render(self) -> RenderableType:
        """The pane's contents."""
        return self.body()

    def body(self) -> RenderableType:
        """What the pane shows now; the empty text unless a subclass knows more."""
        return self.empty_text()

    def empty_text(self) -> Text:
        """The explanation shown while the pane is empty."""
        return Text(self.EMPTY, style=colours.MUTED)
