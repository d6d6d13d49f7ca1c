"""Instrument repository: exchange trading rules, Decimal-exact."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import Instrument
from moonai_tui.errors import StoreError
from moonai_tui.store.models import Base, InstrumentRow
from moonai_tui.store.upsert import upsert_rows

_INSTRUMENTS: Table = Base.metadata.tables[InstrumentRow.__tablename__]
_FIELDS = (
    "market_id",
    "kind",
    "base",
    "quote",
    "settle",
    "tick_size",
    "lot_size",
    "min_qty",
    "min_notional",
)


async def upsert(session: AsyncSession, instruments: Sequence[Instrument]) -> int:
    """Insert or refresh instruments by symbol; returns how many rows changed."""
    now = datetime.now(UTC)
    rows = [
        {
            "symbol": item.symbol,
            **{name: getattr(item, name) for name in _FIELDS},
            "updated_at": now,
        }
        for item in instruments
    ]
    return await upsert_rows(
        session, _INSTRUMENTS, rows, key=("symbol",), compare=_FIELDS, also_set=("updated_at",)
    )


async def load_all(session: AsyncSession) -> list[Instrument]:
    """Every stored instrument, by symbol."""
    rows = (await session.scalars(select(InstrumentRow).order_by(InstrumentRow.symbol))).all()
    return [_to_domain(row) for row in rows]


def _to_domain(row: InstrumentRow) -> Instrument:
    if row.kind not in ("spot", "swap"):
        raise StoreError(f"instrument {row.symbol}: unknown kind '{row.kind}' in the database")
    return Instrument(
        symbol=row.symbol,
        market_id=row.market_id,
        kind="spot" if row.kind == "spot" else "swap",
        base=row.base,
        quote=row.quote,
        settle=row.settle,
        tick_size=row.tick_size,
        lot_size=row.lot_size,
        min_qty=row.min_qty,
        min_notional=row.min_notional,
    )
