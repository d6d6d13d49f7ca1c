"""Redraw throttling for panes fed by high-rate streams.

A book can change hundreds of times a second; a person reads perhaps ten. Each
redraw costs milliseconds of the one event loop that also runs the engine, so
high-rate panes redraw at most once per interval, and the last change always
shows (a trailing redraw is scheduled, never dropped).
"""

from __future__ import annotations

import time

from textual.widget import Widget


class RefreshThrottle:
    """Calls ``widget.refresh()`` at most once per ``interval`` seconds."""

    def __init__(self, widget: Widget, interval: float) -> None:
        self._widget = widget
        self._interval = interval
        self._refreshed_at = -interval
        self._pending = False

    @property
    def pending(self) -> bool:
        """Whether a redraw is scheduled and has not happened yet."""
        return self._pending

    def request(self) -> None:
        """Redraw now if the interval has passed, else once it has."""
        if self._pending:
            return
        wait = self._refreshed_at + self._interval - time.monotonic()
        if wait <= 0:
            self._refresh()
        else:
            self._pending = True
            self._widget.set_timer(wait, self._refresh)

    def _refresh(self) -> None:
        self._pending = False
        self._refreshed_at = time.monotonic()
        self._widget.refresh()
