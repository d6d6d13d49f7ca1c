"""ORM models of the backtest tables (migration 0005); a test keeps the two in step."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from moonai_tui.store.models import Base

_ID = BigInteger().with_variant(Integer(), "sqlite")


class BacktestRunRow(Base):
    """One stored run. JSON columns are text so SQLite and PostgreSQL read them alike."""

    __tablename__ = "backtest_runs"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(String(64))
    timeframe: Mapped[str] = mapped_column(String(8))
    from_ms: Mapped[int] = mapped_column(BigInteger)
    until_ms: Mapped[int] = mapped_column(BigInteger)
    bars: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    config: Mapped[str] = mapped_column(Text)
    metrics: Mapped[str] = mapped_column(Text)
    equity: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    created_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class BacktestTradeRow(Base):
    """One closed (or still open at the end) trade of a run; float64 research numbers."""

    __tablename__ = "backtest_trades"

    run_id: Mapped[int] = mapped_column(
        _ID, ForeignKey("backtest_runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    side: Mapped[str] = mapped_column(String(5))
    entry_ms: Mapped[int] = mapped_column(BigInteger)
    exit_ms: Mapped[int] = mapped_column(BigInteger)
    qty: Mapped[float] = mapped_column(Float)
    entry_price: Mapped[float] = mapped_column(Float)
    exit_price: Mapped[float] = mapped_column(Float)
    fees: Mapped[float] = mapped_column(Float)
    funding: Mapped[float] = mapped_column(Float)
    pnl: Mapped[float] = mapped_column(Float)
    return_pct: Mapped[float] = mapped_column(Float)
    exit_reason: Mapped[str] = mapped_column(String(16))
