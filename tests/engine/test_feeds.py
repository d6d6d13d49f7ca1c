"""Feed logic on a scripted market-data client: candle closing, history, reconnect states.

The exchange side is covered against the simulator in tests/integration; here a
scripted stand-in for our own MarketDataClient interface drives exact sequences.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from typing import Any

from moonai_tui.domain import Bar, Ticker
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    ConnectionChanged,
    Event,
    TickerUpdated,
)
from moonai_tui.engine.feeds import Backoff, SymbolFeeds
from moonai_tui.errors import TemporaryError

SYMBOL = "BTC/USDT:USDT"


def bar(minute: int, close: float) -> Bar:
    return Bar(minute * 60_000, close, close + 1, close - 1, close, 1.0)


class ScriptedMarket:
    """Answers each watch_* call from a script, then blocks forever and flags 'drained'."""

    def __init__(self, script: dict[str, list[Any]], rest: dict[int, Bar], history: list[Bar]):
        self.script = {name: deque(items) for name, items in script.items()}
        self.rest = rest
        self.history = history
        self.drained = {name: asyncio.Event() for name in ("ticker", "book", "trades", "candles")}

    async def _next(self, stream: str) -> Any:
        queue = self.script.get(stream, deque())
        if not queue:
            self.drained[stream].set()
            await asyncio.Event().wait()
        item = queue.popleft()
        if isinstance(item, Exception):
            raise item
        return item

    async def watch_ticker(self, symbol: str) -> Ticker:
        return await self._next("ticker")  # type: ignore[no-any-return]

    async def watch_book(self, symbol: str, depth: int, keep: int) -> Any:
        return await self._next("book")

    async def watch_trades(self, symbol: str) -> Any:
        return await self._next("trades")

    async def watch_candles(self, symbol: str, timeframe: str) -> list[Bar]:
        return await self._next("candles")  # type: ignore[no-any-return]

    async def fetch_candles(
        self, symbol: str, timeframe: str, since_ms: int | None = None, limit: int | None = None
    ) -> list[Bar]:
        if since_ms is None:
            return list(self.history)
        return [self.rest[since_ms]] if since_ms in self.rest else []


def make_feeds(market: ScriptedMarket, bus: EventBus, stored: list[Bar]) -> SymbolFeeds:
    async def sink(symbol: str, timeframe: str, bars: list[Bar]) -> None:
        stored.extend(bars)

    return SymbolFeeds(
        market=market,  # type: ignore[arg-type]
        bus=bus,
        clock=FixedClock(0),
        symbol=SYMBOL,
        timeframe="1m",
        depth=50,
        history_bars=3,
        backoff=Backoff(0.001, 0.002),
        on_closed_candles=sink,
        rng=random.Random(1),
    )


def drain(sub: Any) -> list[Event]:
    events = []
    while (event := sub.get_nowait()) is not None:
        events.append(event)
    return events


async def test_candle_closes_once_with_rest_confirmed_values() -> None:
    history = [bar(1, 10), bar(2, 11), bar(3, 12), bar(4, 13)]  # minute 4 is still forming
    confirmed = Bar(4 * 60_000, 13, 20, 5, 14.5, 9.0)  # REST's final values differ from stream
    script = {"candles": [[bar(4, 13)], [bar(4, 14)], [bar(4, 14), bar(5, 15)], [bar(5, 16)]]}
    market = ScriptedMarket(script, rest={4 * 60_000: confirmed}, history=history)
    bus = EventBus()
    sub = bus.subscribe()
    stored: list[Bar] = []
    feeds = make_feeds(market, bus, stored)
    feeds.start()
    await market.drained["candles"].wait()
    await feeds.stop()
    events = drain(sub)
    loaded = [e for e in events if isinstance(e, CandleHistoryLoaded)]
    assert len(loaded) == 1 and loaded[0].bars == tuple(history[:3])
    closed = [e.bar for e in events if isinstance(e, CandleUpdated) and e.closed]
    assert closed == [confirmed]
    assert stored == [*history[:3], confirmed]
    forming = [e.bar.close for e in events if isinstance(e, CandleUpdated) and not e.closed]
    assert forming[-1] == 16


async def test_stream_error_reports_reconnecting_then_connected() -> None:
    ticker = Ticker(SYMBOL, 1, 100.0, 99.9, 100.1, 1.0, 101.0, 98.0, 5.0)
    script = {"ticker": [TemporaryError("watch_ticker: RequestTimeout"), ticker]}
    market = ScriptedMarket(script, rest={}, history=[])
    bus = EventBus()
    sub = bus.subscribe()
    feeds = make_feeds(market, bus, [])
    feeds.start()
    await market.drained["ticker"].wait()
    await feeds.stop()
    events = drain(sub)
    states = [
        (e.state, e.detail.split(" (")[0])
        for e in events
        if isinstance(e, ConnectionChanged) and e.stream == "ticker"
    ]
    assert states == [
        ("connecting", ""),
        ("reconnecting", "watch_ticker: RequestTimeout"),
        ("connected", ""),
    ]
    assert [e.ticker for e in events if isinstance(e, TickerUpdated)] == [ticker]


def test_backoff_grows_and_is_capped_with_jitter() -> None:
    backoff = Backoff(0.5, 4.0)
    rng = random.Random(3)
    delays = [backoff.delay(attempt, rng) for attempt in range(1, 8)]
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
