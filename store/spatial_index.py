"""Spatial indexes of the store's layers: the GeoPackage R-tree in plain SQL, a GiST index on PostGIS.

GeoPackage (OGC 12-128r18, GeoPackage 1.3 Annex F.3 "RTree Spatial Indexes", extension
``gpkg_rtree_index``; 1.4 Annex F.3 for the revised update triggers): an index of ``<t>.<c>`` is

- the SQLite R*Tree virtual table ``rtree_<t>_<c>(id, minx, maxx, miny, maxy)`` keyed by the feature's
  ``fid``;
- one ``gpkg_extensions`` row (``<t>``, ``<c>``, ``gpkg_rtree_index``, scope ``write-only``);
- the triggers that keep it in step with the table: ``insert``, ``update1``–``update4`` and ``delete``
  for a GeoPackage 1.3 file, ``insert``, ``update2``, ``update4``–``update7`` and ``delete`` for 1.4
  (``PRAGMA user_version`` ≥ 10400), word for word as GDAL writes them, so GDAL/QGIS find what they expect.

The triggers call ``ST_IsEmpty``, ``ST_MinX``, ``ST_MaxX``, ``ST_MinY`` and ``ST_MaxY`` on GeoPackage
geometry blobs. GDAL registers these functions when it opens a file; the store registers the same ones
on every SQLite connection (:func:`register_gpkg_functions`, called by :mod:`store.engine`), so no
SpatiaLite is needed. A connection without them (the ``sqlite3`` shell) cannot write a layer table: it
fails with "no such function: ST_IsEmpty" instead of leaving the index stale.

PostGIS: a GiST index on the geometry column (``ix_<t>_<c>_gist`` unless one exists already).
"""
from __future__ import annotations

import re
import struct

import shapely
from sqlalchemy import text

#: ``gpkg_extensions.definition`` of the R-tree extension (what GDAL writes).
RTREE_DEFINITION = "http://www.geopackage.org/spec120/#extension_rtree"

#: DDL of ``gpkg_extensions`` (GeoPackage 1.3 Table 17), created when a store has none yet.
GPKG_EXTENSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
    "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")

_INSERT_VALUES = ('VALUES (NEW."{i}",ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"),'
                  'ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}"))')

#: Trigger bodies by name (placeholders: ``r`` the R-tree, ``t`` table, ``c`` geometry column, ``i`` fid).
_TRIGGERS = {
    "insert": ('AFTER INSERT ON "{t}" WHEN (new."{c}" NOT NULL AND NOT ST_IsEmpty(NEW."{c}")) '
               'BEGIN INSERT OR REPLACE INTO "{r}" ' + _INSERT_VALUES + '; END'),
    "update1": ('AFTER UPDATE OF "{c}" ON "{t}" WHEN OLD."{i}" = NEW."{i}" AND '
                '(NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) '
                'BEGIN INSERT OR REPLACE INTO "{r}" ' + _INSERT_VALUES + '; END'),
    "update2": ('AFTER UPDATE OF "{c}" ON "{t}" WHEN OLD."{i}" = NEW."{i}" AND '
                '(NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}")) BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; END'),
    "update3": ('AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) '
                'BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; INSERT OR REPLACE INTO "{r}" ' + _INSERT_VALUES + '; END'),
    "update4": ('AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" AND (NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}")) '
                'BEGIN DELETE FROM "{r}" WHERE id IN (OLD."{i}", NEW."{i}"); END'),
    "update5": ('AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) '
                'BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; INSERT OR REPLACE INTO "{r}" ' + _INSERT_VALUES + '; END'),
    "update6": ('AFTER UPDATE OF "{c}" ON "{t}" WHEN OLD."{i}" = NEW."{i}" AND '
                '(NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) AND (OLD."{c}" NOTNULL AND NOT ST_IsEmpty(OLD."{c}")) '
                'BEGIN UPDATE "{r}" SET minx = ST_MinX(NEW."{c}"), maxx = ST_MaxX(NEW."{c}"),'
                'miny = ST_MinY(NEW."{c}"), maxy = ST_MaxY(NEW."{c}") WHERE id = NEW."{i}";END'),
    "update7": ('AFTER UPDATE OF "{c}" ON "{t}" WHEN OLD."{i}" = NEW."{i}" AND '
                '(NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) AND (OLD."{c}" ISNULL OR ST_IsEmpty(OLD."{c}")) '
                'BEGIN INSERT INTO "{r}" ' + _INSERT_VALUES + '; END'),
    "delete": 'AFTER DELETE ON "{t}" WHEN old."{c}" NOT NULL BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; END',
}

#: The trigger set of each GeoPackage version (1.4 replaced update1/update3, which could corrupt the index).
TRIGGER_SETS = {
    "1.3": ("insert", "update1", "update2", "update3", "update4", "delete"),
    "1.4": ("insert", "update6", "update7", "update2", "update5", "update4", "delete"),
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------- SQL functions on GeoPackage blobs
def _header(blob) -> tuple[bool, tuple[float, float, float, float] | None] | None:
    """(empty, (minx, maxx, miny, maxy) or None) of a GeoPackage geometry blob; None when not one.

    The envelope comes from the header (GeoPackage 1.3 §2.1.3.1.1) when it has one, else from the WKB.
    """
    if not isinstance(blob, (bytes, bytearray, memoryview)) or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return None
    blob = bytes(blob)
    flags = blob[3]
    empty = bool(flags & 0b10000)
    envelope = (flags >> 1) & 0b111
    if empty:
        return True, None
    if envelope in (1, 2, 3, 4):
        endian = "<" if flags & 1 else ">"
        return False, struct.unpack_from(endian + "4d", blob, 8)
    if envelope != 0:  # 5-7 are not defined
        return None
    try:
        geom = shapely.from_wkb(blob[8:])
    except (shapely.errors.GEOSException, ValueError):  # a broken blob is not a geometry
        return None
    if geom.is_empty:
        return True, None
    minx, miny, maxx, maxy = geom.bounds
    return False, (minx, maxx, miny, maxy)


def st_is_empty(blob):
    """``ST_IsEmpty(geom)``: 1 for an empty geometry, 0 otherwise, NULL for NULL or a non-geometry."""
    header = _header(blob)
    return None if header is None else int(header[0])


def _bound(index: int):
    def bound(blob):
        header = _header(blob)
        return None if header is None or header[1] is None else header[1][index]
    return bound


#: SQL name → Python function (one argument), as GDAL registers them.
GPKG_FUNCTIONS = {"ST_IsEmpty": st_is_empty, "ST_MinX": _bound(0), "ST_MaxX": _bound(1),
                  "ST_MinY": _bound(2), "ST_MaxY": _bound(3)}


def register_gpkg_functions(dbapi_connection) -> None:
    """Register :data:`GPKG_FUNCTIONS` on a ``sqlite3`` connection (deterministic, one argument each)."""
    for name, function in GPKG_FUNCTIONS.items():
        dbapi_connection.create_function(name, 1, function, deterministic=True)


# ---------------------------------------------------------------- the index
def rtree_name(table: str, geom_col: str) -> str:
    """Name of the R-tree virtual table of ``table.geom_col`` (``rtree_<t>_<c>``)."""
    return f"rtree_{table}_{geom_col}"


def gpkg_version(conn) -> str:
    """``"1.4"`` for a GeoPackage whose ``user_version`` is ≥ 10400, else ``"1.3"``."""
    return "1.4" if int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0) >= 10400 else "1.3"


def _check_names(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"Tên bảng/cột không dùng được cho chỉ mục không gian: {name!r}.")


def ensure_spatial_index(conn, table: str, geom_col: str = "geometry", *, id_col: str = "fid",
                         rebuild: bool = False) -> bool:
    """Make sure ``table.geom_col`` has its spatial index (inside the caller's transaction).

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A write connection; on SQLite it must have :func:`register_gpkg_functions` (every connection
        of :func:`store.engine.make_engine` has).
    table, geom_col, id_col : str
        A layer table (registered in ``gpkg_geometry_columns`` on GeoPackage), its geometry column and
        its integer primary key. Plain identifiers only.
    rebuild : bool
        Drop an existing R-tree (virtual table, triggers, extension row) and build it again from the
        table: for an index that may be stale (one a GIS program made before the store renamed tables).

    Returns
    -------
    bool
        True when an index was created (or rebuilt), False when it was there already.

    Raises
    ------
    ValueError
        A name that is not a plain identifier.
    """
    _check_names(table, geom_col, id_col)
    if conn.dialect.name == "postgresql":
        return _ensure_gist(conn, table, geom_col)
    rtree = rtree_name(table, geom_col)
    if rebuild:
        drop_spatial_index(conn, table, geom_col)
    elif has_spatial_index(conn, table, geom_col):
        return False
    else:  # a half-made index (virtual table without its triggers, or the reverse) is made whole
        drop_spatial_index(conn, table, geom_col)
    conn.exec_driver_sql(GPKG_EXTENSIONS_DDL)
    conn.exec_driver_sql(f'CREATE VIRTUAL TABLE "{rtree}" USING rtree(id, minx, maxx, miny, maxy)')
    conn.exec_driver_sql(
        f'INSERT OR REPLACE INTO "{rtree}" SELECT "{id_col}", ST_MinX("{geom_col}"), ST_MaxX("{geom_col}"), '
        f'ST_MinY("{geom_col}"), ST_MaxY("{geom_col}") FROM "{table}" '
        f'WHERE "{geom_col}" NOT NULL AND NOT ST_IsEmpty("{geom_col}")')
    for trigger in TRIGGER_SETS[gpkg_version(conn)]:
        body = _TRIGGERS[trigger].format(r=rtree, t=table, c=geom_col, i=id_col)
        conn.exec_driver_sql(f'CREATE TRIGGER "{rtree}_{trigger}" {body}')
    conn.execute(text("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                      "VALUES (:t, :c, 'gpkg_rtree_index', :d, 'write-only')"),
                 {"t": table, "c": geom_col, "d": RTREE_DEFINITION})
    return True


def has_spatial_index(conn, table: str, geom_col: str = "geometry") -> bool:
    """True when the whole index is there: SQLite R-tree, its triggers of this file's version and the
    ``gpkg_extensions`` row; on PostGIS a GiST index on the column."""
    if conn.dialect.name == "postgresql":
        return _gist_index(conn, table, geom_col) is not None
    rtree = rtree_name(table, geom_col)
    names = {r[0] for r in conn.execute(text(
        "SELECT name FROM sqlite_master WHERE name = :r OR (type = 'trigger' AND tbl_name = :t AND name LIKE :p)"),
        {"r": rtree, "t": table, "p": f"{rtree}_%"})}
    wanted = {rtree, *(f"{rtree}_{t}" for t in TRIGGER_SETS[gpkg_version(conn)])}
    if not wanted <= names or not _has_table(conn, "gpkg_extensions"):
        return False
    return conn.execute(text("SELECT 1 FROM gpkg_extensions WHERE table_name = :t AND column_name = :c "
                             "AND extension_name = 'gpkg_rtree_index'"), {"t": table, "c": geom_col}).first() is not None


def drop_spatial_index(conn, table: str, geom_col: str = "geometry") -> None:
    """Remove the R-tree of ``table.geom_col`` (virtual table, every ``rtree_<t>_<c>_*`` trigger on any
    table, extension row). SQLite only; a no-op when there is none."""
    _check_names(table, geom_col)
    if conn.dialect.name != "sqlite":
        return
    rtree = rtree_name(table, geom_col)
    triggers = [r[0] for r in conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, :n) = :p"),
        {"n": len(rtree) + 1, "p": f"{rtree}_"})]
    for trigger in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{rtree}"')
    if _has_table(conn, "gpkg_extensions"):
        conn.execute(text("DELETE FROM gpkg_extensions WHERE table_name = :t AND column_name = :c "
                          "AND extension_name = 'gpkg_rtree_index'"), {"t": table, "c": geom_col})


def _has_table(conn, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                        {"n": name}).first() is not None


def _gist_index(conn, table: str, geom_col: str) -> str | None:
    """Name of a GiST index whose only column is ``table.geom_col`` (PostGIS), or None."""
    return conn.execute(text(
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] "
        "WHERE t.oid = to_regclass(:t) AND am.amname = 'gist' AND x.indnatts = 1 AND a.attname = :c"),
        {"t": f'"{table}"', "c": geom_col}).scalar()


def _ensure_gist(conn, table: str, geom_col: str) -> bool:
    if _gist_index(conn, table, geom_col) is not None:
        return False
    conn.exec_driver_sql(f'CREATE INDEX "ix_{table}_{geom_col}_gist" ON "{table}" USING GIST ("{geom_col}")')
    return True
