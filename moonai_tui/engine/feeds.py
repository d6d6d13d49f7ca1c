"""Market-data feed tasks: one per stream, each reconnecting with jittered backoff.

A feed turns what the exchange streams into immutable events on the bus. It
knows nothing about where data goes next (UI, headless log, store). It also
tells the ``Freshness`` monitor when each stream delivers or drops (and runs its
watchdog), which keeps entries off a symbol whose prices are not live. A book
that loses its sequence comes back as an error from the exchange layer
(``guarded_bybit.BookResync``): the stream shows "reconnecting" until the fresh
snapshot arrives.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from moonai_tui.domain import Bar, Trade
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    ConnectionChanged,
    OrderBookUpdated,
    StreamState,
    TickerUpdated,
    TradesReceived,
)
from moonai_tui.engine.staleness import Freshness
from moonai_tui.errors import MoonAIError
from moonai_tui.exchange.market_data import MarketDataClient

log = logging.getLogger(__name__)

STREAMS = ("ticker", "book", "trades", "candles")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter, so many clients do not reconnect in step."""

    initial: float
    maximum: float

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.maximum, self.initial * 2.0 ** max(0, attempt - 1))
        return ceiling / 2 + rng.random() * ceiling / 2


CandleSink = Callable[[str, str, list[Bar]], Awaitable[None]]


class SymbolFeeds:
    """The four streams of one symbol: ticker, order book, trades and candles."""

    def __init__(
        self,
        *,
        market: MarketDataClient,
        bus: EventBus,
        clock: Clock,
        symbol: str,
        timeframe: str,
        depth: int,
        history_bars: int,
        backoff: Backoff,
        on_closed_candles: CandleSink,
        rng: random.Random | None = None,
        freshness: Freshness | None = None,
    ) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self._market = market
        self._bus = bus
        self._clock = clock
        self._depth = depth
        self._history_bars = history_bars
        self._backoff = backoff
        self._on_closed_candles = on_closed_candles
        self._rng = rng or random.Random()
        self._freshness = freshness
        self._tasks: list[asyncio.Task[None]] = []
        self._last_trade_ts = 0
        self._seen_trade_ids: set[str] = set()
        self._forming: Bar | None = None
        self._last_closed_ts: int | None = None

    def start(self) -> None:
        steps: dict[str, Callable[[], Awaitable[None]]] = {
            "ticker": self._ticker_step,
            "book": self._book_step,
            "trades": self._trades_step,
            "candles": self._candles_step,
        }
        for stream, step in steps.items():
            task = asyncio.create_task(self._run(stream, step), name=f"feed:{stream}:{self.symbol}")
            self._tasks.append(task)
        if self._freshness is not None:
            watchdog = self._watch(self._freshness)
            self._tasks.append(asyncio.create_task(watchdog, name=f"feed:fresh:{self.symbol}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def _state(self, stream: str, state: StreamState, detail: str = "") -> None:
        if self._freshness is not None:
            self._freshness.connection(self.symbol, stream, state, detail)
        self._bus.publish(
            ConnectionChanged(stream, self.symbol, state, detail, self._clock.now_ms())
        )

    async def _watch(self, freshness: Freshness) -> None:
        """Publish the entry gate closing when a connected stream goes quiet."""
        period = min(1.0, freshness.stale_after_ms / 4000)
        while True:
            await asyncio.sleep(period)
            freshness.check(self.symbol)

    async def _run(self, stream: str, step: Callable[[], Awaitable[None]]) -> None:
        self._state(stream, "connecting")
        attempt = 0
        connected = False
        while True:
            try:
                if stream == "candles" and not connected:
                    await self._load_history()
                await step()
            except asyncio.CancelledError:
                raise
            except MoonAIError as exc:
                attempt += 1
                connected = False
                delay = self._backoff.delay(attempt, self._rng)
                self._state(stream, "reconnecting", f"{exc} (retry in {delay:.1f}s)")
                await asyncio.sleep(delay)
                continue
            if not connected:
                connected = True
                attempt = 0
                self._state(stream, "connected")
            if self._freshness is not None:
                self._freshness.touch(self.symbol, stream)

    async def _ticker_step(self) -> None:
        self._bus.publish(TickerUpdated(await self._market.watch_ticker(self.symbol)))

    async def _book_step(self) -> None:
        book = await self._market.watch_book(self.symbol, self._depth, self._depth)
        self._bus.publish(OrderBookUpdated(book))

    async def _trades_step(self) -> None:
        trades = await self._market.watch_trades(self.symbol)
        fresh = self._fresh_trades(trades)
        if fresh:
            self._bus.publish(TradesReceived(self.symbol, tuple(fresh)))

    def _fresh_trades(self, trades: list[Trade]) -> list[Trade]:
        # After a reconnect ccxt may hand back trades already published.
        fresh = [
            t for t in trades if t.id not in self._seen_trade_ids and t.ts >= self._last_trade_ts
        ]
        for trade in fresh:
            self._seen_trade_ids.add(trade.id)
            self._last_trade_ts = max(self._last_trade_ts, trade.ts)
        if len(self._seen_trade_ids) > 5_000:
            self._seen_trade_ids = {t.id for t in fresh}
        return fresh

    async def _load_history(self) -> None:
        """Closed candles for the chart; after a reconnect this also fills the gap."""
        bars = await self._market.fetch_candles(
            self.symbol, self.timeframe, limit=self._history_bars + 1
        )
        closed = bars[:-1]  # the newest bar is still forming
        if not closed:
            return
        await self._on_closed_candles(self.symbol, self.timeframe, closed)
        self._last_closed_ts = closed[-1].ts
        self._bus.publish(CandleHistoryLoaded(self.symbol, self.timeframe, tuple(closed)))

    async def _candles_step(self) -> None:
        for bar in await self._market.watch_candles(self.symbol, self.timeframe):
            await self._on_candle(bar)

    async def _on_candle(self, bar: Bar) -> None:
        forming = self._forming
        if forming is not None and bar.ts > forming.ts:
            await self._close(forming)
        if forming is None or bar.ts >= forming.ts:
            self._forming = bar
            self._bus.publish(CandleUpdated(self.symbol, self.timeframe, bar, closed=False))

    async def _close(self, forming: Bar) -> None:
        """Publish the bar that just closed, with its final values from REST when available."""
        if self._last_closed_ts is not None and forming.ts <= self._last_closed_ts:
            return
        final = forming
        try:
            rows = await self._market.fetch_candles(self.symbol, self.timeframe, forming.ts, 1)
            final = next((row for row in rows if row.ts == forming.ts), forming)
        except MoonAIError as exc:
            log.warning(
                "candle %s %s: REST confirmation failed (%s); using stream values",
                self.symbol,
                forming.ts,
                exc,
            )
        self._last_closed_ts = final.ts
        await self._on_closed_candles(self.symbol, self.timeframe, [final])
        self._bus.publish(CandleUpdated(self.symbol, self.timeframe, final, closed=True))
