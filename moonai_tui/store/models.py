"""ORM models: one class per table, the single source for Alembic autogenerate.

The schema itself is created and changed only by migrations in ``migrations/``;
these classes must stay in step with them (a test compares the two).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

# Stable constraint names let later migrations drop or alter constraints by name
# (SQLite batch mode needs them; PostgreSQL would otherwise invent its own).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Moon AI table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ExactDecimal(TypeDecorator[Decimal]):
    """``NUMERIC(38, 18)`` that gives back the Decimal that was stored.

    PostgreSQL keeps NUMERIC exact. SQLite stores a NUMERIC column as REAL (15
    significant digits), and SQLAlchemy's generic conversion back to Decimal
    formats the float with all 18 scale digits, turning 0.1 into
    0.100000000000000006. Reading the float's shortest repr instead restores
    0.1, which is exact for every exchange tick, lot and minimum.
    """

    impl = Numeric(38, 18)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(38, 18, asdecimal=False))
        return dialect.type_descriptor(Numeric(38, 18))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(str(value))


class InstrumentRow(Base):
    """A market's trading rules as the exchange last reported them."""

    __tablename__ = "instruments"

    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    market_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    base: Mapped[str] = mapped_column(String(32))
    quote: Mapped[str] = mapped_column(String(32))
    settle: Mapped[str | None] = mapped_column(String(32))
    tick_size: Mapped[Decimal] = mapped_column(ExactDecimal())
    lot_size: Mapped[Decimal] = mapped_column(ExactDecimal())
    min_qty: Mapped[Decimal] = mapped_column(ExactDecimal())
    min_notional: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CandleRow(Base):
    """One closed OHLCV bar; ``ts`` is the open time in Unix ms, UTC."""

    __tablename__ = "candles"

    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    timeframe: Mapped[str] = mapped_column(String(8), primary_key=True)
    ts: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    open: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(120))
    """Who wrote the values last: ``exchange`` or ``import:<file name>``."""


class MarketEventRow(Base):
    """Something that happened to a market-data stream (connected, dropped, stale...)."""

    __tablename__ = "market_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
