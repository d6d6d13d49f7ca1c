"""The live execution client: orders to ByBit (or the simulator) through ccxt.

ccxt errors are translated here and only here: a network failure is a
``TemporaryError`` (outcome unknown), a refusal is ``OrderRejected``, a
repeated client id is ``DuplicateClientOrderId``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from moonai_tui.domain import Fill, OrderRequest, OrderStatus
from moonai_tui.errors import ExchangeError, TemporaryError
from moonai_tui.exchange.execution import DuplicateClientOrderId, OrderRejected, VenueOrder
from moonai_tui.redact import redact

T = TypeVar("T")

FILL_PAGES = 100
"""Pages of 100 fills read back at most per window (ccxt's default stops at 10); a
longer gap still shows up, as a position mismatch that halts the reconciliation."""
FILL_WINDOW_MS = 7 * 24 * 3_600_000
"""ByBit answers ``/v5/execution/list`` for 7 days per call at most (startTime alone
means [startTime, startTime + 7 d]); a longer outage is read window by window."""
FILL_HISTORY_MS = 730 * 24 * 3_600_000
"""ByBit keeps two years of executions: older windows would only cost requests."""

_STATUS: dict[str, OrderStatus] = {
    "open": "open",
    "closed": "filled",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "rejected": "rejected",
    "expired": "cancelled",
}


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def to_venue_order(raw: dict[str, Any]) -> VenueOrder:
    """A ccxt order structure as our VenueOrder."""
    filled = _dec(raw.get("filled")) or Decimal(0)
    status = _STATUS.get(str(raw.get("status")), "open")
    if status == "open" and filled > 0:
        status = "partially_filled"
    fee = raw.get("fee") or {}
    return VenueOrder(
        client_order_id=raw.get("clientOrderId"),
        exchange_order_id=str(raw["id"]),
        symbol=str(raw.get("symbol")),
        status=status,
        filled_qty=filled,
        avg_price=_dec(raw.get("average")),
        fee=_dec(fee.get("cost")) or Decimal(0),
    )


def to_fill(raw: dict[str, Any]) -> Fill:
    fee = raw.get("fee") or {}
    info = raw.get("info") or {}
    return Fill(
        trade_id=str(raw["id"]),
        client_order_id=info.get("orderLinkId") or None,
        exchange_order_id=raw.get("order"),
        symbol=str(raw["symbol"]),
        side="buy" if raw.get("side") == "buy" else "sell",
        qty=Decimal(str(raw["amount"])),
        price=Decimal(str(raw["price"])),
        fee=_dec(fee.get("cost")) or Decimal(0),
        fee_currency=str(fee.get("currency") or "USDT"),
        is_maker=raw.get("takerOrMaker") == "maker",
        ts_ms=int(raw["timestamp"]),
    )


class CcxtExecutionClient:
    """ExecutionClient over a ccxt ByBit client (``ccxt.pro.bybit`` with keys)."""

    def __init__(self, exchange: Any) -> None:
        self._exchange = exchange

    async def _call(self, what: str, factory: Callable[[], Awaitable[T]]) -> T:
        import ccxt

        try:
            return await factory()
        except ccxt.NetworkError as exc:
            raise TemporaryError(redact(f"{what}: {exc.__class__.__name__}: {exc}")) from exc
        except (ccxt.InvalidOrder, ccxt.InsufficientFunds) as exc:
            raise OrderRejected(redact(f"{what}: {exc}")) from exc
        except ccxt.BadRequest as exc:
            if "duplicate" in str(exc).lower():
                raise DuplicateClientOrderId(redact(f"{what}: {exc}")) from exc
            raise OrderRejected(redact(f"{what}: {exc}")) from exc
        except ccxt.BaseError as exc:
            # Error bodies may echo the API key (ByBit's "error sign! origin_string[...]"),
            # and these messages end up as order reasons in the database.
            raise ExchangeError(redact(f"{what}: {exc.__class__.__name__}: {exc}")) from exc

    async def submit(self, request: OrderRequest) -> VenueOrder:
        params: dict[str, Any] = {"clientOrderId": request.client_order_id}
        if request.stop_loss is not None:
            params["stopLoss"] = {"triggerPrice": str(request.stop_loss)}
        if request.take_profit is not None:
            params["takeProfit"] = {"triggerPrice": str(request.take_profit)}
        if request.reduce_only:
            params["reduceOnly"] = True
        if request.post_only:
            params["postOnly"] = True
        order_type = "market" if request.type == "market" else "limit"
        if request.type == "stop" and request.trigger_price is not None:
            params["triggerPrice"] = str(request.trigger_price)
            params["triggerDirection"] = "below" if request.side == "sell" else "above"
            order_type = "market" if request.price is None else "limit"
        price = None if request.price is None else str(request.price)
        raw = await self._call(
            f"create_order {request.client_order_id}",
            lambda: self._exchange.create_order(
                request.symbol, order_type, request.side, str(request.qty), price, params
            ),
        )
        return VenueOrder(
            client_order_id=request.client_order_id,
            exchange_order_id=str(raw["id"]),
            symbol=request.symbol,
            status="open",
            filled_qty=Decimal(0),
            avg_price=None,
            fee=Decimal(0),
        )

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        """The order with this client id (open or recent), via /v5/order/realtime."""
        market = await self._call("load_markets", lambda: self._exchange.load_markets())
        info = market[symbol]
        category = "spot" if info.get("spot") else "linear"
        response = await self._call(
            f"fetch_order {client_order_id}",
            lambda: self._exchange.privateGetV5OrderRealtime(
                {"category": category, "symbol": info["id"], "orderLinkId": client_order_id}
            ),
        )
        rows = (response.get("result") or {}).get("list") or []
        if not rows:
            return None
        return to_venue_order(self._exchange.parse_order(rows[0], info))

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        await self._call(
            f"cancel_order {client_order_id}",
            lambda: self._exchange.cancel_order(None, symbol, {"orderLinkId": client_order_id}),
        )

    async def fills_since(self, since_ms: int | None) -> list[Fill]:
        """Every fill from ``since_ms`` (None: the exchange's last 7 days) to the
        exchange's now, once each.

        One call covers 7 days and returns at most 100 fills (50 by default), so the
        time is walked in 7-day windows up to the exchange's clock (which may not be
        ours: the simulator replays the past) and each window's pages are followed
        by ``nextPageCursor``.
        """
        now = int(await self._call("fetch_time", lambda: self._exchange.fetch_time()))
        start = now - FILL_WINDOW_MS if since_ms is None else max(since_ms, now - FILL_HISTORY_MS)
        fills: dict[str, Fill] = {}
        while True:
            # The last window reaches past "now": a fill landing meanwhile is not missed.
            # Windows share their boundary millisecond (whether ByBit's endTime includes
            # it or not, a fill there is read; the trade id keeps it once).
            end = start + FILL_WINDOW_MS - 1
            for row in await self._fills_between(start, end):
                fill = to_fill(row)
                fills.setdefault(fill.trade_id, fill)
            if end >= now:
                return sorted(fills.values(), key=lambda f: (f.ts_ms, f.trade_id))
            start = end

    async def _fills_between(self, start: int, end: int) -> list[dict[str, Any]]:
        params = {"paginate": True, "paginationCalls": FILL_PAGES, "until": end}
        rows: list[dict[str, Any]] = await self._call(
            "fetch_my_trades", lambda: self._exchange.fetch_my_trades(None, start, None, params)
        )
        return rows
