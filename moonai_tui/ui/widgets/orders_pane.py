"""Open and recent orders."""

from __future__ import annotations

from moonai_tui.ui.widgets.info_pane import InfoPane


class OrdersPane(InfoPane):
    """Orders, once the trading layer reports them."""

    BORDER_TITLE = "Orders"
    EMPTY = "no orders — open and recently filled orders appear here"
