"""Orders and executions of the simulated account, and parsing of ``/v5/order/create`` bodies.

Everything here is exact: prices, quantities, values and fees are ``Decimal``.
Validation follows ByBit's v5 answers (bybit-v5-subset.md §2.2): parameter
problems are retCode 10001 with a readable retMsg, the trading rules have their
own codes (110094 min notional, 110017 reduce-only, ...), raised as
``TradeError`` and turned into the REST envelope by the route layer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from moonai_tui.sim.instruments import SPECS, Category, InstrumentSpec

Side = Literal["Buy", "Sell"]

OPEN_STATUSES = frozenset({"New", "PartiallyFilled", "Untriggered"})
"""Statuses /v5/order/realtime lists without an orderId."""

ZERO = Decimal(0)


class TradeError(Exception):
    """A request ByBit would refuse; ``code`` is its retCode."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def new_id() -> str:
    """A ByBit-style UUID order or execution id."""
    return str(uuid.uuid4())


@dataclass(eq=False)
class Order:
    """One order as ByBit tracks it; mutated as it fills, triggers or is cancelled."""

    order_id: str
    link_id: str
    category: Category
    symbol: str
    side: Side
    order_type: Literal["Market", "Limit"]
    qty: Decimal
    """Base quantity; quote amount for a spot market buy with ``market_unit`` quoteCoin."""
    price: Decimal | None
    time_in_force: str
    created_ms: int
    reduce_only: bool = False
    close_on_trigger: bool = False
    trigger_price: Decimal | None = None
    trigger_direction: int = 0
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    market_unit: str = ""
    stop_order_type: str = ""
    create_type: str = "CreateByUser"
    status: str = "New"
    cum_qty: Decimal = ZERO
    cum_value: Decimal = ZERO
    cum_fee: Decimal = ZERO
    fee_coin: str = ""
    reject_reason: str = "EC_NoError"
    cancel_type: str = "UNKNOWN"
    updated_ms: int = 0

    @property
    def spec(self) -> InstrumentSpec:
        """The instrument traded."""
        return SPECS[(self.category, self.symbol)]

    @property
    def is_open(self) -> bool:
        """Still working (resting, partially filled or waiting for its trigger)."""
        return self.status in OPEN_STATUSES

    @property
    def in_quote(self) -> bool:
        """A spot market buy sized in quote coin (ByBit's default for spot market buys)."""
        return self.market_unit == "quoteCoin"

    @property
    def leaves(self) -> Decimal:
        """Quantity still to fill (0 once final); quote for a quote-sized order."""
        if not self.is_open:
            return ZERO
        return self.qty - (self.cum_value if self.in_quote else self.cum_qty)

    @property
    def avg_price(self) -> Decimal | None:
        """Volume-weighted fill price, None before the first fill."""
        return self.cum_value / self.cum_qty if self.cum_qty else None


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill of one order (an ``execution/list`` row)."""

    exec_id: str
    order: Order
    price: Decimal
    qty: Decimal
    fee: Decimal
    fee_rate: Decimal
    fee_coin: str
    is_maker: bool
    time_ms: int
    closed_size: Decimal
    leaves: Decimal

    @property
    def value(self) -> Decimal:
        """price × qty in quote coin."""
        return self.price * self.qty


@dataclass
class OrderRequest:
    """A validated ``/v5/order/create`` body (shape only; trading rules come later)."""

    category: Category
    symbol: str
    side: Side
    order_type: Literal["Market", "Limit"]
    qty: Decimal
    price: Decimal | None
    time_in_force: str
    link_id: str
    reduce_only: bool
    close_on_trigger: bool
    trigger_price: Decimal | None
    trigger_direction: int
    take_profit: Decimal | None
    stop_loss: Decimal | None
    market_unit: str
    extra: dict[str, Any] = field(default_factory=dict)


def decimal_param(body: dict[str, Any], name: str, required: bool = False) -> Decimal | None:
    """A positive decimal parameter (ByBit sends them as strings; numbers are accepted)."""
    raw = body.get(name)
    if raw in (None, "") or (not required and raw in ("0", 0)):
        if required:
            raise TradeError(10001, f"params error: {name} is required")
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise TradeError(10001, f"params error: {name} invalid") from None
    if not value.is_finite() or value <= 0:
        raise TradeError(10001, f"params error: {name} must be positive")
    return value


def category_of(body: dict[str, Any]) -> Category:
    """The ``category`` parameter; only the simulator's categories are accepted."""
    category = body.get("category")
    if category not in ("spot", "linear"):
        raise TradeError(10001, "Illegal category")
    return "spot" if category == "spot" else "linear"


def parse_order(body: dict[str, Any]) -> OrderRequest:
    """Check a create-order body's shape and tick/lot rules (ByBit retCode 10001).

    Raises:
        TradeError: an invalid parameter, symbol, step or tick.
    """
    category = category_of(body)
    symbol = str(body.get("symbol", ""))
    spec = SPECS.get((category, symbol))
    if spec is None:
        raise TradeError(10001, "Not supported symbols")
    side = body.get("side")
    if side not in ("Buy", "Sell"):
        raise TradeError(10001, "params error: side invalid")
    order_type = body.get("orderType")
    if order_type not in ("Market", "Limit"):
        raise TradeError(10001, "params error: orderType invalid")
    if body.get("positionIdx", 0) not in (0, "0"):
        raise TradeError(10001, "position idx not match position mode")
    qty = decimal_param(body, "qty", required=True)
    assert qty is not None
    price = decimal_param(body, "price") if order_type == "Limit" else None
    if order_type == "Limit" and price is None:
        raise TradeError(10001, "params error: price is required for a Limit order")
    tif = str(body.get("timeInForce") or ("IOC" if order_type == "Market" else "GTC"))
    if tif not in ("GTC", "IOC", "FOK", "PostOnly"):
        raise TradeError(10001, f"params error: timeInForce {tif} invalid")
    market_unit = str(body.get("marketUnit") or "")
    if category == "spot" and order_type == "Market" and not market_unit:
        # bybit-v5-subset.md §7.12: a spot market buy is sized in quote coin by default.
        market_unit = "quoteCoin" if side == "Buy" else "baseCoin"
    if category == "linear":
        market_unit = ""
    step = Decimal(spec.qty_step)
    if market_unit != "quoteCoin":
        if qty % step:
            raise TradeError(10001, f"Qty invalid: {qty} is not a multiple of qtyStep {step}")
        if qty < Decimal(spec.min_qty):
            raise TradeError(10001, f"Qty invalid: {qty} is below the minimum {spec.min_qty}")
        if qty > Decimal(spec.max_qty):
            raise TradeError(10001, f"Qty invalid: {qty} is above the maximum {spec.max_qty}")
    tick = Decimal(spec.tick)
    prices = {
        name: decimal_param(body, name) for name in ("triggerPrice", "takeProfit", "stopLoss")
    }
    for name, value in (("price", price), *prices.items()):
        if value is not None and value % tick:
            raise TradeError(10001, f"Price invalid: {name} {value} is not a multiple of {tick}")
    try:
        direction = int(body.get("triggerDirection") or 0)
    except (TypeError, ValueError):
        raise TradeError(10001, "params error: triggerDirection invalid") from None
    if direction not in (0, 1, 2):
        raise TradeError(10001, "params error: triggerDirection invalid")
    return OrderRequest(
        category=category,
        symbol=symbol,
        side=side,
        order_type=order_type,
        qty=qty,
        price=price,
        time_in_force=tif,
        link_id=str(body.get("orderLinkId") or ""),
        reduce_only=body.get("reduceOnly") in (True, "true", "True", 1),
        close_on_trigger=body.get("closeOnTrigger") in (True, "true", "True", 1),
        trigger_price=prices["triggerPrice"],
        trigger_direction=direction,
        take_profit=prices["takeProfit"],
        stop_loss=prices["stopLoss"],
        market_unit=market_unit,
    )
