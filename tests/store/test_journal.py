"""The trading journal: orders before they leave, fills once, positions, latch, audit.

Every test runs twice: on a SQLite file, where order writes take the journal
writer's plain-SQL path, and on a ``file:`` URI, which keeps them on the ORM
path that other databases use. Both must give the same records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from store_helpers import sqlite_url

from moonai_tui.domain import Fill, OrderRequest, Position
from moonai_tui.errors import DuplicateOrderError
from moonai_tui.store import Store, open_store

REQUEST = OrderRequest(
    client_order_id="mai-0001",
    symbol="BTC/USDT:USDT",
    side="buy",
    type="limit",
    qty=Decimal("0.014"),
    price=Decimal("71203.1"),
    stop_loss=Decimal("69779.0"),
    take_profit=Decimal("74051.2"),
    strategy="sma_cross",
)


@pytest.fixture(params=["writer", "orm"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "moonai.db"
    orm = request.param == "orm"
    url = f"sqlite+aiosqlite:///file:{path}?uri=true" if orm else sqlite_url(path)
    async with await open_store(url) as opened:
        # Guard the premise: each run really takes the path it is named after.
        assert (opened.journal._writer is None) is orm
        yield opened


def fill(trade_id: str, qty: str = "0.007", price: str = "71203.1") -> Fill:
    return Fill(
        trade_id=trade_id,
        client_order_id="mai-0001",
        exchange_order_id="ex-1",
        symbol="BTC/USDT:USDT",
        side="buy",
        qty=Decimal(qty),
        price=Decimal(price),
        fee=Decimal("0.09968434"),
        fee_currency="USDT",
        is_maker=True,
        ts_ms=1_000,
    )


async def test_order_is_journaled_pending_then_follows_exchange_events(store: Store) -> None:
    journal = store.journal
    record = await journal.journal_order(REQUEST, "live", now_ms=100)
    assert record.status == "pending" and record.attempts == 0
    await journal.update_order("mai-0001", "submitted", 110, attempted=True)
    await journal.update_order("mai-0001", "open", 120, exchange_order_id="ex-1")
    await journal.update_order(
        "mai-0001",
        "partially_filled",
        130,
        filled_qty=Decimal("0.007"),
        avg_price=Decimal("71203.1"),
    )
    done = await journal.update_order(
        "mai-0001", "filled", 140, filled_qty=Decimal("0.014"), fee=Decimal("0.19936868")
    )
    assert done is not None and done.is_final
    # A late, out-of-order event must not reopen a filled order.
    late = await journal.update_order("mai-0001", "open", 150, detail="late push")
    assert late is not None and late.status == "filled"
    stored = await journal.order("mai-0001")
    assert stored is not None
    assert stored.request == REQUEST
    assert stored.exchange_order_id == "ex-1"
    assert stored.filled_qty == Decimal("0.014") and stored.fee == Decimal("0.19936868")
    assert stored.attempts == 1
    history = await journal.order_history("mai-0001")
    assert [status for _, status, _ in history] == [
        "pending",
        "submitted",
        "open",
        "partially_filled",
        "filled",
    ]


async def test_the_same_client_id_cannot_be_journaled_twice(store: Store) -> None:
    await store.journal.journal_order(REQUEST, "live", now_ms=1)
    with pytest.raises(DuplicateOrderError, match="mai-0001 is already journaled"):
        await store.journal.journal_order(REQUEST, "live", now_ms=2)
    assert len(await store.journal.orders("live")) == 1


async def test_open_orders_exclude_final_ones(store: Store) -> None:
    journal = store.journal
    for index in range(3):
        request = OrderRequest(f"mai-{index}", "BTC/USDT:USDT", "sell", "market", Decimal("1"))
        await journal.journal_order(request, "paper", now_ms=index)
    await journal.update_order("mai-1", "cancelled", 10)
    open_ids = [r.request.client_order_id for r in await journal.orders("paper", open_only=True)]
    assert open_ids == ["mai-2", "mai-0"]  # newest first
    assert await journal.orders("live") == []


async def test_fills_are_stored_once_per_trade_id(store: Store) -> None:
    await store.journal.journal_order(REQUEST, "live", now_ms=1)
    assert await store.journal.record_fill(fill("t-1"), "live") is True
    assert await store.journal.record_fill(fill("t-1"), "live") is False
    assert await store.journal.record_fill(fill("t-2"), "live") is True
    # The same exchange trade id in the other mode is another fill.
    assert await store.journal.record_fill(fill("t-1"), "paper") is True
    fills = await store.journal.fills("live")
    assert [f.trade_id for f in fills] == ["t-1", "t-2"]
    assert fills[0] == fill("t-1")  # Decimals come back exact


async def test_position_is_replaced_not_duplicated(store: Store) -> None:
    first = Position(
        "BTC/USDT:USDT",
        Decimal("0.014"),
        Decimal("71203.1"),
        Decimal(0),
        Decimal("0.2"),
        5,
        Decimal("69779.0"),
        Decimal("74051.2"),
    )
    await store.journal.save_position(first, "live")
    flat = Position("BTC/USDT:USDT", Decimal(0), Decimal(0), Decimal("3.91"), Decimal("0.4"), 9)
    await store.journal.save_position(flat, "live")
    assert await store.journal.positions("live") == [flat]
    assert await store.journal.positions("paper") == []


@pytest.mark.parametrize("orm", [False, True], ids=["writer", "orm"])
async def test_kill_switch_latch_survives_a_restart_until_reset(tmp_path: Path, orm: bool) -> None:
    path = tmp_path / "moonai.db"
    url = f"sqlite+aiosqlite:///file:{path}?uri=true" if orm else sqlite_url(path)
    async with await open_store(url) as store:
        assert (await store.journal.kill_switch()).latched is False
        await store.journal.set_kill_switch(True, "operator pressed k", "tui", 1_000)
    async with await open_store(url) as store:
        state = await store.journal.kill_switch()
        assert state.latched and state.reason == "operator pressed k"
        assert state.changed_by == "tui" and state.changed_ms == 1_000
        await store.journal.set_kill_switch(False, "checked positions", "ctl", 2_000)
    async with await open_store(url) as store:
        assert (await store.journal.kill_switch()).latched is False
        actions = [(a.actor, a.action) for a in await store.journal.audit()]
        assert actions == [("tui", "kill"), ("ctl", "reset-kill")]


async def test_risk_events_and_audit_keep_order(store: Store) -> None:
    for index, code in enumerate(("max_drawdown", "daily_loss", "kill_switch")):
        await store.journal.record_risk_event(index, code, "BTC/USDT:USDT", f"reason {index}")
    events = await store.journal.risk_events(limit=2)
    assert [e.code for e in events] == ["daily_loss", "kill_switch"]
    await store.journal.record_audit(5, "tui", "approve", "signal-12", "LONG 0.014 BTC")
    (entry,) = await store.journal.audit()
    assert (entry.actor, entry.action, entry.target) == ("tui", "approve", "signal-12")
