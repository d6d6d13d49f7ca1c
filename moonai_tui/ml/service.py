"""The model registry as the CLI and the console use it: list, promote, roll back (audited),
and retrain in a worker process. Each call opens the database briefly, so a screen can
call it from the UI's event loop without holding a connection."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from moonai_tui.ml.context import models_changed
from moonai_tui.ml.jobs import TrainRequest

if TYPE_CHECKING:
    from moonai_tui.config import Settings
    from moonai_tui.ml.jobs import TrainResult
    from moonai_tui.store import Store
    from moonai_tui.store.model_registry import ModelVersionRecord


class ModelService:
    """Registry operations for one configuration (its database and models folder)."""

    def __init__(self, settings: Settings, now_ms: Callable[[], int] | None = None) -> None:
        self._settings = settings
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))

    async def versions(
        self, symbol: str | None = None, timeframe: str | None = None
    ) -> list[ModelVersionRecord]:
        """Registered versions (optionally of one market), oldest first."""
        async with await self._open() as store:
            return await store.models.versions(symbol, timeframe)

    async def promote(self, version_id: int, actor: str) -> ModelVersionRecord:
        """Make a version active; audited as ``model_promote``.

        Raises:
            ModelError: no such version.
        """
        async with await self._open() as store:
            now = self._now_ms()
            record = await store.models.promote(version_id, now)
            await _audit(store, now, actor, "model_promote", record)
        models_changed()
        return record

    async def rollback(self, symbol: str, timeframe: str, actor: str) -> ModelVersionRecord:
        """Reactivate the previously active version; audited as ``model_rollback``.

        Raises:
            ModelError: nothing active, or nothing earlier to roll back to.
        """
        async with await self._open() as store:
            now = self._now_ms()
            record = await store.models.rollback(symbol, timeframe, now)
            await _audit(store, now, actor, "model_rollback", record)
        models_changed()
        return record

    async def retrain(
        self,
        symbol: str,
        timeframe: str,
        on_progress: Callable[[str, float], None] | None = None,
    ) -> TrainResult:
        """Train the market's model in a worker process (see :func:`train_in_process`);
        when the new version became active, ``ml`` strategies here switch to it."""
        from moonai_tui.ml.worker import train_in_process

        request = TrainRequest(symbol, timeframe)
        result = await train_in_process(self._settings, request, on_progress)
        if result.record.active:
            models_changed()
        return result

    async def _open(self) -> Store:
        from moonai_tui.store import open_store

        return await open_store(self._settings.database_url)


async def _audit(
    store: Store, now: int, actor: str, action: str, record: ModelVersionRecord
) -> None:
    target = f"{record.symbol} {record.timeframe}"
    await store.journal.record_audit(now, actor, action, target, f"v{record.version}")
