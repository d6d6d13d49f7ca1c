"""The matching engine: the account's orders against the replayed market.

Rules (ByBit's where it has one, a documented simplification otherwise):

* A market order, and the crossing part of a limit order, walks the current
  public book best level first (price-time priority against the book's levels),
  one execution per level, as a taker. The public book is not depleted by the
  account's fills: it is re-generated from the replay on its next update anyway.
  Depth that runs out cancels the rest (``PartiallyFilledCanceled``), as
  ByBit's IOC market orders do.
* A resting limit order fills completely, at its own price and as a maker, when
  a replayed public trade prints strictly through that price (the whole level
  traded away, so the order's queue position does not matter).
* PostOnly that would cross is cancelled at once (``EC_PostOnlyWillTakeLiquidity``);
  FOK that cannot fill completely is cancelled without fills; IOC cancels its rest.
* Conditional orders (``triggerPrice`` + ``triggerDirection``) and position
  TP/SL trigger on the last price, i.e. on the replayed trades; a triggered
  market order fills at the triggering trade's price as a taker, a triggered
  limit order starts resting.
* Time only moves in ``sweep``: every private request and the private loop call
  it, so the outcome depends on market time only, never on how often it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from moonai_tui.sim.account import FEES, SETTLE, Account, quantize
from moonai_tui.sim.orders import ZERO, Execution, Order, new_id
from moonai_tui.sim.quotes import Level, Quotes


@dataclass
class Changes:
    """What one operation touched; published once when it ends."""

    orders: dict[str, Order] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    positions: set[str] = field(default_factory=set)
    wallet: bool = False

    def __bool__(self) -> bool:
        return bool(self.orders or self.executions or self.positions or self.wallet)

    def order(self, order: Order) -> None:
        """Record a changed order."""
        self.orders[order.order_id] = order


Listener = Callable[[Changes], None]


def _finished(order: Order) -> int:
    return order.updated_ms


MAX_FINAL_ORDERS = 20_000
MAX_EXECUTIONS = 50_000
"""The account's history kept (oldest forgotten first): the offline console runs the
simulator for weeks, and memory must stay flat. Far more than a reconciliation reads
back (ByBit itself answers for a week per call)."""


class MatchingEngine:
    """Orders, executions and the sweep of the price path for one account."""

    def __init__(self, quotes: Quotes, account: Account) -> None:
        self.quotes = quotes
        self.account = account
        self.orders: dict[str, Order] = {}
        self.by_link: dict[str, Order] = {}
        self.executions: list[Execution] = []
        self.listeners: list[Listener] = []
        self.swept_ms = quotes.now_ms()
        self.max_final_orders = MAX_FINAL_ORDERS
        self.max_executions = MAX_EXECUTIONS
        """History caps (tests lower them)."""
        self._next_trim = 0

    # -- notifications -------------------------------------------------------------------
    def publish(self, changes: Changes) -> None:
        """Tell every listener (the private websocket hub) what changed."""
        if changes:
            for listener in list(self.listeners):
                listener(changes)

    def open_orders(self) -> list[Order]:
        """Every working order, oldest first."""
        return [o for o in self.orders.values() if o.is_open]

    def register(self, order: Order, changes: Changes) -> None:
        """Store an accepted order (forgetting the oldest final ones beyond the cap)."""
        self.orders[order.order_id] = order
        if order.link_id:
            self.by_link[order.link_id] = order
        changes.order(order)
        # Checked every tenth of the cap, so that an order does not scan the history.
        if len(self.orders) > self.max_final_orders and len(self.orders) >= self._next_trim:
            self._forget_orders()
            self._next_trim = len(self.orders) + max(1, self.max_final_orders // 10)

    def _forget_orders(self) -> None:
        """Forget the final orders that finished longest ago beyond the cap (an order
        that rested for days and just filled is recent, whenever it was placed)."""
        final = sorted((o for o in self.orders.values() if not o.is_open), key=_finished)
        for old in final[: max(0, len(final) - self.max_final_orders)]:
            del self.orders[old.order_id]
            if old.link_id and self.by_link.get(old.link_id) is old:
                del self.by_link[old.link_id]

    # -- fills ----------------------------------------------------------------------------
    def fill(
        self,
        order: Order,
        price: Decimal,
        qty: Decimal,
        maker: bool,
        changes: Changes,
        at_ms: int | None = None,
    ) -> None:
        """Execute ``qty`` of ``order`` at ``price``: balances, position, execution row.

        ``at_ms`` is the time of the replayed trade that caused a fill on the price path
        (default: now).
        """
        now = self.quotes.now_ms() if at_ms is None else at_ms
        taker_rate, maker_rate = FEES[order.category]
        rate = maker_rate if maker else taker_rate
        value = price * qty
        spec = order.spec
        closed = ZERO
        if order.category == "linear":
            fee, coin = value * rate, SETTLE
            closed = self.account.fill_linear(order.symbol, order.side, qty, price, fee, now)
            pos = self.account.position(order.symbol)
            if pos.size and not closed:  # an opening fill attaches the order's TP/SL (Full mode)
                pos.take_profit = order.take_profit or pos.take_profit
                pos.stop_loss = order.stop_loss or pos.stop_loss
            changes.positions.add(order.symbol)
        elif order.side == "Buy":  # ByBit spot: a buyer pays the fee in the coin bought
            fee, coin = qty * rate, spec.base
            self.account.credit(spec.quote, -value)
            self.account.credit(spec.base, qty - fee)
        else:
            fee, coin = value * rate, spec.quote
            self.account.credit(spec.base, -qty)
            self.account.credit(spec.quote, value - fee)
        order.cum_qty += qty
        order.cum_value += value
        order.cum_fee += fee
        order.fee_coin = coin
        order.updated_ms = now
        leaves = order.qty - (order.cum_value if order.in_quote else order.cum_qty)
        if leaves <= 0 or (order.in_quote and leaves < price * Decimal(spec.qty_step)):
            order.status = "Filled"
        else:
            order.status = "PartiallyFilled"
        execution = Execution(
            new_id(), order, price, qty, fee, rate, coin, maker, now, closed, order.leaves
        )
        self.executions.append(execution)
        if len(self.executions) > self.max_executions * 11 // 10:
            del self.executions[: len(self.executions) - self.max_executions]
        changes.executions.append(execution)
        changes.order(order)
        changes.wallet = True

    def walk(self, order: Order, changes: Changes, limit: Decimal | None) -> None:
        """Take liquidity from the book up to ``limit`` (None: any price)."""
        levels = self.crossing(order, limit)
        step = Decimal(order.spec.qty_step)
        for price, size in levels:
            if not order.is_open:
                break
            want = order.leaves
            if order.in_quote:
                want = quantize(want / price, step)
            elif order.reduce_only:
                want = min(want, self.account.reducible(order.symbol, order.side))
            qty = min(want, size)
            if qty <= 0:
                break
            self.fill(order, price, qty, False, changes)

    def crossing(self, order: Order, limit: Decimal | None) -> list[Level]:
        """Opposite book levels an order at ``limit`` would take, best first."""
        levels = self.quotes.book(order.category, order.symbol, is_bid=order.side == "Sell")
        if limit is None:
            return levels
        if order.side == "Buy":
            return [lv for lv in levels if lv[0] <= limit]
        return [lv for lv in levels if lv[0] >= limit]

    def finish_taker(self, order: Order, changes: Changes) -> None:
        """After taking liquidity: rest a GTC limit order, cancel the rest of anything else."""
        if not order.is_open:
            return
        if order.order_type == "Limit" and order.time_in_force in ("GTC", "PostOnly"):
            order.status = "PartiallyFilled" if order.cum_qty else "New"
        else:
            order.status = "PartiallyFilledCanceled" if order.cum_qty else "Cancelled"
            order.cancel_type = "CancelByUser" if order.cum_qty else "UNKNOWN"
        changes.order(order)

    def execute_new(self, order: Order, changes: Changes) -> None:
        """Match a just-accepted (or just-triggered) order against the book."""
        if order.time_in_force == "PostOnly" and self.crossing(order, order.price):
            order.status = "Cancelled"
            order.reject_reason = "EC_PostOnlyWillTakeLiquidity"
            changes.order(order)
            return
        if order.time_in_force == "FOK":
            depth = sum((size for _, size in self.crossing(order, order.price)), start=ZERO)
            if depth < order.leaves:
                order.status = "Cancelled"
                order.reject_reason = "EC_FOKOrderCannotBeFilled"
                changes.order(order)
                return
        self.walk(order, changes, order.price)
        self.finish_taker(order, changes)

    def cancel(self, order: Order, changes: Changes, cancel_type: str = "CancelByUser") -> None:
        """Cancel a working order."""
        if order.status == "Untriggered":
            order.status = "Deactivated"
        else:
            order.status = "PartiallyFilledCanceled" if order.cum_qty else "Cancelled"
        order.cancel_type = cancel_type
        order.updated_ms = self.quotes.now_ms()
        changes.order(order)
        changes.wallet = True  # frees order margin or locked balance

    # -- the price path ---------------------------------------------------------------------
    def sweep(self) -> None:
        """Replay the public trades since the last sweep against working orders and TP/SL."""
        now = self.quotes.now_ms()
        since, self.swept_ms = self.swept_ms, max(self.swept_ms, now)
        if now <= since:
            return
        changes = Changes()
        watched = {(o.category, o.symbol) for o in self.open_orders()}
        watched |= {
            ("linear", s)
            for s, p in self.account.positions.items()
            if p.size and (p.take_profit or p.stop_loss)
        }
        for category, symbol in sorted(watched):
            trades = self.quotes.trades(category, symbol, since, now)
            if trades and self._reachable(category, symbol, trades):
                for ts, price in trades:
                    self._on_trade(category, symbol, ts, price, changes)
        self.publish(changes)

    def _reachable(self, category: str, symbol: str, trades: list[tuple[int, Decimal]]) -> bool:
        """Whether any trigger, limit or TP/SL can fire in the window's price range (fast skip)."""
        lo = min(p for _, p in trades)
        hi = max(p for _, p in trades)
        # (level, fires when the price goes up to it) for everything watched on this market
        checks: list[tuple[Decimal, bool]] = []
        for o in self.open_orders():
            if (o.category, o.symbol) != (category, symbol):
                continue
            if o.status == "Untriggered" and o.trigger_price is not None:
                checks.append((o.trigger_price, o.trigger_direction == 1))
            elif o.price is not None:
                checks.append((o.price, o.side == "Sell"))
        pos = self.account.positions.get(symbol) if category == "linear" else None
        if pos is not None and pos.size:
            long = pos.size > 0
            if pos.take_profit is not None:
                checks.append((pos.take_profit, long))
            if pos.stop_loss is not None:
                checks.append((pos.stop_loss, not long))
        return any(hi >= level if up else lo <= level for level, up in checks)

    def _on_trade(
        self, category: str, symbol: str, ts: int, price: Decimal, changes: Changes
    ) -> None:
        for order in self.open_orders():
            if (order.category, order.symbol) != (category, symbol):
                continue
            if order.status == "Untriggered":
                up = order.trigger_direction == 1
                assert order.trigger_price is not None
                if (price >= order.trigger_price) if up else (price <= order.trigger_price):
                    self._trigger(order, ts, price, changes)
            elif order.price is not None and (
                price < order.price if order.side == "Buy" else price > order.price
            ):
                qty = order.leaves
                if order.reduce_only:
                    qty = min(qty, self.account.reducible(symbol, order.side))
                if qty > 0:
                    self.fill(order, order.price, qty, True, changes, ts)
                if order.is_open:  # a reduce-only rest with nothing left to reduce
                    self.cancel(order, changes, "CancelByReduceOnly")
        if category == "linear":
            self._position_stops(symbol, ts, price, changes)

    def _trigger(self, order: Order, ts: int, price: Decimal, changes: Changes) -> None:
        order.status = "New"  # ByBit: Untriggered -> Triggered -> New/Filled
        order.updated_ms = ts
        changes.order(order)
        if order.reduce_only:
            reducible = self.account.reducible(order.symbol, order.side)
            if not reducible:
                self.cancel(order, changes, "CancelByReduceOnly")
                return
            order.qty = min(order.qty, reducible)
        if order.order_type == "Market":
            self.fill(order, price, order.leaves, False, changes, ts)

    def _position_stops(self, symbol: str, ts: int, price: Decimal, changes: Changes) -> None:
        pos = self.account.positions.get(symbol)
        if pos is None or not pos.size:
            return
        long = pos.size > 0
        hit_sl = pos.stop_loss is not None and (
            price <= pos.stop_loss if long else price >= pos.stop_loss
        )
        hit_tp = pos.take_profit is not None and (
            price >= pos.take_profit if long else price <= pos.take_profit
        )
        if not (hit_sl or hit_tp):
            return
        close = Order(
            order_id=new_id(),
            link_id="",
            category="linear",
            symbol=symbol,
            side="Sell" if long else "Buy",
            order_type="Market",
            qty=abs(pos.size),
            price=None,
            time_in_force="IOC",
            created_ms=ts,
            reduce_only=True,
            close_on_trigger=True,
            trigger_price=pos.stop_loss if hit_sl else pos.take_profit,
            stop_order_type="StopLoss" if hit_sl else "TakeProfit",
            create_type="CreateByStopLoss" if hit_sl else "CreateByTakeProfit",
        )
        self.register(close, changes)
        self.fill(close, price, close.qty, False, changes, ts)
