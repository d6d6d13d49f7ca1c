"""Is each market-data stream live? A pure model the header draws.

The UI measures data age with its own injected :class:`~moonai_tui.engine.clock.Clock`
from the moment an update *arrives*, not from exchange timestamps: a replay
runs in market time, and what a trader needs to know is whether the screen
is still being fed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from moonai_tui.engine.events import StreamState

STREAMS: tuple[str, ...] = ("ticker", "book", "trades", "candles")
"""The streams the engine reports in ``ConnectionChanged.stream``, in header order."""

Verdict = Literal["fresh", "stale", "down", "pending", "waiting"]
"""fresh: live; stale: quiet too long; down: disconnected; pending: (re)connecting;
waiting: nothing heard yet."""


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """What the UI last heard from one stream.

    Attributes:
        state: The last reported connection state, None before any report.
        detail: The engine's detail text for that state.
        last_data_ms: UI-clock time of the last data update.
        since_ms: UI-clock time of the last state change.
    """

    state: StreamState | None = None
    detail: str = ""
    last_data_ms: int | None = None
    since_ms: int | None = None

    def with_data(self, now_ms: int) -> StreamHealth:
        """This stream after an update arrived at ``now_ms``."""
        return replace(self, last_data_ms=now_ms)

    def with_state(self, state: StreamState, detail: str, now_ms: int) -> StreamHealth:
        """This stream after the engine reported ``state`` at ``now_ms``."""
        return replace(self, state=state, detail=detail, since_ms=now_ms)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The header's view of one stream at one instant."""

    verdict: Verdict
    age_ms: int | None
    """Time since the last data update, None if none arrived."""


def assess(health: StreamHealth, now_ms: int, stale_after_ms: int) -> Assessment:
    """Judge one stream at ``now_ms``.

    A connected stream (or one that sends data without a state report) is
    stale once nothing has arrived for longer than ``stale_after_ms``,
    counted from its last update or, before the first one, from when it
    connected.

    Args:
        health: What was last heard from the stream.
        now_ms: The UI clock now.
        stale_after_ms: ``settings.feeds.stale_after_seconds`` in milliseconds.

    Returns:
        The verdict and the data age.
    """
    age = None if health.last_data_ms is None else now_ms - health.last_data_ms
    if health.state == "disconnected":
        return Assessment("down", age)
    if health.state in ("connecting", "reconnecting"):
        return Assessment("pending", age)
    if health.state is None and health.last_data_ms is None:
        return Assessment("waiting", None)
    heard = [ms for ms in (health.last_data_ms, health.since_ms) if ms is not None]
    quiet_ms = now_ms - max(heard)
    return Assessment("stale" if quiet_ms > stale_after_ms else "fresh", age)
