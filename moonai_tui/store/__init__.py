"""Persistence: SQLAlchemy 2 async models, Alembic migrations and the Store API.

Nothing connects at import; call :func:`open_store` to get a migrated :class:`Store`.
"""

from __future__ import annotations

from moonai_tui.store.records import MarketEventRecord
from moonai_tui.store.store import Store, open_store

__all__ = ["MarketEventRecord", "Store", "open_store"]
