"""Initial store: GeoPackage base tables (SQLite) or the PostGIS extension, and the ledger.

Tables: ``store_meta`` (key/value), ``uploads``, ``events`` (append-only ledger of field-count
events) and ``reverts`` (a revert is recorded, nothing is deleted). Layer tables (projects,
centrelines, parcels, communes, roads, milestones) are written by the store itself from their data.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here (not computed at run time) so that this migration always writes the same rows.
WKT_4326 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
WKT_9215 = (
    'PROJCS["VN-2000 / TM-3 107-15",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
    '298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG",'
    '"8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",107.25],'
    'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],'
    'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],'
    'AUTHORITY["EPSG","9215"]]'
)


def _geopackage_base() -> None:
    """GeoPackage 1.3 required tables (§1.1.2, §1.1.3, §2.1.5) and the four SRS rows used here."""
    op.execute("PRAGMA application_id = 1196444487")  # 0x47504B47 "GPKG"
    op.execute("PRAGMA user_version = 10300")
    op.execute(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,"
        " organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,"
        " description TEXT)"
    )
    op.execute(
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,"
        " identifier TEXT UNIQUE, description TEXT DEFAULT '',"
        " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
        " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
        " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))"
    )
    op.execute(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,"
        " geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,"
        " CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
        " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
        " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
        " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))"
    )
    srs = sa.table(
        "gpkg_spatial_ref_sys",
        sa.column("srs_name"), sa.column("srs_id"), sa.column("organization"),
        sa.column("organization_coordsys_id"), sa.column("definition"), sa.column("description"),
    )
    op.bulk_insert(srs, [
        dict(srs_name="Undefined cartesian SRS", srs_id=-1, organization="NONE", organization_coordsys_id=-1,
             definition="undefined", description="undefined cartesian coordinate reference system"),
        dict(srs_name="Undefined geographic SRS", srs_id=0, organization="NONE", organization_coordsys_id=0,
             definition="undefined", description="undefined geographic coordinate reference system"),
        dict(srs_name="WGS 84 geodetic", srs_id=4326, organization="EPSG", organization_coordsys_id=4326,
             definition=WKT_4326,
             description="longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        dict(srs_name="VN-2000 / TM-3 107-15", srs_id=9215, organization="EPSG", organization_coordsys_id=9215,
             definition=WKT_9215, description="VN-2000, kinh tuyến trục 107°15′, múi 3° (Lạng Sơn)"),
    ])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _geopackage_base()
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "store_meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=True),
    )
    op.create_table(
        "uploads",
        sa.Column("upload_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=True),
        sa.Column("file_name", sa.Text, nullable=True),
        sa.Column("file_sha256", sa.Text, nullable=True, index=True),
        sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_committed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("project_id", sa.Text, nullable=True),
        sa.Column("parcel_id", sa.Text, nullable=True),
        sa.Column("commune", sa.Text, nullable=True),
        sa.Column("chainage_from_m", sa.Double(), nullable=True),
        sa.Column("chainage_to_m", sa.Double(), nullable=True),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("area_m2", sa.Double(), nullable=True),
        sa.Column("households", sa.Integer, nullable=True),
        sa.Column("amount_vnd", sa.Double(), nullable=True),
        sa.Column("is_correction", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.Text, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "reverts",
        sa.Column("revert_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), nullable=False, unique=True),
        sa.Column("reverted_by_upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), nullable=False),
        sa.Column("reverted_at", UtcDateTime, nullable=False),
        sa.Column("reverted_by", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sqlite_autoincrement=True,
    )
    if dialect == "sqlite":
        # Registered as GeoPackage attribute tables: QGIS/GDAL list the ledger beside the layers.
        contents = sa.table("gpkg_contents", sa.column("table_name"), sa.column("data_type"),
                            sa.column("identifier"), sa.column("description"))
        op.bulk_insert(contents, [
            dict(table_name="uploads", data_type="attributes", identifier="uploads",
                 description="Các lần tải lên số liệu kiểm đếm"),
            dict(table_name="events", data_type="attributes", identifier="events",
                 description="Sổ cái sự kiện GPMB (chỉ ghi thêm)"),
            dict(table_name="reverts", data_type="attributes", identifier="reverts",
                 description="Các lần hoàn tác tải lên"),
        ])


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
