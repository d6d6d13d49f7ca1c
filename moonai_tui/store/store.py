"""The Store: Moon AI's database behind a small async API of domain types."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InvalidRequestError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import Bar, Instrument
from moonai_tui.errors import StoreError
from moonai_tui.store import candles as candle_repo
from moonai_tui.store import events as event_repo
from moonai_tui.store import instruments as instrument_repo
from moonai_tui.store.backtests import BacktestRuns
from moonai_tui.store.engine import (
    DEFAULT_DATABASE_URL,
    Database,
    create_database,
    describe_url,
    explain_failure,
    sqlite_file,
)
from moonai_tui.store.journal import TradingJournal
from moonai_tui.store.journal_writer import JournalWriter
from moonai_tui.store.migrate import refuse_newer_schema, upgrade
from moonai_tui.store.model_registry import ModelCatalog
from moonai_tui.store.records import MarketEventRecord


async def open_store(url: str = DEFAULT_DATABASE_URL) -> Store:
    """Open (creating if needed) and migrate the database at ``url``.

    For SQLite the file's folder is created when missing. The schema is brought
    to this version's head; reopening an up-to-date database changes nothing.

    Args:
        url: SQLAlchemy async URL, e.g. ``sqlite+aiosqlite:///moonai.db``.

    Raises:
        StoreError: one line naming the database, for an invalid URL, a file
            that is not a database, a read-only location, or a schema written by
            a newer Moon AI (which is left untouched).
    """
    try:
        make_url(url)
    except ArgumentError:
        raise StoreError(f"database_url '{url}' is not a valid SQLAlchemy URL") from None
    path = sqlite_file(url)
    if path is not None:
        _prepare_folder(path)
    try:
        await refuse_newer_schema(url)
    except ImportError as exc:
        raise StoreError(
            f"database_url '{describe_url(url)}': its driver ({exc.name}) is not installed"
        ) from None
    except (ArgumentError, InvalidRequestError) as exc:
        # e.g. a sync driver: "The asyncio extension requires an async driver..."
        raise StoreError(f"database_url '{describe_url(url)}': {exc}") from None
    except (SQLAlchemyError, OSError, UnicodeDecodeError) as exc:
        raise explain_failure(url, exc) from exc
    from alembic.util import CommandError

    database = create_database(url)
    try:
        await upgrade(database.engine)
    except BaseException as exc:
        await database.engine.dispose()
        if isinstance(exc, (SQLAlchemyError, OSError, CommandError, UnicodeDecodeError)):
            raise explain_failure(url, exc, "migrate") from exc
        raise
    return Store(database, url)


def _prepare_folder(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise StoreError(f"{path}: cannot create the folder {path.parent}: {reason}") from None


class Store:
    """Candles, instruments and market events, persisted; trading records in ``journal``.

    Build it with :func:`open_store`. Each method is one unit of work in its own
    transaction; everything returned is a domain dataclass, never an ORM row.
    """

    def __init__(self, database: Database, url: str) -> None:
        self._database = database
        self._url = url
        path = sqlite_file(url)
        writer = None if path is None else JournalWriter(path, url)
        self.journal = TradingJournal(self._unit_of_work, writer)
        """Orders, fills, positions, risk events, audit and the kill switch."""
        self.models = ModelCatalog(self._unit_of_work)
        """The ML model registry: versions, the active one per market, promote, rollback."""
        self.backtests = BacktestRuns(self._unit_of_work)
        """Stored backtest, optimisation and walk-forward runs with trades and equity."""

    @property
    def url(self) -> str:
        """The database URL this store was opened with."""
        return self._url

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def upsert_instruments(self, instruments: Sequence[Instrument]) -> None:
        """Insert instruments or refresh the stored ones with the same symbol."""
        async with self._unit_of_work("write") as session:
            await instrument_repo.upsert(session, instruments)

    async def load_instruments(self) -> list[Instrument]:
        """Every stored instrument, ordered by symbol."""
        async with self._unit_of_work("read") as session:
            return await instrument_repo.load_all(session)

    async def upsert_candles(
        self, symbol: str, timeframe: str, bars: Sequence[Bar], source: str = "exchange"
    ) -> int:
        """Store bars; a bar already stored with the same values is left alone.

        Args:
            symbol: ccxt unified symbol, e.g. ``BTC/USDT:USDT``.
            timeframe: One of :data:`moonai_tui.domain.TIMEFRAME_MS`.
            bars: Closed bars; each ``ts`` must be a multiple of the bar length.
            source: Recorded with the values, e.g. ``exchange`` or ``import:file.csv``.

        Returns:
            How many rows were inserted or changed (0 when re-storing the same data).

        Raises:
            DataError: unknown timeframe or a misaligned bar time (nothing stored).
            StoreError: the database refused the write.
        """
        async with self._unit_of_work("write") as session:
            return await candle_repo.upsert(session, symbol, timeframe, bars, source)

    async def load_candles(
        self,
        symbol: str,
        timeframe: str,
        since_ms: int | None = None,
        until_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Bar]:
        """Stored bars with ``since_ms <= ts < until_ms``, ascending by time.

        Args:
            symbol: ccxt unified symbol.
            timeframe: Bar length, e.g. ``1m``.
            since_ms: First open time to include (inclusive); None for the beginning.
            until_ms: Open time to stop before (exclusive); None for the end.
            limit: At most this many bars: the most recent ones when ``since_ms``
                is None, otherwise the first ones from ``since_ms``.
        """
        async with self._unit_of_work("read") as session:
            return await candle_repo.load(session, symbol, timeframe, since_ms, until_ms, limit)

    async def candle_count(self, symbol: str, timeframe: str) -> int:
        """How many bars are stored for ``symbol`` and ``timeframe``."""
        async with self._unit_of_work("read") as session:
            return await candle_repo.count(session, symbol, timeframe)

    async def missing_ranges(
        self, symbol: str, timeframe: str, since_ms: int, until_ms: int
    ) -> list[tuple[int, int]]:
        """Runs of bar open times in ``[since_ms, until_ms)`` that are not stored.

        Returns:
            Ascending, non-overlapping half-open ``(start, end)`` pairs aligned to
            the bar length: ``start`` is the first missing open time, ``end`` the
            last missing open time plus one bar. Empty when nothing is missing.

        Raises:
            DataError: unknown timeframe.
        """
        async with self._unit_of_work("read") as session:
            return await candle_repo.missing_ranges(session, symbol, timeframe, since_ms, until_ms)

    async def record_market_event(
        self, ts_ms: int, kind: str, symbol: str, stream: str, detail: str
    ) -> None:
        """Append one market-data event (a connection change, a stale stream...)."""
        async with self._unit_of_work("write") as session:
            event_repo.add(session, ts_ms, kind, symbol, stream, detail)

    async def market_events(self, limit: int = 100) -> list[MarketEventRecord]:
        """The ``limit`` most recently recorded market events, oldest first."""
        async with self._unit_of_work("read") as session:
            return await event_repo.recent(session, limit)

    async def close(self) -> None:
        """Close every pooled connection. Safe to call more than once."""
        self.journal.close()
        await self._database.engine.dispose()

    @asynccontextmanager
    async def _unit_of_work(self, doing: str) -> AsyncIterator[AsyncSession]:
        try:
            async with self._database.sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise explain_failure(self._url, exc, doing) from exc
        except UnicodeDecodeError as exc:
            # A damaged page can leave a text column that is not UTF-8; the driver
            # raises this while reading the row, outside SQLAlchemy's error wrapping.
            raise explain_failure(self._url, exc, doing) from exc
