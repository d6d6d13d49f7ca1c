"""Position sizing: risk a fixed fraction of equity between entry and stop.

Formulas (all in quote currency unless noted):

* ``risk_qty     = equity x risk_per_trade / |entry - stop|``
* ``position_qty = (equity x max_position_pct_equity - notional already in the symbol) / entry``
* ``leverage_qty = (equity x max_leverage - gross open notional) / entry``
* ``qty = floor_lot(min(risk_qty, position_qty, leverage_qty[, requested qty]))``

then refused when ``qty < min_qty`` or ``qty x entry < min_notional``.

Example: equity 10,000, risk 1 %, entry 50,000, stop 49,000 (2 %):
``risk_qty = 100 / 1,000 = 0.1`` BTC (5,000 notional, half the equity). With a 5 %
position cap the cap is ``500 / 50,000 = 0.01`` BTC and wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import Instrument
from moonai_tui.execution.rounding import floor_to_step
from moonai_tui.risk.decisions import Denied, DenyCode, SizeCap, breach
from moonai_tui.risk.limits import RiskLimits


@dataclass(frozen=True, slots=True)
class PositionSize:
    """A sized entry.

    Attributes:
        qty: final quantity, a multiple of the lot size, >= min qty.
        risk_qty: the unrounded risk-based quantity before caps.
        capped_by: which bound set ``qty`` before lot rounding.
    """

    qty: Decimal
    risk_qty: Decimal
    capped_by: SizeCap


def size_position(
    *,
    equity: Decimal,
    entry_price: Decimal,
    stop_price: Decimal,
    limits: RiskLimits,
    instrument: Instrument,
    symbol_notional: Decimal = Decimal(0),
    gross_notional: Decimal = Decimal(0),
    max_qty: Decimal | None = None,
) -> PositionSize | Denied:
    """Size an entry (module docstring for the formulas).

    Args:
        equity: current equity, > 0.
        entry_price: expected entry price, > 0.
        stop_price: the (tick-rounded) stop; must differ from ``entry_price``.
        limits: the risk limits.
        instrument: lot size, min qty and min notional.
        symbol_notional: notional already open in this symbol (adding to a position).
        gross_notional: notional open across all symbols.
        max_qty: the caller's own upper bound, if any.

    Returns:
        The size, or :class:`Denied` with ``NO_EQUITY``, ``INVALID_PRICE``,
        ``INVALID_STOP``, ``MAX_POSITION``, ``MAX_LEVERAGE``, ``BELOW_MIN_QTY`` or
        ``BELOW_MIN_NOTIONAL``.
    """
    if equity <= 0:
        return Denied(DenyCode.NO_EQUITY, f"equity {equity} leaves nothing to risk")
    if entry_price <= 0:
        return Denied(DenyCode.INVALID_PRICE, f"entry price {entry_price} is not positive")
    distance = abs(entry_price - stop_price)
    if distance == 0:
        return Denied(DenyCode.INVALID_STOP, f"stop {stop_price} equals the entry price")
    position_room = equity * limits.max_position_pct_equity - symbol_notional
    if position_room <= 0:
        used = symbol_notional / equity
        return Denied(
            DenyCode.MAX_POSITION, breach("position size", used, limits.max_position_pct_equity)
        )
    leverage_room = equity * limits.max_leverage - gross_notional
    if leverage_room <= 0:
        used = gross_notional / equity
        return Denied(
            DenyCode.MAX_LEVERAGE,
            f"leverage {used:.2f}x reached limit {limits.max_leverage:.2f}x",
        )
    risk_qty = equity * limits.risk_per_trade / distance
    # Ties resolve to the first candidate: "risk" is reported unless a cap is smaller.
    candidates: list[tuple[Decimal, SizeCap]] = [
        (risk_qty, "risk"),
        (position_room / entry_price, "position_cap"),
        (leverage_room / entry_price, "leverage_cap"),
    ]
    if max_qty is not None:
        candidates.append((max_qty, "requested"))
    raw_qty, capped_by = min(candidates, key=lambda c: c[0])
    qty = floor_to_step(raw_qty, instrument.lot_size)
    if qty <= 0 or qty < instrument.min_qty:
        return Denied(
            DenyCode.BELOW_MIN_QTY,
            f"size {raw_qty:.8g} ({capped_by}) is below the minimum {instrument.min_qty}",
        )
    notional = qty * entry_price
    if instrument.min_notional is not None and notional < instrument.min_notional:
        return Denied(
            DenyCode.BELOW_MIN_NOTIONAL,
            f"order value {notional} is below the minimum {instrument.min_notional}",
        )
    return PositionSize(qty, risk_qty, capped_by)
