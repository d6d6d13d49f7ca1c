"""Risk rules (sizing, stops, caps, the gate, protection): pure functions and values.

Shared by the backtester and the engine's risk gate, so nothing here imports the
engine, an exchange client, a database or the network.
"""

from __future__ import annotations

from moonai_tui.risk.account import AccountSnapshot, OrderIntent, PositionExposure
from moonai_tui.risk.decisions import Approved, Denied, DenyCode, SizeCap
from moonai_tui.risk.gate import check_order
from moonai_tui.risk.limits import MAX_RISK_PER_TRADE, RiskLimits
from moonai_tui.risk.protection import ProtectiveOrder, unprotected_positions
from moonai_tui.risk.sizing import PositionSize, size_position
from moonai_tui.risk.stops import (
    ProtectivePrices,
    protective_prices,
    stop_distance,
    stop_loss_price,
    take_profit_price,
)

__all__ = [
    "MAX_RISK_PER_TRADE",
    "AccountSnapshot",
    "Approved",
    "Denied",
    "DenyCode",
    "OrderIntent",
    "PositionExposure",
    "PositionSize",
    "ProtectiveOrder",
    "ProtectivePrices",
    "RiskLimits",
    "SizeCap",
    "check_order",
    "protective_prices",
    "size_position",
    "stop_distance",
    "stop_loss_price",
    "take_profit_price",
    "unprotected_positions",
]
