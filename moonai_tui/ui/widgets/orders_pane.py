"""Open and recent orders."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive

from moonai_tui.domain import OrderRecord
from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_decimal, fmt_time
from moonai_tui.ui.throttle import RefreshThrottle
from moonai_tui.ui.widgets.list_pane import ListPane, key_hint

REDRAW_INTERVAL = 0.2
"""Partial fills can update an order many times a second."""

_TYPE = {"market": "MKT", "limit": "LMT", "stop": "STOP"}
_STATUS_STYLE = {
    "open": "bold",
    "partially_filled": "bold",
    "filled": colours.GOOD,
    "cancelled": colours.MUTED,
    "rejected": colours.WARNING,
    "unknown": colours.WARNING,
}


class OrdersPane(ListPane[OrderRecord]):
    """Open and recent orders, newest first; ``c`` cancels the selected open one."""

    BORDER_TITLE = "Orders"
    EMPTY = "no orders — open and recently filled orders appear here"

    orders: reactive[tuple[OrderRecord, ...]] = reactive(tuple, layout=False, repaint=False)
    """Newest first (see :func:`moonai_tui.ui.trading_view.update_order`)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    def items(self) -> Sequence[OrderRecord]:
        """The orders shown."""
        return self.orders

    def key_of(self, item: OrderRecord) -> str:
        """The client order id."""
        return item.request.client_order_id

    def row(self, item: OrderRecord) -> Text:
        """``14:02:31 #ord-11 SELL 0.014 STOP 70,053 open``."""
        return order_line(item)

    def footer(self) -> Text:
        """The key that acts on the selection."""
        return key_hint(("c", "cancel"))

    def watch_orders(self) -> None:
        """Keep the selection on its order and redraw (throttled)."""
        self.items_changed()
        self.redraw_throttle.request()


def order_line(order: OrderRecord) -> Text:
    """One order: time, id, side, size, type, price, status (and fill or reason)."""
    request = order.request
    text = Text(fmt_time(order.created_ms), style=colours.MUTED)
    text.append(f" #{request.client_order_id} ", style="bold")
    buy = request.side == "buy"
    text.append("BUY" if buy else "SELL", style=colours.BUY if buy else colours.SELL)
    text.append(f" {fmt_decimal(request.qty, 8)} {_TYPE.get(request.type, request.type)}")
    price = request.trigger_price if request.type == "stop" else request.price
    if price is not None:
        text.append(f" {fmt_decimal(price)}")
    if request.reduce_only:
        text.append(" reduce", style=colours.MUTED)
    status = order.status.replace("_", " ")
    text.append(f" {status}", style=_STATUS_STYLE.get(order.status, ""))
    if order.status == "partially_filled":
        text.append(f" {fmt_decimal(order.filled_qty, 8)}/{fmt_decimal(request.qty, 8)}")
    if order.avg_price is not None and order.filled_qty > 0:
        text.append(f" @ {fmt_decimal(order.avg_price)}")
    if order.reason and order.status in ("rejected", "unknown", "cancelled"):
        text.append(f"  {order.reason}", style=colours.MUTED)
    return text
