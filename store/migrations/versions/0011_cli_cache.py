"""``cli_cache``: the output of read-only CLI calls per (request, data version, program version) (issue 13).

Derived data (:mod:`store.output_cache`): rows are replaced and trimmed, never audited; not a layer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cli_cache",
        sa.Column("cache_key", sa.Text, primary_key=True),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("ix_cli_cache_created_at", "cli_cache", ["created_at"])


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
