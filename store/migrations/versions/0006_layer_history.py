"""Layer versions without renaming: history tables, and a spatial index on every layer (issue 10).

Until now a replacement renamed the current table ``<layer>`` to ``<layer>__v<N>``. This revision

- adds ``layer_history_columns`` (the columns of each archived version, :mod:`store.layer_history`);
- copies each ``<layer>__v<N>`` into the layer's history table ``<layer>__history`` as version N, then
  drops it with its GeoPackage registrations (``gpkg_contents``, ``gpkg_geometry_columns``,
  ``gpkg_extensions``, an R-tree a GIS program made, which followed the renamed table); on PostGIS
  its ``geometry_columns`` entry goes with the table;
- rebuilds the spatial index of every current layer table: on GeoPackage the ``gpkg_rtree_index``
  R-tree (an existing one may point at the rows of a renamed table: GDAL then found 0 features where
  they are), on PostGIS a GiST index where none exists.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01
"""
import re

import sqlalchemy as sa
from alembic import op

from store import layer_history
from store.geometry import unregister_gpkg_layer
from store.spatial_index import ensure_spatial_index
from store.types import UtcDateTime

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_LAYERS = ("projects", "centrelines", "parcels", "communes", "roads")


def upgrade() -> None:
    op.create_table(
        "layer_history_columns",
        sa.Column("layer_name", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("columns_json", sa.Text, nullable=False),
        sa.Column("geometry_type", sa.Text, nullable=True),
        sa.Column("archived_at", UtcDateTime, nullable=False),
    )
    bind = op.get_bind()
    tables = sa.inspect(bind).get_table_names()
    for name in _LAYERS:
        pattern = re.compile(rf"^{name}__v(\d+)$")
        for version, table in sorted((int(m.group(1)), t) for t in tables if (m := pattern.match(t))):
            layer_history.archive(bind, name, version, source_table=table)
            unregister_gpkg_layer(bind, table)
            op.drop_table(table)
        if name in tables:
            ensure_spatial_index(bind, name, "geometry", rebuild=True)


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
