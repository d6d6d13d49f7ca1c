"""Market data through ccxt: the only place that turns ccxt results and errors into ours.

ccxt is imported lazily (in ``connect``), so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from moonai_tui.config import Market
from moonai_tui.domain import Bar, BookLevel, Instrument, OrderBook, Side, Ticker, Trade
from moonai_tui.errors import ExchangeError, TemporaryError
from moonai_tui.exchange.ccxt_factory import create_pro_exchange

T = TypeVar("T")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def to_bar(row: list[Any]) -> Bar:
    return Bar(
        int(row[0]),
        float(row[1]),
        float(row[2]),
        float(row[3]),
        float(row[4]),
        float(row[5] or 0.0),
    )


def to_trade(raw: dict[str, Any]) -> Trade:
    side: Side = "buy" if raw.get("side") == "buy" else "sell"
    return Trade(
        str(raw.get("id")), int(raw["timestamp"]), float(raw["price"]), float(raw["amount"]), side
    )


def to_ticker(symbol: str, raw: dict[str, Any], now_ms: int) -> Ticker:
    return Ticker(
        symbol=symbol,
        ts=int(raw.get("timestamp") or now_ms),
        last=float(raw["last"]),
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
        ts=int(raw.get("timestamp") or now_ms),
        bids=tuple(BookLevel(float(p), float(s)) for p, s, *_ in raw["bids"][:depth]),
        asks=tuple(BookLevel(float(p), float(s)) for p, s, *_ in raw["asks"][:depth]),
    )


def to_instrument(market: dict[str, Any]) -> Instrument:
    limits = market.get("limits") or {}
    precision = market.get("precision") or {}
    min_qty = _decimal((limits.get("amount") or {}).get("min")) or Decimal(0)
    return Instrument(
        symbol=market["symbol"],
        market_id=market["id"],
        kind="spot" if market.get("spot") else "swap",
        base=market["base"],
        quote=market["quote"],
        settle=market.get("settle"),
        tick_size=_decimal(precision.get("price")) or Decimal(0),
        lot_size=_decimal(precision.get("amount")) or Decimal(0),
        min_qty=min_qty,
        min_notional=_decimal((limits.get("cost") or {}).get("min")),
    )


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
            raise TemporaryError(f"{what}: {exc.__class__.__name__}: {exc}") from exc
        except ccxt.BaseError as exc:
            raise ExchangeError(f"{what}: {exc.__class__.__name__}: {exc}") from exc

    async def load_instruments(self) -> list[Instrument]:
        markets = await self._call("load_markets", lambda: self._exchange.load_markets())
        return [
            to_instrument(market)
            for market in markets.values()
            if market.get("spot") or market.get("swap")
        ]

    async def fetch_candles(
        self, symbol: str, timeframe: str, since_ms: int | None = None, limit: int | None = None
    ) -> list[Bar]:
        rows = await self._call(
            f"fetch_ohlcv {symbol} {timeframe}",
            lambda: self._exchange.fetch_ohlcv(symbol, timeframe, since=since_ms, limit=limit),
        )
        return [to_bar(row) for row in rows]

    async def watch_ticker(self, symbol: str) -> Ticker:
        raw = await self._call(
            f"watch_ticker {symbol}", lambda: self._exchange.watch_ticker(symbol)
        )
        return to_ticker(symbol, raw, self._now_ms())

    async def watch_book(self, symbol: str, depth: int, keep: int) -> OrderBook:
        raw = await self._call(
            f"watch_order_book {symbol}", lambda: self._exchange.watch_order_book(symbol, depth)
        )
        return to_book(symbol, raw, keep, self._now_ms())

    async def watch_trades(self, symbol: str) -> list[Trade]:
        rows = await self._call(
            f"watch_trades {symbol}", lambda: self._exchange.watch_trades(symbol)
        )
        return [to_trade(row) for row in rows]

    async def watch_candles(self, symbol: str, timeframe: str) -> list[Bar]:
        rows = await self._call(
            f"watch_ohlcv {symbol} {timeframe}",
            lambda: self._exchange.watch_ohlcv(symbol, timeframe),
        )
        return [to_bar(row) for row in rows]

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
