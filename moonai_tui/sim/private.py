"""Private ByBit v5 REST endpoints of the demo account (bybit-v5-subset.md §3–§5).

Every route is signed (``auth``); a failed check or a refused request answers
HTTP 200 with ByBit's retCode, which ccxt maps to its exceptions (§2.2). The
handlers are thin: trading goes through ``TradingDesk`` (``trading.py``), shapes
come from ``private_payloads``. ``add_private_routes`` also starts the private
websocket (``ws_private``) and its loop that sweeps the price path.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from moonai_tui.config import SimSettings
from moonai_tui.sim import private_payloads as pp
from moonai_tui.sim.account import SETTLE, Account
from moonai_tui.sim.auth import Credentials
from moonai_tui.sim.context import SimContext
from moonai_tui.sim.fault_hooks import FAULTS
from moonai_tui.sim.instruments import SPECS
from moonai_tui.sim.orders import OPEN_STATUSES, Order, TradeError, category_of
from moonai_tui.sim.payloads import envelope
from moonai_tui.sim.quotes import Quotes
from moonai_tui.sim.trading import TradingDesk
from moonai_tui.sim.ws_private import PrivateHub, make_private_handler

Params = dict[str, Any]
Route = Callable[[TradingDesk, Params], Params]

PRIVATE = web.AppKey("sim_private", PrivateHub)
"""The private hub (and through it the desk) of a running simulator."""
EXECUTION_WINDOW_MS = 7 * 24 * 3_600_000
"""ByBit answers ``/v5/execution/list`` for at most 7 days per call: only startTime gives
[start, start + 7 d], only endTime [end - 7 d, end], neither the last 7 days, and a
wider range is refused (10001). A client reading back a longer outage must walk windows."""


def wall_ms() -> int:
    """Real wall time in ms: ccxt signs with it (the injected test clock drives only the replay)."""
    return int(time.time() * 1000)


def _limit(params: Params, default: int, maximum: int) -> int:
    try:
        value = int(params.get("limit") or default)
    except ValueError:
        raise TradeError(10001, "limit must be an integer") from None
    return min(max(value, 1), maximum)


def _route(
    desk: TradingDesk, credentials: Credentials, handler: Route
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def wrapped(request: web.Request) -> web.Response:
        now = desk.quotes.now_ms()
        raw = await request.read()
        try:
            if request.method == "GET":
                signed = request.rel_url.raw_query_string
                params: Params = dict(request.query)
            else:
                signed = raw.decode()
            credentials.check_rest(request.headers, signed)
            if request.method != "GET":
                try:
                    params = json.loads(raw or b"{}")
                except ValueError:
                    raise TradeError(10001, "params error: body is not JSON") from None
                if not isinstance(params, dict):
                    raise TradeError(10001, "params error: body is not an object")
            desk.engine.sweep()
            result = handler(desk, params)
        except TradeError as exc:
            return web.json_response(envelope({}, now, exc.code, exc.message))
        return web.json_response(envelope(result, desk.quotes.now_ms()))

    return wrapped


# -- account ---------------------------------------------------------------------------------
def query_api(desk: TradingDesk, params: Params) -> Params:
    """``/v5/user/query-api``: a unified trading account key (``uta`` 1)."""
    return {
        "id": "1",
        "note": "Moon AI simulator demo key",
        "apiKey": desk.account.api_key,
        "readOnly": 0,
        "secret": "",
        "permissions": {"ContractTrade": ["Order", "Position"], "Spot": ["SpotTrade"]},
        "ips": ["*"],
        "type": 1,
        "deadlineDay": -1,
        "expiredAt": "",
        "createdAt": "2024-01-01T00:00:00Z",
        "unified": 0,
        "uta": 1,
        "userID": 1,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": True,
        "parentUid": "0",
        "kycLevel": "LEVEL_DEFAULT",
        "kycRegion": "",
    }


def account_info(desk: TradingDesk, params: Params) -> Params:
    """``/v5/account/info``: UTA 2.0 pro (``unifiedMarginStatus`` 6)."""
    return {
        "unifiedMarginStatus": 6,
        "marginMode": "REGULAR_MARGIN",
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
        "updatedTime": str(desk.quotes.now_ms()),
    }


def coin_info(desk: TradingDesk, params: Params) -> Params:
    """``/v5/asset/coin/query-info``: the coins the simulator knows, without chains."""
    coins = sorted({SETTLE} | {spec.base for spec in SPECS.values()})
    return {
        "rows": [{"name": c, "coin": c, "remainAmount": "1000000", "chains": []} for c in coins]
    }


def wallet_balance(desk: TradingDesk, params: Params) -> Params:
    """``/v5/account/wallet-balance?accountType=UNIFIED``."""
    if params.get("accountType") != pp.ACCOUNT_TYPE:
        raise TradeError(10001, "accountType only support UNIFIED.")
    return {"list": [pp.wallet_item(desk.wallet())]}


# -- orders ----------------------------------------------------------------------------------
def create_order(desk: TradingDesk, params: Params) -> Params:
    """``/v5/order/create``."""
    order = desk.create_order(params)
    return {"orderId": order.order_id, "orderLinkId": order.link_id}


def cancel_order(desk: TradingDesk, params: Params) -> Params:
    """``/v5/order/cancel``."""
    order = desk.cancel_order(params)
    return {"orderId": order.order_id, "orderLinkId": order.link_id}


def cancel_all(desk: TradingDesk, params: Params) -> Params:
    """``/v5/order/cancel-all``."""
    orders = desk.cancel_all(params)
    return {
        "list": [{"orderId": o.order_id, "orderLinkId": o.link_id} for o in orders],
        "success": "1",
    }


def _matches(order: Order, params: Params, category: str) -> bool:
    symbol = params.get("symbol")
    return order.category == category and (not symbol or order.symbol == symbol)


def _by_filter(order: Order, params: Params) -> bool:
    kind = params.get("orderFilter") or ("Order" if order.category == "spot" else "")
    conditional = order.trigger_price is not None
    return not kind or (kind == "StopOrder") == conditional


def _page(category: str, orders: list[Order], limit: int) -> Params:
    items = [pp.order_item(o) for o in orders[:limit]]
    return {"category": category, "list": items, "nextPageCursor": ""}


def realtime_orders(desk: TradingDesk, params: Params) -> Params:
    """``/v5/order/realtime``: open orders, or one order of any status by id (§5.12)."""
    category = category_of(params)
    limit = _limit(params, 20, 50)
    if params.get("orderId") or params.get("orderLinkId"):
        found = desk.find(params)
        orders = [found] if found is not None and _matches(found, params, category) else []
        return _page(category, orders, limit)
    orders = [
        o
        for o in reversed(list(desk.engine.orders.values()))
        if o.status in OPEN_STATUSES and _matches(o, params, category) and _by_filter(o, params)
    ]
    return _page(category, orders, limit)


def order_history(desk: TradingDesk, params: Params) -> Params:
    """``/v5/order/history``: final orders, newest first (optionally one id or status)."""
    category = category_of(params)
    status = params.get("orderStatus")
    start, end = int(params.get("startTime") or 0), int(params.get("endTime") or 0)
    if params.get("orderId") or params.get("orderLinkId"):
        found = desk.find(params)
        candidates = [found] if found is not None else []
    else:
        candidates = list(desk.engine.orders.values())
    orders = [
        o
        for o in candidates
        if not o.is_open
        and _matches(o, params, category)
        and (not status or o.status == status)
        and (not start or o.created_ms >= start)
        and (not end or o.created_ms <= end)
    ]
    orders.sort(key=lambda o: o.updated_ms, reverse=True)
    return _page(category, orders, _limit(params, 20, 50))


def execution_list(desk: TradingDesk, params: Params) -> Params:
    """``/v5/execution/list``: the account's fills, newest first."""
    category = category_of(params)
    rows = desk.executions(category, params.get("symbol"))
    order_id = params.get("orderId")
    start, end = _execution_window(desk, params)
    rows = [
        e
        for e in rows
        if (not order_id or e.order.order_id == order_id) and start <= e.time_ms <= end
    ]
    # The cursor is the offset of the next page in this newest-first list (ByBit's is
    # opaque); "" on the last page ends ccxt's ``paginate`` loop.
    try:
        offset = int(params.get("cursor") or 0)
    except ValueError:
        raise TradeError(10001, "cursor must come from nextPageCursor") from None
    end_of_page = offset + _limit(params, 50, 100)
    items = [pp.execution_item(e) for e in rows[offset:end_of_page]]
    cursor = str(end_of_page) if end_of_page < len(rows) else ""
    return {"category": category, "list": items, "nextPageCursor": cursor}


def _execution_window(desk: TradingDesk, params: Params) -> tuple[int, int]:
    start, end = int(params.get("startTime") or 0), int(params.get("endTime") or 0)
    if start and end:
        if end - start > EXECUTION_WINDOW_MS:
            raise TradeError(
                10001, "The time range between startTime and endTime cannot exceed 7 days"
            )
        return start, end
    if start:
        return start, start + EXECUTION_WINDOW_MS
    end = end or desk.quotes.now_ms()
    return end - EXECUTION_WINDOW_MS, end


# -- positions -------------------------------------------------------------------------------
def position_rows(desk: TradingDesk, symbol: str | None, with_category: bool) -> list[Params]:
    """Linear position rows: the symbol's (even flat), or every open position."""
    account: Account = desk.account
    if symbol:
        positions = [account.position(symbol)]
    else:
        positions = [p for p in account.positions.values() if p.size]
    return [
        pp.position_item(
            p,
            desk.quotes.last_price("linear", p.symbol),
            Decimal(SPECS[("linear", p.symbol)].tick),
            with_category,
        )
        for p in positions
    ]


def position_list(desk: TradingDesk, params: Params) -> Params:
    """``/v5/position/list`` (linear; inverse answers an empty list for watch_positions)."""
    category = params.get("category")
    if category in ("inverse", "option"):
        return {"category": category, "list": [], "nextPageCursor": ""}
    if category != "linear":
        raise TradeError(10001, "Illegal category")
    symbol = params.get("symbol")
    if symbol and ("linear", symbol) not in SPECS:
        raise TradeError(10001, "Not supported symbols")
    return {"category": "linear", "list": position_rows(desk, symbol, False), "nextPageCursor": ""}


def set_leverage(desk: TradingDesk, params: Params) -> Params:
    """``/v5/position/set-leverage`` (110043 when unchanged)."""
    desk.set_leverage(params)
    return {}


def trading_stop(desk: TradingDesk, params: Params) -> Params:
    """``/v5/position/trading-stop``."""
    desk.trading_stop(params)
    return {}


GET_ROUTES: dict[str, Route] = {
    "/v5/user/query-api": query_api,
    "/v5/account/info": account_info,
    "/v5/asset/coin/query-info": coin_info,
    "/v5/account/wallet-balance": wallet_balance,
    "/v5/order/realtime": realtime_orders,
    "/v5/order/history": order_history,
    "/v5/execution/list": execution_list,
    "/v5/position/list": position_list,
}
POST_ROUTES: dict[str, Route] = {
    "/v5/order/create": create_order,
    "/v5/order/cancel": cancel_order,
    "/v5/order/cancel-all": cancel_all,
    "/v5/position/set-leverage": set_leverage,
    "/v5/position/trading-stop": trading_stop,
}


def add_private_routes(app: web.Application, ctx: SimContext, settings: SimSettings) -> None:
    """Register the private REST routes, the private websocket and its sweeping loop."""
    account = Account(settings.api_key, {SETTLE: settings.balance}, settings.leverage)
    desk = TradingDesk(Quotes(ctx), account)
    faults = app[FAULTS]
    credentials = Credentials(
        settings.api_key,
        settings.api_secret.get_secret_value(),
        lambda: wall_ms() + faults.skew_ms(),  # clock_skew: the server's clock runs ahead
    )
    hub = PrivateHub(desk, lambda symbol, cat: position_rows(desk, symbol, cat))
    app[PRIVATE] = hub
    for path, handler in GET_ROUTES.items():
        app.router.add_get(path, _route(desk, credentials, handler))
    for path, handler in POST_ROUTES.items():
        app.router.add_post(path, _route(desk, credentials, handler))
    app.router.add_get("/v5/private", make_private_handler(hub, credentials, ctx.websockets))

    async def sweeping(_: web.Application) -> AsyncIterator[None]:
        task = hub.start()
        yield
        await hub.stop(task)

    app.cleanup_ctx.append(sweeping)
