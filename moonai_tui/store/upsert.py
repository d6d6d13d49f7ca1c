"""INSERT .. ON CONFLICT for the backends Moon AI supports (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, false, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.errors import StoreError

_BATCH_ROWS = 10_000


async def upsert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    compare: Sequence[str],
    also_set: Sequence[str] = (),
) -> int:
    """Insert ``rows``, or update the stored row with the same ``key`` where it differs.

    A conflicting row is rewritten only if one of the ``compare`` columns changed
    (``also_set`` columns are written along with them but never trigger a write),
    so re-sending identical data writes nothing.

    Returns:
        How many rows were inserted or changed.
    """
    if not rows:
        return 0
    dialect = session.bind.dialect if session.bind is not None else None
    name = dialect.name if dialect is not None else ""
    insert: sqlite.Insert | postgresql.Insert
    if name == "sqlite":
        insert = sqlite.insert(table)
    elif name == "postgresql":
        insert = postgresql.insert(table)
    else:
        raise StoreError(f"database backend '{name}' is not supported (use SQLite or PostgreSQL)")
    excluded = insert.excluded
    changed: ColumnElement[bool] = or_(
        false(), *(table.c[column] != excluded[column] for column in compare)
    )
    upsert = insert.on_conflict_do_update(
        index_elements=list(key),
        set_={column: excluded[column] for column in (*compare, *also_set)},
        where=changed,
    )
    # executemany reports the rows it touched where the driver can count them
    # (sqlite3, psycopg); asyncpg cannot, so there we count RETURNING rows.
    count_by_returning = dialect is not None and not dialect.supports_sane_multi_rowcount
    statement = upsert.returning(*(table.c[c] for c in key)) if count_by_returning else upsert
    total = 0
    for start in range(0, len(rows), _BATCH_ROWS):
        batch = rows[start : start + _BATCH_ROWS]
        result = await session.execute(statement, batch)
        if count_by_returning:
            total += len(result.all())
        else:
            total += cast(CursorResult[Any], result).rowcount
    return total
