"""Market data: instruments, candles, market events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migrations spell their types out instead of importing the models, so that a
# later change to a model can never rewrite what an old migration created.
_DECIMAL = sa.Numeric(38, 18)


def upgrade() -> None:
    op.create_table(
        "instruments",
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("market_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("base", sa.String(32), nullable=False),
        sa.Column("quote", sa.String(32), nullable=False),
        sa.Column("settle", sa.String(32), nullable=True),
        sa.Column("tick_size", _DECIMAL, nullable=False),
        sa.Column("lot_size", _DECIMAL, nullable=False),
        sa.Column("min_qty", _DECIMAL, nullable=False),
        sa.Column("min_notional", _DECIMAL, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_instruments")),
    )
    op.create_table(
        "candles",
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("timeframe", sa.String(8), nullable=False),
        sa.Column("ts", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "ts", name=op.f("pk_candles")),
    )
    op.create_table(
        "market_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_events")),
    )
    op.create_index(op.f("ix_market_events_ts_ms"), "market_events", ["ts_ms"])


def downgrade() -> None:
    op.drop_index(op.f("ix_market_events_ts_ms"), table_name="market_events")
    op.drop_table("market_events")
    op.drop_table("candles")
    op.drop_table("instruments")
