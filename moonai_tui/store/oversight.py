"""Risk events, the audit log and the kill-switch latch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import KillSwitchState
from moonai_tui.store.records import AuditRecord, RiskEventRecord
from moonai_tui.store.trading_models import AuditRow, KillSwitchRow, RiskEventRow

_LATCH_ID = 1


def add_risk_event(session: AsyncSession, ts_ms: int, code: str, symbol: str, reason: str) -> None:
    session.add(RiskEventRow(ts_ms=ts_ms, code=code, symbol=symbol, reason=reason))


async def risk_events(session: AsyncSession, limit: int) -> list[RiskEventRecord]:
    """The ``limit`` most recent risk events, oldest first."""
    query = select(RiskEventRow).order_by(RiskEventRow.id.desc()).limit(limit)
    rows = list((await session.scalars(query)).all())
    return [
        RiskEventRecord(row.id, row.ts_ms, row.code, row.symbol, row.reason)
        for row in reversed(rows)
    ]


def add_audit(
    session: AsyncSession, ts_ms: int, actor: str, action: str, target: str, detail: str
) -> None:
    session.add(AuditRow(ts_ms=ts_ms, actor=actor, action=action, target=target, detail=detail))


async def audit(session: AsyncSession, limit: int) -> list[AuditRecord]:
    """The ``limit`` most recent audit entries, oldest first."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    rows = list((await session.scalars(query)).all())
    return [
        AuditRecord(row.id, row.ts_ms, row.actor, row.action, row.target, row.detail)
        for row in reversed(rows)
    ]


async def kill_switch(session: AsyncSession) -> KillSwitchState:
    """The latch as stored; never set means released."""
    row = await session.get(KillSwitchRow, _LATCH_ID)
    if row is None:
        return KillSwitchState(latched=False, reason="", changed_ms=None, changed_by="")
    return KillSwitchState(row.latched, row.reason, row.changed_ms, row.changed_by)


async def set_kill_switch(
    session: AsyncSession, latched: bool, reason: str, actor: str, now_ms: int
) -> KillSwitchState:
    """Latch or release the kill switch and audit who did it."""
    row = await session.get(KillSwitchRow, _LATCH_ID)
    if row is None:
        row = KillSwitchRow(id=_LATCH_ID)
        session.add(row)
    row.latched = latched
    row.reason = reason
    row.changed_ms = now_ms
    row.changed_by = actor
    add_audit(session, now_ms, actor, "kill" if latched else "reset-kill", "kill_switch", reason)
    await session.flush()
    return KillSwitchState(latched, reason, now_ms, actor)
