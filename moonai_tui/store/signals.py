"""The signals table: every signal a strategy raised live and what became of it.

Outcomes: ``auto`` (sent without approval), ``pending`` (waiting for a person),
then ``approved`` / ``rejected`` / ``expired``; ``denied`` (refused by the risk
gate, whose reason is in ``risk_events`` at the same time); ``exit`` (a flat
signal, or an entry against the open position, which closes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import Side, TradingMode
from moonai_tui.store.trading_models import SignalRow

Outcome = Literal["auto", "pending", "approved", "rejected", "expired", "denied", "exit"]


@dataclass(frozen=True, slots=True)
class SignalRecord:
    """A raised signal as stored (``id`` 0 before it is)."""

    ts_ms: int
    mode: TradingMode
    strategy: str
    symbol: str
    side: Side | None
    confidence: float
    reasons: str
    stop_loss_pct: float | None
    take_profit_pct: float | None
    outcome: Outcome
    client_order_id: str | None = None
    """The entry order it sent or would send (pending); None when it sent none."""
    decided_ms: int | None = None
    """When a person (or the expiry) decided a pending signal."""
    detail: str = ""
    id: int = 0


def add(session: AsyncSession, record: SignalRecord) -> None:
    session.add(
        SignalRow(
            ts_ms=record.ts_ms,
            mode=record.mode,
            strategy=record.strategy,
            symbol=record.symbol,
            side=record.side,
            confidence=record.confidence,
            reasons=record.reasons,
            stop_loss_pct=record.stop_loss_pct,
            take_profit_pct=record.take_profit_pct,
            outcome=record.outcome,
            client_order_id=record.client_order_id,
            decided_ms=record.decided_ms,
            detail=record.detail,
        )
    )


async def decide(
    session: AsyncSession,
    client_order_id: str,
    outcome: Outcome,
    at_ms: int,
    detail: str,
    sent_order_id: str | None,
) -> bool:
    """Set the outcome of the pending signal of ``client_order_id``; False if none.

    ``sent_order_id``: the order an approval actually sent (the gate checks again
    and sends a new one), which replaces the pending id.
    """
    result = await session.execute(
        update(SignalRow)
        .where(SignalRow.client_order_id == client_order_id, SignalRow.outcome == "pending")
        .values(
            outcome=outcome,
            decided_ms=at_ms,
            detail=detail,
            client_order_id=sent_order_id or client_order_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def recent(session: AsyncSession, mode: TradingMode, limit: int) -> list[SignalRecord]:
    """The ``limit`` most recent signals of ``mode``, oldest first."""
    query = (
        select(SignalRow).where(SignalRow.mode == mode).order_by(SignalRow.id.desc()).limit(limit)
    )
    rows = list((await session.scalars(query)).all())
    return [_record(row) for row in reversed(rows)]


def _record(row: SignalRow) -> SignalRecord:
    return SignalRecord(
        ts_ms=row.ts_ms,
        mode=cast(TradingMode, row.mode),
        strategy=row.strategy,
        symbol=row.symbol,
        side=cast(Side | None, row.side),
        confidence=row.confidence,
        reasons=row.reasons,
        stop_loss_pct=row.stop_loss_pct,
        take_profit_pct=row.take_profit_pct,
        outcome=cast(Outcome, row.outcome),
        client_order_id=row.client_order_id,
        decided_ms=row.decided_ms,
        detail=row.detail,
        id=row.id,
    )
