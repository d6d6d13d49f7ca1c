"""Candle repository: small functions over one session, Bars in and out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import TIMEFRAME_MS, Bar
from moonai_tui.errors import DataError
from moonai_tui.store.models import Base, CandleRow
from moonai_tui.store.upsert import upsert_rows

_CANDLES: Table = Base.metadata.tables[CandleRow.__tablename__]
_VALUES = ("open", "high", "low", "close", "volume")


def timeframe_ms(timeframe: str) -> int:
    """Length of one bar of ``timeframe`` in milliseconds.

    Raises:
        DataError: the timeframe is not one Moon AI supports.
    """
    try:
        return TIMEFRAME_MS[timeframe]
    except KeyError:
        raise DataError(
            f"unknown timeframe '{timeframe}'; expected one of {', '.join(TIMEFRAME_MS)}"
        ) from None


def align_up(ts_ms: int, step_ms: int) -> int:
    """The first multiple of ``step_ms`` at or after ``ts_ms``."""
    return -(-ts_ms // step_ms) * step_ms


async def upsert(
    session: AsyncSession, symbol: str, timeframe: str, bars: Sequence[Bar], source: str
) -> int:
    """Store ``bars``; returns how many rows were inserted or had different values."""
    step = timeframe_ms(timeframe)
    misaligned = next((bar.ts for bar in bars if bar.ts % step), None)
    if misaligned is not None:
        raise DataError(
            f"{symbol} {timeframe}: bar time {misaligned} is not a multiple of {step} ms"
        )
    rows = [
        {
            "symbol": symbol,
            "timeframe": timeframe,
            "ts": bar.ts,
            "open": bar.open,
            "high": bar.high,
            "low": bar.low,
            "close": bar.close,
            "volume": bar.volume,
            "source": source,
        }
        for bar in bars
    ]
    return await upsert_rows(
        session,
        _CANDLES,
        rows,
        key=("symbol", "timeframe", "ts"),
        compare=_VALUES,
        also_set=("source",),
    )


async def load(
    session: AsyncSession,
    symbol: str,
    timeframe: str,
    since_ms: int | None,
    until_ms: int | None,
    limit: int | None,
) -> list[Bar]:
    """Bars with ``since_ms <= ts < until_ms``, ascending.

    With ``limit`` and no ``since_ms`` these are the most recent ``limit`` bars;
    with both, the first ``limit`` bars from ``since_ms``.
    """
    c = _CANDLES.c
    query = select(c.ts, c.open, c.high, c.low, c.close, c.volume).where(
        c.symbol == symbol, c.timeframe == timeframe
    )
    if since_ms is not None:
        query = query.where(c.ts >= since_ms)
    if until_ms is not None:
        query = query.where(c.ts < until_ms)
    newest_first = limit is not None and since_ms is None
    query = query.order_by(c.ts.desc() if newest_first else c.ts)
    if limit is not None:
        query = query.limit(limit)
    result = await session.execute(query)
    bars = [Bar(*row) for row in result.all()]
    if newest_first:
        bars.reverse()
    return bars


async def count(session: AsyncSession, symbol: str, timeframe: str) -> int:
    """How many bars are stored for ``symbol`` and ``timeframe``."""
    c = _CANDLES.c
    query = select(func.count()).where(c.symbol == symbol, c.timeframe == timeframe)
    return int((await session.execute(query)).scalar_one())


async def missing_ranges(
    session: AsyncSession, symbol: str, timeframe: str, since_ms: int, until_ms: int
) -> list[tuple[int, int]]:
    """Half-open ``[start, end)`` runs of bar open times in ``[since_ms, until_ms)`` not stored.

    Both ends are multiples of the bar length: ``start`` is the first missing
    open time and ``end`` is the last missing open time plus one bar.
    """
    step = timeframe_ms(timeframe)
    first = align_up(since_ms, step)
    end = align_up(until_ms, step)
    if first >= end:
        return []
    # Only the rows at the edges of stored runs come back, so a range of a
    # million stored bars costs one indexed scan inside the database and a
    # handful of rows in Python.
    c = _CANDLES.c
    previous = func.lag(c.ts).over(order_by=c.ts)
    following = func.lead(c.ts).over(order_by=c.ts)
    runs = (
        select(c.ts.label("ts"), previous.label("prev"), following.label("next"))
        .where(c.symbol == symbol, c.timeframe == timeframe, c.ts >= first, c.ts < end)
        .subquery()
    )
    edges = select(runs.c.ts, runs.c.prev, runs.c.next).where(
        or_(
            runs.c.prev.is_(None),
            runs.c.next.is_(None),
            and_(runs.c.prev.is_not(None), runs.c.ts - runs.c.prev > step),
        )
    )
    rows = (await session.execute(edges.order_by(runs.c.ts))).all()
    if not rows:
        return [(first, end)]
    gaps: list[tuple[int, int]] = []
    if rows[0][0] > first:
        gaps.append((first, rows[0][0]))
    for ts, prev, _next in rows:
        if prev is not None and ts - prev > step:
            gaps.append((prev + step, ts))
    last = rows[-1][0]
    if last + step < end:
        gaps.append((last + step, end))
    return gaps
