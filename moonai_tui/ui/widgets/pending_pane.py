"""Entries waiting for a person to approve or reject them."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from moonai_tui.ui import colours
from moonai_tui.ui.widgets.info_pane import InfoPane


class PendingPane(InfoPane):
    """The approval queue; what it says depends on the approval mode."""

    BORDER_TITLE = "Pending approval"
    EMPTY = "nothing waiting for approval"

    approval: reactive[str] = reactive("manual", layout=False)
    """``manual`` or ``auto``, from the engine status."""

    def empty_text(self) -> Text:
        """Explain what the approval mode means for this pane."""
        if self.approval == "auto":
            detail = "approval is auto — entries go straight to risk checks"
        else:
            detail = "approval is manual — each entry waits here for approve or reject"
        return Text(f"{self.EMPTY}\n{detail}", style=colours.MUTED)

    def watch_approval(self) -> None:
        """Redraw for the new mode."""
        if self.is_mounted:
            self.update(self.empty_text())
