"""A restart with the kill switch latched and a position still open closes it on start.

The engine died between latching and the close filling (or before sending it).
Paper: restoring the venue is the reconciliation, so ``start`` closes it. Live:
nothing is sent before the exchange was asked; ``reconciled`` closes it, and a
close the journal says is still on its way is not sent twice.
"""

from __future__ import annotations

from decimal import Decimal as D

from trader_builders import BTC, SYMBOL, book, paper_trader

from moonai_tui.domain import Fill, OrderRequest, Position
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.trader import Trader
from moonai_tui.exchange.execution import VenueOrder
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store import Store


async def test_paper_restart_with_the_latch_closes_the_position(store: Store) -> None:
    clock = FixedClock(0)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))
    await first.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98")))
    await first.on_book(book(100.0))  # long 0.1
    # The latch is stored, then the engine dies before its close is sent.
    await store.journal.set_kill_switch(True, "test", "ctl", clock.now_ms())

    second, paper = paper_trader(store, clock)
    await second.start()
    (close,) = [o for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert (close.request.side, close.request.qty) == ("sell", D("0.1"))
    await second.on_book(book(100.0))  # the close fills on the first book
    assert second.positions() == []
    assert paper.protections() == []


async def test_paper_restart_does_not_close_twice(store: Store) -> None:
    clock = FixedClock(0)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))
    await first.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98")))
    await first.on_book(book(100.0))
    assert (await first.kill("ctl", "test")).ok  # the close is sent, then the engine dies

    second, _ = paper_trader(store, clock)
    await second.start()
    await second.on_book(book(100.0))
    assert second.positions() == []
    closes = [o for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert len(closes) == 1


class LiveVenue:
    """A live exchange that acknowledges everything and reports no fills."""

    def __init__(self) -> None:
        self.submitted: list[OrderRequest] = []

    async def submit(self, request: OrderRequest) -> VenueOrder:
        self.submitted.append(request)
        cid = request.client_order_id
        return VenueOrder(cid, f"x-{cid}", request.symbol, "open", D(0), None, D(0))

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        return None

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        return None

    async def fills_since(self, since_ms: int) -> list[Fill]:
        return []


def live_trader(store: Store, venue: LiveVenue) -> Trader:
    return Trader(
        bus=EventBus(),
        clock=FixedClock(5_000),
        journal=store.journal,
        venue=venue,
        paper=None,
        mode="live",
        instruments={SYMBOL: BTC},
        limits=RiskLimits(),
        manual_approval=True,
        approval_timeout_ms=60_000,
        starting_equity=D("10000"),
    )


async def test_live_restart_with_the_latch_closes_after_reconciliation(store: Store) -> None:
    short = Position(SYMBOL, D("-0.3"), D("100"), D(0), D(0), 0, stop_loss=D("102"))
    await store.journal.save_position(short, "live")
    await store.journal.set_kill_switch(True, "test", "ctl", 1_000)
    venue = LiveVenue()
    trader = live_trader(store, venue)
    await trader.start()
    assert venue.submitted == []  # positions are not trusted before reconciliation
    await trader.reconciled()
    (close,) = venue.submitted
    assert (close.side, close.qty, close.reduce_only) == ("buy", D("0.3"), True)
    await trader.reconciled()  # a second reconciliation: the close is on its way
    assert len(venue.submitted) == 1


async def test_live_restart_sends_only_what_no_close_in_flight_covers(store: Store) -> None:
    long = Position(SYMBOL, D("0.5"), D("100"), D(0), D(0), 0, stop_loss=D("98"))
    await store.journal.save_position(long, "live")
    await store.journal.set_kill_switch(True, "test", "ctl", 1_000)
    # A close of 0.2 was sent before the crash; 0.05 of it had filled.
    sent = OrderRequest("c-1", SYMBOL, "sell", "market", D("0.2"), reduce_only=True)
    await store.journal.journal_order(sent, "live", 1_000, status="submitted", attempts=1)
    await store.journal.update_order("c-1", "partially_filled", 1_001, filled_qty=D("0.05"))
    venue = LiveVenue()
    trader = live_trader(store, venue)
    await trader.start()
    await trader.reconciled()
    # 0.5 open, 0.2 - 0.05 = 0.15 still on its way: 0.35 more to close
    (close,) = venue.submitted
    assert (close.side, close.qty) == ("sell", D("0.35"))


async def test_without_the_latch_a_restart_closes_nothing(store: Store) -> None:
    long = Position(SYMBOL, D("0.5"), D("100"), D(0), D(0), 0, stop_loss=D("98"))
    await store.journal.save_position(long, "live")
    venue = LiveVenue()
    trader = live_trader(store, venue)
    await trader.start()
    await trader.reconciled()
    assert venue.submitted == []
