"""The order journal's writes in plain SQL, for the journal writer's ``sqlite3`` connection.

Same rules and same rows as the ORM versions in ``orders.py`` (which serve
databases other than a SQLite file); the store tests run both. Values are stored
as the ORM stores them: Decimals as text into NUMERIC columns (SQLite keeps a
REAL, or an INTEGER for a whole number), booleans as 0/1.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any, cast

from moonai_tui.domain import (
    FINAL_ORDER_STATUSES,
    OrderRecord,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TradingMode,
)
from moonai_tui.errors import DuplicateOrderError

_COLUMNS = (
    "client_order_id, mode, symbol, side, type, qty, price, trigger_price, stop_loss, "
    "take_profit, reduce_only, post_only, strategy, status, exchange_order_id, filled_qty, "
    "avg_price, fee, reason, attempts, created_ms, updated_ms"
)
_INSERT_ORDER = f"INSERT INTO orders ({_COLUMNS}) VALUES ({', '.join('?' * 22)})"
_INSERT_EVENT = (
    "INSERT INTO order_events (client_order_id, ts_ms, status, detail) VALUES (?, ?, ?, ?)"
)
_SELECT_ORDER = f"SELECT {_COLUMNS} FROM orders WHERE client_order_id = ?"
_UPDATE_ORDER = (
    "UPDATE orders SET status = ?, updated_ms = ?, reason = ?, exchange_order_id = ?, "
    "filled_qty = ?, avg_price = ?, fee = ?, attempts = ? WHERE client_order_id = ?"
)


def _bind(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal:
    # As ExactDecimal reads it: a float's shortest repr is the value that was stored.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _optional(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


def journal(
    connection: sqlite3.Connection,
    request: OrderRequest,
    mode: TradingMode,
    now_ms: int,
    status: OrderStatus,
    attempts: int,
) -> OrderRecord:
    """Insert the order and its first event.

    Raises:
        DuplicateOrderError: the client order id is already journaled.
    """
    row = (
        request.client_order_id,
        mode,
        request.symbol,
        request.side,
        request.type,
        str(request.qty),
        _bind(request.price),
        _bind(request.trigger_price),
        _bind(request.stop_loss),
        _bind(request.take_profit),
        int(request.reduce_only),
        int(request.post_only),
        request.strategy,
        status,
        None,
        "0",
        None,
        "0",
        "",
        attempts,
        now_ms,
        now_ms,
    )
    try:
        connection.execute(_INSERT_ORDER, row)
    except sqlite3.IntegrityError as exc:
        if "orders.client_order_id" in str(exc):
            raise DuplicateOrderError(
                f"order {request.client_order_id} is already journaled"
            ) from None
        raise
    connection.execute(_INSERT_EVENT, (request.client_order_id, now_ms, status, ""))
    return OrderRecord(
        request, mode, status, None, Decimal(0), None, Decimal(0), "", attempts, now_ms, now_ms
    )


def update(
    connection: sqlite3.Connection,
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

    A final order never goes back to an open state (see ``orders.update``).
    """
    found = connection.execute(_SELECT_ORDER, (client_order_id,)).fetchone()
    if found is None:
        return None
    record = _record(found)
    if record.is_final and status not in FINAL_ORDER_STATUSES:
        return record
    record = OrderRecord(
        request=record.request,
        mode=record.mode,
        status=status,
        exchange_order_id=(
            exchange_order_id if exchange_order_id is not None else record.exchange_order_id
        ),
        filled_qty=filled_qty if filled_qty is not None else record.filled_qty,
        avg_price=avg_price if avg_price is not None else record.avg_price,
        fee=fee if fee is not None else record.fee,
        reason=detail or record.reason,
        attempts=record.attempts + 1 if attempted else record.attempts,
        created_ms=record.created_ms,
        updated_ms=now_ms,
    )
    connection.execute(
        _UPDATE_ORDER,
        (
            status,
            now_ms,
            record.reason,
            record.exchange_order_id,
            str(record.filled_qty),
            _bind(record.avg_price),
            str(record.fee),
            record.attempts,
            client_order_id,
        ),
    )
    connection.execute(_INSERT_EVENT, (client_order_id, now_ms, status, detail))
    return record


def _record(row: tuple[Any, ...]) -> OrderRecord:
    (
        client_order_id,
        mode,
        symbol,
        side,
        order_type,
        qty,
        price,
        trigger_price,
        stop_loss,
        take_profit,
        reduce_only,
        post_only,
        strategy,
        status,
        exchange_order_id,
        filled_qty,
        avg_price,
        fee,
        reason,
        attempts,
        created_ms,
        updated_ms,
    ) = row
    request = OrderRequest(
        client_order_id=client_order_id,
        symbol=symbol,
        side=cast(Side, side),
        type=cast(OrderType, order_type),
        qty=_decimal(qty),
        price=_optional(price),
        trigger_price=_optional(trigger_price),
        stop_loss=_optional(stop_loss),
        take_profit=_optional(take_profit),
        reduce_only=bool(reduce_only),
        post_only=bool(post_only),
        strategy=strategy,
    )
    return OrderRecord(
        request=request,
        mode=cast(TradingMode, mode),
        status=cast(OrderStatus, status),
        exchange_order_id=exchange_order_id,
        filled_qty=_decimal(filled_qty),
        avg_price=_optional(avg_price),
        fee=_decimal(fee),
        reason=reason,
        attempts=attempts,
        created_ms=created_ms,
        updated_ms=updated_ms,
    )
