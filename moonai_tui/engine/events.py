"""Engine events: immutable facts, named in the past tense.

Every event has ``conflate_key``: events with the same non-None key replace
each other in a subscriber's queue (latest wins), so a slow reader of
high-rate market data never falls behind. Events with key None are always
delivered, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from moonai_tui.domain import Bar, OrderBook, Ticker, Trade
from moonai_tui.redact import redact

StreamState = Literal["connecting", "connected", "reconnecting", "disconnected"]
NoticeLevel = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all engine events."""

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        return None


@dataclass(frozen=True, slots=True)
class EngineStarted(Event):
    market: str
    trading: str
    symbol: str
    timeframe: str
    description: str


@dataclass(frozen=True, slots=True)
class EngineStopped(Event):
    reason: str


@dataclass(frozen=True, slots=True)
class SymbolChanged(Event):
    symbol: str


@dataclass(frozen=True, slots=True)
class ConnectionChanged(Event):
    """A market-data stream changed state; ``stream`` is ticker, book, trades or candles."""

    stream: str
    symbol: str
    state: StreamState
    detail: str
    at_ms: int

    def __post_init__(self) -> None:
        # The detail quotes exchange errors, which may echo the API key.
        object.__setattr__(self, "detail", redact(self.detail))


@dataclass(frozen=True, slots=True)
class TickerUpdated(Event):
    ticker: Ticker

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        return ("ticker", self.ticker.symbol)


@dataclass(frozen=True, slots=True)
class OrderBookUpdated(Event):
    book: OrderBook

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        return ("book", self.book.symbol)


@dataclass(frozen=True, slots=True)
class TradesReceived(Event):
    """New public trades; never conflated, since each one belongs on the tape."""

    symbol: str
    trades: tuple[Trade, ...]


@dataclass(frozen=True, slots=True)
class CandleUpdated(Event):
    """The forming candle changed (closed=False) or a candle closed (closed=True)."""

    symbol: str
    timeframe: str
    bar: Bar
    closed: bool

    @property
    def conflate_key(self) -> tuple[str, ...] | None:
        if self.closed:
            return None
        return ("candle", self.symbol, self.timeframe)


@dataclass(frozen=True, slots=True)
class CandleHistoryLoaded(Event):
    """Recent closed candles, oldest first, for charts after a start or a symbol switch."""

    symbol: str
    timeframe: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class NoticeRaised(Event):
    """Something a person should read: a warning or error that is not a crash."""

    level: NoticeLevel
    message: str

    def __post_init__(self) -> None:
        # Notices quote exchange errors, which may echo the API key; the screen, the
        # headless log and the database all take their text from here.
        object.__setattr__(self, "message", redact(self.message))
