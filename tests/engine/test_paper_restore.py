"""Paper trading across a restart: open orders and SL/TP protections come back.

Each test runs a "session" (trader + paper venue), drops it and starts another
on the same database, as a restart does. Prices are worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal as D

from trader_builders import SYMBOL, book, paper_trader, trade

from moonai_tui.domain import OrderRequest, Position
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.paper_restore import RESTORED, checked_protections
from moonai_tui.store import Store
from moonai_tui.store.paper_book import ProtectionRecord


async def test_a_resting_limit_and_a_stop_survive_a_restart(store: Store) -> None:
    clock = FixedClock(1_000)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))
    await first.submit(OrderRequest("lim-1", SYMBOL, "buy", "limit", D("0.5"), price=D("95")))
    entry = OrderRequest(
        "ent-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98"), take_profit=D("104")
    )
    await first.submit(entry)
    await first.on_book(book(100.0))  # the entry fills at the ask, 100.1

    second, paper = paper_trader(store, clock)  # the restart: a new venue, empty memory
    await second.start()
    restored = await paper.fetch_order("lim-1", SYMBOL)
    assert restored is not None and restored.status == "open"
    (protection,) = paper.protections()
    assert (protection.client_order_id, protection.side, protection.qty) == (
        "ent-1",
        "long",
        D("0.1"),
    )
    assert (protection.stop_loss, protection.take_profit) == (D("98"), D("104"))

    await second.on_trades(SYMBOL, trade(97.0, 2))  # through the stop, above the limit
    assert second.positions() == []
    await second.on_trades(SYMBOL, trade(94.5, 3))  # through the limit
    (position,) = second.positions()
    assert (position.qty, position.avg_price) == (D("0.5"), D("95"))
    # Entry 100.1, stopped at 97.0 (the trade gapped through 98): 0.1 × −3.1 = −0.31.
    assert position.realised_pnl == D("-0.31")
    fills = await store.journal.fills("paper")
    assert [(f.trade_id, f.side, f.qty, f.price) for f in fills] == [
        ("ent-1-1", "buy", D("0.1"), D("100.1")),
        ("ent-1-exit-1", "sell", D("0.1"), D("97.0")),
        ("lim-1-1", "buy", D("0.5"), D("95")),
    ]
    limit = await store.journal.order("lim-1")
    assert limit is not None and limit.status == "filled"
    assert await store.journal.paper_protections() == []  # the stop fired: nothing to keep


async def test_a_partly_filled_market_order_completes_with_new_fill_ids(store: Store) -> None:
    clock = FixedClock(0)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))
    await first.submit(OrderRequest("m-1", SYMBOL, "buy", "market", D("1.5")))
    await first.on_book(book(100.0, size=1.0))  # only 1.0 on offer, at 100.1
    order = await store.journal.order("m-1")
    assert order is not None and (order.status, order.filled_qty) == ("partially_filled", D("1"))

    second, _ = paper_trader(store, clock)
    await second.start()
    await second.on_book(book(101.0))  # the rest, 0.5 at 101.1
    fills = await store.journal.fills("paper")
    # A restarted venue that counted fill ids from 1 again would reuse "m-1-1", and
    # the journal (idempotent on the id) would silently drop the second fill.
    assert [(f.trade_id, f.qty, f.price) for f in fills] == [
        ("m-1-1", D("1"), D("100.1")),
        ("m-1-2", D("0.5"), D("101.1")),
    ]
    (position,) = second.positions()
    assert position.qty == D("1.5")
    order = await store.journal.order("m-1")
    assert order is not None and (order.status, order.filled_qty) == ("filled", D("1.5"))


async def test_an_order_journaled_but_not_acknowledged_comes_back_open(store: Store) -> None:
    # The engine died between the journal commit and the acknowledgement.
    request = OrderRequest("lim-2", SYMBOL, "sell", "limit", D("0.2"), price=D("110"))
    await store.journal.journal_order(request, "paper", 5, status="submitted", attempts=1)
    trader, paper = paper_trader(store, FixedClock(10))
    await trader.start()
    venue = await paper.fetch_order("lim-2", SYMBOL)
    assert venue is not None and venue.status == "open"
    record = await store.journal.order("lim-2")
    assert record is not None and (record.status, record.reason) == ("open", RESTORED)


def position(qty: str, stop: str | None = None, target: str | None = None) -> Position:
    return Position(
        SYMBOL,
        D(qty),
        D("100"),
        D(0),
        D(0),
        0,
        None if stop is None else D(stop),
        None if target is None else D(target),
    )


def protection(side: str = "long", qty: str = "0.1") -> ProtectionRecord:
    return ProtectionRecord("e-1", SYMBOL, side, D(qty), D("98"), D("104"))  # type: ignore[arg-type]


def test_a_protection_of_a_flat_or_reversed_position_is_dropped() -> None:
    assert checked_protections([protection()], {SYMBOL: position("0")}, 7) == []
    assert checked_protections([protection()], {}, 7) == []
    assert checked_protections([protection("long")], {SYMBOL: position("-0.1")}, 7) == []
    assert checked_protections([protection()], {SYMBOL: position("0.1")}, 7) == [protection()]


def test_a_position_with_a_stop_but_no_protection_gets_one_for_its_whole_size() -> None:
    (made,) = checked_protections([], {SYMBOL: position("-0.3", "103", "95")}, 7)
    assert made == ProtectionRecord(
        f"restored-{SYMBOL}-7", SYMBOL, "short", D("0.3"), D("103"), D("95")
    )
    # Neither stop nor target recorded: the protection invariant closes it instead.
    assert checked_protections([], {SYMBOL: position("0.3")}, 7) == []


async def test_a_protection_rebuilt_at_start_is_stored(store: Store) -> None:
    # The engine stopped after storing the position but before storing its stop.
    await store.journal.save_position(position("0.1", "98", "104"), "paper")
    trader, paper = paper_trader(store, FixedClock(7))
    await trader.start()
    expected = ProtectionRecord(f"restored-{SYMBOL}-7", SYMBOL, "long", D("0.1"), D("98"), D("104"))
    assert paper.protections() == [expected]
    assert await store.journal.paper_protections() == [expected]


async def test_a_close_on_its_way_at_the_restart_is_not_sent_twice(store: Store) -> None:
    clock = FixedClock(0)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))
    await first.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98")))
    await first.on_book(book(100.0))
    assert (await first.flatten(SYMBOL, "tui")).ok  # sent; it would fill on the next book

    second, _ = paper_trader(store, clock)
    await second.start()
    assert not (await second.flatten(SYMBOL, "tui")).ok  # the restored close covers it
    await second.on_book(book(100.0))
    assert second.positions() == []
    closes = [o for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert len(closes) == 1 and closes[0].status == "filled"
