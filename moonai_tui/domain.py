"""Domain types shared by every layer.

Market data is float: it is displayed, charted and fed to vectorised research
code. Orders, fills and balances (added by the trading layer) are Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Side = Literal["buy", "sell"]


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV candle; ``ts`` is the bar's open time in Unix milliseconds, UTC."""

    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class Trade:
    """One public trade (an execution on the exchange, anyone's)."""

    id: str
    ts: int
    price: float
    amount: float
    side: Side


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: float
    size: float


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Top of an L2 book: bids best (highest) first, asks best (lowest) first."""

    symbol: str
    ts: int
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]

    @property
    def best_bid(self) -> float | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> float | None:
        return self.asks[0].price if self.asks else None

    @property
    def spread(self) -> float | None:
        if not self.bids or not self.asks:
            return None
        return self.asks[0].price - self.bids[0].price

    def imbalance(self, levels: int = 10) -> float | None:
        """(bid size - ask size) / (bid size + ask size) over the top ``levels``; in [-1, 1]."""
        bid = sum(level.size for level in self.bids[:levels])
        ask = sum(level.size for level in self.asks[:levels])
        total = bid + ask
        return None if total == 0 else (bid - ask) / total


@dataclass(frozen=True, slots=True)
class Ticker:
    symbol: str
    ts: int
    last: float
    bid: float | None
    ask: float | None
    change_24h_pct: float | None
    high_24h: float | None
    low_24h: float | None
    volume_24h: float | None


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable market as the exchange defines it; sizes and prices are exact."""

    symbol: str
    """ccxt unified symbol, e.g. BTC/USDT:USDT (linear perpetual) or BTC/USDT (spot)."""
    market_id: str
    """Exchange id, e.g. BTCUSDT (the same for spot and linear on ByBit)."""
    kind: Literal["spot", "swap"]
    base: str
    quote: str
    settle: str | None
    tick_size: Decimal
    lot_size: Decimal
    min_qty: Decimal
    min_notional: Decimal | None


TIMEFRAME_MS: dict[str, int] = {
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "2h": 7_200_000,
    "4h": 14_400_000,
    "6h": 21_600_000,
    "12h": 43_200_000,
    "1d": 86_400_000,
}


# Trading ------------------------------------------------------------------------------

OrderType = Literal["market", "limit", "stop"]
TradingMode = Literal["paper", "live"]
OrderStatus = Literal[
    "pending",  # journaled, request not sent yet
    "submitted",  # request sent, no answer yet
    "open",  # acknowledged by the exchange, resting
    "partially_filled",
    "filled",
    "cancelled",
    "rejected",
    "unknown",  # the request may or may not have reached the exchange: resolve by query
]
FINAL_ORDER_STATUSES: frozenset[str] = frozenset({"filled", "cancelled", "rejected"})


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What the engine asks the exchange for; ``client_order_id`` is ByBit's ``orderLinkId``."""

    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    qty: Decimal
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    reduce_only: bool = False
    post_only: bool = False
    strategy: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """A journaled order and what is known of it now."""

    request: OrderRequest
    mode: TradingMode
    status: OrderStatus
    exchange_order_id: str | None
    filled_qty: Decimal
    avg_price: Decimal | None
    fee: Decimal
    reason: str
    attempts: int
    created_ms: int
    updated_ms: int

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of one of our orders; ``trade_id`` is the exchange's execution id."""

    trade_id: str
    client_order_id: str | None
    exchange_order_id: str | None
    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    is_maker: bool
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Position:
    """A net position; ``qty`` is signed (negative = short)."""

    symbol: str
    qty: Decimal
    avg_price: Decimal
    realised_pnl: Decimal
    fees: Decimal
    updated_ms: int
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class KillSwitchState:
    """The latched kill switch: while latched, no new entry may be placed."""

    latched: bool
    reason: str
    changed_ms: int | None
    changed_by: str
