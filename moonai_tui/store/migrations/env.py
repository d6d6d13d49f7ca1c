"""Alembic environment for Moon AI.

Moon AI runs migrations itself when it opens the store
(:func:`moonai_tui.store.migrate.upgrade`), handing over a live connection in
``config.attributes["connection"]``. A developer can also drive Alembic by hand
(for ``revision --autogenerate``) with the config from
:func:`moonai_tui.store.migrate.alembic_config`; then this file builds an async
engine from ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from moonai_tui.store import trading_models  # noqa: F401  (registers the trading tables)
from moonai_tui.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (copy-and-move);
    # on PostgreSQL it emits plain ALTER statements.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no sqlalchemy.url in the Alembic config")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Run against the caller's connection, or against ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
run_migrations_online()
