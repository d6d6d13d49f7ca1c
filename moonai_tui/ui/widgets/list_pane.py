"""Base of the lower panes that list things a person acts on (entries, positions, orders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from moonai_tui.ui import colours
from moonai_tui.ui.widgets.info_pane import InfoPane

T = TypeVar("T")

MARKER = "▶ "
"""Drawn before the selected row."""
_GAP = "  "


class ListPane(InfoPane, Generic[T]):
    """Rows with one selected; ↑/↓ move the selection while the pane has focus.

    The selection follows its item (by :meth:`key_of`) as rows are added or
    removed above it, and falls back to the nearest row when its item goes.
    Subclasses provide :meth:`items`, :meth:`key_of` and :meth:`row`, and
    may add a :meth:`footer` line.
    """

    can_focus = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "up", show=False),
        Binding("down", "move(1)", "down", show=False),
        Binding("home", "move(-1000000)", "first", show=False),
        Binding("end", "move(1000000)", "last", show=False),
    ]

    cursor: reactive[int] = reactive(0, layout=False)
    """Index of the selected row."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._selected_key: str | None = None

    # For subclasses --------------------------------------------------------

    def items(self) -> Sequence[T]:
        """The rows' items, top first."""
        raise NotImplementedError

    def key_of(self, item: T) -> str:
        """A stable identity for ``item``."""
        raise NotImplementedError

    def row(self, item: T) -> Text:
        """One line for ``item`` (without the selection marker)."""
        raise NotImplementedError

    def footer(self) -> Text | None:
        """A line under the rows (e.g. the keys that act on them), or None."""
        return None

    # -----------------------------------------------------------------------

    @property
    def selected(self) -> T | None:
        """The selected item, or None when the pane is empty."""
        items = self.items()
        if not items:
            return None
        return items[min(self.cursor, len(items) - 1)]

    def items_changed(self) -> None:
        """Keep the selection on its item; subclasses call this when their items change."""
        items = self.items()
        keys = [self.key_of(item) for item in items]
        if self._selected_key in keys:
            self.set_reactive(ListPane.cursor, keys.index(self._selected_key))
        else:
            self.set_reactive(ListPane.cursor, max(0, min(self.cursor, len(items) - 1)))
            self._selected_key = keys[self.cursor] if keys else None

    def action_move(self, delta: int) -> None:
        """Move the selection by ``delta`` rows (clamped)."""
        items = self.items()
        if items:
            self.cursor = max(0, min(self.cursor + delta, len(items) - 1))
            self._selected_key = self.key_of(items[self.cursor])

    def body(self) -> RenderableType:
        """The rows that fit around the selection, then the footer."""
        items = self.items()
        if not items:
            return self.empty_text()
        footer = self.footer()
        width = self.content_size.width
        room = max(1, self.content_size.height - (footer is not None))
        first = max(0, min(self.cursor - room + 1, len(items) - room))
        lines = []
        for index, item in enumerate(items[first : first + room], start=first):
            chosen = index == self.cursor
            line = Text(MARKER if chosen else _GAP, style="bold" if chosen else "")
            line.append_text(self.row(item))
            if chosen and self.has_focus:
                line.stylize("reverse")
            lines.append(line)
        if footer is not None:
            lines.append(footer)
        return fit_lines(lines, width)

    def on_focus(self) -> None:
        """Show the selection as focused."""
        self.refresh()

    def on_blur(self) -> None:
        """Show the selection as unfocused."""
        self.refresh()

    def watch_cursor(self) -> None:
        """Redraw the selection."""
        self.refresh()


def fit_lines(lines: Sequence[Text], width: int) -> Text:
    """``lines`` joined, each cut to ``width`` cells with an ellipsis (never wrapped)."""
    for line in lines:
        line.truncate(max(1, width), overflow="ellipsis")
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def key_hint(*pairs: tuple[str, str]) -> Text:
    """A muted line such as ``a approve · x reject · ↑↓ select``."""
    text = Text(style=colours.MUTED)
    for number, (key, action) in enumerate((*pairs, ("↑↓", "select"))):
        if number:
            text.append(" · ")
        text.append(key, style="bold").append(f" {action}")
    return text
