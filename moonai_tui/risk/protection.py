"""The protection invariant: every open position has an exchange-side stop.

The engine calls :func:`unprotected_positions` on every position or order change and
alarms (then places the stop or flattens) when a position stays on the list for more
than one second; keeping that timer is the engine's job, this check is pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from moonai_tui.domain import Side
from moonai_tui.risk.account import PositionExposure


@dataclass(frozen=True, slots=True)
class ProtectiveOrder:
    """An open conditional order on the exchange.

    Attributes:
        symbol: the instrument.
        side: the order's side (a long is protected by a sell).
        qty: the order's remaining quantity.
        trigger_price: the trigger.
        kind: stop_loss or take_profit; only stop-losses protect.
        reduce_only: an order that is not reduce-only could open a new position
            instead of closing this one, so it does not count.
    """

    symbol: str
    side: Side
    qty: Decimal
    trigger_price: Decimal
    kind: Literal["stop_loss", "take_profit"] = "stop_loss"
    reduce_only: bool = True


def unprotected_positions(
    positions: Iterable[PositionExposure], orders: Iterable[ProtectiveOrder]
) -> tuple[PositionExposure, ...]:
    """Open positions without a full exchange-side stop, in input order.

    A position is protected when it carries a position-level stop (``stop_loss`` set)
    or when its reduce-only stop-loss orders on the closing side cover its whole
    quantity: ``sum(order.qty) >= |position.qty|``. A stop for half the position
    leaves the other half naked, so it does not count.
    """
    cover: dict[tuple[str, Side], Decimal] = {}
    for order in orders:
        if order.kind == "stop_loss" and order.reduce_only:
            key = (order.symbol, order.side)
            cover[key] = cover.get(key, Decimal(0)) + order.qty
    naked: list[PositionExposure] = []
    for pos in positions:
        if pos.qty == 0 or pos.stop_loss is not None:
            continue
        closing: Side = "sell" if pos.qty > 0 else "buy"
        if cover.get((pos.symbol, closing), Decimal(0)) < abs(pos.qty):
            naked.append(pos)
    return tuple(naked)
