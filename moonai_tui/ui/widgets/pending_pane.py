"""Entries waiting for a person to approve or reject them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive

from moonai_tui.engine.approvals import PendingApproval
from moonai_tui.ui import colours
from moonai_tui.ui.format import base_currency, fmt_countdown, fmt_decimal, side_word
from moonai_tui.ui.widgets.list_pane import ListPane, key_hint

URGENT_MS = 10_000
"""Under this much time left, the countdown turns yellow."""


class PendingPane(ListPane[PendingApproval]):
    """The approval queue, oldest first, each entry with the time it has left.

    ``a`` approves and ``x`` rejects the selected entry (the app's keys).
    """

    BORDER_TITLE = "Pending approval"
    EMPTY = "nothing waiting for approval"

    approval: reactive[str] = reactive("manual", layout=False)
    """``manual`` or ``auto``, from the engine status."""
    pending: reactive[tuple[PendingApproval, ...]] = reactive(tuple, layout=False)
    """The entries waiting, oldest first."""
    now_ms: reactive[int] = reactive(0, layout=False)
    """The UI clock, for the countdowns; the owner ticks it."""

    def items(self) -> Sequence[PendingApproval]:
        """The waiting entries."""
        return self.pending

    def key_of(self, item: PendingApproval) -> str:
        """The entry's id."""
        return str(item.id)

    def row(self, item: PendingApproval) -> Text:
        """``#12 LONG 0.014 BTC @ mkt  SL 70,053  TP 74,341  conf 0.71  0:42``."""
        return pending_line(item, self.now_ms)

    def footer(self) -> Text:
        """The keys that act on the selection."""
        return key_hint(("a", "approve"), ("x", "reject"))

    def watch_pending(self) -> None:
        """Keep the selection on its entry."""
        self.items_changed()

    def empty_text(self) -> Text:
        """Explain what the approval mode means for this pane."""
        if self.approval == "auto":
            detail = "approval is auto — entries go straight to risk checks"
        else:
            detail = "approval is manual — each entry waits here for approve or reject"
        return Text(f"{self.EMPTY}\n{detail}", style=colours.MUTED)


def pending_line(item: PendingApproval, now_ms: int) -> Text:
    """One entry: what would be sent, its stop and target, confidence and time left."""
    request = item.request
    side = side_word(request.side)
    text = Text(f"#{item.id} ", style="bold")
    text.append(side, style=colours.BUY if side == "LONG" else colours.SELL)
    text.append(f" {fmt_decimal(request.qty, 8)} {base_currency(request.symbol)} @ ")
    text.append("mkt" if request.price is None else fmt_decimal(request.price))
    for label, value in (("SL", request.stop_loss), ("TP", request.take_profit)):
        if value is not None:
            text.append(f"  {label} ", style=colours.MUTED).append(fmt_decimal(value))
    text.append("  conf ", style=colours.MUTED).append(f"{item.confidence:.2f}")
    left = item.expires_ms - now_ms
    text.append(f"  {fmt_countdown(left)}", style=colours.WARNING if left < URGENT_MS else "")
    return text
