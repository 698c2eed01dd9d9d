"""Named source profiles: saved attribute mappings a user names and picks (issue 10).

Adds ``source_profiles``: one row per saved version of a profile (``name``, ``version``), with the
mapping as JSON, who saved it and when. Append-only: saving a profile again adds a version; the
latest version of a name is the one an import picks. Not a spatial layer (not in ``gpkg_contents``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_profiles",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("mapping_json", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("version >= 1", name="ck_source_profiles_version"),
    )


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
