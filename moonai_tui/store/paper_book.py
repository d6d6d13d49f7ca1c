"""The paper venue's protections (attached SL/TP), persisted so a restart keeps them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.store.trading_models import PaperProtectionRow

PositionSide = Literal["long", "short"]


@dataclass(frozen=True, slots=True)
class ProtectionRecord:
    """A protective exit of ``qty`` of a ``side`` position at a stop-loss and/or take-profit."""

    client_order_id: str
    """The entry order it came from; its exit fills are named after it."""
    symbol: str
    side: PositionSide
    qty: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None


async def replace_all(session: AsyncSession, protections: Iterable[ProtectionRecord]) -> None:
    """Store exactly ``protections`` (the venue's whole set; few rows, so no diffing)."""
    await session.execute(delete(PaperProtectionRow))
    session.add_all(
        PaperProtectionRow(
            client_order_id=p.client_order_id,
            symbol=p.symbol,
            side=p.side,
            qty=p.qty,
            stop_loss=p.stop_loss,
            take_profit=p.take_profit,
        )
        for p in protections
    )
    await session.flush()


async def load_all(session: AsyncSession) -> list[ProtectionRecord]:
    """The stored protections, by entry order id."""
    query = select(PaperProtectionRow).order_by(PaperProtectionRow.client_order_id)
    return [
        ProtectionRecord(
            row.client_order_id,
            row.symbol,
            cast(PositionSide, row.side),
            row.qty,
            row.stop_loss,
            row.take_profit,
        )
        for row in (await session.scalars(query)).all()
    ]
