"""ccxt.pro's ByBit client with the protections ccxt leaves to its caller.

What ccxt 4.5 does on its own, verified through the simulator's faults (tests/faults):

* Order-book sequence: ccxt applies every delta it receives and never reads ``u``.
  A lost delta leaves ghost levels in the book for good; a repeated or late one
  undoes newer changes. Here each topic's ``u`` must grow by exactly one. An older
  or repeated delta is dropped; a gap drops the topic's deltas until a fresh
  snapshot, fails the waiting ``watch_order_book`` with ``BookResync`` (a
  NetworkError, so the feed marks the book as not live and retries) and
  re-subscribes the topic on the same connection, for which ByBit sends a snapshot.
* Timestamp refusals (retCode 10002 -> InvalidNonce): ccxt neither retries nor
  re-measures its clock offset (``adjustForTimeDifference`` measures it once, in
  ``load_markets``). Here the offset comes from the refusal itself (ByBit's message
  carries ``server_timestamp[...]``; ``fetch_time`` when it does not) and the request
  is signed and sent again, once. The websocket login uses the offset too (ccxt's
  ignores it). ByBit refuses such a request before acting, so a resend cannot
  double an order.
* Rate limits (retCode 10006 -> RateLimitExceeded): ccxt paces itself with
  ``enableRateLimit`` but does not retry a refusal. Here the request waits until
  ``X-Bapi-Limit-Reset-Timestamp`` (bounded, jittered) and is sent again, at most
  ``RATE_LIMIT_RETRIES`` times; a refusal is also made before acting.
* Subscription acknowledgements: ccxt ignores them; ``wait_private_subscribed``
  tells the engine that its private topics are live before it reconciles by REST.

Imported lazily (``ccxt_factory.create_pro_exchange``): it imports ccxt at the top.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import re
from typing import Any

import ccxt
import ccxt.pro

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
RATE_LIMIT_MAX_WAIT_S = 2.0
PRIVATE_TOPICS = frozenset({"order", "execution"})
"""What watch_orders and watch_my_trades subscribe to on a unified account."""
_SERVER_TIME = re.compile(r"server_timestamp\[(\d+)\]")


class BookResync(ccxt.NetworkError):  # type: ignore[misc]
    """The order book lost its sequence; it is being rebuilt from a fresh snapshot."""


class GuardedBybit(ccxt.pro.bybit):  # type: ignore[misc]
    """``ccxt.pro.bybit`` plus the guards in the module docstring; same constructor."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config or {})
        self._book_u: dict[tuple[str, str], int] = {}
        self._acks: dict[str, tuple[Any, set[str]]] = {}
        self._ack_event: asyncio.Event | None = None
        self._jitter = random.Random()
        self.guard_stats: dict[str, int] = {
            "book_gaps": 0,
            "book_stale_dropped": 0,
            "clock_resyncs": 0,
            "rate_limit_waits": 0,
        }

    # -- REST: clock offset and rate limits -----------------------------------------------------
    async def fetch2(
        self,
        path: Any,
        api: Any = "public",
        method: str = "GET",
        params: Any = None,
        config: Any = None,
    ) -> Any:
        params = {} if params is None else params
        config = {} if config is None else config
        resynced = False
        waits = 0
        while True:
            try:
                return await super().fetch2(path, api, method, params, config)
            except ccxt.InvalidNonce as exc:
                if resynced:
                    raise
                resynced = True
                await self._resync_clock(str(exc))
            except ccxt.RateLimitExceeded as exc:
                if waits >= RATE_LIMIT_RETRIES:
                    raise
                waits += 1
                self.guard_stats["rate_limit_waits"] += 1
                await asyncio.sleep(self._rate_limit_wait(exc, waits))

    def handle_errors(
        self,
        httpCode: int,
        reason: str,
        url: str,
        method: str,
        headers: dict[str, Any],
        body: str,
        response: Any,
        requestHeaders: Any,
        requestBody: Any,
    ) -> Any:
        try:
            return super().handle_errors(
                httpCode, reason, url, method, headers, body, response, requestHeaders, requestBody
            )
        except ccxt.RateLimitExceeded as exc:
            # Kept on the error: concurrent requests share last_response_headers.
            reset = {k.lower(): v for k, v in (headers or {}).items()}.get(
                "x-bapi-limit-reset-timestamp"
            )
            exc.reset_ms = int(reset) if reset and str(reset).isdigit() else None
            raise

    def _rate_limit_wait(self, exc: Exception, attempt: int) -> float:
        reset_ms = getattr(exc, "reset_ms", None)
        wait = 0.1 * 2**attempt if reset_ms is None else (reset_ms - self.nonce()) / 1000
        wait = min(RATE_LIMIT_MAX_WAIT_S, max(0.05, wait))
        return float(wait * (1 + self._jitter.random() / 4))

    async def _resync_clock(self, message: str) -> None:
        found = _SERVER_TIME.search(message)
        if found is not None:
            self.options["timeDifference"] = self.milliseconds() - int(found.group(1))
        else:
            await self.load_time_difference()
        self.guard_stats["clock_resyncs"] += 1
        log.warning(
            "bybit: request outside recv_window: clock offset now %s ms",
            self.options["timeDifference"],
        )

    # -- websocket login with the clock offset --------------------------------------------------
    async def authenticate(self, url: str, params: Any = None) -> Any:
        # ccxt's own login stamps `expires` with the raw local clock; same code, offset applied.
        self.check_required_credentials()
        message_hash = "authenticated"
        client = self.client(url)
        future = client.reusableFuture(message_hash)
        if self.safe_value(client.subscriptions, message_hash) is None:
            expires = self.number_to_string(self.nonce() + 10000)
            signature = self.hmac(
                self.encode("GET/realtime" + expires),
                self.encode(self.secret),
                hashlib.sha256,
                "hex",
            )
            request = {"op": "auth", "args": [self.apiKey, expires, signature]}
            self.watch(url, message_hash, self.extend(request, params or {}), message_hash)
        return await future

    # -- order-book sequence --------------------------------------------------------------------
    def handle_order_book(self, client: Any, message: Any) -> Any:
        topic = self.safe_string(message, "topic", "")
        data = self.safe_dict(message, "data", {})
        u = self.safe_integer(data, "u")
        if u is None:
            return super().handle_order_book(client, message)
        key = (client.url, topic)
        if self.safe_string(message, "type") == "snapshot":
            self._book_u[key] = u
            return super().handle_order_book(client, message)
        last = self._book_u.get(key)
        if last is None or u <= last:
            # Waiting for a snapshot after a gap, or an old/repeated delta: applying it
            # would put stale levels back.
            self.guard_stats["book_stale_dropped"] += 1
            return None
        if u != last + 1:
            self.guard_stats["book_gaps"] += 1
            del self._book_u[key]
            symbol = self._book_symbol(client, data)
            reason = f"{symbol} order book: update {u} after {last} (gap): resyncing"
            log.warning("bybit: %s", reason)
            message_hash = "orderbook:" + symbol
            if message_hash in client.futures:
                client.reject(BookResync(reason), message_hash)
            self.spawn(self._resubscribe, client, topic)
            return None
        self._book_u[key] = u
        return super().handle_order_book(client, message)

    def last_update_id(self, topic: str) -> int | None:
        """``u`` of the last delta or snapshot applied on ``topic`` (None while resyncing)."""
        found = [u for (_, name), u in self._book_u.items() if name == topic]
        return found[0] if found else None

    def _book_symbol(self, client: Any, data: Any) -> str:
        market_type = "spot" if "spot" in client.url else "contract"
        market = self.safe_market(self.safe_string(data, "s"), None, None, market_type)
        return str(market["symbol"])

    async def _resubscribe(self, client: Any, topic: str) -> None:
        """Unsubscribe and subscribe ``topic`` again: ByBit answers with a snapshot."""
        try:
            for op in ("unsubscribe", "subscribe"):
                await client.send({"op": op, "req_id": str(self.request_id()), "args": [topic]})
        except Exception as exc:  # the connection is going: its reconnect resubscribes anyway
            log.info("bybit: resubscribing %s failed (%s); the reconnect will", topic, exc)

    # -- subscription acknowledgements ----------------------------------------------------------
    def handle_subscription_status(self, client: Any, message: Any) -> Any:
        if message.get("success") is not False:
            req_id = str(message.get("req_id", ""))
            held = self._acks.get(client.url)
            topics = held[1] if held is not None and held[0] is client else set()
            for subscription in list(client.subscriptions.values()):
                if isinstance(subscription, dict) and str(subscription.get("id")) == req_id:
                    topics.update(subscription.get("topics") or ())
            self._acks[client.url] = (client, topics)
            if self._ack_event is not None:
                self._ack_event.set()
        return super().handle_subscription_status(client, message)

    async def wait_private_subscribed(self, within: float = 10.0) -> None:
        """Return once the private connection has acknowledged ``PRIVATE_TOPICS``.

        Raises:
            ccxt.RequestTimeout: not acknowledged within ``within`` seconds.
        """
        url = await self.get_url_by_market_type(None, True, "watchMyTrades", {})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            client = (self.clients or {}).get(url)
            held = self._acks.get(url)
            acked = held[1] if held is not None and held[0] is client else set()
            if client is not None and acked >= PRIVATE_TOPICS:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ccxt.RequestTimeout("bybit: private topics not acknowledged in time")
            self._ack_event = event = asyncio.Event()
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
