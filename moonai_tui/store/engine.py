"""Builds the async engine and session factory for a database URL.

Nothing here runs at import: callers build a :class:`Database` when they open
the store. The URL may name SQLite (the default) or PostgreSQL; the only
SQLite-specific code is the connect hook below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from moonai_tui.errors import StoreError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///moonai.db"


@dataclass(frozen=True, slots=True)
class Database:
    """An async engine and the one session factory bound to it."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def create_database(url: str = DEFAULT_DATABASE_URL) -> Database:
    """Build the engine and ``async_sessionmaker(expire_on_commit=False)`` for ``url``.

    SQLite connections get WAL journaling, ``synchronous=NORMAL``, foreign keys
    and real transactions around DDL (see :func:`_configure_sqlite`).

    Args:
        url: SQLAlchemy async URL, e.g. ``sqlite+aiosqlite:///moonai.db`` or
            ``postgresql+asyncpg://user@host/moonai``.
    """
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False))


def sqlite_file(url: str | URL) -> Path | None:
    """The database file a SQLite URL names, or None (in-memory or another backend)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def describe_url(url: str | URL) -> str:
    """How to name the database in a message: the file for SQLite, else the URL sans password."""
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database  # ':memory:' or a 'file:' URI
    return parsed.render_as_string(hide_password=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Pragmas on every new connection, and explicit BEGIN so DDL is transactional.

    sqlite3 only opens a transaction before DML, so a migration's CREATE TABLE
    would otherwise commit statement by statement and a failed migration would
    leave a half-built schema. Taking over BEGIN (the SQLAlchemy-documented
    recipe) makes each migration run all-or-nothing, as on PostgreSQL.

    BEGIN IMMEDIATE takes the write lock at the start: several writers in one
    process (candles, market events, the order journal) then queue on the busy
    timeout instead of failing with "database is locked" when a deferred read
    transaction tries to upgrade to a write after another writer committed.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def explain_failure(url: str | URL, exc: BaseException, doing: str = "open") -> StoreError:
    """Turn a driver or OS failure into a one-line :class:`StoreError` naming the database.

    Args:
        url: The database URL (shown without its password).
        exc: What the driver, SQLAlchemy, Alembic or the OS raised.
        doing: The verb for the generic message: "open", "read", "write".
    """
    where = describe_url(url)
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(original).split()) or original.__class__.__name__
    lowered = text.lower()
    if isinstance(original, UnicodeDecodeError) or "could not decode to utf-8" in lowered:
        return StoreError(f"{where}: not a database (the file is corrupt: text that is not UTF-8)")
    if "not a database" in lowered or "malformed" in lowered:
        return StoreError(f"{where}: not a database (the file is corrupt or is not SQLite)")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"{where}: cannot write: the database or its folder is read-only")
    if "unable to open database file" in lowered:
        return StoreError(f"{where}: cannot open: the folder is missing, read-only or not a folder")
    if isinstance(original, OSError) and original.strerror:
        return StoreError(f"{where}: cannot {doing}: {original.strerror}")
    return StoreError(f"{where}: cannot {doing} the database: {text}")
