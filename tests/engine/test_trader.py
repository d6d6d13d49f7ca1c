"""The trader with manual approval: queue, approve, reject, refusals, kill switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path

import pytest
from trader_builders import paper_trader

from moonai_tui.domain import BookLevel, Instrument, OrderBook
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import Event
from moonai_tui.engine.trader import Trader
from moonai_tui.engine.trading_events import (
    ApprovalRequested,
    ApprovalResolved,
    FillRecorded,
    OrderDenied,
    RiskStatusChanged,
)
from moonai_tui.store import Store, open_store

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)


def book(price: float) -> OrderBook:
    return OrderBook(SYMBOL, 0, (BookLevel(price - 0.1, 10.0),), (BookLevel(price + 0.1, 10.0),))


def drain(sub: Subscription) -> list[Event]:
    events = []
    while (event := sub.get_nowait()) is not None:
        events.append(event)
    return events


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as opened:
        yield opened


def make_trader(store: Store, bus: EventBus, clock: FixedClock) -> Trader:
    return paper_trader(store, clock, bus)[0]


async def test_manual_entry_waits_then_fills_after_approval(store: Store) -> None:
    bus, clock = EventBus(), FixedClock(1_000)
    sub = bus.subscribe()
    trader = make_trader(store, bus, clock)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("sma_cross", SYMBOL, "buy", 0.71, "crossed up")
    (request,) = [e for e in drain(sub) if isinstance(e, ApprovalRequested)]
    item = request.item
    # 10,000 × 1% / (2% × 50,000 mid) = 0.1 BTC; SL 49,000, TP 52,000 (mid 50,000)
    assert item.request.qty == D("0.1")
    assert (item.request.stop_loss, item.request.take_profit) == (D("49000.0"), D("52000.0"))
    assert await store.journal.orders("paper") == []  # nothing sent before approval
    result = await trader.decide(item.id, True, "tui")
    assert result.ok, result.message
    await trader.on_book(book(50_010.0))
    events = drain(sub)
    assert [e.decided.decision for e in events if isinstance(e, ApprovalResolved)] == ["approved"]
    fills = [e.fill for e in events if isinstance(e, FillRecorded)]
    assert [(f.qty, f.price) for f in fills] == [(D("0.1"), D("50010.1"))]
    (position,) = trader.positions()
    assert position.qty == D("0.1") and position.stop_loss == D("49000.0")
    audit = [(a.actor, a.action) for a in await store.journal.audit()]
    assert ("tui", "approved") in audit


async def test_reject_and_expiry_send_nothing(store: Store) -> None:
    bus, clock = EventBus(), FixedClock(0)
    sub = bus.subscribe()
    trader = make_trader(store, bus, clock)
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.6, "")
    await trader.on_signal("s", SYMBOL, "buy", 0.6, "")
    first, second = trader.queue.pending()
    assert (await trader.decide(first.id, False, "ctl")).ok
    clock.advance(60_000)
    await trader.on_book(book(100.0))  # the feed drives expiry
    decisions = [e.decided.decision for e in drain(sub) if isinstance(e, ApprovalResolved)]
    assert decisions == ["rejected", "expired"]
    assert not (await trader.decide(second.id, True, "tui")).ok
    assert await store.journal.orders("paper") == []


async def test_latched_kill_switch_denies_entries_with_a_reason(store: Store) -> None:
    bus, clock = EventBus(), FixedClock(0)
    sub = bus.subscribe()
    trader = make_trader(store, bus, clock)
    await trader.start()
    await trader.on_book(book(100.0))
    assert (await trader.kill("tui", "test")).ok
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "")
    events = drain(sub)
    (denied,) = [e for e in events if isinstance(e, OrderDenied)]
    assert denied.code == "kill_switch" and "latched" in denied.reason
    risk = [e.status for e in events if isinstance(e, RiskStatusChanged)]
    assert risk[-1].halted_reason.startswith("kill switch latched")
    assert [e.code for e in await store.journal.risk_events()] == ["kill_switch"]


async def test_a_position_without_a_stop_is_closed_after_a_second(store: Store) -> None:
    from moonai_tui.domain import Fill
    from moonai_tui.engine.events import NoticeRaised

    bus, clock = EventBus(), FixedClock(0)
    sub = bus.subscribe()
    trader = make_trader(store, bus, clock)
    await trader.start()
    await trader.on_book(book(100.0))
    # A fill from an order the engine did not place: no stop is known for it.
    stray = Fill("x-1", None, None, SYMBOL, "buy", D("1"), D("100"), D(0), "USDT", False, 0)
    await trader.apply_fills([stray])
    await trader.on_book(book(100.0))
    clock.advance(1_000)
    await trader.on_book(book(100.0))
    assert not [e for e in drain(sub) if isinstance(e, NoticeRaised)]  # exactly 1 s: not yet
    clock.advance(1)
    await trader.on_book(book(100.0))  # the alarm sends the close
    await trader.on_book(book(100.0))  # which fills on the next book
    notices = [e.message for e in drain(sub) if isinstance(e, NoticeRaised)]
    assert notices == [f"{SYMBOL} had no stop-loss for over 1 s: closing it"]
    assert trader.positions() == []
    assert [e.code for e in await store.journal.risk_events()] == ["unprotected"]


async def test_an_opposite_signal_replaces_the_stale_pending_entry(store: Store) -> None:
    bus, clock = EventBus(), FixedClock(0)
    sub = bus.subscribe()
    trader = make_trader(store, bus, clock)
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.on_signal("sma_cross", SYMBOL, "buy", 0.7, "crossed up")
    (old,) = trader.queue.pending()
    clock.advance(5_000)
    await trader.on_signal("sma_cross", SYMBOL, "sell", 0.8, "crossed down")
    (new,) = trader.queue.pending()
    assert new.request.side == "sell" and new.id != old.id
    events = drain(sub)
    (resolved,) = [e.decided for e in events if isinstance(e, ApprovalResolved)]
    assert (resolved.item.id, resolved.decision, resolved.at_ms) == (old.id, "expired", 5_000)
    assert resolved.reason == "superseded by a newer sell signal"
    # The new entry is queued only after the stale one is gone.
    kinds = [
        type(e).__name__ for e in events if isinstance(e, (ApprovalResolved, ApprovalRequested))
    ]
    assert kinds == ["ApprovalRequested", "ApprovalResolved", "ApprovalRequested"]
    (audit,) = [a for a in await store.journal.audit() if a.action == "expired"]
    assert audit.actor == "system" and audit.detail.endswith("superseded by a newer sell signal")
    assert not (await trader.decide(old.id, True, "tui")).ok
