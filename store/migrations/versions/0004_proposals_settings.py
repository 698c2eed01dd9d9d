"""Maker–checker proposals and store settings (issue 9).

Adds ``proposals`` (a destructive action proposed by one account, carried out only when another
confirms: revert, layer replacement removing parcels, restore) and ``settings`` (a small key-value
table; ``maker_checker`` defaults to ``on`` when the row is absent). A proposed layer replacement keeps
its prepared layer in a plain table ``proposal_<id>__<layer>`` written by the store (not here).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STATUSES = ("pending", "confirmed", "rejected", "cancelled")


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("proposal_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.Text, nullable=False),
        sa.Column("proposed_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("decided_by", sa.Text, nullable=True),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in _STATUSES) + ")",
                           name="ck_proposals_status"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.Column("changed_by", sa.Text, nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
