"""The simulated market clock: replay start + wall-clock elapsed × speed."""

from __future__ import annotations

import time
from collections.abc import Callable

WallClock = Callable[[], float]
"""Returns wall time in seconds (``time.time`` by default); injected by tests."""


class SimClock:
    """Maps wall-clock time onto market time.

    Args:
        start_ms: market time (Unix ms, UTC) at the moment the clock is created.
        speed: market seconds per wall-clock second.
        wall_clock: source of wall time in seconds; ``time.time`` if None.
    """

    def __init__(self, start_ms: int, speed: float, wall_clock: WallClock | None = None) -> None:
        self._start_ms = start_ms
        self._speed = speed
        self._wall = wall_clock or time.time
        self._wall0 = self._wall()

    @property
    def start_ms(self) -> int:
        """Market time at creation."""
        return self._start_ms

    @property
    def speed(self) -> float:
        """Market seconds per wall-clock second."""
        return self._speed

    def now_ms(self) -> int:
        """Current market time in Unix milliseconds."""
        return self._start_ms + int((self._wall() - self._wall0) * self._speed * 1000.0)
