"""Open positions with mark price, unrealised PnL and attached stops."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive

from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_decimal, fmt_money
from moonai_tui.ui.throttle import RefreshThrottle
from moonai_tui.ui.trading_view import PositionRow
from moonai_tui.ui.widgets.list_pane import ListPane, key_hint

REDRAW_INTERVAL = 0.2
"""Mark prices move with every tick; five redraws a second are plenty to read."""


class PositionsPane(ListPane[PositionRow]):
    """One row per open position; ``f`` flattens the selected one (the app's key)."""

    BORDER_TITLE = "Positions"
    EMPTY = "flat — open positions appear here with mark price, uPnL, SL and TP"

    positions: reactive[tuple[PositionRow, ...]] = reactive(tuple, layout=False, repaint=False)
    """Open positions in the order they were opened."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    def items(self) -> Sequence[PositionRow]:
        """The open positions."""
        return self.positions

    def key_of(self, item: PositionRow) -> str:
        """The symbol."""
        return item.key

    def row(self, item: PositionRow) -> Text:
        """``BTC/USDT:USDT LONG 0.014 @ 71,203  mark 71,482.4  uPnL +3.91  SL ✓ TP ✓``."""
        return position_line(item)

    def footer(self) -> Text:
        """The key that acts on the selection."""
        return key_hint(("f", "flatten"))

    def watch_positions(self) -> None:
        """Keep the selection on its symbol and redraw (throttled)."""
        self.items_changed()
        self.redraw_throttle.request()


def position_line(item: PositionRow) -> Text:
    """One position: symbol, side, size, entry, mark, uPnL (green/red), SL and TP."""
    position = item.position
    long = position.qty > 0
    text = Text(f"{position.symbol} ", style="bold")
    text.append("LONG" if long else "SHORT", style=colours.BUY if long else colours.SELL)
    text.append(f" {fmt_decimal(abs(position.qty), 8)} @ {fmt_decimal(position.avg_price)}")
    text.append("  mark ", style=colours.MUTED).append(fmt_decimal(item.mark))
    pnl = item.unrealised_pnl
    text.append("  uPnL ", style=colours.MUTED)
    text.append(fmt_money(pnl, signed=True), style=colours.BUY if pnl >= 0 else colours.SELL)
    # A position without an exchange-side stop is danger; without a target it is a choice.
    for label, value, missing in (
        ("SL", position.stop_loss, colours.DANGER),
        ("TP", position.take_profit, colours.WARNING),
    ):
        text.append(f"  {label} ", style=colours.MUTED)
        if value is None:
            text.append("✗", style=missing)
        else:
            text.append("✓", style=colours.GOOD)
    return text
