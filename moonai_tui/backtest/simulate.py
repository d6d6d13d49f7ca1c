"""The simulation loop: one numba-compiled pass over the bars (``simulate_arrays``).

Per bar ``i``, in this order:

1. **Funding** (linear): ``funding[i]`` is the summed rate of the funding times in
   ``(t[i-1], t[i]]``; the position carried into the bar pays
   ``qty x open[i] x rate`` (longs pay when the rate is positive, shorts receive).
   The bar's open is the mark price. Every timeframe up to 8 h has a bar opening
   exactly at 00/08/16 UTC; for longer bars the charge lands on the next bar open.
2. **Pending order** (``next_open``): the event decided at bar ``i-1``'s close fills
   at ``open[i]``.
3. **Protective exits** of the position (also one opened at this bar's open: it is
   exposed to the rest of the bar), by the conservative rule of
   :func:`~moonai_tui.backtest.kernels.exit_trigger`. A gap through the stop fills at
   the open (worse than the stop), never at the stop. The trailing stop uses the
   best price up to the *previous* bar (plus the entry): the same bar's high cannot
   be assumed to come before its low; it is then raised with this bar's extreme.
4. **Order at the close** (``signal_close``): the event of bar ``i`` fills at ``close[i]``.
5. **Mark**: ``equity[i] = cash + qty x close[i]``, ``position[i] = qty`` (signed).

Orders (event values +1 long, -1 short, 0 flat, NaN nothing): a change of side
closes the position first (one trade) then opens the new one (sized on the equity
after the close). Entries are sized and protected from the actual fill price;
per-trade stop/take-profit overrides are read at the decision bar. Every fill pays
slippage and the taker fee. A refused entry (below the minimum size, no equity,
...) is counted in ``skipped_entries`` and leaves the position flat until the next
event. Accounting is cash-based for both markets: a buy lowers ``cash`` by
``qty x price + fee``, a sell raises it by ``qty x price - fee``; equity is
``cash + qty x price``. Liquidation is not modelled (sizing caps leverage).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from moonai_tui.backtest._jit import compiled, inlined
from moonai_tui.backtest.kernels import (
    SIZE_OK,
    STOP_LOSS,
    TAKE_PROFIT,
    all_in_qty,
    ceil_step,
    exit_trigger,
    fee_of,
    floor_step,
    protective_levels,
    size_qty,
    slipped_price,
)

F64 = npt.NDArray[np.float64]

# Columns of the trade records.
ENTRY_BAR, EXIT_BAR, SIDE, QTY, ENTRY_PRICE, EXIT_PRICE = 0, 1, 2, 3, 4, 5
ENTRY_FEE, EXIT_FEE, FUNDING, PNL, REASON, STOP, TAKE = 6, 7, 8, 9, 10, 11, 12
N_COLUMNS = 13

SIGNAL, STOPPED, TOOK_PROFIT, TRAILED, END_OF_DATA, STILL_OPEN = 0, 1, 2, 3, 4, 5
EXIT_REASONS = ("signal", "stop_loss", "take_profit", "trailing_stop", "end_of_data", "open")
"""Exit reason names by code (``records[:, REASON]``)."""


class KernelParams(NamedTuple):
    """The scalar settings of :func:`simulate_arrays` (see BacktestConfig)."""

    initial_equity: float
    fee_rate: float
    fixed_bps: float
    depth_per_bps: float
    fill_next_open: bool
    default_stop: float
    default_take: float
    trail_pct: float
    risk_sizing: bool
    risk_per_trade: float
    max_position_pct: float
    max_leverage: float
    all_in_fraction: float
    allow_short: bool
    spot: bool
    close_at_end: bool
    tick: float
    lot: float
    min_qty: float
    min_notional: float


# Positions of KernelParams in the float64 array the loop reads.
(
    P_EQUITY,
    P_FEE,
    P_BPS,
    P_DEPTH,
    P_NEXT_OPEN,
    P_STOP,
    P_TAKE,
    P_TRAIL,
    P_RISK_SIZING,
    P_RISK,
    P_MAX_POS,
    P_MAX_LEV,
    P_FRACTION,
    P_SHORTS,
    P_SPOT,
    P_CLOSE_AT_END,
    P_TICK,
    P_LOT,
    P_MIN_QTY,
    P_MIN_NOTIONAL,
) = range(20)

# The loop's mutable state, one float64 array so helpers can update it in place.
(
    S_CASH,
    S_QTY,
    S_ENTRY_PRICE,
    S_ENTRY_FEE,
    S_ENTRY_BAR,
    S_FUNDING,
    S_STOP,
    S_TAKE,
    S_BEST,
    S_TRADES,
    S_FEES,
    S_NOTIONAL,
    S_FUNDING_PAID,
    S_SKIPPED,
) = range(14)
N_STATE = 14


class KernelOutput(NamedTuple):
    """What the loop produces.

    Attributes:
        equity: marked-to-market equity at each bar's close.
        position: signed quantity held at each bar's close.
        records: one row per trade, columns ENTRY_BAR ... TAKE (module constants).
        fees_paid: sum of all fees.
        traded_notional: sum of ``|qty x price|`` over all fills.
        funding_paid: sum of funding payments (negative = received).
        skipped_entries: entries refused by the sizing or stop rules.
    """

    equity: F64
    position: F64
    records: F64
    fees_paid: float
    traded_notional: float
    funding_paid: float
    skipped_entries: int


def simulate_arrays(
    open_: F64,
    high: F64,
    low: F64,
    close: F64,
    events: F64,
    params: KernelParams,
    *,
    stop_pct: F64 | None = None,
    take_pct: F64 | None = None,
    funding: F64 | None = None,
) -> KernelOutput:
    """Run the loop on contiguous float64 arrays (the bench and ``run_backtest`` use it).

    Args:
        open_: bar opens; ``high``, ``low``, ``close`` likewise, same length.
        events: per bar: +1, -1, 0 (order decided at that bar's close) or NaN, as
            :func:`~moonai_tui.backtest.inputs.events_from_target` makes them.
        params: the settings.
        stop_pct: per-bar stop-loss overrides (NaN = ``params.default_stop``).
        take_pct: per-bar take-profit overrides (NaN = ``params.default_take``).
        funding: per-bar summed funding rate (see the module docstring).

    Raises:
        ValueError: arrays of different lengths (the compiled loop does not check
            bounds, so this is checked here, once).
    """
    n = len(open_)
    empty = np.empty(0, dtype=np.float64)
    arrays = [open_, high, low, close, events]
    for extra in (stop_pct, take_pct, funding):
        arrays.append(empty if extra is None else extra)
    for k, array in enumerate(arrays):
        if len(array) != n and not (k >= 5 and len(array) == 0):
            raise ValueError(f"simulate_arrays: array {k} has {len(array)} values, not {n}")
    state = np.zeros(N_STATE, dtype=np.float64)
    o, h, lo, c, ev, stops, takes, fund = (np.ascontiguousarray(a, np.float64) for a in arrays)
    settings = np.array(params, dtype=np.float64)
    equity, position, records = _loop(o, h, lo, c, ev, stops, takes, fund, settings, state)
    return KernelOutput(
        equity,
        position,
        records,
        float(state[S_FEES]),
        float(state[S_NOTIONAL]),
        float(state[S_FUNDING_PAID]),
        int(state[S_SKIPPED]),
    )


@compiled
def _loop(
    open_: F64,
    high: F64,
    low: F64,
    close: F64,
    events: F64,
    stop_over: F64,
    take_over: F64,
    funding: F64,
    p: F64,
    s: F64,
) -> tuple[F64, F64, F64]:
    n = open_.shape[0]
    n_events = 0
    for i in range(n):
        if not math.isnan(events[i]):
            n_events += 1
    records = np.empty((n_events + 1, N_COLUMNS), dtype=np.float64)
    equity = np.empty(n, dtype=np.float64)
    position = np.empty(n, dtype=np.float64)
    next_open = p[P_NEXT_OPEN] > 0.0
    has_funding = funding.shape[0] > 0
    trailing = not math.isnan(p[P_TRAIL])
    s[S_CASH] = p[P_EQUITY]
    for i in range(n):
        if has_funding and s[S_QTY] != 0.0 and funding[i] != 0.0:
            pay = s[S_QTY] * open_[i] * funding[i]
            s[S_CASH] -= pay
            s[S_FUNDING] += pay
            s[S_FUNDING_PAID] += pay
        if next_open and i > 0 and not math.isnan(events[i - 1]):
            _order(s, p, records, int(events[i - 1]), open_[i], i, i - 1, stop_over, take_over)
        if s[S_QTY] != 0.0 and (trailing or not math.isnan(s[S_STOP]) or not math.isnan(s[S_TAKE])):
            _protect(s, p, records, i, open_[i], high[i], low[i], trailing)
        if not next_open and not math.isnan(events[i]):
            _order(s, p, records, int(events[i]), close[i], i, i, stop_over, take_over)
        equity[i] = s[S_CASH] + s[S_QTY] * close[i]
        position[i] = s[S_QTY]
    if n > 0 and s[S_QTY] != 0.0:
        last = n - 1
        if p[P_CLOSE_AT_END] > 0.0:
            _close(s, p, records, close[last], last, END_OF_DATA)
            equity[last] = s[S_CASH]
            position[last] = 0.0
        else:
            _record(s, records, last, close[last], 0.0, STILL_OPEN)
    return equity, position, records[: int(s[S_TRADES])].copy()


@inlined
def _protect(
    s: F64, p: F64, records: F64, i: int, open_: float, high: float, low: float, trailing: bool
) -> None:
    """Step 3 of the module docstring: stop, take-profit and trailing stop in bar ``i``."""
    is_long = s[S_QTY] > 0.0
    level = s[S_STOP]
    trailed = False
    if trailing:
        if is_long:
            trail = ceil_step(s[S_BEST] * (1.0 - p[P_TRAIL]), p[P_TICK])
            if math.isnan(level) or trail > level:
                level = trail
                trailed = True
        else:
            trail = floor_step(s[S_BEST] * (1.0 + p[P_TRAIL]), p[P_TICK])
            if math.isnan(level) or trail < level:
                level = trail
                trailed = True
    kind, price, _ = exit_trigger(is_long, open_, high, low, level, s[S_TAKE])
    if kind == STOP_LOSS:
        _close(s, p, records, price, i, TRAILED if trailed else STOPPED)
    elif kind == TAKE_PROFIT:
        _close(s, p, records, price, i, TOOK_PROFIT)
    elif trailing:
        s[S_BEST] = max(s[S_BEST], high) if is_long else min(s[S_BEST], low)


@inlined
def _order(
    s: F64,
    p: F64,
    records: F64,
    desired: int,
    base: float,
    bar: int,
    decision: int,
    stop_over: F64,
    take_over: F64,
) -> None:
    """An order event at market price ``base``: close, reverse or open as needed."""
    if desired == -1 and p[P_SHORTS] == 0.0:
        desired = 0
    qty = s[S_QTY]
    current = 1 if qty > 0.0 else (-1 if qty < 0.0 else 0)
    if desired == current:
        return
    if current != 0:
        _close(s, p, records, base, bar, SIGNAL)
    if desired == 0:
        return
    stop_pct = p[P_STOP]
    if stop_over.shape[0] > 0 and not math.isnan(stop_over[decision]):
        stop_pct = stop_over[decision]
    take_pct = p[P_TAKE]
    if take_over.shape[0] > 0 and not math.isnan(take_over[decision]):
        take_pct = take_over[decision]
    is_long = desired == 1
    size, fill, stop, take, code = _open(base, is_long, s[S_CASH], stop_pct, take_pct, p)
    if code != SIZE_OK:
        s[S_SKIPPED] += 1.0
        return
    fee = fee_of(size * fill, p[P_FEE])
    qty = size if is_long else -size
    s[S_CASH] -= qty * fill + fee
    s[S_FEES] += fee
    s[S_NOTIONAL] += size * fill
    s[S_QTY] = qty
    s[S_ENTRY_PRICE] = fill
    s[S_ENTRY_FEE] = fee
    s[S_ENTRY_BAR] = bar
    s[S_FUNDING] = 0.0
    s[S_STOP] = stop
    s[S_TAKE] = take
    s[S_BEST] = base


@inlined
def _close(s: F64, p: F64, records: F64, base: float, bar: int, reason: int) -> None:
    """Close the whole position at market price ``base`` (slippage, taker fee)."""
    qty = s[S_QTY]
    size = abs(qty)
    price = slipped_price(base, qty < 0.0, size, p[P_BPS], p[P_DEPTH], p[P_TICK])
    fee = fee_of(size * price, p[P_FEE])
    _record(s, records, bar, price, fee, reason)
    s[S_CASH] += qty * price - fee
    s[S_FEES] += fee
    s[S_NOTIONAL] += size * price
    s[S_QTY] = 0.0


@inlined
def _record(s: F64, records: F64, bar: int, price: float, fee: float, reason: int) -> None:
    """Append the current trade, exiting at ``price`` with ``fee``, to ``records``."""
    qty = s[S_QTY]
    row = records[int(s[S_TRADES])]
    row[ENTRY_BAR] = s[S_ENTRY_BAR]
    row[EXIT_BAR] = bar
    row[SIDE] = 1.0 if qty > 0.0 else -1.0
    row[QTY] = abs(qty)
    row[ENTRY_PRICE] = s[S_ENTRY_PRICE]
    row[EXIT_PRICE] = price
    row[ENTRY_FEE] = s[S_ENTRY_FEE]
    row[EXIT_FEE] = fee
    row[FUNDING] = s[S_FUNDING]
    row[PNL] = qty * (price - s[S_ENTRY_PRICE]) - s[S_ENTRY_FEE] - fee - s[S_FUNDING]
    row[REASON] = reason
    row[STOP] = s[S_STOP]
    row[TAKE] = s[S_TAKE]
    s[S_TRADES] += 1.0


@inlined
def _size_at(
    price: float, is_long: bool, equity: float, stop_pct: float, p: F64
) -> tuple[float, int]:
    """The size of an entry filled at ``price``, by the configured sizing rule."""
    if p[P_RISK_SIZING] > 0.0:
        stop, _, code = protective_levels(price, is_long, stop_pct, math.nan, p[P_TICK])
        if code != SIZE_OK:
            return 0.0, code
        # Spot has no margin: never buy more than the cash pays for, fee included.
        max_qty = equity / (price * (1.0 + p[P_FEE])) if p[P_SPOT] > 0.0 else math.nan
        return size_qty(
            equity,
            price,
            stop,
            p[P_RISK],
            p[P_MAX_POS],
            p[P_MAX_LEV],
            p[P_LOT],
            p[P_MIN_QTY],
            p[P_MIN_NOTIONAL],
            0.0,
            0.0,
            max_qty,
        )
    return all_in_qty(
        equity, price, p[P_FRACTION], p[P_FEE], p[P_LOT], p[P_MIN_QTY], p[P_MIN_NOTIONAL]
    )


@inlined
def _open(
    base: float, is_long: bool, equity: float, stop_pct: float, take_pct: float, p: F64
) -> tuple[float, float, float, float, int]:
    """An entry at market price ``base``: ``(qty, fill, stop, take, code)``.

    With the depth model the fill depends on the size and the size on the fill.
    Sizing at the fixed-cost price, then once more at the price that size would
    get, gives a size whose final fill is no worse than the price it was sized at
    (a smaller long pays less impact; a larger short sells lower, which shrinks its
    risk per unit), so the money at risk and the notional stay within the limits.
    """
    bps, depth, tick = p[P_BPS], p[P_DEPTH], p[P_TICK]
    price = slipped_price(base, is_long, 0.0, bps, 0.0, tick)
    qty, code = _size_at(price, is_long, equity, stop_pct, p)
    if code == SIZE_OK and depth > 0.0:
        price = slipped_price(base, is_long, qty, bps, depth, tick)
        qty, code = _size_at(price, is_long, equity, stop_pct, p)
    if code != SIZE_OK:
        return 0.0, math.nan, math.nan, math.nan, code
    fill = slipped_price(base, is_long, qty, bps, depth, tick)
    stop, take, code = protective_levels(fill, is_long, stop_pct, take_pct, tick)
    if code != SIZE_OK:
        return 0.0, math.nan, math.nan, math.nan, code
    return qty, fill, stop, take, SIZE_OK
