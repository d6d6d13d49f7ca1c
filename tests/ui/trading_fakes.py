"""Builders for trading events, with the values a trader would see in the sketch."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from moonai_tui.domain import Fill, KillSwitchState, OrderRecord, OrderRequest, Position, Side
from moonai_tui.engine.approvals import ApprovalDecided, PendingApproval
from moonai_tui.engine.trading_events import (
    ApprovalRequested,
    ApprovalResolved,
    PositionChanged,
    RiskStatus,
    RiskStatusChanged,
    SignalRaised,
)

from .fakes import SYMBOL, T0_MS

D = Decimal


def make_request(
    client_order_id: str = "moon-1",
    side: Side = "buy",
    qty: str = "0.014",
    **changes: object,
) -> OrderRequest:
    """A market entry with SL 70,053 and TP 74,341 from ``sma_cross``."""
    request = OrderRequest(
        client_order_id=client_order_id,
        symbol=SYMBOL,
        side=side,
        type="market",
        qty=D(qty),
        stop_loss=D("70053"),
        take_profit=D("74341"),
        strategy="sma_cross",
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def make_pending(
    item_id: int = 12, *, expires_in_ms: int = 42_000, **request_changes: object
) -> PendingApproval:
    """Entry ``item_id`` created now (T0), expiring ``expires_in_ms`` later."""
    request = make_request(f"moon-{item_id}", **request_changes)  # type: ignore[arg-type]
    return PendingApproval(item_id, request, 0.71, "fast>slow", T0_MS, T0_MS + expires_in_ms)


def approval_requested(item_id: int = 12, **changes: object) -> ApprovalRequested:
    return ApprovalRequested(make_pending(item_id, **changes))  # type: ignore[arg-type]


def approval_resolved(item: PendingApproval, decision: str) -> ApprovalResolved:
    return ApprovalResolved(ApprovalDecided(item, decision, "tui", T0_MS))  # type: ignore[arg-type]


def signal(
    side: Side | None = "buy", *, ts_ms: int = T0_MS, reasons: str = "fast>slow"
) -> SignalRaised:
    return SignalRaised("sma_cross", SYMBOL, side, 0.71, reasons, ts_ms)


def make_order(
    client_order_id: str,
    *,
    status: str = "open",
    created_ms: int = T0_MS,
    filled: str = "0",
    avg_price: str | None = None,
    **request_changes: object,
) -> OrderRecord:
    request = make_request(client_order_id, **request_changes)  # type: ignore[arg-type]
    return OrderRecord(
        request=request,
        mode="paper",
        status=status,  # type: ignore[arg-type]
        exchange_order_id=None,
        filled_qty=D(filled),
        avg_price=None if avg_price is None else D(avg_price),
        fee=D("0"),
        reason="",
        attempts=1,
        created_ms=created_ms,
        updated_ms=created_ms,
    )


def position_changed(
    qty: str, entry: str, mark: str, *, symbol: str = SYMBOL, stop: str | None = "70053"
) -> PositionChanged:
    """A position with uPnL computed as (mark - entry) x qty, as an exchange would."""
    position = Position(
        symbol=symbol,
        qty=D(qty),
        avg_price=D(entry),
        realised_pnl=D("0"),
        fees=D("0"),
        updated_ms=T0_MS,
        stop_loss=None if stop is None else D(stop),
        take_profit=D("74341"),
    )
    return PositionChanged(position, D(mark), (D(mark) - D(entry)) * D(qty))


def risk_changed(**changes: object) -> RiskStatusChanged:
    """A healthy status: equity 10,412.55, exposure 9.6% of 10%, drawdown 1.2% of 20%."""
    status = RiskStatus(
        equity=D("10412.55"),
        exposure_pct=D("9.6"),
        max_exposure_pct=D("10"),
        leverage=D("1.0"),
        max_leverage=D("3"),
        daily_pnl=D("41.20"),
        drawdown_pct=D("1.2"),
        max_drawdown_pct=D("20"),
        halted_reason="",
    )
    return RiskStatusChanged(replace(status, **changes))  # type: ignore[arg-type]


def kill_state(latched: bool, reason: str = "operator pressed k") -> KillSwitchState:
    return KillSwitchState(latched, reason, T0_MS, "tui")


def make_fill(trade_id: str = "e-1") -> Fill:
    """0.014 BTC bought at 71,203.0 for order moon-1."""
    return Fill(
        trade_id,
        "moon-1",
        None,
        SYMBOL,
        "buy",
        D("0.014"),
        D("71203.0"),
        D("0.5"),
        "USDT",
        False,
        T0_MS,
    )
