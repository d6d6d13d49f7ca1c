"""Trading events: signals, approvals, orders, fills, positions, risk and the kill switch.

Immutable facts, named in the past tense, published on the same bus as market
data. The UI and the headless log read them; nothing reads engine internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import Fill, KillSwitchState, OrderRecord, Position, Side
from moonai_tui.engine.approvals import ApprovalDecided, PendingApproval
from moonai_tui.engine.events import Event


@dataclass(frozen=True, slots=True)
class SignalRaised(Event):
    """A strategy wants to enter (or says flat); ``reasons`` is a short readable list."""

    strategy: str
    symbol: str
    side: Side | None
    confidence: float
    reasons: str
    ts_ms: int


@dataclass(frozen=True, slots=True)
class ApprovalRequested(Event):
    """An entry waits for a person (manual approval)."""

    item: PendingApproval


@dataclass(frozen=True, slots=True)
class ApprovalResolved(Event):
    """A pending entry was approved, rejected or expired."""

    decided: ApprovalDecided


@dataclass(frozen=True, slots=True)
class OrderDenied(Event):
    """The risk gate refused an order; ``code`` is machine-readable, ``reason`` one line."""

    symbol: str
    code: str
    reason: str
    ts_ms: int


@dataclass(frozen=True, slots=True)
class OrderUpdated(Event):
    """A journaled order changed state."""

    order: OrderRecord


@dataclass(frozen=True, slots=True)
class FillRecorded(Event):
    """One of our orders executed (stored once)."""

    fill: Fill


@dataclass(frozen=True, slots=True)
class PositionChanged(Event):
    """A position after a fill or a mark-price update."""

    position: Position
    mark: Decimal | None
    unrealised_pnl: Decimal

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        return ("position", self.position.symbol)


@dataclass(frozen=True, slots=True)
class RiskStatus:
    """What the Risk pane shows."""

    equity: Decimal
    exposure_pct: Decimal
    max_exposure_pct: Decimal
    leverage: Decimal
    max_leverage: Decimal
    daily_pnl: Decimal
    drawdown_pct: Decimal
    max_drawdown_pct: Decimal
    halted_reason: str
    """Why new entries are blocked ('' when they are not)."""
    peak_equity: Decimal | None = None
    """The highest equity seen (the drawdown's reference), restored across restarts."""
    equity_curve: tuple[Decimal, ...] = ()
    """Recent equity samples, oldest first (at most one a minute between fills)."""


@dataclass(frozen=True, slots=True)
class RiskStatusChanged(Event):
    status: RiskStatus

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        return ("risk",)


@dataclass(frozen=True, slots=True)
class KillSwitchChanged(Event):
    """The kill switch was latched or reset."""

    state: KillSwitchState
