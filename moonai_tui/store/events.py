"""Market-event repository: an append-only log of stream state changes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.store.models import MarketEventRow
from moonai_tui.store.records import MarketEventRecord


def add(
    session: AsyncSession, ts_ms: int, kind: str, symbol: str, stream: str, detail: str
) -> None:
    """Queue one event for insertion with the session's transaction."""
    session.add(MarketEventRow(ts_ms=ts_ms, kind=kind, symbol=symbol, stream=stream, detail=detail))


async def recent(session: AsyncSession, limit: int) -> list[MarketEventRecord]:
    """The ``limit`` most recently recorded events, oldest first."""
    query = select(MarketEventRow).order_by(MarketEventRow.id.desc()).limit(limit)
    rows = list((await session.scalars(query)).all())
    rows.reverse()
    return [
        MarketEventRecord(
            id=row.id,
            ts_ms=row.ts_ms,
            kind=row.kind,
            symbol=row.symbol,
            stream=row.stream,
            detail=row.detail,
        )
        for row in rows
    ]
