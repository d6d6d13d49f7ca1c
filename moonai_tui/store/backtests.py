"""Backtest run repository: save a run with its trades and equity curve, list, load.

Reach it as ``store.backtests``. A run is a backtest, an optimisation (its best
parameters' backtest, with the trials in ``detail``) or a walk-forward (the stitched
out-of-sample result, with the windows in ``detail``).

The equity curve is stored whole up to :data:`EQUITY_POINTS` points. A longer curve is
downsampled by :func:`downsample_equity`: the bars are cut into ``EQUITY_POINTS // 2``
buckets of equal length and each bucket keeps its lowest and highest equity, in time
order, plus the very first and last bar. Peaks and troughs (what a chart and a drawdown
show) survive; a drawdown read off the stored curve can understate the true one only
within a bucket. The run's metrics are always computed on the full curve before storing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.store.backtest_rows import BacktestRunRow, BacktestTradeRow

UnitOfWork = Callable[[str], AbstractAsyncContextManager[AsyncSession]]

EQUITY_POINTS = 2_000
"""Most equity points stored per run."""
RUN_KINDS = ("backtest", "optimize", "walkforward")


@dataclass(frozen=True, slots=True)
class StoredTrade:
    """One trade of a run (times are bar open times, Unix ms UTC)."""

    seq: int
    side: str
    entry_ms: int
    exit_ms: int
    qty: float
    entry_price: float
    exit_price: float
    fees: float
    funding: float
    pnl: float
    return_pct: float
    exit_reason: str


@dataclass(frozen=True, slots=True)
class NewBacktestRun:
    """What a finished job hands the repository; the id is assigned on insert."""

    kind: str
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    from_ms: int
    """Open time of the first bar."""
    until_ms: int
    """End of the data (exclusive): the last bar's open time plus one bar."""
    bars: int
    source: str
    config: dict[str, Any]
    metrics: dict[str, Any]
    equity_ms: list[int]
    equity: list[float]
    detail: dict[str, Any] = field(default_factory=dict)
    trades: Sequence[StoredTrade] = ()


@dataclass(frozen=True, slots=True)
class BacktestRunSummary:
    """A stored run without its curve and trades (what a list shows)."""

    id: int
    kind: str
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    from_ms: int
    until_ms: int
    bars: int
    source: str
    metrics: dict[str, Any]
    created_ms: int


@dataclass(frozen=True, slots=True)
class BacktestRunRecord:
    """A stored run in full."""

    summary: BacktestRunSummary
    config: dict[str, Any]
    equity_ms: list[int]
    equity: list[float]
    detail: dict[str, Any]
    trades: list[StoredTrade]


class BacktestRuns:
    """Save, list (:meth:`recent`) and load backtest runs."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self._unit_of_work = unit_of_work

    async def save(self, new: NewBacktestRun, now_ms: int) -> int:
        """Store ``new`` (curve downsampled if long) and its trades; returns the run id.

        Raises:
            ValueError: an unknown kind, or an equity curve whose two lists differ in length.
        """
        if new.kind not in RUN_KINDS:
            raise ValueError(f"backtest run kind {new.kind!r}; expected one of {RUN_KINDS}")
        if len(new.equity_ms) != len(new.equity):
            raise ValueError("equity_ms and equity must have the same length")
        times, values = downsample_equity(
            np.asarray(new.equity_ms, dtype=np.int64), np.asarray(new.equity, dtype=np.float64)
        )
        async with self._unit_of_work("save a backtest run") as session:
            row = BacktestRunRow(
                kind=new.kind,
                strategy=new.strategy,
                params=_dump(new.params),
                symbol=new.symbol,
                timeframe=new.timeframe,
                from_ms=new.from_ms,
                until_ms=new.until_ms,
                bars=new.bars,
                source=new.source,
                config=_dump(new.config),
                metrics=_dump(new.metrics),
                equity=json.dumps({"t": times.tolist(), "e": values.tolist()}),
                detail=_dump(new.detail),
                created_ms=now_ms,
            )
            session.add(row)
            await session.flush()
            if new.trades:
                await session.execute(
                    insert(BacktestTradeRow),
                    [{"run_id": row.id, **asdict(trade)} for trade in new.trades],
                )
            return row.id

    async def recent(
        self, limit: int = 100, strategy: str | None = None, kind: str | None = None
    ) -> list[BacktestRunSummary]:
        """The newest ``limit`` runs (optionally of one strategy or kind), newest first."""
        async with self._unit_of_work("list backtest runs") as session:
            query = select(BacktestRunRow)
            if strategy is not None:
                query = query.where(BacktestRunRow.strategy == strategy)
            if kind is not None:
                query = query.where(BacktestRunRow.kind == kind)
            query = query.order_by(BacktestRunRow.id.desc()).limit(limit)
            return [_summary(row) for row in (await session.scalars(query)).all()]

    async def load(self, run_id: int) -> BacktestRunRecord | None:
        """Run ``run_id`` with its curve and trades, or None."""
        async with self._unit_of_work("load a backtest run") as session:
            row = await session.get(BacktestRunRow, run_id)
            if row is None:
                return None
            trades = await session.scalars(
                select(BacktestTradeRow)
                .where(BacktestTradeRow.run_id == run_id)
                .order_by(BacktestTradeRow.seq)
            )
            curve = json.loads(row.equity)
            return BacktestRunRecord(
                summary=_summary(row),
                config=json.loads(row.config),
                equity_ms=[int(t) for t in curve["t"]],
                equity=[float(e) for e in curve["e"]],
                detail=json.loads(row.detail),
                trades=[_trade(t) for t in trades.all()],
            )


def downsample_equity(
    times_ms: npt.NDArray[np.int64],
    equity: npt.NDArray[np.float64],
    max_points: int = EQUITY_POINTS,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """At most ``max_points`` points of the curve (module docstring for the rule)."""
    n = len(equity)
    if n <= max_points:
        return times_ms, equity
    buckets = max(1, (max_points - 2) // 2)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    keep = {0, n - 1}
    for start, end in itertools.pairwise(edges.tolist()):
        if end > start:
            part = equity[start:end]
            keep.add(start + int(np.argmin(part)))
            keep.add(start + int(np.argmax(part)))
    chosen = np.array(sorted(keep), dtype=np.int64)
    return times_ms[chosen], equity[chosen]


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False)


def _summary(row: BacktestRunRow) -> BacktestRunSummary:
    return BacktestRunSummary(
        id=row.id,
        kind=row.kind,
        strategy=row.strategy,
        params=json.loads(row.params),
        symbol=row.symbol,
        timeframe=row.timeframe,
        from_ms=row.from_ms,
        until_ms=row.until_ms,
        bars=row.bars,
        source=row.source,
        metrics=json.loads(row.metrics),
        created_ms=row.created_ms,
    )


def _trade(row: BacktestTradeRow) -> StoredTrade:
    return StoredTrade(
        seq=row.seq,
        side=row.side,
        entry_ms=row.entry_ms,
        exit_ms=row.exit_ms,
        qty=row.qty,
        entry_price=row.entry_price,
        exit_price=row.exit_price,
        fees=row.fees,
        funding=row.funding,
        pnl=row.pnl,
        return_pct=row.return_pct,
        exit_reason=row.exit_reason,
    )
