"""The live rules, ported to numba for the simulation loop (float64, no Decimal).

Each function here mirrors one function of the shared rule modules and is tested
against it on many random inputs (tests/backtest/test_kernels_equivalence.py):

* :func:`exit_trigger` = :func:`moonai_tui.execution.intrabar.resolve_exit_trigger`
  (the conservative intrabar rule: a gap through the stop fills at the open, the
  stop wins when both levels are inside the bar, a gap through the take-profit
  fills at the take-profit);
* :func:`size_qty` = :func:`moonai_tui.risk.sizing.size_position`;
* :func:`protective_levels` = :func:`moonai_tui.risk.stops.protective_prices`
  (percent stops, rounded toward the entry on the tick grid);
* :func:`fee_of` = :meth:`moonai_tui.execution.fees.FeeSchedule.fee`;
* :func:`slipped_price` = ``FillModel._slip`` plus the depth model of
  :class:`~moonai_tui.backtest.config.DepthSlippage`.

Grids: floats cannot hold 0.1 exactly, so flooring ``0.3 / 0.1`` naively gives 2.
:func:`floor_step` and :func:`ceil_step` allow ``GRID_EPS`` of a step of float
noise (plus ``GRID_REL`` of the quotient), which makes them agree with the Decimal
rounding for any value whose true quotient is not that close below/above a grid line, and return the
float nearest the exact grid value (:func:`grid_value`).
"""

from __future__ import annotations

import math

from moonai_tui.backtest._jit import compiled, inlined

GRID_EPS = 1e-9
"""Float noise tolerated when snapping to a grid, in steps..."""
GRID_REL = 1e-12
"""...plus this fraction of the value: a quotient of 1e8 steps carries ~1e-8 steps of noise."""

NO_EXIT = 0
STOP_LOSS = 1
TAKE_PROFIT = 2

SIZE_OK = 0
NO_EQUITY = 1
INVALID_PRICE = 2
INVALID_STOP = 3
MAX_POSITION = 4
MAX_LEVERAGE = 5
BELOW_MIN_QTY = 6
BELOW_MIN_NOTIONAL = 7
INVALID_TAKE_PROFIT = 8
DENY_NAMES = (
    "ok",
    "no_equity",
    "invalid_price",
    "invalid_stop",
    "max_position",
    "max_leverage",
    "below_min_qty",
    "below_min_notional",
    "invalid_take_profit",
)
"""Names of the codes above, equal to :class:`moonai_tui.risk.DenyCode` values."""


@compiled
def grid_value(steps: float, step: float) -> float:
    """``steps x step`` as the float nearest the exact decimal product.

    ``13992 x 0.01`` is 139.92000000000002 in floats, one ulp above the float of
    ``139.92`` a data file holds, which would break equality with prices. For steps
    whose inverse is a whole number (0.1, 0.01, 0.05...) ``13992 / 100`` is correctly
    rounded, so grid values compare equal to parsed prices.
    """
    inverse = 1.0 / step
    whole = float(round(inverse))
    if whole >= 1.0 and abs(inverse - whole) <= GRID_EPS * whole:
        return steps / whole
    return steps * step


@compiled
def floor_step(value: float, step: float) -> float:
    """Largest multiple of ``step`` <= ``value`` (``value`` itself when ``step`` is 0)."""
    if step <= 0.0:
        return value
    steps = value / step
    return grid_value(math.floor(steps + GRID_EPS + abs(steps) * GRID_REL), step)


@compiled
def ceil_step(value: float, step: float) -> float:
    """Smallest multiple of ``step`` >= ``value`` (``value`` itself when ``step`` is 0)."""
    if step <= 0.0:
        return value
    steps = value / step
    return grid_value(math.ceil(steps - GRID_EPS - abs(steps) * GRID_REL), step)


@compiled
def fee_of(notional: float, rate: float) -> float:
    """``|notional| x rate`` (FeeSchedule.fee)."""
    return abs(notional) * rate


@compiled
def slipped_price(
    price: float, is_buy: bool, qty: float, fixed_bps: float, depth_per_bps: float, tick: float
) -> float:
    """``price`` moved against us, rounded against us to the tick.

    Basis points moved: ``fixed_bps``, plus ``qty x price / (2 x depth_per_bps)`` when
    ``depth_per_bps > 0`` (the depth model, see the config module). A buy pays
    ``p x (1 + bps/10,000)`` ceiled to the tick; a sell gets ``p x (1 - bps/10,000)``
    floored.
    """
    bps = fixed_bps
    if depth_per_bps > 0.0:
        bps += qty * price / (2.0 * depth_per_bps)
    if is_buy:
        return ceil_step(price * (1.0 + bps / 10_000.0), tick)
    return floor_step(price * (1.0 - bps / 10_000.0), tick)


@inlined
def exit_trigger(
    is_long: bool, open_: float, high: float, low: float, stop: float, take: float
) -> tuple[int, float, bool]:
    """The conservative intrabar rule: ``(kind, base price, gapped)``.

    ``stop`` / ``take`` are NaN when absent; ``kind`` is NO_EXIT, STOP_LOSS or
    TAKE_PROFIT. Touching a level triggers it.
    """
    has_stop = not math.isnan(stop)
    has_take = not math.isnan(take)
    if is_long:
        if has_stop and open_ <= stop:
            return STOP_LOSS, open_, open_ < stop
        if has_take and open_ >= take:
            return TAKE_PROFIT, take, False
        if has_stop and low <= stop:
            return STOP_LOSS, stop, False
        if has_take and high >= take:
            return TAKE_PROFIT, take, False
        return NO_EXIT, math.nan, False
    if has_stop and open_ >= stop:
        return STOP_LOSS, open_, open_ > stop
    if has_take and open_ <= take:
        return TAKE_PROFIT, take, False
    if has_stop and high >= stop:
        return STOP_LOSS, stop, False
    if has_take and low <= take:
        return TAKE_PROFIT, take, False
    return NO_EXIT, math.nan, False


@compiled
def protective_levels(
    entry: float, is_long: bool, stop_pct: float, take_pct: float, tick: float
) -> tuple[float, float, int]:
    """Stop and take-profit for an entry, rounded toward it: ``(stop, take, code)``.

    A NaN percentage gives a NaN level (none). ``code`` is INVALID_STOP or
    INVALID_TAKE_PROFIT when a level ends on the wrong side of the entry or at or
    below zero (then the entry is refused, as live), else SIZE_OK.
    """
    stop = math.nan
    take = math.nan
    if not math.isnan(stop_pct):
        distance = entry * stop_pct
        if is_long:
            stop = ceil_step(entry - distance, tick)
            if stop <= 0.0 or stop >= entry:
                return math.nan, math.nan, INVALID_STOP
        else:
            stop = floor_step(entry + distance, tick)
            if stop <= entry:
                return math.nan, math.nan, INVALID_STOP
    if not math.isnan(take_pct):
        distance = entry * take_pct
        if is_long:
            take = floor_step(entry + distance, tick)
            if take <= entry:
                return math.nan, math.nan, INVALID_TAKE_PROFIT
        else:
            take = ceil_step(entry - distance, tick)
            if take <= 0.0 or take >= entry:
                return math.nan, math.nan, INVALID_TAKE_PROFIT
    return stop, take, SIZE_OK


@compiled
def size_qty(
    equity: float,
    entry: float,
    stop: float,
    risk_per_trade: float,
    max_position_pct: float,
    max_leverage: float,
    lot: float,
    min_qty: float,
    min_notional: float,
    symbol_notional: float,
    gross_notional: float,
    max_qty: float,
) -> tuple[float, int]:
    """The live sizing rule: ``(qty, code)``; qty is 0 unless ``code == SIZE_OK``.

    ``qty = floor_lot(min(equity x risk / |entry - stop|, position room / entry,
    leverage room / entry[, max_qty]))``, refused below ``min_qty`` or
    ``min_notional``. ``max_qty`` NaN = no caller bound; ``lot`` 0 = no lot grid.
    """
    if equity <= 0.0:
        return 0.0, NO_EQUITY
    if entry <= 0.0:
        return 0.0, INVALID_PRICE
    distance = abs(entry - stop)
    if distance == 0.0:
        return 0.0, INVALID_STOP
    position_room = equity * max_position_pct - symbol_notional
    if position_room <= 0.0:
        return 0.0, MAX_POSITION
    leverage_room = equity * max_leverage - gross_notional
    if leverage_room <= 0.0:
        return 0.0, MAX_LEVERAGE
    raw = min(equity * risk_per_trade / distance, position_room / entry, leverage_room / entry)
    if not math.isnan(max_qty):
        raw = min(raw, max_qty)
    qty = floor_step(raw, lot)
    if qty <= 0.0 or qty < min_qty:
        return 0.0, BELOW_MIN_QTY
    if min_notional > 0.0 and qty * entry < min_notional:
        return 0.0, BELOW_MIN_NOTIONAL
    return qty, SIZE_OK


@compiled
def all_in_qty(
    equity: float,
    entry: float,
    fraction: float,
    fee_rate: float,
    lot: float,
    min_qty: float,
    min_notional: float,
) -> tuple[float, int]:
    """All-in sizing: ``fraction x equity`` spent including the fee: ``(qty, code)``.

    ``qty = floor_lot(fraction x equity / (entry x (1 + fee_rate)))`` so that
    ``qty x entry + fee = fraction x equity`` (vectorbt's ``size=inf``).
    """
    if equity <= 0.0:
        return 0.0, NO_EQUITY
    if entry <= 0.0:
        return 0.0, INVALID_PRICE
    qty = floor_step(fraction * equity / (entry * (1.0 + fee_rate)), lot)
    if qty <= 0.0 or qty < min_qty:
        return 0.0, BELOW_MIN_QTY
    if min_notional > 0.0 and qty * entry < min_notional:
        return 0.0, BELOW_MIN_NOTIONAL
    return qty, SIZE_OK
