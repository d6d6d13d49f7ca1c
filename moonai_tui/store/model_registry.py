"""Model registry repository: versioned rows of trained models and the one active per market.

Reach it as ``store.models``. Each method is one unit of work; "one active per symbol and
timeframe" holds because promote and rollback switch the flag inside one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.errors import ModelError
from moonai_tui.store.model_rows import ModelVersionRow

UnitOfWork = Callable[[str], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True, slots=True)
class NewModelVersion:
    """What training hands the registry; the version number is assigned on insert."""

    symbol: str
    timeframe: str
    model_type: str
    params: dict[str, Any]
    features: list[str]
    label_spec: dict[str, Any]
    data_from_ms: int
    """Open time of the first bar trained on, Unix ms UTC."""
    data_until_ms: int
    """End of the training data (exclusive): last bar's open time plus one bar."""
    metrics: dict[str, Any]
    """Out-of-sample metrics only (per fold and overall)."""
    artifact_path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ModelVersionRecord:
    """A registered model version as stored."""

    id: int
    symbol: str
    timeframe: str
    version: int
    """1, 2, 3... per symbol and timeframe."""
    model_type: str
    params: dict[str, Any]
    features: list[str]
    label_spec: dict[str, Any]
    data_from_ms: int
    data_until_ms: int
    metrics: dict[str, Any]
    created_ms: int
    artifact_path: str
    sha256: str
    active: bool
    activated_ms: int | None
    rolled_back: bool


class ModelCatalog:
    """Register, list, promote and roll back model versions."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self._unit_of_work = unit_of_work

    async def register(
        self, new: NewModelVersion, now_ms: int, *, activate: bool = False
    ) -> ModelVersionRecord:
        """Insert ``new`` as the next version of its symbol/timeframe (optionally active)."""
        async with self._unit_of_work("register a model") as session:
            row = await _insert(session, new, now_ms)
            if activate:
                await _activate(session, row, now_ms)
            return _record(row)

    async def versions(
        self, symbol: str | None = None, timeframe: str | None = None
    ) -> list[ModelVersionRecord]:
        """Registered versions, optionally for one symbol/timeframe, oldest first."""
        async with self._unit_of_work("read models") as session:
            query = select(ModelVersionRow)
            if symbol is not None:
                query = query.where(ModelVersionRow.symbol == symbol)
            if timeframe is not None:
                query = query.where(ModelVersionRow.timeframe == timeframe)
            query = query.order_by(
                ModelVersionRow.symbol, ModelVersionRow.timeframe, ModelVersionRow.version
            )
            return [_record(row) for row in (await session.scalars(query)).all()]

    async def get(self, version_id: int) -> ModelVersionRecord | None:
        """The version with database id ``version_id``, or None."""
        async with self._unit_of_work("read a model") as session:
            row = await session.get(ModelVersionRow, version_id)
            return None if row is None else _record(row)

    async def active(self, symbol: str, timeframe: str) -> ModelVersionRecord | None:
        """The active version for ``symbol``/``timeframe``, or None."""
        async with self._unit_of_work("read the active model") as session:
            row = await _active_row(session, symbol, timeframe)
            return None if row is None else _record(row)

    async def promote(self, version_id: int, now_ms: int) -> ModelVersionRecord:
        """Make ``version_id`` the active model of its symbol/timeframe.

        Raises:
            ModelError: no version has that id.
        """
        async with self._unit_of_work("promote a model") as session:
            row = await session.get(ModelVersionRow, version_id)
            if row is None:
                raise ModelError(f"model version id {version_id} does not exist")
            await _activate(session, row, now_ms)
            return _record(row)

    async def rollback(self, symbol: str, timeframe: str, now_ms: int) -> ModelVersionRecord:
        """Retire the active version and reactivate the one that was active before it.

        Repeated rollbacks walk further back through the activation history.

        Raises:
            ModelError: nothing is active, or no earlier active version remains.
        """
        async with self._unit_of_work("roll back a model") as session:
            current = await _active_row(session, symbol, timeframe)
            if current is None:
                raise ModelError(f"{symbol} {timeframe}: no active model to roll back")
            query = (
                select(ModelVersionRow)
                .where(
                    ModelVersionRow.symbol == symbol,
                    ModelVersionRow.timeframe == timeframe,
                    ModelVersionRow.id != current.id,
                    ModelVersionRow.activated_ms.is_not(None),
                    ModelVersionRow.rolled_back.is_(False),
                )
                .order_by(ModelVersionRow.activated_ms.desc(), ModelVersionRow.version.desc())
                .limit(1)
            )
            previous = (await session.scalars(query)).first()
            if previous is None:
                raise ModelError(
                    f"{symbol} {timeframe}: no earlier active version to roll back to "
                    f"(v{current.version} is the first one promoted)"
                )
            current.active = False
            current.rolled_back = True
            await session.flush()
            previous.active = True
            previous.activated_ms = now_ms
            return _record(previous)


async def _insert(session: AsyncSession, new: NewModelVersion, now_ms: int) -> ModelVersionRow:
    latest = await session.scalar(
        select(func.max(ModelVersionRow.version)).where(
            ModelVersionRow.symbol == new.symbol, ModelVersionRow.timeframe == new.timeframe
        )
    )
    row = ModelVersionRow(
        symbol=new.symbol,
        timeframe=new.timeframe,
        version=(latest or 0) + 1,
        model_type=new.model_type,
        params=json.dumps(new.params, sort_keys=True),
        features=json.dumps(new.features),
        label_spec=json.dumps(new.label_spec, sort_keys=True),
        data_from_ms=new.data_from_ms,
        data_until_ms=new.data_until_ms,
        metrics=json.dumps(new.metrics, sort_keys=True),
        created_ms=now_ms,
        artifact_path=new.artifact_path,
        sha256=new.sha256,
        active=False,
        activated_ms=None,
        rolled_back=False,
    )
    session.add(row)
    await session.flush()
    return row


async def _active_row(session: AsyncSession, symbol: str, timeframe: str) -> ModelVersionRow | None:
    query = select(ModelVersionRow).where(
        ModelVersionRow.symbol == symbol,
        ModelVersionRow.timeframe == timeframe,
        ModelVersionRow.active.is_(True),
    )
    return (await session.scalars(query)).first()


async def _activate(session: AsyncSession, row: ModelVersionRow, now_ms: int) -> None:
    current = await _active_row(session, row.symbol, row.timeframe)
    if current is not None and current.id != row.id:
        current.active = False
        await session.flush()
    row.active = True
    row.activated_ms = now_ms
    # Promoting by hand undoes an earlier rollback of this version.
    row.rolled_back = False


def _record(row: ModelVersionRow) -> ModelVersionRecord:
    return ModelVersionRecord(
        id=row.id,
        symbol=row.symbol,
        timeframe=row.timeframe,
        version=row.version,
        model_type=row.model_type,
        params=json.loads(row.params),
        features=json.loads(row.features),
        label_spec=json.loads(row.label_spec),
        data_from_ms=row.data_from_ms,
        data_until_ms=row.data_until_ms,
        metrics=json.loads(row.metrics),
        created_ms=row.created_ms,
        artifact_path=row.artifact_path,
        sha256=row.sha256,
        active=row.active,
        activated_ms=row.activated_ms,
        rolled_back=row.rolled_back,
    )
