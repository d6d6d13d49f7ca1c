"""The one fill model shared by the paper broker and the backtester.

Both call the same :class:`FillModel` with the same settings, so a backtest of a
recorded session and the paper session itself produce the same fills (architecture
invariant 2). Rules, in one place:

* **Market order against a book**: walk the opposite side from the best level,
  taking ``min(remaining, level size)`` per level; the average price is the
  volume-weighted ``sum(p_i x q_i) / sum(q_i)``. If the book's depth is short, the
  fill is partial: the filled quantity is the depth floored to the lot size and
  ``unfilled_qty`` reports the rest. Taker fee.
* **Market order against bars** (no book): fills at the *next* bar's open, never the
  bar whose close produced the decision (invariant 5, enforced by ``after_ts``).
  Taker fee.
* **Extra slippage** (``slippage_bps``) moves every market-type price against us:
  ``buy = p x (1 + bps/10,000)`` rounded up to the tick, ``sell = p x (1 - bps/10,000)``
  rounded down. It applies to market orders (book or bar) and to triggered
  stop-loss / take-profit exits, never to limit fills.
* **Limit order against a bar**: a buy fills when ``low < limit``, a sell when
  ``high > limit`` (price traded *through* the limit, so our queue position does not
  matter); a touch (``low == limit``) fills only with ``limit_fills_on_touch``. The
  fill is the whole quantity at the limit price, maker fee. The order is assumed to
  be resting before the bar opens, so a gap through the limit still fills at the
  limit (the resting order's price); a limit that is marketable when placed is a
  taker order and the caller should fill it as a market order.
* **Protective exits inside a bar**: :mod:`moonai_tui.execution.intrabar` decides
  (stop first when both are inside the bar; a gap through the stop fills at the
  open). The exit is a market order on trigger: slippage and taker fee.

For a tick or trade stream (paper trading), a single price is a bar with
``open = high = low = close = price``; the same rules then fill a triggered stop at
that trade price.

Market data in :mod:`moonai_tui.domain` is float; it is converted with
:func:`~moonai_tui.execution.rounding.price_from_float` (nearest tick) before any rule,
so results are exact Decimals on the exchange's grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from moonai_tui.domain import Bar, Instrument, OrderBook, Side
from moonai_tui.execution.fees import FeeSchedule, Liquidity
from moonai_tui.execution.fills import FillLeg, FillReason, FillResult
from moonai_tui.execution.intrabar import PositionSide, resolve_exit_trigger
from moonai_tui.execution.rounding import (
    ceil_to_step,
    decimal_from_float,
    floor_to_step,
    is_on_step,
    price_from_float,
)

_BPS = Decimal(10_000)


class LookAheadError(ValueError):
    """A fill was asked for at or before the moment the decision was made."""


@dataclass(frozen=True, slots=True)
class FillModel:
    """Fees, slippage and limit rules; every method is pure.

    Attributes:
        fees: maker and taker rates (ByBit linear defaults).
        slippage_bps: extra adverse slippage for market-type fills, in basis points
            (1 bp = 0.01 %); 0 means the book or bar price as is.
        limit_fills_on_touch: when True a limit fills on ``low == limit`` (buy) or
            ``high == limit`` (sell); by default price must trade through it.
    """

    fees: FeeSchedule = field(default_factory=FeeSchedule)
    slippage_bps: Decimal = Decimal(0)
    limit_fills_on_touch: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.slippage_bps < _BPS:
            raise ValueError(f"slippage_bps must be in [0, 10000), got {self.slippage_bps}")

    # Market orders ---------------------------------------------------------------

    def market_on_book(
        self,
        side: Side,
        qty: Decimal,
        book: OrderBook,
        instrument: Instrument,
        *,
        after_ts: int | None = None,
    ) -> FillResult:
        """Fill a market order by walking ``book`` (asks for a buy, bids for a sell).

        Example: buy 3 against asks 100 x 1, 101 x 1, 102 x 0.5 fills 2.5 in three
        legs; VWAP = (100 + 101 + 51) / 2.5 = 100.8; unfilled 0.5.

        Args:
            side: buy or sell.
            qty: quantity to fill (> 0).
            book: a snapshot of the book; levels best first.
            instrument: gives the tick and lot sizes.
            after_ts: when given, the book must be strictly newer than this time
                (the decision's time), else :class:`LookAheadError`.

        Returns:
            The fill, possibly partial (``unfilled_qty > 0``) or empty (no legs).
        """
        _check_qty(qty)
        if after_ts is not None and book.ts <= after_ts:
            raise LookAheadError(f"book at {book.ts} is not after the decision at {after_ts}")
        tick = instrument.tick_size
        levels = [
            (price_from_float(level.price, tick), decimal_from_float(level.size))
            for level in (book.asks if side == "buy" else book.bids)
            if level.size > 0
        ]
        depth = sum((size for _, size in levels), Decimal(0))
        # Short depth: fill what is there, but only a whole number of lots, as an
        # exchange would; the remainder is reported, never silently dropped.
        target = qty if depth >= qty else floor_to_step(depth, instrument.lot_size)
        legs: list[FillLeg] = []
        remaining = target
        for price, size in levels:
            if remaining <= 0:
                break
            take = min(size, remaining)
            legs.append(FillLeg(self._slip(side, price, tick), take))
            remaining -= take
        return self._result(side, qty, tuple(legs), "market", book.ts)

    def market_at_price(
        self,
        side: Side,
        qty: Decimal,
        price: Decimal,
        instrument: Instrument,
        *,
        ts: int | None = None,
    ) -> FillResult:
        """Fill a market order completely at ``price`` plus slippage, taker fee.

        The primitive under :meth:`market_on_next_bar`; the backtester's documented
        "fill at the signal bar's close" comparison mode calls it with the close.

        Example: buy 0.1 at 50,000 with 10 bps: price = 50,000 x 1.001 = 50,050;
        fee = 0.1 x 50,050 x 0.00055 = 2.752750.
        """
        _check_qty(qty)
        if price <= 0:
            raise ValueError(f"price must be positive, got {price}")
        leg = FillLeg(self._slip(side, price, instrument.tick_size), qty)
        return self._result(side, qty, (leg,), "market", ts)

    def market_on_next_bar(
        self,
        side: Side,
        qty: Decimal,
        next_bar: Bar,
        instrument: Instrument,
        *,
        after_ts: int,
    ) -> FillResult:
        """Fill a market order at ``next_bar``'s open plus slippage, taker fee.

        Args:
            side: buy or sell.
            qty: quantity (> 0).
            next_bar: the bar after the one whose close produced the decision.
            instrument: gives the tick size.
            after_ts: open time of the decision bar; ``next_bar.ts`` must be later,
                else :class:`LookAheadError` (a fill inside the decision bar would
                use a price from before the decision).
        """
        if next_bar.ts <= after_ts:
            raise LookAheadError(
                f"bar at {next_bar.ts} is not after the decision bar at {after_ts}"
            )
        open_ = price_from_float(next_bar.open, instrument.tick_size)
        return self.market_at_price(side, qty, open_, instrument, ts=next_bar.ts)

    # Limit orders ----------------------------------------------------------------

    def limit_on_bar(
        self,
        side: Side,
        qty: Decimal,
        limit_price: Decimal,
        bar: Bar,
        instrument: Instrument,
    ) -> FillResult | None:
        """Fill a resting limit order if ``bar`` traded through it (module docstring).

        Example: buy limit 100 fills on a bar with low 99.9, not on low 100 (unless
        ``limit_fills_on_touch``); fee = qty x 100 x maker rate.

        Returns:
            A complete maker fill at ``limit_price``, or None when the bar did not
            reach the limit.
        """
        _check_qty(qty)
        tick = instrument.tick_size
        if limit_price <= 0 or not is_on_step(limit_price, tick):
            raise ValueError(f"limit price {limit_price} is not a positive multiple of {tick}")
        if side == "buy":
            low = price_from_float(bar.low, tick)
            crossed = low < limit_price or (self.limit_fills_on_touch and low == limit_price)
        else:
            high = price_from_float(bar.high, tick)
            crossed = high > limit_price or (self.limit_fills_on_touch and high == limit_price)
        if not crossed:
            return None
        leg = FillLeg(limit_price, qty)
        return self._result(side, qty, (leg,), "limit", bar.ts, liquidity="maker")

    # Protective exits --------------------------------------------------------------

    def exit_on_bar(
        self,
        position_side: PositionSide,
        qty: Decimal,
        bar: Bar,
        instrument: Instrument,
        *,
        stop_loss: Decimal | None,
        take_profit: Decimal | None,
    ) -> FillResult | None:
        """Close ``qty`` of a position if ``bar`` triggers its stop-loss or take-profit.

        Evaluate it on the entry bar too: an entry filled at a bar's open is exposed
        to the rest of that bar.

        Example: long with stop 98 and take-profit 105, bar O 100 H 106 L 97: both
        inside, so stop-loss at 98 (then slippage, taker fee). Bar O 95: gapped, so
        stop-loss at 95, not 98.

        Returns:
            The closing fill (side opposite the position), or None if nothing triggered.
        """
        _check_qty(qty)
        tick = instrument.tick_size
        trigger = resolve_exit_trigger(
            position_side,
            open_=price_from_float(bar.open, tick),
            high=price_from_float(bar.high, tick),
            low=price_from_float(bar.low, tick),
            stop_loss=stop_loss,
            take_profit=take_profit,
        )
        if trigger is None:
            return None
        side: Side = "sell" if position_side == "long" else "buy"
        leg = FillLeg(self._slip(side, trigger.price, tick), qty)
        return self._result(side, qty, (leg,), trigger.kind, bar.ts, gapped=trigger.gapped)

    # Helpers -------------------------------------------------------------------------

    def _slip(self, side: Side, price: Decimal, tick: Decimal) -> Decimal:
        """``price`` moved against us by ``slippage_bps`` and rounded against us to the tick."""
        if side == "buy":
            return ceil_to_step(price * (1 + self.slippage_bps / _BPS), tick)
        return floor_to_step(price * (1 - self.slippage_bps / _BPS), tick)

    def _result(
        self,
        side: Side,
        qty: Decimal,
        legs: tuple[FillLeg, ...],
        reason: FillReason,
        ts: int | None,
        *,
        liquidity: Liquidity = "taker",
        gapped: bool = False,
    ) -> FillResult:
        notional = sum((leg.notional for leg in legs), Decimal(0))
        return FillResult(
            side=side,
            requested_qty=qty,
            legs=legs,
            fee=self.fees.fee(notional, liquidity),
            liquidity=liquidity,
            reason=reason,
            ts=ts,
            gapped=gapped,
        )


def _check_qty(qty: Decimal) -> None:
    if qty <= 0:
        raise ValueError(f"quantity must be positive, got {qty}")
