"""A modal list of symbols; Enter picks one, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from moonai_tui.ui.widgets.footer import Footer


class SymbolPicker(ModalScreen[str | None]):
    """Choose the symbol to show; dismisses with the symbol or None.

    Args:
        symbols: The symbols the engine can stream (``EngineStatus.symbols``).
        current: The symbol shown now; it starts highlighted.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", key_display="esc")
    ]

    def __init__(self, symbols: Sequence[str], current: str) -> None:
        super().__init__()
        self._symbols = tuple(symbols)
        self._current = current

    def compose(self) -> ComposeResult:
        """The list, with the current symbol marked and highlighted."""
        options = [
            Option(f"{symbol}  (shown)" if symbol == self._current else symbol, id=symbol)
            for symbol in self._symbols
        ]
        with Vertical(id="picker-box") as box:
            box.border_title = "Symbol"
            box.border_subtitle = "↑↓ enter · esc cancels"
            yield OptionList(*options, id="picker-list")
        yield Footer()

    def on_mount(self) -> None:
        """Start on the current symbol."""
        picker = self.query_one(OptionList)
        if self._current in self._symbols:
            picker.highlighted = self._symbols.index(self._current)
        picker.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without switching."""
        self.dismiss(None)
