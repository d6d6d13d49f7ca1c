"""The account's trading operations: the one order path, cancels, leverage, TP/SL, queries.

``TradingDesk.create_order`` is the single entry for new orders (REST today; a
fault-injection layer can wrap it to accept an order and then drop or delay the
response). Every operation first sweeps the price path up to now, then acts,
then publishes what changed to the private websocket hub.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from moonai_tui.sim.account import FEES, SETTLE, Account, CoinState, coin_states
from moonai_tui.sim.instruments import SPECS
from moonai_tui.sim.matching import Changes, MatchingEngine
from moonai_tui.sim.orders import (
    ZERO,
    Execution,
    Order,
    OrderRequest,
    TradeError,
    category_of,
    decimal_param,
    new_id,
    parse_order,
)
from moonai_tui.sim.quotes import Quotes

MAX_LEVERAGE = Decimal(100)


class TradingDesk:
    """Everything the private endpoints do to the account."""

    def __init__(self, quotes: Quotes, account: Account) -> None:
        self.quotes = quotes
        self.account = account
        self.engine = MatchingEngine(quotes, account)

    # -- the order path -------------------------------------------------------------------
    def create_order(self, body: dict[str, Any]) -> Order:
        """Validate, accept and match one ``/v5/order/create`` body.

        Raises:
            TradeError: ByBit would refuse the order (nothing changed).
        """
        self.engine.sweep()
        request = parse_order(body)
        order = self._accept(request)
        changes = Changes()
        self.engine.register(order, changes)
        if order.trigger_price is not None:
            if not order.trigger_direction:
                last = self.quotes.last_price(order.category, order.symbol)
                order.trigger_direction = 1 if order.trigger_price > last else 2
            order.status = "Untriggered"
            order.stop_order_type = "Stop"
        else:
            self.engine.execute_new(order, changes)
        changes.wallet = True
        self.engine.publish(changes)
        return order

    def _accept(self, req: OrderRequest) -> Order:
        if req.link_id and req.link_id in self.engine.by_link:
            raise TradeError(10001, "Duplicate clientOrderId.")
        qty = req.qty
        conditional = req.trigger_price is not None
        reduce_only = req.reduce_only and req.category == "linear"
        reducible = (
            self.account.reducible(req.symbol, req.side) if req.category == "linear" else ZERO
        )
        if reduce_only and not conditional:
            if not reducible:
                raise TradeError(
                    110017, "current position is zero, cannot fix reduce-only order qty"
                )
            qty = min(qty, reducible)  # ByBit trims a reduce-only order to the position
        price = req.price or self._estimate(req)
        notional = qty if req.market_unit == "quoteCoin" else qty * price
        minimum = Decimal(SPECS[(req.category, req.symbol)].min_notional)
        if not reduce_only and notional < minimum:
            if req.category == "spot":
                raise TradeError(170140, f"Order value exceeded lower limit ({minimum}USDT).")
            raise TradeError(110094, f"Order does not meet minimum order value {minimum}USDT")
        if not conditional:
            self._check_funds(req, qty, price, reducible)
        return Order(
            order_id=new_id(),
            link_id=req.link_id,
            category=req.category,
            symbol=req.symbol,
            side=req.side,
            order_type=req.order_type,
            qty=qty,
            price=req.price,
            time_in_force=req.time_in_force,
            created_ms=self.quotes.now_ms(),
            reduce_only=reduce_only,
            close_on_trigger=req.close_on_trigger,
            trigger_price=req.trigger_price,
            trigger_direction=req.trigger_direction,
            take_profit=req.take_profit,
            stop_loss=req.stop_loss,
            market_unit=req.market_unit,
            updated_ms=self.quotes.now_ms(),
        )

    def _estimate(self, req: OrderRequest) -> Decimal:
        """A market order's expected price: the best opposite quote (last price if empty)."""
        best = self.quotes.best(req.category, req.symbol, is_bid=req.side == "Sell")
        return best if best is not None else self.quotes.last_price(req.category, req.symbol)

    def _check_funds(
        self, req: OrderRequest, qty: Decimal, price: Decimal, reducible: Decimal
    ) -> None:
        spec = SPECS[(req.category, req.symbol)]
        states = {s.coin: s for s in self.wallet()}
        if req.category == "linear":
            opening = max(ZERO, qty - reducible) if not req.reduce_only else ZERO
            leverage = self.account.position(req.symbol).leverage
            need = opening * price / leverage + qty * price * FEES["linear"][0]
            if opening and need > states[SETTLE].available:
                raise TradeError(110007, "ab not enough for new order")
            return
        if req.side == "Buy":
            need = qty if req.market_unit == "quoteCoin" else qty * price
            coin = spec.quote
        else:
            need = qty / price if req.market_unit == "quoteCoin" else qty
            coin = spec.base
        state = states.get(coin)
        if state is None or need > state.available:
            raise TradeError(170131, "Insufficient balance.")

    # -- cancels --------------------------------------------------------------------------
    def find(self, body: dict[str, Any]) -> Order | None:
        """The order named by ``orderId`` or ``orderLinkId`` in ``body``."""
        order_id = str(body.get("orderId") or "")
        link_id = str(body.get("orderLinkId") or "")
        if order_id:
            return self.engine.orders.get(order_id)
        return self.engine.by_link.get(link_id) if link_id else None

    def cancel_order(self, body: dict[str, Any]) -> Order:
        """Cancel one working order.

        Raises:
            TradeError: 110001 if it does not exist or is no longer working.
        """
        self.engine.sweep()
        category = category_of(body)
        order = self.find(body)
        if (
            order is None
            or not order.is_open
            or order.category != category
            or order.symbol != body.get("symbol", order.symbol)
        ):
            raise TradeError(110001, "order not exists or too late to cancel")
        changes = Changes()
        self.engine.cancel(order, changes)
        self.engine.publish(changes)
        return order

    def cancel_all(self, body: dict[str, Any]) -> list[Order]:
        """Cancel the working orders of a category, symbol, or settle coin."""
        self.engine.sweep()
        category = category_of(body)
        symbol = body.get("symbol")
        kind = body.get("orderFilter")
        changes = Changes()
        cancelled = []
        for order in self.engine.open_orders():
            conditional = order.status == "Untriggered"
            if order.category != category or (symbol and order.symbol != symbol):
                continue
            if (kind == "StopOrder" and not conditional) or (kind == "Order" and conditional):
                continue
            self.engine.cancel(order, changes)
            cancelled.append(order)
        self.engine.publish(changes)
        return cancelled

    # -- position settings ------------------------------------------------------------------
    def set_leverage(self, body: dict[str, Any]) -> None:
        """``/v5/position/set-leverage`` (one-way mode: buy and sell leverage are equal)."""
        self.engine.sweep()
        symbol = self._linear_symbol(body)
        leverage = decimal_param(body, "buyLeverage", required=True)
        assert leverage is not None
        if not Decimal(1) <= leverage <= MAX_LEVERAGE:
            raise TradeError(10001, f"leverage invalid: {leverage} is outside [1, 100]")
        pos = self.account.position(symbol)
        if leverage == pos.leverage:
            raise TradeError(110043, "leverage not modified")
        pos.leverage = leverage
        pos.updated_ms = self.quotes.now_ms()
        self.engine.publish(Changes(positions={symbol}, wallet=True))

    def trading_stop(self, body: dict[str, Any]) -> None:
        """``/v5/position/trading-stop``: set or clear ("0") the position's full TP/SL."""
        self.engine.sweep()
        symbol = self._linear_symbol(body)
        pos = self.account.position(symbol)
        if not pos.size:
            raise TradeError(10001, "can not set tp/sl/ts for zero position")
        last = self.quotes.last_price("linear", symbol)
        long = pos.size > 0
        for key in ("takeProfit", "stopLoss"):
            if key not in body:
                continue
            value = decimal_param(body, key)
            # TP beyond the last price in the position's favour, SL against it (ByBit's rule).
            favour = key == "takeProfit"
            if value is not None and (value > last) != (long == favour):
                raise TradeError(10001, f"{key} {value} is on the wrong side of {last}")
            if key == "takeProfit":
                pos.take_profit = value
            else:
                pos.stop_loss = value
        pos.updated_ms = self.quotes.now_ms()
        self.engine.publish(Changes(positions={symbol}))

    def _linear_symbol(self, body: dict[str, Any]) -> str:
        if category_of(body) != "linear":
            raise TradeError(10001, "Illegal category")
        symbol = str(body.get("symbol", ""))
        if ("linear", symbol) not in SPECS:
            raise TradeError(10001, "Not supported symbols")
        return symbol

    # -- queries --------------------------------------------------------------------------
    def marks(self) -> dict[str, Decimal]:
        """Mark (= last) price of every linear symbol with a position."""
        return {s: self.quotes.last_price("linear", s) for s, p in self.account.positions.items()}

    def wallet(self) -> list[CoinState]:
        """The unified account's coins with their balance figures."""
        prices = {
            coin: self.quotes.last_price("spot", f"{coin}USDT")
            for coin in self.account.wallet
            if coin != SETTLE
        }
        return coin_states(self.account, self.engine.open_orders(), self.marks(), prices)

    def executions(self, category: str, symbol: str | None) -> list[Execution]:
        """Fills of a category (optionally one symbol), newest first."""
        rows = [
            e
            for e in self.engine.executions
            if e.order.category == category and (not symbol or e.order.symbol == symbol)
        ]
        rows.reverse()
        return rows
