"""Training in a worker process, so the event loop (engine, TUI) never waits on the CPU.

:func:`train_in_process` starts a fresh ("spawn") process running
:func:`moonai_tui.ml.jobs.train_and_register`, relays its progress to a callback on the
caller's loop and returns its result. Cancelling the awaiting task terminates the process:
a half-trained model is never registered (the registry row is written last).
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moonai_tui.errors import ModelError, MoonAIError
from moonai_tui.procs import silence_terminal, start_worker

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

    # The worker shares the console's terminal: a library warning must not draw on it.
    silence_terminal()
    try:
        result = train_and_register(settings, request, _QueueProgress(channel))
    except MoonAIError as exc:
        channel.put(("error", f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # a bug: report it instead of dying silently
        channel.put(("error", f"unexpected {type(exc).__name__}: {exc}"))
    else:
        channel.put(("done", result))


async def train_in_process(
    settings: Settings,
    request: TrainRequest,
    on_progress: Callable[[str, float], None] | None = None,
) -> TrainResult:
    """Train and register in a separate process; ``on_progress`` runs on this loop.

    Raises:
        ModelError: the job failed (the message says why) or the process died.
    """
    process, channel = start_worker(_worker, (settings, request), "moonai-train")
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
