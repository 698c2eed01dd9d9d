"""The ``parcel_status`` layer, QGIS ``layer_styles`` and (GeoPackage) the schema extension (issue 10).

- ``parcel_status``: a feature layer (MultiPolygon, EPSG:9215) with the columns of
  ``domain.tables.PARCEL_STATUS_COLUMNS``, filled and kept current by the store
  (:mod:`store.parcel_status`). GeoPackage: registered in ``gpkg_contents``/``gpkg_geometry_columns``;
  PostGIS: a GiST index on the geometry. Indexes on ``parcel_id`` and ``project_id``.
- ``layer_styles``: the table QGIS reads styles from (same columns as QGIS creates); GeoPackage: an
  ``attributes`` entry of ``gpkg_contents``.
- GeoPackage only: ``gpkg_extensions``, ``gpkg_data_columns`` and ``gpkg_data_column_constraints``
  (GeoPackage 1.3 §2.3 "Schema", extension ``gpkg_schema``) for the Vietnamese field aliases.

TODO(h4): the GeoPackage R-tree spatial index of ``parcel_status`` (``gpkg_rtree_index``) — call the
store's ``ensure_spatial_index(conn, "parcel_status", "geometry")`` once it lands.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.parcel_status import STATUS_TABLE, STATUS_TITLE_VI, status_columns

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

_SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"

_GPKG_SCHEMA_TABLES = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,"
    " definition TEXT NOT NULL, scope TEXT NOT NULL,"
    " CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,"
    " name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,"
    " CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL,"
    " constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC,"
    " max_is_inclusive BOOLEAN, description TEXT,"
    " CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)

# The columns QGIS gives layer_styles (QgsOgrProviderUtils / QgsPostgresProvider::saveStyle).
_LAYER_STYLES_SQLITE = (
    "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),"
    " f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),"
    " styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),"
    " update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_LAYER_STYLES_PG = (
    "CREATE TABLE IF NOT EXISTS layer_styles (id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar,"
    " f_table_name varchar, f_geometry_column varchar, styleName text, styleQML xml, styleSLD xml,"
    " useAsDefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
    " update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(STATUS_TABLE, *status_columns(), sqlite_autoincrement=True)
    op.create_index("ix_parcel_status_parcel_id", STATUS_TABLE, ["parcel_id"])
    op.create_index("ix_parcel_status_project_id", STATUS_TABLE, ["project_id"])
    if sqlite:
        _geopackage()
    else:
        op.execute(f'CREATE INDEX ix_parcel_status_geometry ON "{STATUS_TABLE}" USING GIST ("geometry")')
        op.execute(_LAYER_STYLES_PG)


def _geopackage() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
        " VALUES (:t, 'features', :t, :d, 9215)"), {"t": STATUS_TABLE, "d": STATUS_TITLE_VI})
    bind.execute(sa.text(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)"
        " VALUES (:t, 'geometry', 'MULTIPOLYGON', 9215, 0, 0)"), {"t": STATUS_TABLE})
    for ddl in _GPKG_SCHEMA_TABLES:
        op.execute(ddl)
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        bind.execute(sa.text(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)"
            " SELECT :t, NULL, 'gpkg_schema', :d, 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions"
            " WHERE table_name = :t AND extension_name = 'gpkg_schema')"), {"t": table, "d": _SCHEMA_EXTENSION})
    op.execute(_LAYER_STYLES_SQLITE)
    bind.execute(sa.text(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
        " SELECT 'layer_styles', 'attributes', 'layer_styles', 'Kiểu hiển thị QGIS' WHERE NOT EXISTS"
        " (SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles')"))


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
