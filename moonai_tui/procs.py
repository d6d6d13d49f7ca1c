"""Worker processes started from the console (backtest jobs, model training).

CPU-heavy work leaves the UI's event loop in a fresh ``spawn`` process (safe beside
threads and a running event loop, unlike ``fork``) that reports on a multiprocessing
queue. Two things differ under Textual, and both are handled here once:

* the parent's ``sys.stderr`` is a print capture without a file descriptor, which
  multiprocessing cannot hand to its resource-tracker process;
* the child inherits the console's terminal, where a stray print or library warning
  would draw over the screen.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.queues import Queue


def start_worker(
    target: Callable[..., None], args: tuple[Any, ...], name: str
) -> tuple[BaseProcess, Queue[Any]]:
    """Start ``target(*args, messages)`` in a new daemon process.

    Returns:
        The started process and ``messages``, the queue it reports on.
    """
    context = multiprocessing.get_context("spawn")
    with _stderr_with_fileno():
        messages: Queue[Any] = context.Queue()
        process = context.Process(target=target, args=(*args, messages), name=name, daemon=True)
        process.start()
    return process, messages


def silence_terminal() -> None:
    """In a worker: send its stdout and stderr to the null device (it reports on its queue)."""
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.close(quiet)


@contextmanager
def _stderr_with_fileno() -> Iterator[None]:
    """Lend ``sys.stderr`` the process's real one while a worker starts.

    Textual replaces ``sys.stderr`` with a print capture whose ``fileno()`` is -1, and
    multiprocessing hands ``sys.stderr.fileno()`` to its resource-tracker process, which
    then fails to start ("bad value(s) in fds_to_keep").
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
