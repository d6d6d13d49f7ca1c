"""A time budget for live strategy calls: a strategy stuck in a loop must not freeze the engine.

The engine and the Textual app share the main thread's event loop, so a call into
a strategy that never returns would capture everything. :func:`time_budget` arms
``ITIMER_REAL``; when it expires, the SIGALRM handler raises :class:`StrategyTimeout`
inside the running strategy code, between two Python bytecodes. Limits:

* A single long C call (one huge numpy operation, a blocking socket read) is
  interrupted only when it returns to Python.
* Signal handlers can only be installed on the main thread. Elsewhere (an engine
  run in a worker thread, some tests) the call runs without a budget; this is
  logged once as a warning.
* The timer re-fires every ``seconds`` while the call is still running, so a
  strategy that swallows the first timeout in a broad ``except`` gets another.
* An outer ``ITIMER_REAL`` (e.g. pytest-timeout) and SIGALRM handler are put back
  afterwards with the time that remained, so they fire late by at most the call's
  duration, never lost.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from moonai_tui.errors import StrategyTimeout

log = logging.getLogger(__name__)

_warned_off_main = False


@contextmanager
def time_budget(seconds: float, label: str) -> Iterator[None]:
    """Run the block with at most ``seconds`` of wall time (0 = no budget).

    Raises:
        StrategyTimeout: the block ran longer; the message names ``label`` and the budget.
    """
    if seconds <= 0 or not _on_main_thread():
        yield
        return

    running = [True]

    def expired(signum: int, frame: FrameType | None) -> None:
        # A late signal, after the call returned, must not raise in the engine's own code.
        if running[0]:
            raise StrategyTimeout(f"{label} exceeded its time budget of {seconds:g} s")

    previous_handler = signal.signal(signal.SIGALRM, expired)
    started = time.monotonic()
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, seconds)
    try:
        yield
    finally:
        # Nested so that a signal landing right here still disarms and restores.
        try:
            running[0] = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
        if outer_delay > 0:
            # Never 0: that would disarm the outer timer instead of firing it now.
            left = max(outer_delay - (time.monotonic() - started), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _on_main_thread() -> bool:
    global _warned_off_main
    if threading.current_thread() is threading.main_thread():
        return True
    if not _warned_off_main:
        _warned_off_main = True
        log.warning("strategy calls run off the main thread: no time budget (SIGALRM needs it)")
    return False
