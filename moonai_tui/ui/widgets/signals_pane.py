"""Signals raised by the running strategy, and what became of them."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive

from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_time, side_word
from moonai_tui.ui.throttle import RefreshThrottle
from moonai_tui.ui.trading_view import SignalRow
from moonai_tui.ui.widgets.info_pane import InfoPane
from moonai_tui.ui.widgets.list_pane import fit_lines

REDRAW_INTERVAL = 0.2
"""At most five redraws a second (a strategy on a fast feed may signal often)."""

_SIDE_STYLE = {"LONG": colours.BUY, "SHORT": colours.SELL, "FLAT": colours.MUTED}
_STATUS_STYLE = {
    "pending": colours.WARNING,
    "approved": colours.GOOD,
    "rejected": colours.MUTED,
    "expired": colours.MUTED,
}


class SignalsPane(InfoPane):
    """Signals, newest first: time, strategy, side, confidence, status, reasons."""

    BORDER_TITLE = "Signals"
    EMPTY = "no strategy running — signals appear here when a strategy runs"

    signals: reactive[tuple[SignalRow, ...]] = reactive(tuple, layout=False, repaint=False)
    """Newest first (see :mod:`moonai_tui.ui.trading_view`)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    def watch_signals(self) -> None:
        """Redraw, at most every :data:`REDRAW_INTERVAL` seconds."""
        self.redraw_throttle.request()

    def body(self) -> RenderableType:
        """One line per signal that fits."""
        if not self.signals:
            return self.empty_text()
        rows = self.signals[: max(1, self.content_size.height)]
        return fit_lines([signal_line(row) for row in rows], self.content_size.width)


def signal_line(row: SignalRow) -> Text:
    """``14:02:31 sma_cross LONG conf 0.71 approved  fast>slow, vol ok``."""
    signal = row.signal
    side = side_word(signal.side)
    text = Text(fmt_time(signal.ts_ms), style=colours.MUTED)
    text.append(f" {signal.strategy} ")
    text.append(f"{side:<5}", style=_SIDE_STYLE[side])
    text.append(" conf ", style=colours.MUTED).append(f"{signal.confidence:.2f}")
    if row.status:
        text.append(f" {row.status}", style=_STATUS_STYLE.get(row.status, ""))
    if signal.reasons:
        text.append(f"  {signal.reasons}", style=colours.MUTED)
    return text
