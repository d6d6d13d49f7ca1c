"""The kill switch, in order: latch (durably) first, then cancel every entry, then flatten.

Pending approvals are cleared at once (none can be approved any more) but
audited after the cancels and closes were sent.

The venue here is the paper broker with a spy that notes each call and reads
the latch through its own database connection at that moment, i.e. what a crash
right then would leave. The time it takes is measured in bench/kill_flatten.py.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D
from pathlib import Path

from trader_builders import BTC, SYMBOL, book, drain, paper_trader

from moonai_tui.domain import OrderRequest
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.trader import Trader
from moonai_tui.engine.trading_events import ApprovalResolved, OrderDenied
from moonai_tui.exchange.execution import OrderRejected, VenueOrder
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store import Store


class SpyBroker(PaperBroker):
    def __init__(self, clock: FixedClock, database: Path) -> None:
        super().__init__(FillModel(), {SYMBOL: BTC}, clock.now_ms)
        self.database = database
        self.calls: list[tuple[str, str, bool]] = []
        """(call, what, latched in the database at that moment)."""

    def _latched(self) -> bool:
        with sqlite3.connect(self.database) as connection:
            row = connection.execute("SELECT latched FROM kill_switch").fetchone()
        return bool(row and row[0])

    async def submit(self, request: OrderRequest) -> VenueOrder:
        kind = "close" if request.reduce_only else request.type
        self.calls.append(("submit", kind, self._latched()))
        return await super().submit(request)

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        self.calls.append(("cancel", client_order_id, self._latched()))
        await super().cancel(client_order_id, symbol)


def spy_trader(
    store: Store, clock: FixedClock, database: Path, bus: EventBus
) -> tuple[Trader, SpyBroker]:
    paper = SpyBroker(clock, database)
    trader, _ = paper_trader(store, clock, bus, broker=paper)
    return trader, paper


async def test_kill_latches_then_cancels_entries_then_flattens(
    store: Store, tmp_path: Path
) -> None:
    clock, bus = FixedClock(0), EventBus()
    sub = bus.subscribe()
    trader, venue = spy_trader(store, clock, tmp_path / "m.db", bus)
    await trader.start()
    await trader.on_book(book(100.0))
    entry = OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98"))
    await trader.submit(entry)
    await trader.on_book(book(100.0))  # long 0.1
    await trader.submit(OrderRequest("lim-1", SYMBOL, "buy", "limit", D("0.2"), price=D("95")))
    await trader.on_signal("s", SYMBOL, "buy", 0.8, "waiting for a person")
    (pending,) = trader.queue.pending()
    drain(sub)

    assert (await trader.kill("ctl", "test")).ok
    # Every action after the entries came with the latch already in the database.
    assert venue.calls[-2:] == [("cancel", "lim-1", True), ("submit", "close", True)]
    assert trader.queue.pending() == ()
    resolved = [e.decided for e in drain(sub) if isinstance(e, ApprovalResolved)]
    assert [(d.item.id, d.decision, d.actor) for d in resolved] == [
        (pending.id, "rejected", "kill-switch")
    ]
    cancelled = await store.journal.order("lim-1")
    assert cancelled is not None and cancelled.status == "cancelled"

    await trader.on_book(book(100.0))  # the close fills on the next book
    assert trader.positions() == []
    assert venue.protections() == []  # the stop of a closed position never fires
    audit = [(a.actor, a.action) for a in await store.journal.audit()]
    assert audit[-4:] == [
        ("ctl", "kill"),
        ("kill-switch", "cancel"),
        ("kill-switch", "flatten"),
        ("kill-switch", "rejected"),
    ]


async def test_after_a_kill_and_a_restart_entries_stay_refused(store: Store) -> None:
    clock = FixedClock(0)
    first, _ = paper_trader(store, clock)
    await first.start()
    assert (await first.kill("tui", "before restart")).ok

    bus = EventBus()
    sub = bus.subscribe()
    second, _ = paper_trader(store, clock, bus, manual=False)
    await second.start()
    assert second.kill_switch.latched and second.kill_switch.reason == "before restart"
    await second.on_book(book(100.0))
    await second.on_signal("s", SYMBOL, "buy", 0.9, "")
    (denied,) = [e for e in drain(sub) if isinstance(e, OrderDenied)]
    assert denied.code == "kill_switch"
    assert await store.journal.orders("paper") == []
    assert (await second.reset_kill("tui")).ok
    await second.on_signal("s", SYMBOL, "buy", 0.9, "")
    assert len(await store.journal.orders("paper")) == 1


class LateFillBroker(PaperBroker):
    """An entry that filled at the venue before the kill's cancel reached it."""

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        raise OrderRejected(f"paper: order {client_order_id} is already filled")


async def test_a_fill_on_its_way_at_the_kill_is_closed_too(store: Store) -> None:
    clock = FixedClock(0)
    paper = LateFillBroker(FillModel(), {SYMBOL: BTC}, clock.now_ms)
    trader = Trader(
        bus=EventBus(),
        clock=clock,
        journal=store.journal,
        venue=paper,
        paper=paper,
        mode="paper",
        instruments={SYMBOL: BTC},
        limits=RiskLimits(),
        manual_approval=True,
        approval_timeout_ms=60_000,
        starting_equity=D("10000"),
    )
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.3"), stop_loss=D("98")))
    await trader.on_book(book(100.0, size=0.1))  # 0.1 of 0.3 filled so far
    assert (await trader.kill("ctl", "test")).ok  # closes the 0.1 it knows of
    await trader.on_book(book(100.0))  # the entry's last 0.2 lands, and the 0.1 close
    await trader.on_book(book(100.0))  # the latch closed the 0.2 too: it fills here
    await trader.on_book(book(100.0))  # and nothing more is sent
    assert trader.positions() == []
    closes = [o.request.qty for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert sorted(closes) == [D("0.1"), D("0.2")]


async def test_a_second_flatten_while_one_is_on_its_way_sends_nothing(store: Store) -> None:
    clock = FixedClock(0)
    trader, _ = paper_trader(store, clock)
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98")))
    await trader.on_book(book(100.0))
    assert (await trader.flatten(SYMBOL, "tui")).ok
    second = await trader.flatten(SYMBOL, "tui")
    assert not second.ok and "already being closed" in second.message
    await trader.on_book(book(100.0))
    assert trader.positions() == []
    assert len([o for o in await store.journal.orders("paper") if o.request.reduce_only]) == 1
