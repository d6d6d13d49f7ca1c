"""Public REST: ``/v5/market/*`` (bybit-v5-subset.md §4 and §5.1–5.6).

Validation errors answer HTTP 200 with retCode 10001, as ByBit does; an unknown
symbol says "Not supported symbols", which ccxt maps to BadSymbol.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from moonai_tui.sim import payloads
from moonai_tui.sim.context import SIM_CONTEXT, SimContext
from moonai_tui.sim.instruments import CATEGORIES
from moonai_tui.sim.klines import query_klines, stats_24h

ORDERBOOK_LIMITS = {"spot": (1, 200), "linear": (25, 500)}
"""(default, max) of /v5/market/orderbook ``limit``."""
TRADE_LIMITS = {"spot": (60, 60), "linear": (500, 1000)}
KLINE_LIMITS = (200, 1000)
OTHER_CATEGORIES = ("inverse", "option")


class ParamError(Exception):
    """A request parameter is invalid; becomes retCode 10001."""


def respond(
    ctx: SimContext, result: dict[str, Any], code: int = 0, message: str = "OK"
) -> web.Response:
    """A JSON response in ByBit's envelope."""
    return web.json_response(payloads.envelope(result, ctx.market.clock.now_ms(), code, message))


def _category(request: web.Request, default: str | None = None) -> str:
    category = request.query.get("category", default)
    if category not in (*CATEGORIES, *OTHER_CATEGORIES):
        raise ParamError("Illegal category")
    return category


def _int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ParamError(f"{name} must be an integer") from None


def _limit(request: web.Request, default: int, maximum: int) -> int:
    value = _int(request, "limit")
    return default if value is None else min(max(value, 1), maximum)


def _symbol(ctx: SimContext, request: web.Request, category: str) -> str:
    symbol = request.query.get("symbol", "")
    if not symbol:
        raise ParamError("symbol is required")
    if ctx.market.get(category, symbol) is None:
        raise ParamError("Not supported symbols")
    return symbol


def _guard(handler: Any) -> Any:
    async def wrapped(request: web.Request) -> web.Response:
        ctx = request.app[SIM_CONTEXT]
        try:
            result: dict[str, Any] = handler(ctx, request)
        except ParamError as exc:
            return respond(ctx, {}, 10001, str(exc))
        return respond(ctx, result)

    return wrapped


@_guard
def instruments_info(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """Markets of a category; PreLaunch (and any status but Trading) is empty."""
    category = _category(request)
    items = []
    status = request.query.get("status", "Trading")
    if category in CATEGORIES and status == "Trading":
        wanted = request.query.get("symbol")
        base = request.query.get("baseCoin")
        for symbol in ctx.market.symbols(category):
            market = ctx.market.get(category, symbol)
            assert market is not None
            if (wanted and wanted != symbol) or (base and base != market.spec.base):
                continue
            items.append(market.spec.info())
    return {"category": category, "list": items, "nextPageCursor": ""}


@_guard
def server_time(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """The simulated time."""
    now = ctx.market.clock.now_ms()
    return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}


@_guard
def tickers(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """24h tickers of a category, or of one symbol."""
    category = _category(request)
    if category in OTHER_CATEGORIES:
        return {"category": category, "list": []}
    symbols = (
        [_symbol(ctx, request, category)]
        if request.query.get("symbol")
        else ctx.market.symbols(category)
    )
    now = ctx.market.clock.now_ms()
    items = []
    for symbol in symbols:
        market = ctx.hub(category).current_book(symbol)
        bids, asks = market.book.book.top(1)
        best = (bids[0] if bids else None, asks[0] if asks else None)
        items.append(payloads.ticker(market, stats_24h(market.feed, now), best, now))
    return {"category": category, "list": items}


@_guard
def orderbook(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """The current book, ``limit`` levels a side."""
    category = _category(request)
    if category in OTHER_CATEGORIES:
        raise ParamError("Not supported symbols")
    symbol = _symbol(ctx, request, category)
    limit = _limit(request, *ORDERBOOK_LIMITS[category])
    market = ctx.hub(category).current_book(symbol)
    bids, asks = market.book.book.top(limit)
    now = ctx.market.clock.now_ms()
    decimals = market.book.size_decimals
    return {
        "s": symbol,
        "b": payloads.levels(bids, decimals),
        "a": payloads.levels(asks, decimals),
        "ts": now,
        "u": market.book.seq,
        "seq": market.book.seq,
        "cts": now,
    }


@_guard
def kline(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """Klines newest first (``start``/``end``/``limit`` as on ByBit)."""
    category = _category(request, "linear")
    if category in OTHER_CATEGORIES:
        raise ParamError("Not supported symbols")
    symbol = _symbol(ctx, request, category)
    interval_id = request.query.get("interval", "")
    if interval_id not in payloads.INTERVAL_IDS:
        raise ParamError("Invalid period!")
    market = ctx.market.get(category, symbol)
    assert market is not None
    feed = market.feed
    rows = query_klines(
        feed,
        payloads.INTERVAL_IDS[interval_id],
        _int(request, "start"),
        _int(request, "end"),
        _limit(request, *KLINE_LIMITS),
        ctx.market.clock.now_ms(),
    )
    return {
        "symbol": symbol,
        "category": category,
        "list": payloads.kline_rows(rows, feed.price_decimals, feed.volume_decimals),
    }


@_guard
def recent_trade(ctx: SimContext, request: web.Request) -> dict[str, Any]:
    """The latest public trades, newest first."""
    category = _category(request)
    if category in OTHER_CATEGORIES:
        raise ParamError("Not supported symbols")
    symbol = _symbol(ctx, request, category)
    limit = _limit(request, *TRADE_LIMITS[category])
    market = ctx.market.get(category, symbol)
    assert market is not None
    now = ctx.market.clock.now_ms()
    trades = market.feed.trades(market.feed.floor_ms - 1, now, limit)
    return {"category": category, "list": payloads.rest_trades(market, trades)}


def add_market_routes(app: web.Application) -> None:
    """Register the public market endpoints."""
    app.router.add_get("/v5/market/instruments-info", instruments_info)
    app.router.add_get("/v5/market/time", server_time)
    app.router.add_get("/v5/market/tickers", tickers)
    app.router.add_get("/v5/market/orderbook", orderbook)
    app.router.add_get("/v5/market/kline", kline)
    app.router.add_get("/v5/market/recent-trade", recent_trade)
