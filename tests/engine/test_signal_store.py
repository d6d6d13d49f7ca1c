"""Every raised signal is stored with its outcome, updated when a person decides."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trader_builders import SYMBOL, book, drain, paper_trader

from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.trading_events import ApprovalRequested
from moonai_tui.store import Store


def rows(path: Path) -> list[tuple[object, ...]]:
    """The signals table read with plain sqlite3 (not through the repository under test)."""
    with sqlite3.connect(path) as connection:
        return list(
            connection.execute(
                "SELECT ts_ms, strategy, symbol, side, confidence, reasons, stop_loss_pct,"
                " take_profit_pct, outcome, client_order_id, decided_ms, detail"
                " FROM signals ORDER BY id"
            )
        )


async def test_a_manual_paper_session_stores_signals_and_their_outcomes(
    store: Store, tmp_path: Path
) -> None:
    bus, clock = EventBus(), FixedClock(1_000)
    sub = bus.subscribe()
    trader, _ = paper_trader(store, clock, bus, manual=True)
    await trader.start()
    await trader.on_signal("early", SYMBOL, "buy", 0.5, "no price yet")  # denied: no mark
    await trader.on_book(book(50_000.0))

    def pending_id() -> int:
        (request,) = [e for e in drain(sub) if isinstance(e, ApprovalRequested)]
        return request.item.id

    await trader.on_signal("a", SYMBOL, "buy", 0.7, "up", stop_loss_pct=0.01, take_profit_pct=0.03)
    approved = pending_id()
    clock.advance(500)
    assert (await trader.decide(approved, True, "alice")).ok
    await trader.on_book(book(50_000.0))  # fills the approved entry: a long position

    clock.advance(500)
    await trader.on_signal("b", SYMBOL, "sell", 0.6, "down")  # against the long: an exit
    await trader.on_book(book(50_000.0))  # the close fills: flat again
    clock.advance(500)
    await trader.on_signal("c", SYMBOL, "buy", 0.4, "maybe")
    rejected = pending_id()
    clock.advance(500)
    assert (await trader.decide(rejected, False, "bob")).ok
    clock.advance(500)
    await trader.on_signal("d", SYMBOL, "buy", 0.3, "late")
    pending_id()
    clock.advance(60_000)  # the approval timeout of the builder
    await trader.on_book(book(50_000.0))
    await trader.on_signal("e", SYMBOL, None, 1.0, "flat")

    orders = await store.journal.orders("paper")
    sent = [o.request.client_order_id for o in orders if o.request.strategy == "a"]
    got = rows(tmp_path / "m.db")
    # (ts, strategy, symbol, side, confidence, reasons, sl, tp, outcome, coid?, decided, detail)
    assert [(r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[10]) for r in got] == [
        (1_000, "early", "buy", 0.5, "no price yet", None, None, "denied", None),
        (1_000, "a", "buy", 0.7, "up", 0.01, 0.03, "approved", 1_500),
        (2_000, "b", "sell", 0.6, "down", None, None, "exit", None),
        (2_500, "c", "buy", 0.4, "maybe", None, None, "rejected", 3_000),
        (3_500, "d", "buy", 0.3, "late", None, None, "expired", 63_500),
        (63_500, "e", None, 1.0, "flat", None, None, "exit", None),
    ]
    assert {r[2] for r in got} == {SYMBOL}
    assert len(sent) == 1 and got[1][9] == sent[0]  # the approved row names the order sent
    assert (got[1][11], got[3][11]) == ("alice", "bob")
    assert [r[9] for r in (got[0], got[2], got[5])] == [None, None, None]
    assert got[3][9] is not None and got[4][9] is not None  # the orders they would have sent
    stored = await store.journal.signals("paper")
    assert [s.outcome for s in stored] == [r[8] for r in got]


async def test_an_auto_signal_is_stored_after_its_order_with_its_order_id(
    store: Store, tmp_path: Path
) -> None:
    clock = FixedClock(7_000)
    trader, _ = paper_trader(store, clock, manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("auto", SYMBOL, "sell", 0.9, "down")
    (order,) = await store.journal.orders("paper")
    (row,) = rows(tmp_path / "m.db")
    assert (row[0], row[1], row[3], row[8], row[9]) == (
        7_000,
        "auto",
        "sell",
        "auto",
        order.request.client_order_id,
    )
