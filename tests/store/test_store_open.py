"""Opening the store: migrations, reopening, and refusing databases it must not touch."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from store_helpers import sqlite_url

from moonai_tui.errors import StoreError
from moonai_tui.store import (
    open_store,
    trading_models,  # noqa: F401  (registers the trading tables)
)
from moonai_tui.store.engine import create_database
from moonai_tui.store.migrate import head_revision
from moonai_tui.store.models import Base

EXPECTED_TABLES = {
    "alembic_version",
    "instruments",
    "candles",
    "market_events",
    "orders",
    "order_events",
    "fills",
    "positions",
    "risk_events",
    "audit",
    "kill_switch",
    "model_versions",
    "paper_protections",
    "equity_samples",
    "backtest_runs",
    "backtest_trades",
    "signals",
}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def _version(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


async def test_open_fresh_file_creates_all_tables_at_head(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "moonai.db"
    store = await open_store(sqlite_url(path))
    await store.close()

    assert _tables(path) == EXPECTED_TABLES
    assert _version(path) == [head_revision()]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_connections_use_normal_sync_and_foreign_keys(tmp_path: Path) -> None:
    database = create_database(sqlite_url(tmp_path / "moonai.db"))
    try:
        async with database.engine.connect() as connection:
            synchronous = (await connection.execute(text("PRAGMA synchronous"))).scalar_one()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    finally:
        await database.engine.dispose()
    assert synchronous == 1  # NORMAL
    assert foreign_keys == 1


async def test_reopen_migrated_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "moonai.db"
    store = await open_store(sqlite_url(path))
    await store.record_market_event(1, "connected", "BTC/USDT", "ticker", "first")
    await store.close()
    before = path.read_bytes()

    store = await open_store(sqlite_url(path))
    events = await store.market_events()
    await store.close()

    assert [event.detail for event in events] == ["first"]
    assert path.read_bytes() == before
    assert _version(path) == [head_revision()]


async def test_newer_schema_revision_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "moonai.db"
    store = await open_store(sqlite_url(path))
    await store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = path.read_bytes()

    with pytest.raises(StoreError) as caught:
        await open_store(sqlite_url(path))

    message = str(caught.value)
    assert "9999_from_the_future" in message
    assert "comes from a newer Moon AI" in message
    assert str(path) in message
    assert "\n" not in message
    assert path.read_bytes() == before
    assert _version(path) == ["9999_from_the_future"]


async def test_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "moonai.db"
    path.write_bytes(b"timestamp_ms,open,high,low,close,volume\n" * 200)
    before = path.read_bytes()

    with pytest.raises(StoreError, match="not a database") as caught:
        await open_store(sqlite_url(path))

    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


async def test_truncated_database_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "moonai.db"
    store = await open_store(sqlite_url(path))
    await store.close()
    # A valid header with the pages cut off: SQLite reports it as malformed.
    path.write_bytes(path.read_bytes()[:100] + b"\xff" * 3996)

    with pytest.raises(StoreError, match="not a database"):
        await open_store(sqlite_url(path))


async def test_folder_in_place_of_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        await open_store(sqlite_url(tmp_path))


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only /sys (Linux)")
async def test_read_only_location_is_refused_with_one_line() -> None:
    path = Path("/sys/moonai-test.db")  # sysfs refuses new files, even to root

    with pytest.raises(StoreError, match=r"cannot open|read-only") as caught:
        await open_store(sqlite_url(path))

    assert "\n" not in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
async def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"cannot open|read-only"):
            await open_store(sqlite_url(folder / "moonai.db"))
    finally:
        folder.chmod(0o700)


async def test_database_opened_read_only_is_refused_with_one_line(tmp_path: Path) -> None:
    # A read-only SQLite URI makes SQLite itself refuse writes, even for root.
    path = tmp_path / "moonai.db"
    sqlite3.connect(path).close()
    before = path.read_bytes()

    with pytest.raises(StoreError, match="read-only") as caught:
        await open_store(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")

    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before


async def test_failed_unit_of_work_rolls_back_schema_changes(tmp_path: Path) -> None:
    # Migrations rely on this: on SQLite, DDL is transactional only because the
    # engine issues its own BEGIN.
    database = create_database(sqlite_url(tmp_path / "moonai.db"))
    try:
        with pytest.raises(RuntimeError):
            async with database.engine.begin() as connection:
                await connection.execute(text("CREATE TABLE half_done (x INTEGER)"))
                raise RuntimeError("migration step failed")
    finally:
        await database.engine.dispose()
    assert "half_done" not in _tables(tmp_path / "moonai.db")


async def test_invalid_url_is_refused() -> None:
    with pytest.raises(StoreError, match="not a valid SQLAlchemy URL"):
        await open_store("not a url at all")


async def test_sync_driver_url_is_refused_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        await open_store(f"sqlite:///{tmp_path / 'moonai.db'}")
    assert "\n" not in str(caught.value)


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    store = await open_store(sqlite_url(tmp_path / "moonai.db"))
    await store.close()
    database = create_database(sqlite_url(tmp_path / "moonai.db"))

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    try:
        async with database.engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await database.engine.dispose()
    assert diff == []
