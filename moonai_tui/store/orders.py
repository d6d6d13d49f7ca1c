"""Order-journal, fill and position repositories: rows in, domain dataclasses out."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import (
    FINAL_ORDER_STATUSES,
    Fill,
    OrderRecord,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TradingMode,
)
from moonai_tui.errors import DuplicateOrderError
from moonai_tui.store.trading_models import FillRow, OrderEventRow, OrderRow, PositionRow


def _to_record(row: OrderRow) -> OrderRecord:
    request = OrderRequest(
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=cast(Side, row.side),
        type=cast(OrderType, row.type),
        qty=row.qty,
        price=row.price,
        trigger_price=row.trigger_price,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        reduce_only=row.reduce_only,
        post_only=row.post_only,
        strategy=row.strategy,
    )
    return OrderRecord(
        request=request,
        mode=cast(TradingMode, row.mode),
        status=cast(OrderStatus, row.status),
        exchange_order_id=row.exchange_order_id,
        filled_qty=row.filled_qty,
        avg_price=row.avg_price,
        fee=row.fee,
        reason=row.reason,
        attempts=row.attempts,
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
    )


async def journal(
    session: AsyncSession,
    request: OrderRequest,
    mode: TradingMode,
    now_ms: int,
    status: OrderStatus = "pending",
    attempts: int = 0,
) -> OrderRecord:
    """Insert a ``pending`` row.

    Raises:
        DuplicateOrderError: the client order id is already journaled.
    """
    if await session.get(OrderRow, request.client_order_id) is not None:
        raise DuplicateOrderError(f"order {request.client_order_id} is already journaled")
    row = OrderRow(
        client_order_id=request.client_order_id,
        mode=mode,
        symbol=request.symbol,
        side=request.side,
        type=request.type,
        qty=request.qty,
        price=request.price,
        trigger_price=request.trigger_price,
        stop_loss=request.stop_loss,
        take_profit=request.take_profit,
        reduce_only=request.reduce_only,
        post_only=request.post_only,
        strategy=request.strategy,
        status=status,
        exchange_order_id=None,
        filled_qty=Decimal(0),
        avg_price=None,
        fee=Decimal(0),
        reason="",
        attempts=attempts,
        created_ms=now_ms,
        updated_ms=now_ms,
    )
    session.add(row)
    # Flush the order first: without an ORM relationship the unit of work does not
    # order the two inserts, and the event's foreign key needs the order row.
    await session.flush()
    session.add(
        OrderEventRow(
            client_order_id=request.client_order_id, ts_ms=now_ms, status=status, detail=""
        )
    )
    await session.flush()
    return _to_record(row)


async def update(
    session: AsyncSession,
    client_order_id: str,
    status: OrderStatus,
    now_ms: int,
    *,
    detail: str = "",
    exchange_order_id: str | None = None,
    filled_qty: Decimal | None = None,
    avg_price: Decimal | None = None,
    fee: Decimal | None = None,
    attempted: bool = False,
) -> OrderRecord | None:
    """Move an order to ``status`` and log the transition; None if the id is unknown.

    A final order (filled, cancelled, rejected) never goes back to an open state:
    a late, out-of-order exchange event must not resurrect it.
    """
    row = await session.get(OrderRow, client_order_id)
    if row is None:
        return None
    if row.status in FINAL_ORDER_STATUSES and status not in FINAL_ORDER_STATUSES:
        return _to_record(row)
    row.status = status
    row.updated_ms = now_ms
    if detail:
        row.reason = detail
    if exchange_order_id is not None:
        row.exchange_order_id = exchange_order_id
    if filled_qty is not None:
        row.filled_qty = filled_qty
    if avg_price is not None:
        row.avg_price = avg_price
    if fee is not None:
        row.fee = fee
    if attempted:
        row.attempts += 1
    session.add(
        OrderEventRow(client_order_id=client_order_id, ts_ms=now_ms, status=status, detail=detail)
    )
    await session.flush()
    return _to_record(row)


async def load(session: AsyncSession, client_order_id: str) -> OrderRecord | None:
    row = await session.get(OrderRow, client_order_id)
    return None if row is None else _to_record(row)


async def load_many(
    session: AsyncSession, mode: TradingMode, *, open_only: bool, limit: int | None
) -> list[OrderRecord]:
    """Orders of ``mode``, newest first; only non-final ones with ``open_only``."""
    query = select(OrderRow).where(OrderRow.mode == mode)
    if open_only:
        query = query.where(OrderRow.status.not_in(FINAL_ORDER_STATUSES))
    query = query.order_by(OrderRow.created_ms.desc(), OrderRow.client_order_id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_to_record(row) for row in (await session.scalars(query)).all()]


async def history(session: AsyncSession, client_order_id: str) -> list[tuple[int, str, str]]:
    """``(ts_ms, status, detail)`` of every transition of an order, in order."""
    query = (
        select(OrderEventRow)
        .where(OrderEventRow.client_order_id == client_order_id)
        .order_by(OrderEventRow.id)
    )
    return [(row.ts_ms, row.status, row.detail) for row in (await session.scalars(query)).all()]


async def record_fill(session: AsyncSession, fill: Fill, mode: TradingMode) -> bool:
    """Store a fill once; returns False when that trade id is already stored."""
    values = {
        "mode": mode,
        "trade_id": fill.trade_id,
        "client_order_id": fill.client_order_id,
        "exchange_order_id": fill.exchange_order_id,
        "symbol": fill.symbol,
        "side": fill.side,
        "qty": fill.qty,
        "price": fill.price,
        "fee": fill.fee,
        "fee_currency": fill.fee_currency,
        "is_maker": fill.is_maker,
        "ts_ms": fill.ts_ms,
    }
    if session.get_bind().dialect.name == "sqlite":
        statement = sqlite_insert(FillRow).values(values).on_conflict_do_nothing()
        result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))
    existing = await session.get(FillRow, (mode, fill.trade_id))
    if existing is not None:
        return False
    session.add(FillRow(**values))
    await session.flush()
    return True


async def fill_counts(
    session: AsyncSession, mode: TradingMode, client_order_ids: list[str]
) -> dict[str, int]:
    """How many fills are stored for each of ``client_order_ids`` (absent: none)."""
    if not client_order_ids:
        return {}
    query = (
        select(FillRow.client_order_id, func.count())
        .where(FillRow.mode == mode, FillRow.client_order_id.in_(client_order_ids))
        .group_by(FillRow.client_order_id)
    )
    return {str(order_id): int(count) for order_id, count in (await session.execute(query)).all()}


async def fills(session: AsyncSession, mode: TradingMode, symbol: str | None) -> list[Fill]:
    """Stored fills of ``mode`` (and ``symbol``), oldest first."""
    query = select(FillRow).where(FillRow.mode == mode)
    if symbol is not None:
        query = query.where(FillRow.symbol == symbol)
    query = query.order_by(FillRow.ts_ms, FillRow.trade_id)
    return [
        Fill(
            trade_id=row.trade_id,
            client_order_id=row.client_order_id,
            exchange_order_id=row.exchange_order_id,
            symbol=row.symbol,
            side=cast(Side, row.side),
            qty=row.qty,
            price=row.price,
            fee=row.fee,
            fee_currency=row.fee_currency,
            is_maker=row.is_maker,
            ts_ms=row.ts_ms,
        )
        for row in (await session.scalars(query)).all()
    ]


async def save_position(session: AsyncSession, position: Position, mode: TradingMode) -> None:
    """Insert or replace the position of ``mode`` and ``position.symbol``."""
    row = await session.get(PositionRow, (mode, position.symbol))
    if row is None:
        row = PositionRow(mode=mode, symbol=position.symbol)
        session.add(row)
    row.qty = position.qty
    row.avg_price = position.avg_price
    row.realised_pnl = position.realised_pnl
    row.fees = position.fees
    row.stop_loss = position.stop_loss
    row.take_profit = position.take_profit
    row.updated_ms = position.updated_ms
    await session.flush()


async def positions(session: AsyncSession, mode: TradingMode) -> list[Position]:
    """Stored positions of ``mode`` (flat ones included), by symbol."""
    query = select(PositionRow).where(PositionRow.mode == mode).order_by(PositionRow.symbol)
    return [
        Position(
            symbol=row.symbol,
            qty=row.qty,
            avg_price=row.avg_price,
            realised_pnl=row.realised_pnl,
            fees=row.fees,
            updated_ms=row.updated_ms,
            stop_loss=row.stop_loss,
            take_profit=row.take_profit,
        )
        for row in (await session.scalars(query)).all()
    ]
