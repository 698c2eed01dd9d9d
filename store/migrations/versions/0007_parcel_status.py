"""The ``parcel_status`` layer, QGIS ``layer_styles`` and (GeoPackage) the schema extension (issue 10).

- ``parcel_status``: a feature layer (MultiPolygon, EPSG:9215) with the columns of
  ``domain.tables.PARCEL_STATUS_COLUMNS``, filled and kept current by the store
  (:mod:`store.parcel_status`). GeoPackage: registered in ``gpkg_contents``/``gpkg_geometry_columns``;
  PostGIS: a GiST index on the geometry. Indexes on ``parcel_id`` and ``project_id``.
- ``layer_styles``: the table QGIS reads styles from (same columns as QGIS creates); GeoPackage: an
  ``attributes`` entry of ``gpkg_contents``.
- PostGIS: EPSG:9215 in ``spatial_ref_sys`` when the PostGIS release lacks it (PostGIS 3.3 does), so
  ``ST_Transform`` (tile servers publishing in EPSG:3857) and QGIS know the layers' CRS; with
  ``auth_name``/``auth_srid`` set PostGIS asks PROJ for ``EPSG:9215``, the same definition pyproj uses.
- GeoPackage only: ``gpkg_extensions``, ``gpkg_data_columns`` and ``gpkg_data_column_constraints``
  (GeoPackage 1.3 §2.3 "Schema", extension ``gpkg_schema``) for the Vietnamese field aliases.

- GeoPackage: the R-tree spatial index of ``parcel_status`` (``gpkg_rtree_index``,
  :func:`store.spatial_index.ensure_spatial_index`, as every other layer since 0006).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.parcel_status import (
    LAYER_STYLES_PG,
    STATUS_TABLE,
    STATUS_TITLE_VI,
    ensure_gpkg_schema_extension,
    status_columns,
)
from store.spatial_index import ensure_spatial_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen here (as in 0001) so that this migration always writes the same row.
_WKT_9215 = (
    'PROJCS["VN-2000 / TM-3 107-15",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
    '298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG",'
    '"8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",107.25],'
    'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],'
    'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],'
    'AUTHORITY["EPSG","9215"]]'
)
_PROJ4_9215 = "+proj=tmerc +lat_0=0 +lon_0=107.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(STATUS_TABLE, *status_columns(), sqlite_autoincrement=True)
    op.create_index("ix_parcel_status_parcel_id", STATUS_TABLE, ["parcel_id"])
    op.create_index("ix_parcel_status_project_id", STATUS_TABLE, ["project_id"])
    if sqlite:
        _geopackage()
    else:
        op.execute(f'CREATE INDEX ix_parcel_status_geometry ON "{STATUS_TABLE}" USING GIST ("geometry")')
        op.execute(LAYER_STYLES_PG)
        op.get_bind().execute(sa.text(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)"
            " SELECT 9215, 'EPSG', 9215, :w, :p WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = 9215)"),
            {"w": _WKT_9215, "p": _PROJ4_9215})


def _geopackage() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
        " VALUES (:t, 'features', :t, :d, 9215)"), {"t": STATUS_TABLE, "d": STATUS_TITLE_VI})
    bind.execute(sa.text(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)"
        " VALUES (:t, 'geometry', 'MULTIPOLYGON', 9215, 0, 0)"), {"t": STATUS_TABLE})
    ensure_gpkg_schema_extension(bind)
    ensure_spatial_index(bind, STATUS_TABLE, "geometry")


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
