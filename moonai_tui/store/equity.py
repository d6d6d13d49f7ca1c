"""The equity curve: samples of account equity and its running peak, per trading mode."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import TradingMode
from moonai_tui.store.trading_models import EquitySampleRow


@dataclass(frozen=True, slots=True)
class EquitySample:
    ts_ms: int
    equity: Decimal
    peak: Decimal
    """The highest equity seen up to this moment (drawdown = 1 − equity / peak)."""


@dataclass(frozen=True, slots=True)
class EquityHistory:
    """What a restart needs to rebuild peak, day start and the recent curve."""

    peak: Decimal | None
    """The highest peak ever stored; None before the first sample."""
    day_open: EquitySample | None
    """The last sample before the asked day began (its equity opens the day), else the
    day's first sample; None when the day has none and nothing came before."""
    recent: tuple[EquitySample, ...]
    """The newest samples, oldest first."""


async def add(session: AsyncSession, mode: TradingMode, sample: EquitySample) -> None:
    """Store a sample; a second one in the same millisecond replaces the first."""
    await session.merge(
        EquitySampleRow(mode=mode, ts_ms=sample.ts_ms, equity=sample.equity, peak=sample.peak)
    )
    await session.flush()


async def history(
    session: AsyncSession, mode: TradingMode, day_start_ms: int, recent: int
) -> EquityHistory:
    """The peak, the sample that opened the day starting at ``day_start_ms``, the newest."""
    where = EquitySampleRow.mode == mode
    peak = await session.scalar(select(func.max(EquitySampleRow.peak)).where(where))
    day_open = await session.scalar(
        select(EquitySampleRow)
        .where(where, EquitySampleRow.ts_ms < day_start_ms)
        .order_by(EquitySampleRow.ts_ms.desc())
        .limit(1)
    )
    if day_open is None:
        day_open = await session.scalar(
            select(EquitySampleRow)
            .where(where, EquitySampleRow.ts_ms >= day_start_ms)
            .order_by(EquitySampleRow.ts_ms)
            .limit(1)
        )
    newest = (
        await session.scalars(
            select(EquitySampleRow)
            .where(where)
            .order_by(EquitySampleRow.ts_ms.desc())
            .limit(recent)
        )
    ).all()
    return EquityHistory(
        peak=peak,
        day_open=None if day_open is None else _sample(day_open),
        recent=tuple(_sample(row) for row in reversed(newest)),
    )


def _sample(row: EquitySampleRow) -> EquitySample:
    return EquitySample(row.ts_ms, row.equity, row.peak)
