"""Trading: order journal and its events, fills, positions, risk events, audit, kill switch.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIMAL = sa.Numeric(38, 18)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("client_order_id", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("qty", _DECIMAL, nullable=False),
        sa.Column("price", _DECIMAL, nullable=True),
        sa.Column("trigger_price", _DECIMAL, nullable=True),
        sa.Column("stop_loss", _DECIMAL, nullable=True),
        sa.Column("take_profit", _DECIMAL, nullable=True),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column("post_only", sa.Boolean(), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("filled_qty", _DECIMAL, nullable=False),
        sa.Column("avg_price", _DECIMAL, nullable=True),
        sa.Column("fee", _DECIMAL, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_order_id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_mode_status"), "orders", ["mode", "status"])
    op.create_table(
        "order_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_order_id"],
            ["orders.client_order_id"],
            name=op.f("fk_order_events_client_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(op.f("ix_order_events_client_order_id"), "order_events", ["client_order_id"])
    op.create_table(
        "fills",
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("trade_id", sa.String(64), nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=True),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("qty", _DECIMAL, nullable=False),
        sa.Column("price", _DECIMAL, nullable=False),
        sa.Column("fee", _DECIMAL, nullable=False),
        sa.Column("fee_currency", sa.String(16), nullable=False),
        sa.Column("is_maker", sa.Boolean(), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mode", "trade_id", name=op.f("pk_fills")),
    )
    op.create_index(op.f("ix_fills_ts_ms"), "fills", ["ts_ms"])
    op.create_table(
        "positions",
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("qty", _DECIMAL, nullable=False),
        sa.Column("avg_price", _DECIMAL, nullable=False),
        sa.Column("realised_pnl", _DECIMAL, nullable=False),
        sa.Column("fees", _DECIMAL, nullable=False),
        sa.Column("stop_loss", _DECIMAL, nullable=True),
        sa.Column("take_profit", _DECIMAL, nullable=True),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mode", "symbol", name=op.f("pk_positions")),
    )
    op.create_table(
        "risk_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
    )
    op.create_index(op.f("ix_risk_events_ts_ms"), "risk_events", ["ts_ms"])
    op.create_table(
        "audit",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_ts_ms"), "audit", ["ts_ms"])
    op.create_table(
        "kill_switch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("latched", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_ms", sa.BigInteger(), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_kill_switch_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kill_switch")),
    )


def downgrade() -> None:
    op.drop_table("kill_switch")
    op.drop_index(op.f("ix_audit_ts_ms"), table_name="audit")
    op.drop_table("audit")
    op.drop_index(op.f("ix_risk_events_ts_ms"), table_name="risk_events")
    op.drop_table("risk_events")
    op.drop_table("positions")
    op.drop_index(op.f("ix_fills_ts_ms"), table_name="fills")
    op.drop_table("fills")
    op.drop_index(op.f("ix_order_events_client_order_id"), table_name="order_events")
    op.drop_table("order_events")
    op.drop_index(op.f("ix_orders_mode_status"), table_name="orders")
    op.drop_table("orders")
