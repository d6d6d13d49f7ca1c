"""Training in a worker process, so the event loop (engine, TUI) never waits on the CPU.

:func:`train_in_process` starts a fresh ("spawn") process running
:func:`moonai_tui.ml.jobs.train_and_register`, relays its progress to a callback on the
caller's loop and returns its result. Cancelling the awaiting task terminates the process:
a half-trained model is never registered (the registry row is written last).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from moonai_tui.errors import ModelError, MoonAIError

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from moonai_tui.config import Settings
    from moonai_tui.ml.jobs import TrainRequest, TrainResult

POLL_SECONDS = 0.05
"""How often the caller's loop looks for worker messages (cheap: a non-blocking get)."""


class _QueueProgress:
    """A picklable progress callback that forwards to the parent through a queue."""

    def __init__(self, channel: Queue[tuple[str, Any]]) -> None:
        self._channel = channel

    def __call__(self, stage: str, fraction: float) -> None:
        self._channel.put(("progress", (stage, fraction)))


def _worker(settings: Settings, request: TrainRequest, channel: Queue[tuple[str, Any]]) -> None:
    from moonai_tui.ml.jobs import train_and_register

    try:
        result = train_and_register(settings, request, _QueueProgress(channel))
    except MoonAIError as exc:
        channel.put(("error", f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # a bug: report it instead of dying silently
        channel.put(("error", f"unexpected {type(exc).__name__}: {exc}"))
    else:
        channel.put(("done", result))


@contextmanager
def _real_stderr() -> Iterator[None]:
    """Start processes with the real stderr in place.

    Under Textual ``sys.stderr`` is a print capture whose ``fileno()`` is -1; multiprocessing
    hands that number to its resource-tracker process, which then fails to start ("bad
    value(s) in fds_to_keep"). The backtest jobs do the same (backtest/jobs.py).
    """
    current = sys.stderr
    try:
        usable = current is not None and current.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        usable = False
    if usable or sys.__stderr__ is None:
        yield
        return
    sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = current


async def train_in_process(
    settings: Settings,
    request: TrainRequest,
    on_progress: Callable[[str, float], None] | None = None,
) -> TrainResult:
    """Train and register in a separate process; ``on_progress`` runs on this loop.

    Raises:
        ModelError: the job failed (the message says why) or the process died.
    """
    context = multiprocessing.get_context("spawn")
    with _real_stderr():
        channel: Queue[tuple[str, Any]] = context.Queue()
        process = context.Process(
            target=_worker, args=(settings, request, channel), name="moonai-train", daemon=True
        )
        process.start()
    try:
        while True:
            try:
                kind, payload = channel.get_nowait()
            except queue.Empty:
                if not process.is_alive() and channel.empty():
                    raise ModelError(
                        f"training process ended without a result (exit code {process.exitcode})"
                    ) from None
                await asyncio.sleep(POLL_SECONDS)
                continue
            if kind == "progress":
                if on_progress is not None:
                    on_progress(*payload)
            elif kind == "error":
                raise ModelError(f"training failed: {payload}")
            else:
                result: TrainResult = payload
                return result
    finally:
        if process.is_alive():
            process.terminate()
        await asyncio.to_thread(process.join, 5)
        channel.close()
