"""Backtest jobs in worker processes, and the service the TUI uses.

CPU-heavy work leaves the UI's event loop (ARCHITECTURE invariant 8): :func:`start_job`
runs :func:`~moonai_tui.backtest.tasks.run_job` in a fresh ``spawn`` process (safe
beside threads and a running event loop, unlike ``fork``) and the child reports on a
multiprocessing queue:

* :class:`JobProgress` ``(stage, fraction)`` as it goes,
* then exactly one :class:`JobDone` ``(run_id, report)`` or :class:`JobFailed` ``(message)``.

:meth:`JobHandle.poll` drains the queue without blocking, so a UI timer can call it;
:meth:`JobHandle.cancel` terminates the child (nothing is stored: a run is written in
one transaction at the very end). A child that dies without a last word is reported as
a :class:`JobFailed` with its exit code.

:class:`BacktestService` is the TUI's one door to backtests: the strategy list and
defaults, starting jobs, and the stored runs (read in a thread with its own event loop,
so the UI's loop never waits on the database).
"""

from __future__ import annotations

import asyncio
import queue
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moonai_tui.backtest.tasks import BacktestJob, Job, JobOutcome, SearchJob
from moonai_tui.procs import silence_terminal, start_worker

if TYPE_CHECKING:
    from moonai_tui.backtest.config import BacktestConfig
    from moonai_tui.config import Settings
    from moonai_tui.ml.context import MlDefaults
    from moonai_tui.store.backtests import BacktestRunRecord, BacktestRunSummary


@dataclass(frozen=True, slots=True)
class JobProgress:
    stage: str
    fraction: float


@dataclass(frozen=True, slots=True)
class JobDone:
    run_id: int | None
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobFailed:
    message: str


JobMessage = JobProgress | JobDone | JobFailed


class JobHandle:
    """A job running in a worker process."""

    def __init__(self, process: BaseProcess, messages: Any) -> None:
        self._process = process
        self._messages = messages
        self._finished: JobDone | JobFailed | None = None

    @property
    def finished(self) -> JobDone | JobFailed | None:
        """The last word once it arrived (after :meth:`poll` returned it)."""
        return self._finished

    def poll(self) -> list[JobMessage]:
        """Every message that arrived since the last call; never blocks."""
        out: list[JobMessage] = []
        while self._finished is None:
            try:
                message: JobMessage = self._messages.get_nowait()
            except queue.Empty:
                if not self._process.is_alive():
                    out.extend(self._after_exit())
                break
            out.append(message)
            if isinstance(message, JobDone | JobFailed):
                self._finished = message
                self._process.join(timeout=5)
        return out

    def wait(self, timeout: float | None = None) -> list[JobMessage]:
        """Block until the job ends; every message not polled yet, the last word last.

        For scripts and tests, never the UI's loop.

        Raises:
            TimeoutError: no message for ``timeout`` seconds while the worker lives.
        """
        out: list[JobMessage] = []
        while self._finished is None:
            try:
                message: JobMessage = self._messages.get(timeout=timeout)
            except queue.Empty:
                if self._process.is_alive():
                    raise TimeoutError(f"the backtest job said nothing for {timeout} s") from None
                out.extend(self._after_exit())
                break
            out.append(message)
            if isinstance(message, JobDone | JobFailed):
                self._finished = message
        self._process.join(timeout=5)
        return out

    def cancel(self) -> None:
        """Stop the job (its run is not stored)."""
        if self._finished is None:
            self._process.terminate()
            self._process.join(timeout=5)
            self._finished = JobFailed("cancelled")

    def _after_exit(self) -> list[JobMessage]:
        # The last messages may still be in the pipe when the process is already gone.
        drained: list[JobMessage] = []
        while True:
            try:
                drained.append(self._messages.get(timeout=0.5))
            except queue.Empty:
                break
        for message in drained:
            if isinstance(message, JobDone | JobFailed):
                self._finished = message
                return drained
        failed = JobFailed(f"the backtest worker exited with code {self._process.exitcode}")
        self._finished = failed
        return [*drained, failed]


def start_job(job: Job) -> JobHandle:
    """Run ``job`` in a new worker process; see the module docstring."""
    process, messages = start_worker(_work, (job,), "moonai-backtest")
    return JobHandle(process, messages)


def _work(job: Job, messages: Any) -> None:
    """The worker process: run the job, report progress and the outcome."""
    from moonai_tui.backtest.tasks import run_job
    from moonai_tui.errors import MoonAIError

    # The worker shares the console's terminal: a print in a strategy must not draw on it.
    silence_terminal()

    def progress(stage: str, fraction: float) -> None:
        messages.put(JobProgress(stage, fraction))

    try:
        outcome: JobOutcome = run_job(job, progress)
    except MoonAIError as exc:
        messages.put(JobFailed(str(exc)))
    except Exception as exc:
        # A bug, not bad input: name where it happened (the worker has no terminal to print on).
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        messages.put(JobFailed(f"internal error {type(exc).__name__}: {exc}{where}"))
    else:
        messages.put(JobDone(outcome.run_id, outcome.report))


class BacktestService:
    """Backtests for the TUI: strategies, jobs in worker processes, stored runs.

    Args:
        database_url: where candles are read and runs stored.
        strategies_dir: the strategy files.
        params_file: their parameters (``config/strategy_params.yaml``).
        config: the backtest settings jobs run with.
        now_ms: the clock stamped on new runs.
        ml: what the ``ml`` strategy needs in the worker (database, confidence threshold).
    """

    def __init__(
        self,
        database_url: str,
        strategies_dir: Path,
        params_file: Path,
        config: BacktestConfig,
        now_ms: Callable[[], int],
        ml: MlDefaults | None = None,
    ) -> None:
        self.database_url = database_url
        self.ml = ml
        self.strategies_dir = strategies_dir
        self.params_file = params_file
        self.config = config
        self._now_ms = now_ms

    @classmethod
    def from_settings(cls, settings: Settings, now_ms: Callable[[], int]) -> BacktestService:
        """The service for ``settings`` (risk rules, paper balance, database, strategies)."""
        from moonai_tui.backtest.tasks import config_from_settings
        from moonai_tui.ml.context import MlDefaults
        from moonai_tui.strategy.params import DEFAULT_PARAMS_FILE

        return cls(
            settings.database_url,
            settings.trade.strategies_dir,
            DEFAULT_PARAMS_FILE,
            config_from_settings(settings),
            now_ms,
            MlDefaults(settings.database_url, settings.ml.min_confidence),
        )

    def strategies(self) -> list[str]:
        """The strategy names in the strategies folder."""
        from moonai_tui.strategy.loader import list_strategies

        return list_strategies(self.strategies_dir)

    def default_params(self, strategy: str) -> dict[str, Any]:
        """The params file's section for ``strategy`` (empty when it has none).

        Raises:
            StrategyError: the params file is not valid YAML.
        """
        from moonai_tui.strategy.params import load_params

        return load_params(self.params_file, strategy)

    def backtest_job(self, job: BacktestJob) -> BacktestJob:
        """``job`` with this service's folders, database, ml context and clock filled in."""
        return replace(
            job,
            strategies_dir=self.strategies_dir,
            params_file=self.params_file,
            database_url=self.database_url,
            created_ms=self._now_ms(),
            ml=self.ml,
        )

    def start(self, job: Job) -> JobHandle:
        """Start ``job`` (completed by :meth:`backtest_job`) in a worker process."""
        if isinstance(job, SearchJob):
            return start_job(replace(job, base=self.backtest_job(job.base)))
        return start_job(self.backtest_job(job))

    async def recent(self, limit: int = 100) -> list[BacktestRunSummary]:
        """The newest stored runs, newest first."""

        async def read() -> list[BacktestRunSummary]:
            from moonai_tui.store import open_store

            async with await open_store(self.database_url) as store:
                return await store.backtests.recent(limit)

        return await asyncio.to_thread(asyncio.run, read())

    async def load(self, run_id: int) -> BacktestRunRecord | None:
        """Stored run ``run_id`` with its curve and trades, or None."""

        async def read() -> BacktestRunRecord | None:
            from moonai_tui.store import open_store

            async with await open_store(self.database_url) as store:
                return await store.backtests.load(run_id)

        return await asyncio.to_thread(asyncio.run, read())
