"""Open positions with mark price, unrealised PnL and attached stops."""

from __future__ import annotations

from moonai_tui.ui.widgets.info_pane import InfoPane


class PositionsPane(InfoPane):
    """Positions, once the trading layer reports them."""

    BORDER_TITLE = "Positions"
    EMPTY = "flat — open positions appear here with mark price, uPnL, SL and TP"
