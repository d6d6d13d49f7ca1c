"""Signals raised by the running strategy, and what became of them.

Each signal shows its time, market, side, confidence and approval outcome, then why:
the strategy and its reasons. Reasons that do not fit beside the rest go on an indented
second line, so the why is never the part cut off.
"""

from __future__ import annotations

import re

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive

from moonai_tui.engine.trading_events import SignalRaised
from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_time, short_symbol, side_word
from moonai_tui.ui.throttle import RefreshThrottle
from moonai_tui.ui.trading_view import SignalRow
from moonai_tui.ui.widgets.info_pane import InfoPane
from moonai_tui.ui.widgets.list_pane import fit_lines

REDRAW_INTERVAL = 0.2
"""At most five redraws a second (a strategy on a fast feed may signal often)."""
INDENT = "  "
"""Before a signal's reasons on a line of their own."""

_SIDE_STYLE = {"LONG": colours.BUY, "SHORT": colours.SELL, "FLAT": colours.MUTED}
_STATUS_STYLE = {
    "pending": colours.WARNING,
    "approved": colours.GOOD,
    "rejected": colours.MUTED,
    "expired": colours.MUTED,
}

_ACTION = re.compile(
    r"(?P<action>long|short|exit|reverse to long|reverse to short)(?:: (?P<rest>.*))?", re.DOTALL
)
"""The strategy runner's prefix: what the signal does."""
_MODEL = re.compile(
    r"(?P<model>.+?) (?:down|flat|up) \[down [\d.]+ flat [\d.]+ up [\d.]+\]: (?P<why>.+)",
    re.DOTALL,
)
"""The ``ml`` strategy's explanation: model, predicted class and probabilities, then its
top contributing features (see :func:`moonai_tui.ml.signals.explain`)."""
_VERSION = re.compile(r" (v\d+)$")


class SignalsPane(InfoPane):
    """Signals, newest first: see the module docstring."""

    BORDER_TITLE = "Signals"
    EMPTY = "no signals yet — a running strategy's signals appear here with their reasons"

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
        """The newest signals that fit, one or two lines each."""
        if not self.signals:
            return self.empty_text()
        width, height = self.content_size.width, max(1, self.content_size.height)
        lines: list[Text] = []
        for row in self.signals:
            if len(lines) >= height:
                break
            lines.extend(signal_lines(row, width))
        return fit_lines(lines[:height], width)


def signal_lines(row: SignalRow, width: int) -> list[Text]:
    """``14:02:31 BTCUSDT LONG  conf 0.71 approved  sma_cross: fast>slow``, with the part
    after the outcome on a second line when the whole does not fit in ``width`` cells."""
    head = signal_head(row)
    why = signal_why(row.signal)
    whole = Text.assemble(head, "  ", why)
    if whole.cell_len <= width:
        return [whole]
    return [head, Text.assemble(INDENT, why)]


def signal_head(row: SignalRow) -> Text:
    """Time, market, side, confidence and, once linked to an approval, its outcome."""
    signal = row.signal
    side = side_word(signal.side)
    text = Text(fmt_time(signal.ts_ms), style=colours.MUTED)
    text.append(f" {short_symbol(signal.symbol)} ")
    text.append(f"{side:<5}", style=_SIDE_STYLE[side])
    text.append(" conf ", style=colours.MUTED).append(f"{signal.confidence:.2f}")
    if row.status:
        text.append(f" {row.status}", style=_STATUS_STYLE.get(row.status, ""))
    return text


def signal_why(signal: SignalRaised) -> Text:
    """The strategy and its reasons: ``ml v3: rsi_14=63.2 (+0.118), ...``."""
    label, reasons = short_reasons(signal)
    text = Text(label)
    if reasons:
        text.append(": ").append(reasons, style=colours.MUTED)
    return text


def short_reasons(signal: SignalRaised) -> tuple[str, str]:
    """The strategy's label and its reasons without what the line already shows.

    The runner's ``long:``/``short:`` prefix repeats the side (``exit`` and ``reverse to``
    do not, and stay). From the ``ml`` strategy's explanation the model's market repeats
    the line's and its class probabilities the confidence: what is left is the version,
    which joins the label (``ml v3``), and the top contributing features. Reasons in any
    other form are shown as they are.
    """
    label, reasons = signal.strategy, signal.reasons.strip()
    action = ""
    if matched := _ACTION.fullmatch(reasons):
        action, reasons = matched.group("action"), matched.group("rest") or ""
        if action == side_word(signal.side).lower():
            action = ""
    if model := _MODEL.fullmatch(reasons):
        reasons = model.group("why")
        if version := _VERSION.search(model.group("model")):
            label = f"{label} {version.group(1)}"
    if action:
        reasons = f"{action}: {reasons}" if reasons else action
    return label, reasons
