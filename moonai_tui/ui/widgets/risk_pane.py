"""Exposure, leverage, daily PnL, drawdown and the kill switch."""

from __future__ import annotations

from moonai_tui.ui.widgets.info_pane import InfoPane


class RiskPane(InfoPane):
    """Risk limits and their use, once the risk manager reports them."""

    BORDER_TITLE = "Risk"
    EMPTY = (
        "risk limits appear here when trading starts: "
        "exposure, leverage, daily PnL, drawdown, kill switch"
    )
