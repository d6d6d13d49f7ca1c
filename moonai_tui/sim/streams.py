"""Public topic streaming: one loop per category fans every topic out to its subscribers.

A single task per category (not one per connection and topic) wakes
``book_updates_per_second`` times a second, advances the books of the symbols
somebody watches, and encodes each topic's message once for all of its
subscribers. Tickers and klines go out at most every ``SLOW_PUSH_S``; trades
whenever new ones exist; book deltas on every wake that changed the streamed
depth. Each connection has its own bounded queue and writer, so one slow
client cannot stall the others (it is disconnected when its queue overflows).

Order-book sequencing follows ByBit: a subscriber first gets a snapshot
carrying the topic's current ``u``; every later message on the topic carries
``u + 1``; ``seq`` is the book's update counter. A reset of the book (capture
replay looping) is sent as a new snapshot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moonai_tui.sim import payloads
from moonai_tui.sim.instruments import Category
from moonai_tui.sim.klines import forming_kline, klines_between, stats_24h
from moonai_tui.sim.l2book import DepthDelta
from moonai_tui.sim.market import SimMarket, SymbolMarket

SLOW_PUSH_S = 0.1
"""Minimum wall time between ticker / kline pushes."""
DEPTH1_REFRESH_S = 3.0
"""ByBit re-sends an orderbook.1 snapshot after this long without a change."""
MAX_TRADES_PER_PUSH = 1_000
"""At extreme speeds only the newest trades of each push are streamed (REST has them all)."""
QUEUE_LIMIT = 20_000
BOOK_DEPTHS = (1, 50, 200, 1000)

dumps: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(eq=False)
class Subscriber:
    """One websocket connection's outbox."""

    conn_id: str
    on_overflow: Callable[[], None]
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    topics: set[str] = field(default_factory=set)
    closed: bool = False

    def push(self, text: str) -> None:
        """Queue a message; a client that falls this far behind is disconnected."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.closed = True
            self.on_overflow()


@dataclass(eq=False)
class Topic:
    """A subscribed topic and its stream state."""

    name: str
    kind: str
    symbol: str
    depth: int = 0
    interval_id: str = ""
    interval_ms: int = 0
    subscribers: set[Subscriber] = field(default_factory=set)
    last_bin: int | None = None
    last_sent: float = 0.0


class PublicHub:
    """Subscriptions and the streaming loop of one public category (spot or linear)."""

    def __init__(self, market: SimMarket, category: Category, updates_per_second: float) -> None:
        self.market = market
        self.category = category
        self.period = 1.0 / updates_per_second
        self.topics: dict[str, Topic] = {}
        self._u: dict[str, int] = {}
        self._trade_state: dict[str, tuple[int, int | None, str]] = {}
        self._last_slow = 0.0
        self._wake = asyncio.Event()

    # -- subscriptions ------------------------------------------------------------------
    def parse(self, name: str) -> Topic | None:
        """The topic for a ByBit topic name, or None if it is not served here."""
        parts = name.split(".")
        symbol = parts[-1]
        if self.market.get(self.category, symbol) is None:
            return None
        if len(parts) == 2 and parts[0] in ("tickers", "publicTrade"):
            return Topic(name, parts[0], symbol)
        if (
            len(parts) == 3
            and parts[0] == "orderbook"
            and parts[1].isdigit()
            and int(parts[1]) in BOOK_DEPTHS
        ):
            return Topic(name, "orderbook", symbol, depth=int(parts[1]))
        if len(parts) == 3 and parts[0] == "kline" and parts[1] in payloads.INTERVAL_IDS:
            return Topic(
                name,
                "kline",
                symbol,
                interval_id=parts[1],
                interval_ms=payloads.INTERVAL_IDS[parts[1]],
            )
        return None

    def invalid(self, names: list[str]) -> list[str]:
        """The names among ``names`` that are not valid topics."""
        return [name for name in names if not isinstance(name, str) or self.parse(name) is None]

    def subscribe(self, sub: Subscriber, names: list[str]) -> None:
        """Add ``sub`` to the topics (already validated) and send initial snapshots."""
        now = self.market.clock.now_ms()
        for name in names:
            if name in sub.topics:
                continue
            parsed = self.parse(name)
            assert parsed is not None
            # Bring the book to now before the topic counts as streamed (then the loop owns it).
            market = self.current_book(parsed.symbol)
            topic = self.topics.get(name)
            if topic is None:
                topic = self.topics[name] = parsed
                if name in self._u:  # streamed before: the new snapshot is a new message
                    self._next_u(name)
            topic.subscribers.add(sub)
            sub.topics.add(name)
            if topic.kind == "orderbook":
                sub.push(dumps(self._book_message(topic, market, "snapshot", None, now)))
            elif topic.kind == "tickers":
                sub.push(dumps(self._ticker_message(topic, market, "snapshot", now)))
            elif topic.kind == "publicTrade" and topic.symbol not in self._trade_state:
                self._trade_state[topic.symbol] = (now, None, "ZeroPlusTick")
        self._wake.set()

    def unsubscribe(self, sub: Subscriber, names: list[str]) -> None:
        """Remove ``sub`` from the topics; topics nobody watches stop streaming."""
        for name in names:
            topic = self.topics.get(name)
            sub.topics.discard(name)
            if topic is None:
                continue
            topic.subscribers.discard(sub)
            if not topic.subscribers:
                del self.topics[name]
                if topic.kind == "publicTrade":
                    self._trade_state.pop(topic.symbol, None)

    def drop(self, sub: Subscriber) -> None:
        """Forget a closed connection."""
        self.unsubscribe(sub, list(sub.topics))

    # -- state shared with REST -------------------------------------------------------------
    def _symbol(self, symbol: str) -> SymbolMarket:
        market = self.market.get(self.category, symbol)
        assert market is not None
        return market

    def _streams_book(self, symbol: str) -> bool:
        return any(t.kind == "orderbook" and t.symbol == symbol for t in self.topics.values())

    def current_book(self, symbol: str) -> SymbolMarket:
        """The market with its book brought to now (unless the loop is already streaming it)."""
        market = self._symbol(symbol)
        if not self._streams_book(symbol):
            market.book.advance(self.market.clock.now_ms(), ())
        return market

    # -- messages ---------------------------------------------------------------------------
    def last_update_id(self, name: str) -> int | None:
        """The ``u`` of the last message sent on book topic ``name`` (None if never streamed)."""
        return self._u.get(name)

    def _next_u(self, name: str) -> int:
        self._u[name] = self._u.get(name, 0) + 1
        return self._u[name]

    def _book_message(
        self, topic: Topic, market: SymbolMarket, kind: str, delta: DepthDelta | None, now: int
    ) -> dict[str, Any]:
        decimals = market.book.size_decimals
        if delta is None:  # snapshot: the current view with the topic's current u
            bids, asks = market.book.book.top(topic.depth)
            u = self._u.setdefault(topic.name, 1)
        else:
            bids, asks = delta.bids, delta.asks
            u = self._next_u(topic.name)
        topic.last_sent = time.monotonic()
        return {
            "topic": topic.name,
            "type": kind,
            "ts": now,
            "data": {
                "s": topic.symbol,
                "b": payloads.levels(bids, decimals),
                "a": payloads.levels(asks, decimals),
                "u": u,
                "seq": market.book.seq,
            },
            "cts": now,
        }

    def _ticker_message(
        self, topic: Topic, market: SymbolMarket, kind: str, now: int
    ) -> dict[str, Any]:
        book = market.book.book
        bids, asks = book.bids.top(1), book.asks.top(1)
        best = (bids[0] if bids else None, asks[0] if asks else None)
        data = payloads.ticker(market, stats_24h(market.feed, now), best, now)
        return {"topic": topic.name, "type": kind, "ts": now, "cs": market.book.seq, "data": data}

    # -- the loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Stream until cancelled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            if not self.topics:
                self._wake.clear()
                await self._wake.wait()
                deadline = loop.time()
            self.tick()
            deadline += self.period
            delay = deadline - loop.time()
            if delay < -4 * self.period:  # fell behind (busy host): skip, do not burst
                deadline = loop.time()
            await asyncio.sleep(max(0.0, delay))

    def tick(self) -> None:
        """One streaming step for every watched symbol."""
        now = self.market.clock.now_ms()
        wall = time.monotonic()
        slow = wall - self._last_slow >= SLOW_PUSH_S
        if slow:
            self._last_slow = wall
        by_symbol: dict[str, list[Topic]] = {}
        for topic in list(self.topics.values()):
            by_symbol.setdefault(topic.symbol, []).append(topic)
        for symbol, topics in by_symbol.items():
            market = self._symbol(symbol)
            books = [t for t in topics if t.kind == "orderbook"]
            if books or slow:
                deltas, reset = market.book.advance(now, tuple({t.depth for t in books}))
                for topic in books:
                    self._push_book(topic, market, deltas.get(topic.depth), reset, now, wall)
            for topic in topics:
                if topic.kind == "publicTrade":
                    self._push_trades(topic, market, now)
                elif slow and topic.kind == "tickers":
                    kind = "snapshot" if self.category == "spot" else "delta"
                    self._broadcast(topic, self._ticker_message(topic, market, kind, now))
                elif slow and topic.kind == "kline":
                    self._push_kline(topic, market, now)

    def _broadcast(self, topic: Topic, message: dict[str, Any]) -> None:
        text = dumps(message)
        for sub in list(topic.subscribers):
            sub.push(text)

    def _push_book(
        self,
        topic: Topic,
        market: SymbolMarket,
        delta: DepthDelta | None,
        reset: bool,
        now: int,
        wall: float,
    ) -> None:
        if reset:
            self._next_u(topic.name)
            self._broadcast(topic, self._book_message(topic, market, "snapshot", None, now))
        elif delta:
            self._broadcast(topic, self._book_message(topic, market, "delta", delta, now))
        elif topic.depth == 1 and wall - topic.last_sent >= DEPTH1_REFRESH_S:
            self._next_u(topic.name)
            self._broadcast(topic, self._book_message(topic, market, "snapshot", None, now))

    def _push_trades(self, topic: Topic, market: SymbolMarket, now: int) -> None:
        since, last_price, last_tick = self._trade_state.get(
            topic.symbol, (now, None, "ZeroPlusTick")
        )
        if now <= since:
            return
        trades = market.feed.trades(since, now, MAX_TRADES_PER_PUSH)
        items, last_price, last_tick = payloads.ws_trades(market, trades, last_price, last_tick)
        self._trade_state[topic.symbol] = (now, last_price, last_tick)
        if items:
            self._broadcast(
                topic, {"topic": topic.name, "type": "snapshot", "ts": now, "data": items}
            )

    def _push_kline(self, topic: Topic, market: SymbolMarket, now: int) -> None:
        feed = market.feed
        rows = forming_kline(feed, topic.interval_ms, now)
        current = now // topic.interval_ms * topic.interval_ms
        items = []
        if topic.last_bin is not None and topic.last_bin < current:
            # Close the previous bin with its final values before starting the new one.
            closed = klines_between(
                feed, topic.interval_ms, topic.last_bin, topic.last_bin + topic.interval_ms, now
            )
            items += payloads.kline_items(
                closed,
                topic.interval_id,
                topic.interval_ms,
                now,
                feed.price_decimals,
                feed.volume_decimals,
            )
        topic.last_bin = current
        items += payloads.kline_items(
            rows,
            topic.interval_id,
            topic.interval_ms,
            now,
            feed.price_decimals,
            feed.volume_decimals,
        )
        if items:
            self._broadcast(
                topic, {"topic": topic.name, "type": "snapshot", "ts": now, "data": items}
            )
