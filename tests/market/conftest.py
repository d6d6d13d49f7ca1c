"""Fixtures for market tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from market_helpers import sqlite_url

from moonai_tui.store import Store, open_store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(sqlite_url(tmp_path / "moonai.db"))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(autouse=True)
def _no_moonai_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOONAI_* variables override Settings(...) arguments; keep them out of the tests."""
    for name in list(os.environ):
        if name.startswith("MOONAI_"):
            monkeypatch.delenv(name)
