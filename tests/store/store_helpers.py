"""Builders shared by the store tests."""

from __future__ import annotations

from pathlib import Path

from moonai_tui.domain import Bar

MINUTE = 60_000


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def bar(ts: int, close: float = 100.0) -> Bar:
    """A valid bar at ``ts`` whose prices derive from ``close``."""
    return Bar(ts=ts, open=close, high=close + 1.0, low=close - 1.0, close=close, volume=2.5)


def minute_bars(*minutes: int) -> list[Bar]:
    """Bars at the given minute offsets from the epoch, each with a distinct close."""
    return [bar(m * MINUTE, close=100.0 + m) for m in minutes]
