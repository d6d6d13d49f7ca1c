"""The order journal's own connection: durable before it returns, never blocks the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from store_helpers import sqlite_url

from moonai_tui.domain import OrderRequest
from moonai_tui.errors import DuplicateOrderError, StoreError
from moonai_tui.store import Store, journal_writer

REQUEST = OrderRequest("mai-w1", "BTC/USDT:USDT", "buy", "market", Decimal("0.014"))


def stored_status(path: Path, client_order_id: str) -> str | None:
    """The order's status as ANOTHER connection reads it (what a crash would leave)."""
    with sqlite3.connect(path) as connection:
        row = connection.execute(
            "SELECT status FROM orders WHERE client_order_id = ?", (client_order_id,)
        ).fetchone()
    return None if row is None else str(row[0])


async def test_a_journaled_order_is_committed_when_the_call_returns(
    store: Store, tmp_path: Path
) -> None:
    await store.journal.journal_order(REQUEST, "live", 1, status="submitted", attempts=1)
    assert stored_status(tmp_path / "moonai.db", "mai-w1") == "submitted"
    await store.journal.update_order("mai-w1", "open", 2, exchange_order_id="ex-9")
    assert stored_status(tmp_path / "moonai.db", "mai-w1") == "open"


async def test_a_held_write_lock_is_waited_for_without_blocking_the_loop(
    store: Store, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "moonai.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer is mid-transaction
    task = asyncio.create_task(store.journal.journal_order(REQUEST, "live", 1))
    for _ in range(5):
        await asyncio.sleep(0)  # the loop keeps running other work meanwhile
    assert not task.done()
    holder.execute("COMMIT")
    holder.close()
    record = await task
    assert record.status == "pending"
    assert stored_status(tmp_path / "moonai.db", "mai-w1") == "pending"


async def test_a_lock_held_too_long_is_one_clear_error(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_writer, "BUSY_TIMEOUT_S", 0.0)
    holder = sqlite3.connect(tmp_path / "moonai.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as caught:
            await store.journal.journal_order(REQUEST, "live", 1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(caught.value)
    assert "moonai.db" in message and "journal an order" in message and "\n" not in message
    # Nothing half-written, and the connection is usable again.
    assert stored_status(tmp_path / "moonai.db", "mai-w1") is None
    assert (await store.journal.journal_order(REQUEST, "live", 2)).created_ms == 2


async def test_a_failed_unit_of_work_is_rolled_back(store: Store) -> None:
    await store.journal.journal_order(REQUEST, "live", 1)
    with pytest.raises(DuplicateOrderError):
        await store.journal.journal_order(REQUEST, "live", 2)
    # The duplicate wrote no second event, and the next unit of work commits normally.
    await store.journal.update_order("mai-w1", "submitted", 3, attempted=True)
    history = await store.journal.order_history("mai-w1")
    assert [(ts, status) for ts, status, _ in history] == [(1, "pending"), (3, "submitted")]


async def test_closing_the_store_closes_the_journal_connection(tmp_path: Path) -> None:
    from moonai_tui.store import open_store

    store = await open_store(sqlite_url(tmp_path / "moonai.db"))
    await store.journal.journal_order(REQUEST, "live", 1)
    await store.close()
    await store.close()  # twice is fine
    # With every connection closed, SQLite folds the WAL back into the file.
    assert not (tmp_path / "moonai.db-wal").exists()
    assert stored_status(tmp_path / "moonai.db", "mai-w1") == "pending"
