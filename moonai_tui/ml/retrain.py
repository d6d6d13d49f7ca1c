"""Scheduled retraining (``ml.retrain_interval``): every interval the engine retrains the
active setup (``symbol``/``timeframe`` of the config) in a worker process. The new version
is registered; it becomes active only if it beats the active one out of sample
(:func:`moonai_tui.ml.registry.beats`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from moonai_tui.config import interval_seconds
from moonai_tui.errors import MoonAIError
from moonai_tui.ml.context import models_changed
from moonai_tui.ml.jobs import TrainRequest
from moonai_tui.ml.worker import train_in_process

if TYPE_CHECKING:
    from moonai_tui.config import Settings
    from moonai_tui.ml.jobs import TrainResult

Level = Literal["info", "warning", "error"]
Notify = Callable[[Level, str], None]
"""(level, message): how the schedule reports, e.g. publishing a NoticeRaised."""


def describe(result: TrainResult) -> str:
    """One line about a finished retrain, for notices and logs."""
    r = result.report
    state = "now active" if r["active"] else "kept the active model (not better out of sample)"
    return (
        f"retrained {r['symbol']} {r['timeframe']}: v{r['version']} {r['model']} "
        f"log_loss {r['log_loss']:.4f} bal_acc {r['balanced_accuracy']:.3f}, {state}"
    )


class RetrainSchedule:
    """Owns the retraining task; start it with the engine, stop it with the engine."""

    def __init__(
        self,
        settings: Settings,
        notify: Notify,
        on_trained: Callable[[TrainResult], None] | None = None,
    ) -> None:
        self._settings = settings
        self._notify = notify
        self._on_trained = on_trained
        self._task: asyncio.Task[None] | None = None

    @property
    def interval(self) -> float | None:
        """Seconds between retrains, or None when ``ml.retrain_interval`` is off."""
        return interval_seconds(self._settings.ml.retrain_interval)

    def start(self) -> None:
        if self.interval is not None and self._task is None:
            self._task = asyncio.create_task(self._loop(self.interval), name="ml-retrain")

    async def stop(self) -> None:
        """Cancel the schedule; a running training process is terminated."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def retrain_now(self) -> TrainResult | None:
        """One retrain of the active setup; failures are reported, not raised."""
        request = TrainRequest(self._settings.symbol, self._settings.timeframe)
        try:
            result = await train_in_process(self._settings, request)
        except MoonAIError as exc:
            self._notify("error", f"retraining failed: {exc}")
            return None
        models_changed()
        self._notify("info", describe(result))
        if self._on_trained is not None:
            self._on_trained(result)
        return result

    async def _loop(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.retrain_now()
