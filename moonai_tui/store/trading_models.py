"""ORM models of the trading tables (migrations 0002, 0004, 0006); kept in step by a test."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from moonai_tui.store.models import Base, ExactDecimal

_ID = BigInteger().with_variant(Integer(), "sqlite")


class OrderRow(Base):
    """The order journal: written BEFORE the request leaves, updated from exchange events."""

    __tablename__ = "orders"
    __table_args__ = (Index(None, "mode", "status"),)

    client_order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8))
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(8))
    qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    trigger_price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    stop_loss: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    take_profit: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    reduce_only: Mapped[bool] = mapped_column(Boolean)
    post_only: Mapped[bool] = mapped_column(Boolean)
    strategy: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    exchange_order_id: Mapped[str | None] = mapped_column(String(64))
    filled_qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    avg_price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    fee: Mapped[Decimal] = mapped_column(ExactDecimal())
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class OrderEventRow(Base):
    """Every state transition of a journaled order, in order."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    client_order_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("orders.client_order_id"), index=True
    )
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)


class FillRow(Base):
    """One execution, stored once: the exchange's trade id is the key."""

    __tablename__ = "fills"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    trade_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_order_id: Mapped[str | None] = mapped_column(String(64))
    exchange_order_id: Mapped[str | None] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    price: Mapped[Decimal] = mapped_column(ExactDecimal())
    fee: Mapped[Decimal] = mapped_column(ExactDecimal())
    fee_currency: Mapped[str] = mapped_column(String(16))
    is_maker: Mapped[bool] = mapped_column(Boolean)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class PositionRow(Base):
    """The net position per mode and symbol, rebuilt from fills and reconciled on start."""

    __tablename__ = "positions"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    avg_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    realised_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    fees: Mapped[Decimal] = mapped_column(ExactDecimal())
    stop_loss: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    take_profit: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class RiskEventRow(Base):
    """A refusal or breach by the risk gate, with its reason."""

    __tablename__ = "risk_events"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(40))
    symbol: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class SignalRow(Base):
    """A signal a strategy raised live; ``outcome`` is updated when a person decides."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    mode: Mapped[str] = mapped_column(String(8))
    strategy: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str | None] = mapped_column(String(4))
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)
    stop_loss_pct: Mapped[float | None] = mapped_column(Float)
    take_profit_pct: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    client_order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    decided_ms: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """Who did what and when: approvals, rejections, kill, reset, start, stop."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)


class KillSwitchRow(Base):
    """The single-row kill-switch latch; survives restarts until an operator resets it."""

    __tablename__ = "kill_switch"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    latched: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    changed_ms: Mapped[int | None] = mapped_column(BigInteger)
    changed_by: Mapped[str] = mapped_column(String(64))


class PaperProtectionRow(Base):
    """An attached stop-loss / take-profit of an open paper position (migration 0004).

    The paper venue lives in the engine's memory; these rows let a restart find
    the protections it had, as an exchange would still have them.
    """

    __tablename__ = "paper_protections"

    client_order_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    """The entry order it protects (or a restored one's made-up id)."""
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(5))
    """The protected position's side: ``long`` or ``short``."""
    qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    stop_loss: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    take_profit: Mapped[Decimal | None] = mapped_column(ExactDecimal())


class EquitySampleRow(Base):
    """Account equity and its peak at one moment (migration 0004): the equity curve."""

    __tablename__ = "equity_samples"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    equity: Mapped[Decimal] = mapped_column(ExactDecimal())
    peak: Mapped[Decimal] = mapped_column(ExactDecimal())
