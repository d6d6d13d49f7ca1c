"""Runs the Alembic migrations in ``migrations/`` from code, with no alembic.ini.

To add a table: write ``migrations/versions/000N_<what>.py`` with
``down_revision`` set to the previous revision (or generate it with
``alembic.command.revision(alembic_config(url), "what", autogenerate=True)``
against a database at head), and add the model to ``models.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from moonai_tui.errors import StoreError
from moonai_tui.store.engine import describe_url

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions: it costs a quarter of a second, and
# importing the store (e.g. for its types) must stay cheap.

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (and ``url``, if given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser interpolates '%', which may appear in an escaped password.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def known_revisions() -> set[str]:
    """Every revision id this version of Moon AI ships."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def head_revision() -> str:
    """The newest revision this version of Moon AI ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise StoreError("no database migrations are packaged with Moon AI")
    return head


async def refuse_newer_schema(url: str) -> None:
    """Raise if the database was migrated by a newer Moon AI; never writes to it.

    This runs on a bare engine, without the connect hook's pragmas, because
    switching a database to WAL already rewrites its header.

    Raises:
        StoreError: the database carries a revision this version does not know.
        sqlalchemy.exc.DBAPIError: the database cannot be read at all.
    """
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(_current_revisions)
    finally:
        await engine.dispose()
    unknown = sorted(set(current) - known_revisions())
    if unknown:
        raise StoreError(
            f"{describe_url(url)}: schema revision {', '.join(unknown)} comes from a newer "
            f"Moon AI (this one knows up to {head_revision()}); refusing to touch it"
        )


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to head inside one transaction (a no-op when already there)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(connection).get_current_heads())


def _upgrade(connection: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
