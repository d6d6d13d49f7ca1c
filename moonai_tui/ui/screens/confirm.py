"""A yes/no question before anything that cannot be undone; No is the default."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from moonai_tui.ui.widgets.footer import Footer


class ConfirmScreen(ModalScreen[bool]):
    """Asks ``question``; ``y`` dismisses with True, anything offered else with False.

    Args:
        title: The box title, e.g. ``KILL SWITCH``.
        question: One sentence ending in ``[y/N]``.
        danger: Draw the box in the colour of danger.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes"),
        Binding("n", "answer(False)", "no"),
        Binding("escape", "answer(False)", "no", show=False),
        Binding("enter", "answer(False)", "no", show=False),
    ]

    def __init__(self, title: str, question: str, *, danger: bool = False) -> None:
        super().__init__(classes="-danger" if danger else None)
        self._title = title
        self._question = question

    def compose(self) -> ComposeResult:
        """The question in a titled box, and the key line."""
        with Vertical(id="confirm-box") as box:
            box.border_title = self._title
            box.border_subtitle = "y yes · n/esc no"
            yield Static(self._question, id="confirm-question", markup=False)
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
