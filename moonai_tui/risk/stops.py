"""Stop-loss and take-profit prices for an entry, on the tick grid.

Distances:

* percent stop: ``distance = entry x stop_loss_pct``
* ATR stop (when ``atr_stop_multiple`` is set): ``distance = ATR x atr_stop_multiple``
* take-profit: ``distance = entry x take_profit_pct``

Prices: a long's stop is ``entry - distance`` and its take-profit ``entry + distance``;
a short's are mirrored. Rounding to the tick is always *toward the entry* ("the
conservative direction"): the stop never sits further away than the rule allows, so
the loss per unit never exceeds the configured distance, and the take-profit never
promises more than configured. Sizing then uses the rounded stop, so the money at
risk is ``qty x |entry - stop|`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import Side
from moonai_tui.execution.rounding import ceil_to_step, floor_to_step
from moonai_tui.risk.decisions import Denied, DenyCode
from moonai_tui.risk.limits import RiskLimits


@dataclass(frozen=True, slots=True)
class ProtectivePrices:
    """Stop-loss and take-profit trigger prices for one entry (tick multiples)."""

    stop_loss: Decimal
    take_profit: Decimal


def stop_distance(entry: Decimal, limits: RiskLimits, atr: Decimal | None = None) -> Decimal | None:
    """Stop distance in price units; None when an ATR stop is configured but ``atr`` is missing.

    ``ATR x atr_stop_multiple`` when ``limits.atr_stop_multiple`` is set, else
    ``entry x stop_loss_pct``. Example: entry 50,000, 2 % -> 1,000; ATR 400 x 1.5 -> 600.
    """
    if limits.atr_stop_multiple is not None:
        if atr is None or atr <= 0:
            return None
        return atr * limits.atr_stop_multiple
    return entry * limits.stop_loss_pct


def stop_loss_price(entry: Decimal, side: Side, distance: Decimal, tick: Decimal) -> Decimal:
    """Stop for an entry on ``side`` (buy = long), rounded toward the entry.

    Long: ``ceil_tick(entry - distance)``; short: ``floor_tick(entry + distance)``.
    Example: long at 50,000.05, 2 %: 50,000.05 - 1,000.001 = 49,000.049 -> 49,000.1
    with tick 0.1.
    """
    if side == "buy":
        return ceil_to_step(entry - distance, tick)
    return floor_to_step(entry + distance, tick)


def take_profit_price(entry: Decimal, side: Side, distance: Decimal, tick: Decimal) -> Decimal:
    """Take-profit for an entry on ``side``, rounded toward the entry.

    Long: ``floor_tick(entry + distance)``; short: ``ceil_tick(entry - distance)``.
    """
    if side == "buy":
        return floor_to_step(entry + distance, tick)
    return ceil_to_step(entry - distance, tick)


def protective_prices(
    entry: Decimal,
    side: Side,
    limits: RiskLimits,
    tick: Decimal,
    *,
    atr: Decimal | None = None,
    stop_loss: Decimal | None = None,
    take_profit: Decimal | None = None,
) -> ProtectivePrices | Denied:
    """The stop and take-profit for an entry: explicit ones if given, else from ``limits``.

    Explicit prices (a strategy's per-trade override) are rounded toward the entry
    like computed ones. Either way the stop must end up strictly on the losing side
    of the entry and above zero, and the take-profit strictly on the winning side.

    Returns:
        The prices, or a :class:`Denied` with ``ATR_UNAVAILABLE``, ``INVALID_STOP`` or
        ``INVALID_TAKE_PROFIT``.
    """
    if stop_loss is None:
        distance = stop_distance(entry, limits, atr)
        if distance is None:
            return Denied(DenyCode.ATR_UNAVAILABLE, "ATR stop configured but no ATR value yet")
        stop = stop_loss_price(entry, side, distance, tick)
    else:
        stop = ceil_to_step(stop_loss, tick) if side == "buy" else floor_to_step(stop_loss, tick)
    if take_profit is None:
        target = take_profit_price(entry, side, entry * limits.take_profit_pct, tick)
    elif side == "buy":
        target = floor_to_step(take_profit, tick)
    else:
        target = ceil_to_step(take_profit, tick)
    long = side == "buy"
    if stop <= 0 or (stop >= entry if long else stop <= entry):
        where = "below" if long else "above"
        return Denied(
            DenyCode.INVALID_STOP,
            f"stop {stop} must be {where} the entry {entry} (and above zero)",
        )
    if target <= 0 or (target <= entry if long else target >= entry):
        where = "above" if long else "below"
        return Denied(
            DenyCode.INVALID_TAKE_PROFIT,
            f"take-profit {target} must be {where} the entry {entry} (and above zero)",
        )
    return ProtectivePrices(stop, target)
