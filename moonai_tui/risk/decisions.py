"""The gate's answers: ``Approved`` or ``Denied``, values, never exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from moonai_tui.domain import Side

SizeCap = Literal["risk", "position_cap", "leverage_cap", "requested", "reduction"]
"""What set an approved quantity: the risk budget, a cap, the caller's own limit, or
(for reductions) the position or the requested reduction."""


class DenyCode(StrEnum):
    """Machine-readable reasons for a refusal; stable, stored with risk events."""

    KILL_SWITCH = "kill_switch"
    MAX_DRAWDOWN = "max_drawdown"
    DAILY_LOSS = "daily_loss"
    STALE_DATA = "stale_data"
    NO_EQUITY = "no_equity"
    INVALID_PRICE = "invalid_price"
    INVALID_QTY = "invalid_qty"
    OPPOSITE_POSITION = "opposite_position"
    MAX_OPEN_POSITIONS = "max_open_positions"
    ATR_UNAVAILABLE = "atr_unavailable"
    INVALID_STOP = "invalid_stop"
    INVALID_TAKE_PROFIT = "invalid_take_profit"
    MAX_POSITION = "max_position"
    MAX_LEVERAGE = "max_leverage"
    BELOW_MIN_QTY = "below_min_qty"
    BELOW_MIN_NOTIONAL = "below_min_notional"
    NO_POSITION = "no_position"
    NOT_A_REDUCTION = "not_a_reduction"


@dataclass(frozen=True, slots=True)
class Denied:
    """A refusal: ``code`` for machines, ``reason`` (one line) for people."""

    code: DenyCode
    reason: str


@dataclass(frozen=True, slots=True)
class Approved:
    """An order the gate lets through, sized and protected.

    Attributes:
        symbol: the instrument.
        side: buy or sell.
        qty: final quantity, a multiple of the lot size.
        entry_price: the reference price the size was computed at.
        stop_loss: stop trigger (a tick multiple); None for reductions.
        take_profit: take-profit trigger (a tick multiple); None for reductions.
        reduce_only: True for reductions and exits.
        capped_by: what set ``qty`` (see :data:`SizeCap`).
    """

    symbol: str
    side: Side
    qty: Decimal
    entry_price: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    reduce_only: bool
    capped_by: SizeCap


def pct(fraction: Decimal, digits: int = 1) -> str:
    """``Decimal("0.031")`` -> ``"3.1%"`` for reasons people read."""
    return f"{fraction * 100:.{digits}f}%"


def breach(what: str, value: Decimal, limit: Decimal) -> str:
    """One-line reason: ``"daily loss 3.1% exceeds limit 3.0%"`` (or "reached" at equality)."""
    verb = "exceeds" if value > limit else "reached"
    digits = 1
    # "3.0% exceeds limit 3.0%" reads as a bug; show enough digits to see the difference.
    while digits < 4 and value != limit and pct(value, digits) == pct(limit, digits):
        digits += 1
    return f"{what} {pct(value, digits)} {verb} limit {pct(limit, digits)}"
