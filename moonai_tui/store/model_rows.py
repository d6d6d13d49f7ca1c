"""ORM model of the ML model registry (its migration adds ``model_versions``); a test keeps
the two in step."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moonai_tui.store.models import Base

_ID = BigInteger().with_variant(Integer(), "sqlite")


class ModelVersionRow(Base):
    """One trained model: what it is, what it saw, how it scored, and where its artifact is.

    JSON columns (params, features, label_spec, metrics) are stored as text so SQLite and
    PostgreSQL read them the same way.
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("symbol", "timeframe", "version"),
        Index(None, "symbol", "timeframe", "active"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64))
    timeframe: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    model_type: Mapped[str] = mapped_column(String(32))
    params: Mapped[str] = mapped_column(Text)
    features: Mapped[str] = mapped_column(Text)
    label_spec: Mapped[str] = mapped_column(Text)
    data_from_ms: Mapped[int] = mapped_column(BigInteger)
    data_until_ms: Mapped[int] = mapped_column(BigInteger)
    metrics: Mapped[str] = mapped_column(Text)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    artifact_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean)
    activated_ms: Mapped[int | None] = mapped_column(BigInteger)
    rolled_back: Mapped[bool] = mapped_column(Boolean)
