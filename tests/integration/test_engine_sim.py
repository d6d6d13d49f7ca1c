"""The engine end to end through unmodified ccxt against the simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from moonai_tui.config import Settings
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    ConnectionChanged,
    EngineStarted,
    Event,
    OrderBookUpdated,
    SymbolChanged,
    TickerUpdated,
    TradesReceived,
)
from moonai_tui.store import open_store

pytestmark = pytest.mark.timeout(60)


def fast_settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        sim={"speed": 600, "book_updates_per_second": 40},
        feeds={"history_bars": 30},
    )


async def wait_for(sub: Subscription, predicate: Callable[[Event], bool]) -> Event:
    async for event in sub:
        if predicate(event):
            return event
    raise AssertionError("event stream ended")


async def test_engine_streams_market_and_stores_candles(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path)
    engine = Engine(settings)
    sub = engine.subscribe()
    await engine.start()
    try:
        started = await wait_for(sub, lambda e: isinstance(e, EngineStarted))
        assert isinstance(started, EngineStarted) and started.symbol == "BTC/USDT:USDT"
        history = await wait_for(sub, lambda e: isinstance(e, CandleHistoryLoaded))
        assert isinstance(history, CandleHistoryLoaded) and len(history.bars) == 30
        steps = [history.bars[i + 1].ts - history.bars[i].ts for i in range(29)]
        assert set(steps) == {60_000}
        book = await wait_for(sub, lambda e: isinstance(e, OrderBookUpdated))
        assert isinstance(book, OrderBookUpdated)
        assert book.book.bids and book.book.asks
        assert book.book.bids[0].price < book.book.asks[0].price
        ticker = await wait_for(sub, lambda e: isinstance(e, TickerUpdated))
        assert isinstance(ticker, TickerUpdated) and ticker.ticker.last > 0
        trades = await wait_for(sub, lambda e: isinstance(e, TradesReceived))
        assert isinstance(trades, TradesReceived) and trades.trades
        closed = await wait_for(sub, lambda e: isinstance(e, CandleUpdated) and e.closed)
        assert isinstance(closed, CandleUpdated)
        assert closed.bar.ts > history.bars[-1].ts
    finally:
        await engine.stop()
    store = await open_store(settings.database_url)
    try:
        bars = await store.load_candles("BTC/USDT:USDT", "1m")
        events = await store.market_events(limit=500)
    finally:
        await store.close()
    assert len(bars) >= 31
    assert closed.bar in bars
    assert {(e.stream, e.kind) for e in events} >= {("book", "connected"), ("candles", "connected")}


async def test_switch_symbol_moves_every_stream(tmp_path: Path) -> None:
    engine = Engine(fast_settings(tmp_path))
    sub = engine.subscribe()
    await engine.start()
    try:
        await wait_for(sub, lambda e: isinstance(e, OrderBookUpdated))
        await engine.switch_symbol("ETH/USDT")
        await wait_for(sub, lambda e: isinstance(e, SymbolChanged) and e.symbol == "ETH/USDT")
        assert engine.status().symbol == "ETH/USDT"
        seen: set[str] = set()
        async for event in sub:
            if isinstance(event, OrderBookUpdated):
                assert event.book.symbol == "ETH/USDT"
                seen.add("book")
            elif isinstance(event, TickerUpdated):
                assert event.ticker.symbol == "ETH/USDT"
                seen.add("ticker")
            elif isinstance(event, CandleHistoryLoaded):
                assert event.symbol == "ETH/USDT"
                seen.add("history")
            elif isinstance(event, ConnectionChanged) and event.state == "connected":
                assert event.symbol in {"ETH/USDT", "*"}
            if seen == {"book", "ticker", "history"}:
                break
    finally:
        await engine.stop()


async def test_unknown_symbol_is_refused_with_a_notice(tmp_path: Path) -> None:
    from moonai_tui.engine.events import NoticeRaised

    engine = Engine(fast_settings(tmp_path))
    sub = engine.subscribe()
    await engine.start()
    try:
        await wait_for(sub, lambda e: isinstance(e, EngineStarted))
        await engine.switch_symbol("DOGE/USDT:USDT")
        notice = await wait_for(sub, lambda e: isinstance(e, NoticeRaised))
        assert isinstance(notice, NoticeRaised) and "DOGE/USDT:USDT" in notice.message
        assert engine.status().symbol == "BTC/USDT:USDT"
    finally:
        await engine.stop()
