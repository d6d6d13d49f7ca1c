"""The risk gate: every order passes :func:`check_order` and comes out approved or denied.

Order of checks for an entry (the first failure is the answer):

1. kill switch latched -> ``KILL_SWITCH``
2. drawdown from peak >= ``max_drawdown_pct`` -> ``MAX_DRAWDOWN``
3. loss since day start >= ``max_daily_loss_pct`` -> ``DAILY_LOSS``
4. market data stale -> ``STALE_DATA``
5. equity <= 0 -> ``NO_EQUITY``; entry price <= 0 -> ``INVALID_PRICE``
6. a position on the opposite side in the symbol -> ``OPPOSITE_POSITION`` (exits go
   through ``reduce_only`` intents; an entry must not silently flip a position)
7. a new symbol while ``max_open_positions`` symbols are open -> ``MAX_OPEN_POSITIONS``
8. stop / take-profit (:mod:`moonai_tui.risk.stops`) -> ``ATR_UNAVAILABLE``,
   ``INVALID_STOP``, ``INVALID_TAKE_PROFIT``
9. size (:mod:`moonai_tui.risk.sizing`) -> ``MAX_POSITION``, ``MAX_LEVERAGE``,
   ``BELOW_MIN_QTY``, ``BELOW_MIN_NOTIONAL``

Reductions (``reduce_only``) skip 1-9: a halted, stale or over-limit account must
still be able to get out, so a position is never trapped. They are only checked for
being a reduction at all (``NOT_A_REDUCTION``, ``NO_POSITION``, ``INVALID_QTY``), and
their quantity is clipped to the position, so they can never open or flip one.
"""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Instrument
from moonai_tui.execution.rounding import floor_to_step
from moonai_tui.risk.account import AccountSnapshot, OrderIntent
from moonai_tui.risk.decisions import Approved, Denied, DenyCode, breach
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.risk.sizing import size_position
from moonai_tui.risk.stops import protective_prices


def check_order(
    intent: OrderIntent,
    account: AccountSnapshot,
    instrument: Instrument,
    limits: RiskLimits,
) -> Approved | Denied:
    """Decide on one order (module docstring for the rules).

    Args:
        intent: the order wanted.
        account: the account now.
        instrument: the market's tick, lot, min qty and min notional.
        limits: the risk limits.

    Returns:
        :class:`Approved` with the final quantity, stop and take-profit, or
        :class:`Denied` with a code and a one-line reason. Never raises for a refusal.
    """
    if intent.reduce_only:
        return _check_reduction(intent, account, instrument)
    return _check_entry(intent, account, instrument, limits)


def _check_entry(
    intent: OrderIntent,
    account: AccountSnapshot,
    instrument: Instrument,
    limits: RiskLimits,
) -> Approved | Denied:
    if account.kill_switch:
        return Denied(DenyCode.KILL_SWITCH, "kill switch is latched: no new entries until reset")
    drawdown = account.drawdown_pct
    if drawdown >= limits.max_drawdown_pct:
        return Denied(DenyCode.MAX_DRAWDOWN, breach("drawdown", drawdown, limits.max_drawdown_pct))
    daily = account.daily_loss_pct
    if daily >= limits.max_daily_loss_pct:
        return Denied(DenyCode.DAILY_LOSS, breach("daily loss", daily, limits.max_daily_loss_pct))
    if account.data_stale:
        return Denied(DenyCode.STALE_DATA, "market data is stale: no entries on old prices")
    if account.equity <= 0:
        return Denied(DenyCode.NO_EQUITY, f"equity {account.equity} leaves nothing to risk")
    if intent.entry_price <= 0:
        return Denied(DenyCode.INVALID_PRICE, f"entry price {intent.entry_price} is not positive")
    held = account.position(intent.symbol)
    wanted = "long" if intent.side == "buy" else "short"
    if held is not None and held.side != wanted:
        return Denied(
            DenyCode.OPPOSITE_POSITION,
            f"{intent.symbol} is {held.side}; close it before opening {wanted}",
        )
    if held is None and account.open_position_count >= limits.max_open_positions:
        return Denied(
            DenyCode.MAX_OPEN_POSITIONS,
            f"{account.open_position_count} positions open, limit {limits.max_open_positions}",
        )
    prices = protective_prices(
        intent.entry_price,
        intent.side,
        limits,
        instrument.tick_size,
        atr=intent.atr,
        stop_loss=intent.stop_loss,
        take_profit=intent.take_profit,
    )
    if isinstance(prices, Denied):
        return prices
    size = size_position(
        equity=account.equity,
        entry_price=intent.entry_price,
        stop_price=prices.stop_loss,
        limits=limits,
        instrument=instrument,
        symbol_notional=held.notional if held is not None else Decimal(0),
        gross_notional=account.gross_notional,
        max_qty=intent.qty,
    )
    if isinstance(size, Denied):
        return size
    return Approved(
        symbol=intent.symbol,
        side=intent.side,
        qty=size.qty,
        entry_price=intent.entry_price,
        stop_loss=prices.stop_loss,
        take_profit=prices.take_profit,
        reduce_only=False,
        capped_by=size.capped_by,
    )


def _check_reduction(
    intent: OrderIntent, account: AccountSnapshot, instrument: Instrument
) -> Approved | Denied:
    held = account.position(intent.symbol)
    if held is not None:
        closing_side = "sell" if held.side == "long" else "buy"
        if intent.side != closing_side:
            return Denied(
                DenyCode.NOT_A_REDUCTION,
                f"{intent.side} would add to the {held.side} {intent.symbol} position",
            )
    if intent.qty is None:
        if held is None:
            return Denied(DenyCode.NO_POSITION, f"no open {intent.symbol} position to close")
        qty = abs(held.qty)
    else:
        # The snapshot may lag the exchange; with a known position we clip, without
        # one we pass the requested size and let the exchange's reduce-only flag
        # guarantee it cannot open anything.
        qty = floor_to_step(intent.qty, instrument.lot_size)
        if held is not None:
            qty = min(qty, abs(held.qty))
        if qty <= 0:
            return Denied(
                DenyCode.INVALID_QTY, f"reduce quantity {intent.qty} is less than one lot"
            )
    return Approved(
        symbol=intent.symbol,
        side=intent.side,
        qty=qty,
        entry_price=intent.entry_price,
        stop_loss=None,
        take_profit=None,
        reduce_only=True,
        capped_by="reduction",
    )
