"""Market data through ccxt: the only place that turns ccxt results and errors into ours.

ccxt is imported lazily (in ``connect``), so importing this module is cheap.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from moonai_tui.config import Market
from moonai_tui.domain import Bar, BookLevel, Instrument, OrderBook, Side, Ticker, Trade
from moonai_tui.errors import ExchangeError, TemporaryError
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.redact import redact

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


MAX_TS_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last instant ``datetime`` (charts, logs) can show."""

_MALFORMED = (KeyError, IndexError, TypeError, ValueError, ArithmeticError, AttributeError)
"""What translating a message with missing, mistyped or absurd fields raises."""


_MAX_DETAIL_CHARS = 200
"""A junk message can be huge; an error line quotes only its start."""


class MalformedMessage(ValueError):
    """An exchange message whose fields cannot be what ByBit sends."""


def _float(value: Any) -> float | None:
    return None if value is None else _finite(value)


def _finite(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise MalformedMessage(f"{value!r} is not a finite number")
    return number


def _price(value: Any) -> float:
    number = _finite(value)
    if number <= 0:
        raise MalformedMessage(f"price {value!r} is not positive")
    return number


def _size(value: Any) -> float:
    number = _finite(value)
    if number < 0:
        raise MalformedMessage(f"amount {value!r} is negative")
    return number


def _ts(value: Any) -> int:
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedMessage(f"timestamp {value!r} is not a number")
    ts = int(value)
    if not 0 <= ts <= MAX_TS_MS:
        raise MalformedMessage(f"timestamp {ts} is out of range")
    return ts


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedMessage(f"{value!r} is not a name")
    return value


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    if not number.is_finite() or number < 0:
        raise MalformedMessage(f"{value!r} is not a finite non-negative number")
    return number


def to_bar(row: list[Any]) -> Bar:
    return Bar(
        _ts(row[0]),
        _price(row[1]),
        _price(row[2]),
        _price(row[3]),
        _price(row[4]),
        _size(row[5] or 0.0),
    )


def to_trade(raw: dict[str, Any]) -> Trade:
    side: Side = "buy" if raw.get("side") == "buy" else "sell"
    return Trade(
        str(raw.get("id")),
        _ts(raw["timestamp"]),
        _price(raw["price"]),
        _size(raw["amount"]),
        side,
    )


def to_ticker(symbol: str, raw: dict[str, Any], now_ms: int) -> Ticker:
    return Ticker(
        symbol=symbol,
        ts=_ts(raw.get("timestamp") or now_ms),
        last=_price(raw["last"]),
        bid=_float(raw.get("bid")),
        ask=_float(raw.get("ask")),
        change_24h_pct=_float(raw.get("percentage")),
        high_24h=_float(raw.get("high")),
        low_24h=_float(raw.get("low")),
        volume_24h=_float(raw.get("baseVolume")),
    )


def to_book(symbol: str, raw: dict[str, Any], depth: int, now_ms: int) -> OrderBook:
    return OrderBook(
        symbol=symbol,
        ts=_ts(raw.get("timestamp") or now_ms),
        bids=tuple(BookLevel(_price(p), _size(s)) for p, s, *_ in raw["bids"][:depth]),
        asks=tuple(BookLevel(_price(p), _size(s)) for p, s, *_ in raw["asks"][:depth]),
    )


def to_instrument(market: dict[str, Any]) -> Instrument:
    limits = market.get("limits") or {}
    precision = market.get("precision") or {}
    min_qty = _decimal((limits.get("amount") or {}).get("min")) or Decimal(0)
    return Instrument(
        symbol=_name(market["symbol"]),
        market_id=_name(market["id"]),
        kind="spot" if market.get("spot") else "swap",
        base=_name(market["base"]),
        quote=_name(market["quote"]),
        settle=None if market.get("settle") is None else _name(market["settle"]),
        tick_size=_decimal(precision.get("price")) or Decimal(0),
        lot_size=_decimal(precision.get("amount")) or Decimal(0),
        min_qty=min_qty,
        min_notional=_decimal((limits.get("cost") or {}).get("min")),
    )


def _translate(what: str, convert: Callable[[], R]) -> R:
    """``convert()``, with a malformed message as an ``ExchangeError`` the feeds retry on.

    Anything else (a KeyError ending a feed task) would leave the stream silently frozen.
    """
    try:
        return convert()
    except _MALFORMED as exc:
        detail = f"{exc.__class__.__name__}: {exc}"[:_MAX_DETAIL_CHARS]
        raise ExchangeError(
            redact(f"{what}: malformed message from the exchange ({detail})")
        ) from exc


class MarketDataClient:
    """Typed market-data calls on one ccxt.pro ByBit client (REST and websockets)."""

    def __init__(self, exchange: Any, now_ms: Callable[[], int]) -> None:
        self._exchange = exchange
        self._now_ms = now_ms

    @classmethod
    def connect(
        cls, market: Market, now_ms: Callable[[], int], sim_http_base: str | None = None
    ) -> MarketDataClient:
        return cls(create_pro_exchange(market, sim_http_base), now_ms)

    async def _call(self, what: str, factory: Callable[[], Awaitable[T]]) -> T:
        import ccxt

        try:
            return await factory()
        except ccxt.NetworkError as exc:
            raise TemporaryError(redact(f"{what}: {exc.__class__.__name__}: {exc}")) from exc
        except ccxt.BaseError as exc:
            raise ExchangeError(redact(f"{what}: {exc.__class__.__name__}: {exc}")) from exc

    async def load_instruments(self) -> list[Instrument]:
        """Spot and swap instruments; a malformed market is skipped (logged), not fatal."""
        markets = await self._call("load_markets", lambda: self._exchange.load_markets())
        instruments = []
        for market in _translate("load_markets", lambda: list(markets.values())):
            if not isinstance(market, dict) or not (market.get("spot") or market.get("swap")):
                continue
            try:
                instruments.append(to_instrument(market))
            except _MALFORMED as exc:
                log.warning("load_markets: skipped malformed market %r: %s", market.get("id"), exc)
        return instruments

    async def fetch_candles(
        self, symbol: str, timeframe: str, since_ms: int | None = None, limit: int | None = None
    ) -> list[Bar]:
        rows = await self._call(
            f"fetch_ohlcv {symbol} {timeframe}",
            lambda: self._exchange.fetch_ohlcv(symbol, timeframe, since=since_ms, limit=limit),
        )
        return _translate(f"fetch_ohlcv {symbol}", lambda: [to_bar(row) for row in rows])

    async def watch_ticker(self, symbol: str) -> Ticker:
        raw = await self._call(
            f"watch_ticker {symbol}", lambda: self._exchange.watch_ticker(symbol)
        )
        return _translate(f"watch_ticker {symbol}", lambda: to_ticker(symbol, raw, self._now_ms()))

    async def watch_book(self, symbol: str, depth: int, keep: int) -> OrderBook:
        raw = await self._call(
            f"watch_order_book {symbol}", lambda: self._exchange.watch_order_book(symbol, depth)
        )
        return _translate(
            f"watch_order_book {symbol}", lambda: to_book(symbol, raw, keep, self._now_ms())
        )

    async def watch_trades(self, symbol: str) -> list[Trade]:
        rows = await self._call(
            f"watch_trades {symbol}", lambda: self._exchange.watch_trades(symbol)
        )
        return _translate(f"watch_trades {symbol}", lambda: [to_trade(row) for row in rows])

    async def watch_candles(self, symbol: str, timeframe: str) -> list[Bar]:
        rows = await self._call(
            f"watch_ohlcv {symbol} {timeframe}",
            lambda: self._exchange.watch_ohlcv(symbol, timeframe),
        )
        return _translate(f"watch_ohlcv {symbol}", lambda: [to_bar(row) for row in rows])

    async def unwatch_symbol(self, symbol: str, timeframe: str, depth: int) -> None:
        """Stop the symbol's streams; failures are ignored (the connection may be gone)."""
        import ccxt

        for name, args in (
            ("un_watch_ticker", (symbol,)),
            ("un_watch_order_book", (symbol,)),
            ("un_watch_trades", (symbol,)),
            ("un_watch_ohlcv", (symbol, timeframe)),
        ):
            method = getattr(self._exchange, name, None)
            if method is None:
                continue
            try:
                await method(*args)
            except (ccxt.BaseError, OSError):
                continue

    async def close(self) -> None:
        await self._exchange.close()
