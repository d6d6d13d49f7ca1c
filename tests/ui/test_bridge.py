"""The bridge: engine events to Textual messages, and never falling behind."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from moonai_tui.domain import Bar, OrderBook
from moonai_tui.engine import events, trading_events
from moonai_tui.ui.bridge import EngineBridge, to_message
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.trades_tape import TradesTape

from .conftest import AppFactory
from .fakes import SYMBOL, FakeEngineClient, make_book, make_ticker, make_trades
from .pilot_tools import shown, until
from .trading_fakes import (
    approval_requested,
    approval_resolved,
    kill_state,
    make_fill,
    make_order,
    make_pending,
    position_changed,
    risk_changed,
    signal,
)

WIDE = (120, 40)
FLOOD = 5_000


def numbered_books(count: int) -> list[OrderBook]:
    # Book n has best bid 60,000.0 + n/10: each one is recognisable on screen.
    return [make_book(round(60_000.0 + n / 10, 1), levels=8) for n in range(count)]


@pytest.mark.parametrize(
    ("event", "message_type"),
    [
        (events.TickerUpdated(make_ticker()), EngineBridge.TickerUpdated),
        (events.OrderBookUpdated(make_book()), EngineBridge.OrderBookUpdated),
        (events.TradesReceived(SYMBOL, make_trades(1)), EngineBridge.TradesReceived),
        (events.SymbolChanged("ETH/USDT:USDT"), EngineBridge.SymbolChanged),
        (events.NoticeRaised("warning", "slow feed"), EngineBridge.NoticeRaised),
        (events.EngineStopped("bye"), EngineBridge.EngineStopped),
    ],
)
def test_each_event_becomes_its_message(
    event: events.Event, message_type: type[EngineBridge.TickerUpdated]
) -> None:
    message = to_message(event)
    assert type(message) is message_type
    assert message is not None and message.event is event


def test_unknown_event_is_ignored() -> None:
    @dataclass(frozen=True, slots=True)
    class FutureEvent(events.Event):
        pass

    assert to_message(FutureEvent()) is None


def test_high_rate_messages_replace_only_their_own_stream() -> None:
    btc = EngineBridge.TickerUpdated(events.TickerUpdated(make_ticker(symbol=SYMBOL)))
    btc_later = EngineBridge.TickerUpdated(events.TickerUpdated(make_ticker(1.0, symbol=SYMBOL)))
    eth = EngineBridge.TickerUpdated(events.TickerUpdated(make_ticker(symbol="ETH/USDT:USDT")))
    book = EngineBridge.OrderBookUpdated(events.OrderBookUpdated(make_book()))
    assert btc.can_replace(btc_later)
    assert not btc.can_replace(eth)
    assert not btc.can_replace(book)
    assert book.can_replace(EngineBridge.OrderBookUpdated(events.OrderBookUpdated(make_book())))

    bar = Bar(0, 1, 2, 0.5, 1.5, 10)
    forming = EngineBridge.CandleUpdated(events.CandleUpdated(SYMBOL, "1m", bar, closed=False))
    closed = EngineBridge.CandleUpdated(events.CandleUpdated(SYMBOL, "1m", bar, closed=True))
    assert forming.can_replace(
        EngineBridge.CandleUpdated(events.CandleUpdated(SYMBOL, "1m", bar, closed=False))
    )
    assert not closed.can_replace(forming)  # a closed candle is never dropped

    trades = EngineBridge.TradesReceived(events.TradesReceived(SYMBOL, make_trades(1)))
    assert not trades.can_replace(
        EngineBridge.TradesReceived(events.TradesReceived(SYMBOL, make_trades(1)))
    )


async def test_flood_of_5000_books_leaves_the_last_one_on_screen(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    books = numbered_books(FLOOD)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrderBookPane)
        await pilot.pause()
        assert app.bridge is not None
        posted_before = app.bridge.posted
        # The engine publishes far faster than a screen can draw.
        for book in books:
            client.publish(events.OrderBookUpdated(book))
        await until(pilot, lambda: pane.book == books[-1], "the last book")
        await pilot.pause()
        assert pane.book == books[-1]
        assert "60,499.9" in shown(app, pane)
        # Latest wins: the UI handled a handful, not 5,000.
        assert app.bridge.posted - posted_before < 10


async def test_interleaved_flood_with_trades_keeps_every_trade_and_the_last_book(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    books = numbered_books(FLOOD)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrderBookPane)
        for n, book in enumerate(books):
            client.publish(events.OrderBookUpdated(book))
            if n % 500 == 0:
                client.publish(events.TradesReceived(SYMBOL, make_trades(1, start=n)))
                await pilot.pause()  # let the UI read in between, as a live feed would
        await until(pilot, lambda: pane.book == books[-1], "the last book")
        tape = app.main_screen.query_one(TradesTape)
        assert [trade.id for trade in tape.rows[:3]] == ["t4500", "t4000", "t3500"]
        assert len(tape.rows) == 10


async def test_bridge_waits_for_the_screen_before_reading_more(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    # The feed publishes a book and yields, 5,000 times. A bridge that read every
    # book as it came would post 5,000 messages; this one posts a batch, waits
    # a loop turn for the screen to handle it, and meanwhile the bus keeps only
    # the newest book. So at most about half the books become messages.
    books = numbered_books(FLOOD)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrderBookPane)
        await pilot.pause()
        assert app.bridge is not None
        posted_before = app.bridge.posted
        for book in books:
            client.publish(events.OrderBookUpdated(book))
            await asyncio.sleep(0)  # the feed task yielding between updates, not a wait
        await until(pilot, lambda: pane.book == books[-1], "the last book")
        assert app.bridge.posted - posted_before <= FLOOD * 6 // 10


async def test_queued_book_messages_collapse_to_the_newest(make_app: AppFactory) -> None:
    # Bypass the bus: 5,000 book messages sit in the screen's queue at once,
    # and can_replace must let the screen skip to the newest.
    books = numbered_books(FLOOD)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrderBookPane)
        shown_books: list[OrderBook | None] = []

        def record(book: OrderBook | None) -> None:
            shown_books.append(book)

        app.main_screen.watch(pane, "book", record, init=False)
        await pilot.pause()
        for book in books:
            app.main_screen.post_message(
                EngineBridge.OrderBookUpdated(events.OrderBookUpdated(book))
            )
        await until(pilot, lambda: pane.book == books[-1], "the last book")
        assert len(shown_books) < 10
        assert shown_books[-1] == books[-1]


@pytest.mark.parametrize(
    ("event", "message_type"),
    [
        (signal(), EngineBridge.SignalRaised),
        (approval_requested(12), EngineBridge.ApprovalRequested),
        (approval_resolved(make_pending(12), "approved"), EngineBridge.ApprovalResolved),
        (trading_events.OrderDenied(SYMBOL, "cap", "too big", 0), EngineBridge.OrderDenied),
        (trading_events.OrderUpdated(make_order("moon-1")), EngineBridge.OrderUpdated),
        (position_changed("1", "2", "3"), EngineBridge.PositionChanged),
        (risk_changed(), EngineBridge.RiskStatusChanged),
        (trading_events.KillSwitchChanged(kill_state(True)), EngineBridge.KillSwitchChanged),
    ],
)
def test_each_trading_event_becomes_its_message(
    event: events.Event, message_type: type[EngineBridge.TickerUpdated]
) -> None:
    message = to_message(event)
    assert type(message) is message_type
    assert message is not None and message.event is event


def test_positions_and_risk_are_latest_wins_and_the_rest_never_replaced() -> None:
    def message(event: events.Event) -> EngineBridge.PositionChanged:
        result = to_message(event)
        assert result is not None
        return result  # type: ignore[return-value]

    btc = message(position_changed("1", "70000", "70100"))
    assert btc.can_replace(message(position_changed("1", "70000", "70200")))
    assert not btc.can_replace(message(position_changed("1", "3000", "3100", symbol="ETH")))
    assert message(risk_changed()).can_replace(message(risk_changed(halted_reason="x")))
    assert not message(risk_changed()).can_replace(btc)

    for event in (
        signal(),
        approval_requested(12),
        approval_resolved(make_pending(12), "expired"),
        trading_events.OrderDenied(SYMBOL, "cap", "too big", 0),
        trading_events.OrderUpdated(make_order("moon-1")),
        trading_events.FillRecorded(make_fill()),
        trading_events.KillSwitchChanged(kill_state(True)),
    ):
        assert not message(event).can_replace(message(event)), event
