"""The tape of recent public trades, newest on top."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget

from moonai_tui.domain import Trade
from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_price, fmt_size, fmt_time, price_decimals
from moonai_tui.ui.throttle import RefreshThrottle

_PRICE_WIDTH = 9
_SIZE_WIDTH = 8
_WITH_TIME = 8 + 1 + _PRICE_WIDTH + _SIZE_WIDTH
"""Narrower than this, the time column is dropped (price and size matter more)."""


REDRAW_INTERVAL = 0.1
"""At most ten redraws a second (see ui/throttle.py); every trade stays on the tape."""


class TradesTape(Widget):
    """A bounded tape: buys green, sells red, newest first.

    Args:
        max_rows: ``settings.ui.trades_tape``: trades kept; older ones drop off.
        name: The name of the widget.
        id: The ID of the widget in the DOM.
        classes: The CSS classes of the widget.
    """

    BORDER_TITLE = "Trades"

    def __init__(
        self,
        max_rows: int = 40,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: deque[Trade] = deque(maxlen=max_rows)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    @property
    def rows(self) -> tuple[Trade, ...]:
        """The trades on the tape, newest first."""
        return tuple(self._rows)

    def add(self, trades: Iterable[Trade]) -> None:
        """Put ``trades`` (oldest first, as the exchange sends them) on top of the tape."""
        self._rows.extendleft(trades)
        self.redraw_throttle.request()

    def clear(self) -> None:
        """Empty the tape (after a symbol switch)."""
        self._rows.clear()
        self.refresh()

    def render(self) -> Text:
        """Draw as many rows as fit."""
        if not self._rows:
            return Text("waiting for trades…", style=colours.MUTED)
        decimals = price_decimals(self._rows[0].price)
        with_time = self.size.width >= _WITH_TIME
        lines = []
        for trade in list(self._rows)[: max(1, self.size.height)]:
            line = Text(fmt_time(trade.ts) + " " if with_time else "", style=colours.MUTED)
            style = colours.BUY if trade.side == "buy" else colours.SELL
            line.append(f"{fmt_price(trade.price, decimals):>{_PRICE_WIDTH}}", style=style)
            line.append(f"{fmt_size(trade.amount):>{_SIZE_WIDTH}}")
            lines.append(line)
        return Text("\n", no_wrap=True, overflow="crop").join(lines)
