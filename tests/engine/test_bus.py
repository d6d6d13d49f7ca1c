"""The bus: ordered delivery of facts, latest-wins for high-rate market data."""

from __future__ import annotations

from moonai_tui.domain import BookLevel, OrderBook, Trade
from moonai_tui.engine.bus import MAX_PENDING, EventBus
from moonai_tui.engine.events import (
    ConnectionChanged,
    OrderBookUpdated,
    TradesReceived,
)


def _book(symbol: str, bid: float) -> OrderBookUpdated:
    return OrderBookUpdated(
        OrderBook(symbol, 0, (BookLevel(bid, 1.0),), (BookLevel(bid + 1, 1.0),))
    )


def test_books_conflate_to_latest_per_symbol_and_keep_order_of_facts() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    for i in range(1000):
        bus.publish(_book("BTC/USDT:USDT", 100.0 + i))
        if i == 10:
            bus.publish(ConnectionChanged("book", "BTC/USDT:USDT", "connected", "", 1))
    bus.publish(_book("ETH/USDT:USDT", 5.0))
    trade = Trade("t1", 1, 100.0, 0.5, "buy")
    bus.publish(TradesReceived("BTC/USDT:USDT", (trade,)))
    received = []
    while (event := sub.get_nowait()) is not None:
        received.append(event)
    assert len(received) == 4
    first, connection, eth, trades = received
    assert isinstance(first, OrderBookUpdated) and first.book.bids[0].price == 1099.0
    assert isinstance(connection, ConnectionChanged)
    assert isinstance(eth, OrderBookUpdated) and eth.book.symbol == "ETH/USDT:USDT"
    assert isinstance(trades, TradesReceived) and trades.trades == (trade,)
    assert sub.replaced == 999


def test_every_subscriber_gets_every_fact() -> None:
    bus = EventBus()
    a, b = bus.subscribe(), bus.subscribe()
    for i in range(50):
        bus.publish(ConnectionChanged("ticker", "X/Y", "connected", str(i), i))
    for sub in (a, b):
        details = []
        while (event := sub.get_nowait()) is not None:
            assert isinstance(event, ConnectionChanged)
            details.append(event.detail)
        assert details == [str(i) for i in range(50)]


async def test_closed_subscription_drains_then_stops() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    bus.publish(ConnectionChanged("ticker", "X/Y", "connected", "", 1))
    sub.close()
    bus.publish(ConnectionChanged("ticker", "X/Y", "disconnected", "", 2))
    seen = [event async for event in sub]
    assert len(seen) == 1


def test_a_reader_that_stops_reading_holds_at_most_its_cap_newest_kept() -> None:
    bus = EventBus()
    stuck = bus.subscribe(max_pending=100)
    live = bus.subscribe()
    for i in range(250):
        bus.publish(ConnectionChanged("book", "BTC/USDT:USDT", "connected", f"#{i}", i))
        while live.get_nowait() is not None:
            pass
    bus.publish(_book("BTC/USDT:USDT", 1.0))
    bus.publish(_book("BTC/USDT:USDT", 2.0))  # conflates: no drop for a replaced slot
    received = []
    while (event := stuck.get_nowait()) is not None:
        received.append(event)
    assert len(received) == 100 and stuck.dropped == 151 and live.dropped == 0
    details = [e.detail for e in received if isinstance(e, ConnectionChanged)]
    assert details == [f"#{i}" for i in range(151, 250)]
    last = received[-1]
    assert isinstance(last, OrderBookUpdated) and last.book.bids[0].price == 2.0


def test_a_reader_that_must_see_everything_is_never_capped() -> None:
    bus = EventBus()
    everything = bus.subscribe(max_pending=None)
    capped = bus.subscribe(max_pending=10)
    for i in range(MAX_PENDING + 5):
        bus.publish(ConnectionChanged("book", "BTC/USDT:USDT", "connected", "", i))
    assert everything.dropped == 0 and capped.dropped == MAX_PENDING + 5 - 10
    count = 0
    while everything.get_nowait() is not None:
        count += 1
    assert count == MAX_PENDING + 5
