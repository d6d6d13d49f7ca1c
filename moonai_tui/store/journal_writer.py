"""The order journal's own connection: plain ``sqlite3``, committed on the event loop.

Invariant 4 puts a durable commit between every trading decision and the
request leaving, so that commit IS the order path's latency. Through
SQLAlchemy's async session it took 3-9 ms: each statement of the unit of work
(BEGIN, SELECT, INSERT, INSERT, COMMIT) was a hop to aiosqlite's thread and back,
plus the ORM's flush. A dedicated writer thread still pays two thread wake-ups
per commit, which on a busy machine cost milliseconds at the 99th percentile
(bench/order_latency.py). Here a unit of work is one plain function run right on
the event loop with statements that ``sqlite3`` prepares once and caches: about
0.05 ms when nobody else holds the write lock.

Nobody else must be waited for on the loop, though: another writer (candles,
fills, market events) may hold SQLite's single write lock inside an aiosqlite
transaction that needs the loop to finish. So the lock is TRIED (busy timeout
0) and, when it is taken, the loop is yielded and the attempt repeated with a
short backoff until the other transaction ends (up to ``BUSY_TIMEOUT_S``).

Durability: ``synchronous=NORMAL`` in WAL mode, like every other connection to
the database. A commit survives a killed or crashed process (the WAL is in the
OS's page cache before the commit returns), which is what the journal guards
against: a timeout or a crash must never double an order. A power loss or an
OS crash may lose the last commits (WAL frames not yet fsynced): the exchange
then has orders the journal never saw, and restart reconciliation reports them
and halts trading on a position it cannot explain, rather than guess.
``synchronous=FULL`` (fsync per commit) would close that gap at the cost of an
fsync on the order path: 0.2 ms on an idle disk here, several ms under load.
The WAL is checkpointed by the pooled connections (``wal_autocheckpoint=0``
here), so a checkpoint's copy and fsync never stall the order path.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from moonai_tui.errors import StoreError
from moonai_tui.store.engine import explain_failure

T = TypeVar("T")

BUSY_TIMEOUT_S = 10.0
"""As for the pooled connections: another writer's transaction is waited for, not failed."""
_FIRST_BACKOFF_S = 0.0002
_MAX_BACKOFF_S = 0.01


class JournalWriter:
    """Runs units of work on one ``sqlite3`` connection, each in its own transaction.

    The connection opens with the first unit of work (nothing at construction)
    and closes with :meth:`close`. A unit of work has no ``await`` inside, so
    units never interleave.

    Args:
        path: The SQLite database file (already migrated).
        url: The database URL, to name the database in error messages.
    """

    def __init__(self, path: Path, url: str) -> None:
        self._path = path
        self._url = url
        self._connection: sqlite3.Connection | None = None

    async def run(self, work: Callable[[sqlite3.Connection], T], doing: str) -> T:
        """Run ``work(connection)`` inside ``BEGIN IMMEDIATE ... COMMIT`` and return its result.

        The commit has returned when this returns. An exception from ``work``
        rolls the transaction back and is re-raised; a database failure becomes
        a one-line :class:`StoreError`.
        """
        try:
            connection = self._connect()
            await _begin(connection)
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise explain_failure(self._url, exc, doing) from exc
        except TimeoutError:
            raise StoreError(
                f"{self._path}: cannot {doing}: another writer held the database "
                f"for over {BUSY_TIMEOUT_S:.0f} s"
            ) from None
        return result

    def close(self) -> None:
        """Close the connection. Safe to call more than once."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None, cached_statements=64)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            # Never wait inside SQLite: that would block the event loop (see above).
            connection.execute("PRAGMA busy_timeout=0")
            connection.execute("PRAGMA wal_autocheckpoint=0")
            self._connection = connection
        return self._connection


async def _begin(connection: sqlite3.Connection) -> None:
    """Take the write lock, yielding the event loop while another writer holds it.

    Raises:
        TimeoutError: the lock stayed taken for ``BUSY_TIMEOUT_S``.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    backoff = 0.0
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            if time.monotonic() > deadline:
                raise TimeoutError from exc
        await asyncio.sleep(backoff)
        backoff = min(max(backoff * 2, _FIRST_BACKOFF_S), _MAX_BACKOFF_S)
