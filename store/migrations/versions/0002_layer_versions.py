"""Layer versions (kept for restore) and ledger indexes for as-of queries.

Adds ``layer_versions`` (one row per version of each layer; the current version is the table named
after the layer, earlier ones are kept as ``<layer>__v<N>``) and records every layer table an older
store already holds as its version 1. Adds indexes on events (project_id, event_date) and parcel_id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LAYERS = ("projects", "centrelines", "parcels", "communes", "roads")


def upgrade() -> None:
    op.create_table(
        "layer_versions",
        sa.Column("layer_name", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("feature_count", sa.Integer, nullable=False),
        sa.Column("report", sa.Text, nullable=True),
    )
    op.create_index("ix_events_project_date", "events", ["project_id", "event_date"])
    op.create_index("ix_events_parcel", "events", ["parcel_id"])

    bind = op.get_bind()
    inspector = sa.inspect(bind)
    versions = sa.table(
        "layer_versions", sa.column("layer_name"), sa.column("version"), sa.column("created_at"),
        sa.column("source"), sa.column("feature_count"), sa.column("report"),
    )
    now = datetime.now(UTC)
    for name in _LAYERS:
        if inspector.has_table(name):
            count = bind.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            bind.execute(versions.insert().values(
                layer_name=name, version=1, created_at=now, source="migration", feature_count=count,
                report=json.dumps({"ghi_chu": "Phiên bản có sẵn khi nâng cấp lược đồ (migration 0002)"},
                                  ensure_ascii=False),
            ))


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
