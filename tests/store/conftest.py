"""Fixtures for store tests: a fresh migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from store_helpers import sqlite_url

from moonai_tui.store import Store, open_store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(sqlite_url(tmp_path / "moonai.db"))
    try:
        yield opened
    finally:
        await opened.close()
