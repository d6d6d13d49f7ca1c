"""Positions from fills: average entry, realised PnL and fees, exact in Decimal.

Linear USDT contracts: PnL = qty × (exit − entry) for a long, the mirror for a
short. Adding to a position moves the average entry; reducing realises PnL at
the average entry; crossing zero closes the old side and opens the new one at
the fill price.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from moonai_tui.domain import Fill, Position

ZERO = Decimal(0)


def flat(symbol: str, now_ms: int = 0) -> Position:
    return Position(symbol, ZERO, ZERO, ZERO, ZERO, now_ms)


def apply_fill(position: Position, fill: Fill) -> Position:
    """The position after ``fill`` (same symbol)."""
    if fill.symbol != position.symbol:
        raise ValueError(f"fill for {fill.symbol} applied to a {position.symbol} position")
    signed = fill.qty if fill.side == "buy" else -fill.qty
    qty, avg = position.qty, position.avg_price
    realised = position.realised_pnl
    if qty == 0 or (qty > 0) == (signed > 0):
        # Opening or adding: the average entry is the size-weighted mean.
        new_qty = qty + signed
        avg = (abs(qty) * avg + fill.qty * fill.price) / abs(new_qty)
    else:
        closed = min(abs(qty), fill.qty)
        direction = 1 if qty > 0 else -1
        realised += closed * (fill.price - avg) * direction
        new_qty = qty + signed
        if new_qty == 0:
            avg = ZERO
        elif (new_qty > 0) != (qty > 0):
            avg = fill.price  # crossed zero: the rest opens at the fill price
    keep_protection = new_qty != 0 and (new_qty > 0) == (qty > 0)
    return Position(
        symbol=position.symbol,
        qty=new_qty,
        avg_price=avg,
        realised_pnl=realised,
        fees=position.fees + fill.fee,
        updated_ms=max(position.updated_ms, fill.ts_ms),
        stop_loss=position.stop_loss if keep_protection else None,
        take_profit=position.take_profit if keep_protection else None,
    )


def rebuild(symbol: str, fills: Iterable[Fill]) -> Position:
    """The position of ``symbol`` from all its fills, oldest first (restart rebuild)."""
    position = flat(symbol)
    for fill in fills:
        if fill.symbol == symbol:
            position = apply_fill(position, fill)
    return position


def unrealised_pnl(position: Position, mark: Decimal) -> Decimal:
    """Open PnL at ``mark``: qty × (mark − entry), signed qty makes shorts mirror."""
    return position.qty * (mark - position.avg_price)
