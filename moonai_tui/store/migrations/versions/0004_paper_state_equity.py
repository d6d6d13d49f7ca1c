"""Paper protections (SL/TP of open paper positions) and the equity curve.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIMAL = sa.Numeric(38, 18)


def upgrade() -> None:
    op.create_table(
        "paper_protections",
        sa.Column("client_order_id", sa.String(96), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("side", sa.String(5), nullable=False),
        sa.Column("qty", _DECIMAL, nullable=False),
        sa.Column("stop_loss", _DECIMAL, nullable=True),
        sa.Column("take_profit", _DECIMAL, nullable=True),
        sa.PrimaryKeyConstraint("client_order_id", name=op.f("pk_paper_protections")),
    )
    op.create_table(
        "equity_samples",
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("equity", _DECIMAL, nullable=False),
        sa.Column("peak", _DECIMAL, nullable=False),
        sa.PrimaryKeyConstraint("mode", "ts_ms", name=op.f("pk_equity_samples")),
    )


def downgrade() -> None:
    op.drop_table("equity_samples")
    op.drop_table("paper_protections")
