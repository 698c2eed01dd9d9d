"""Geometry columns shared by both backends: GeoPackage blobs on SQLite, PostGIS ``geometry`` on PostgreSQL.

One SQLAlchemy type, :class:`GeometryColumn`, carries shapely geometries in and out of either
backend, so the store's code never branches on the database when it reads or writes a layer:

- SQLite / GeoPackage: the column is declared with the GeoPackage geometry type name
  (``MULTIPOLYGON``, ``LINESTRING``, ``GEOMETRY`` …) and holds *GeoPackage binary* blobs
  (OGC 12-128r18, GeoPackage 1.3 §2.1.3: ``GP`` magic, version 0, flags, ``srs_id``, an XY
  envelope, then ISO WKB). That is what GDAL/QGIS read.
- PostgreSQL / PostGIS: the column is ``geometry(<Type>, <srid>)``; values go in with
  ``ST_GeomFromWKB(wkb, srid)`` and come out with ``ST_AsBinary``.

The GeoPackage metadata tables (``gpkg_spatial_ref_sys``, ``gpkg_contents``,
``gpkg_geometry_columns``) are created by the first migration and kept by
:func:`register_gpkg_layer` / :func:`unregister_gpkg_layer`.
"""
from __future__ import annotations

import struct
from datetime import UTC, datetime

import shapely
from sqlalchemy import text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import UserDefinedType

from domain.crs import STORE_EPSG
from store.spatial_index import drop_spatial_index

_GPKG_TYPE_NAMES = {
    "Point": "POINT",
    "LineString": "LINESTRING",
    "Polygon": "POLYGON",
    "MultiPoint": "MULTIPOINT",
    "MultiLineString": "MULTILINESTRING",
    "MultiPolygon": "MULTIPOLYGON",
    "GeometryCollection": "GEOMETRYCOLLECTION",
}


def geometry_type_name(geoms) -> str:
    """GeoPackage geometry type name for an array of shapely geometries.

    Parameters
    ----------
    geoms : array-like of shapely geometries (``None`` allowed)

    Returns
    -------
    str
        ``MULTIPOLYGON`` etc. when every non-null geometry has that type, else ``GEOMETRY``.
    """
    kinds = {g.geom_type for g in geoms if g is not None}
    if len(kinds) == 1:
        return _GPKG_TYPE_NAMES.get(kinds.pop(), "GEOMETRY")
    return "GEOMETRY"


def encode_gpkg(geom, srid: int = STORE_EPSG) -> bytes | None:
    """Encode a shapely geometry as a GeoPackage binary blob (little endian, XY envelope).

    ``None`` gives ``None`` (SQL NULL); an empty geometry sets the empty flag and no envelope.
    """
    if geom is None:
        return None
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2, flavor="iso")
    if geom.is_empty:
        return b"GP\x00" + bytes([0b00010001]) + struct.pack("<i", srid) + wkb
    minx, miny, maxx, maxy = geom.bounds
    # flags: bit0 = little-endian header, bits1-3 = envelope type 1 (minx, maxx, miny, maxy)
    return b"GP\x00" + bytes([0b00000011]) + struct.pack("<i4d", srid, minx, maxx, miny, maxy) + wkb


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def decode_gpkg(blob: bytes | None):
    """Decode a GeoPackage binary blob into a shapely geometry (``None`` for NULL).

    Raises
    ------
    ValueError
        If the blob does not start with the ``GP`` magic or has an unknown envelope type.
    """
    if blob is None:
        return None
    blob = bytes(blob)
    if blob[:2] != b"GP":
        raise ValueError("Giá trị hình học không phải GeoPackage binary (thiếu 'GP' ở đầu).")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise ValueError(f"GeoPackage binary có kiểu envelope không hợp lệ: {envelope}.")
    return shapely.from_wkb(blob[8 + _ENVELOPE_BYTES[envelope]:])


class _GeomIn(FunctionElement):
    """Bind wrapper: plain blob on SQLite, ``ST_GeomFromWKB(:wkb, srid)`` on PostGIS."""

    inherit_cache = True

    def __init__(self, bind, srid, type_):
        self.srid = srid
        super().__init__(bind)
        self.type = type_


@compiles(_GeomIn)
def _geom_in_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_GeomIn, "postgresql")
def _geom_in_pg(element, compiler, **kw):
    return f"ST_GeomFromWKB({compiler.process(element.clauses, **kw)}, {int(element.srid)})"


class _GeomOut(FunctionElement):
    """Column wrapper: plain blob on SQLite, ``ST_AsBinary(col)`` on PostGIS."""

    inherit_cache = True

    def __init__(self, col, type_):
        super().__init__(col)
        self.type = type_


@compiles(_GeomOut)
def _geom_out_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_GeomOut, "postgresql")
def _geom_out_pg(element, compiler, **kw):
    return f"ST_AsBinary({compiler.process(element.clauses, **kw)})"


class GeometryColumn(UserDefinedType):
    """A geometry column holding shapely geometries in EPSG ``srid`` on either backend.

    Parameters
    ----------
    geometry_type : str
        GeoPackage type name (``MULTIPOLYGON``, ``LINESTRING``, ``GEOMETRY`` …).
    srid : int
        EPSG code of the coordinates (the store uses 9215).
    """

    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int = STORE_EPSG):
        self.geometry_type = geometry_type.upper()
        self.srid = int(srid)

    def get_col_spec(self, **kw):  # SQLite / GeoPackage: the type name is the declared type
        return self.geometry_type

    def bind_expression(self, bindvalue):
        return _GeomIn(bindvalue, self.srid, self)

    def column_expression(self, col):
        return _GeomOut(col, type_=self)

    def bind_processor(self, dialect):
        if dialect.name == "postgresql":
            def process(value):
                if value is None:
                    return None
                return shapely.to_wkb(value, output_dimension=2, flavor="iso")
        else:
            srid = self.srid

            def process(value):
                return encode_gpkg(value, srid)
        return process

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            def process(value):
                return None if value is None else shapely.from_wkb(bytes(value))
        else:
            process = decode_gpkg
        return process


_PG_TYPE_NAMES = {v: k for k, v in _GPKG_TYPE_NAMES.items()} | {"GEOMETRY": "Geometry"}


@compiles(GeometryColumn, "postgresql")
def _geometry_column_pg(type_, compiler, **kw):
    return f"geometry({_PG_TYPE_NAMES.get(type_.geometry_type, 'Geometry')}, {type_.srid})"


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def register_gpkg_layer(conn, table_name: str, geometry_type: str, bounds, *, identifier: str,
                        description: str = "", srid: int = STORE_EPSG) -> None:
    """Register ``table_name`` as a GeoPackage feature layer (SQLite only; no-op on PostGIS).

    Writes one row in ``gpkg_contents`` (data_type ``features``, bounding box, srs_id) and one in
    ``gpkg_geometry_columns`` (column ``geometry``), as GeoPackage 1.3 §1.1.3 and §2.1.5 require,
    so GDAL and QGIS list the table as a layer in EPSG ``srid``.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection inside the caller's transaction
    bounds : (minx, miny, maxx, maxy) in the layer's CRS, NaNs allowed for an empty layer
    """
    if conn.dialect.name != "sqlite":
        return
    minx, miny, maxx, maxy = [None if b != b else float(b) for b in bounds]
    conn.execute(
        text(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,"
            " min_x, min_y, max_x, max_y, srs_id) VALUES (:t, 'features', :i, :d, :lc, :x0, :y0, :x1, :y1, :s)"
        ),
        dict(t=table_name, i=identifier, d=description, lc=_now_iso(), x0=minx, y0=miny, x1=maxx, y1=maxy, s=srid),
    )
    conn.execute(
        text(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)"
            " VALUES (:t, 'geometry', :g, :s, 0, 0)"
        ),
        dict(t=table_name, g=geometry_type, s=srid),
    )


def register_gpkg_attributes(conn, table_name: str, *, identifier: str, description: str = "") -> None:
    """Register ``table_name`` as a GeoPackage attribute table (no geometry; SQLite only)."""
    if conn.dialect.name != "sqlite":
        return
    conn.execute(
        text("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
             " VALUES (:t, 'attributes', :i, :d, :lc)"),
        dict(t=table_name, i=identifier, d=description, lc=_now_iso()),
    )


def stored_geometry_type(conn, table_name: str) -> str | None:
    """Geometry type of ``table_name``'s ``geometry`` column as the database records it (``MULTIPOLYGON``,
    ``GEOMETRY`` …; ``gpkg_geometry_columns`` on SQLite, ``geometry_columns`` on PostGIS), None if unknown."""
    if conn.dialect.name == "postgresql":
        sql = ("SELECT upper(type) FROM geometry_columns WHERE f_table_schema = current_schema() "
               "AND f_table_name = :t AND f_geometry_column = 'geometry'")
    else:
        sql = "SELECT upper(geometry_type_name) FROM gpkg_geometry_columns WHERE table_name = :t AND column_name = 'geometry'"
    return conn.execute(text(sql), dict(t=table_name)).scalar()


def update_gpkg_layer(conn, table_name: str, geometry_type: str, bounds) -> None:
    """After the rows of a registered feature layer changed: its extent and ``last_change`` in
    ``gpkg_contents`` and its ``geometry_type_name`` (SQLite only; no-op on PostGIS)."""
    if conn.dialect.name != "sqlite":
        return
    minx, miny, maxx, maxy = [None if b != b else float(b) for b in bounds]
    conn.execute(text("UPDATE gpkg_contents SET last_change = :lc, min_x = :x0, min_y = :y0, max_x = :x1, max_y = :y1 "
                      "WHERE table_name = :t"),
                 dict(t=table_name, lc=_now_iso(), x0=minx, y0=miny, x1=maxx, y1=maxy))
    conn.execute(text("UPDATE gpkg_geometry_columns SET geometry_type_name = :g WHERE table_name = :t"),
                 dict(t=table_name, g=geometry_type))


#: GeoPackage tables with per-table rows (``table_name``) besides gpkg_contents/gpkg_geometry_columns.
_TABLE_METADATA = ("gpkg_extensions", "gpkg_data_columns", "gpkg_ogr_contents", "gpkg_metadata_reference")


def unregister_gpkg_layer(conn, table_name: str) -> None:
    """Remove ``table_name`` from the GeoPackage metadata tables, with its R-tree and its
    ``gpkg_extensions`` rows (SQLite only; no-op on PostGIS)."""
    if conn.dialect.name != "sqlite":
        return
    drop_spatial_index(conn, table_name, "geometry")
    for meta in _TABLE_METADATA:  # written by GDAL/QGIS or by other parts of the store, when present
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :m"), dict(m=meta)).first():
            conn.execute(text(f"DELETE FROM {meta} WHERE table_name = :t"), dict(t=table_name))
    conn.execute(text("DELETE FROM gpkg_geometry_columns WHERE table_name = :t"), dict(t=table_name))
    conn.execute(text("DELETE FROM gpkg_contents WHERE table_name = :t"), dict(t=table_name))
