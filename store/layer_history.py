"""Earlier versions of the versioned layers: ONE history table per layer, ``<layer>__history``.

When a layer is replaced, the rows of its current table are copied here with their ``version``
(:func:`archive`), in the replacing transaction. A history table has

- ``history_id`` (integer primary key), ``version`` (the layer version the row belonged to, indexed),
  ``fid`` (the row's ``fid`` in that version);
- ``geometry``: a plain ``BLOB`` on GeoPackage holding the GeoPackage geometry blob as the layer had it,
  ``bytea`` holding ISO WKB on PostGIS. It is NOT a spatial layer: not in ``gpkg_contents`` /
  ``gpkg_geometry_columns`` (GeoPackage) and not of type ``geometry``, so not in ``geometry_columns``
  (PostGIS; a tile server such as Martin or pg_tileserv does not publish it), no spatial index;
- one column per attribute column any archived version had, with the type the layer table gave it.
  A column that comes back with another type is kept apart as ``<column>__2`` (``__3`` …), so no
  value is converted; names the history table uses itself (``history_id``, ``version``, ``fid``,
  ``geometry``) get the same treatment.

Which columns each version had (and under which history column) is recorded in
``layer_history_columns`` (``layer_name``, ``version``, ``columns_json`` = ``[[column, stored_as], …]``
in the layer's column order, ``geometry_type``, ``archived_at``), so :func:`read_version` gives back
exactly that version's columns, an all-NULL column included. ``layer_versions`` keeps one row per
version (time, source, count, report) as before.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Boolean, Column, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import NullType, Text, UserDefinedType

from domain.crs import STORE_EPSG
from store import schema
from store.geometry import decode_gpkg, encode_gpkg, stored_geometry_type

GEOMETRY_COLUMN = "geometry"

#: Columns of every history table (a layer column with one of these names is stored as ``<name>__2``).
RESERVED_COLUMNS = ("history_id", "version", "fid", GEOMETRY_COLUMN)


class ArchivedGeometry(UserDefinedType):
    """A geometry kept as a plain blob: GeoPackage binary in ``BLOB`` (SQLite), ISO WKB in ``bytea`` (PostGIS)."""

    cache_ok = True

    def get_col_spec(self, **kw):
        return "BLOB"

    def bind_processor(self, dialect):
        if dialect.name == "postgresql":
            return lambda g: None if g is None else shapely.to_wkb(g, output_dimension=2, flavor="iso")
        return lambda g: encode_gpkg(g, STORE_EPSG)

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            return lambda v: None if v is None else shapely.from_wkb(bytes(v))
        return decode_gpkg


@compiles(ArchivedGeometry, "postgresql")
def _archived_geometry_pg(type_, compiler, **kw):
    return "bytea"


def history_table(name: str) -> str:
    """Name of the history table of layer ``name`` (``parcels`` → ``parcels__history``)."""
    return f"{name}__history"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ensure_table(conn, name: str) -> str:
    table = history_table(name)
    if not inspect(conn).has_table(table):
        Table(table, MetaData(),
              Column("history_id", Integer, primary_key=True, autoincrement=True),
              Column("version", Integer, nullable=False, index=True),
              Column("fid", Integer),
              Column(GEOMETRY_COLUMN, ArchivedGeometry()),
              sqlite_autoincrement=True).create(conn)
    return table


def _spec(type_, dialect) -> str:
    return type_.compile(dialect=dialect).upper()


def _stored_column(conn, table: str, known: dict, column: str, spec: str) -> str:
    """The history column holding ``column`` of type ``spec`` (added when missing)."""
    for i in range(1, 1000):
        candidate = column if i == 1 else f"{column}__{i}"
        if candidate in RESERVED_COLUMNS:
            continue
        if candidate not in known:
            conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN "{candidate}" {spec}'))
            known[candidate] = spec
            return candidate
        if known[candidate] == spec:
            return candidate
    raise ValueError(f"Quá nhiều kiểu khác nhau cho cột {column!r} trong {table!r}.")


def archive(conn, name: str, version: int, source_table: str | None = None) -> int:
    """Copy every row of ``source_table`` (default: the current table ``name``) into the history of
    ``name`` as ``version`` and record its columns (inside the caller's transaction; SQL only, the rows
    do not pass through Python). Returns the number of rows copied."""
    source = source_table or name
    table = _ensure_table(conn, name)
    inspector = inspect(conn)
    known = {c["name"]: _spec(c["type"], conn.dialect) for c in inspector.get_columns(table)}
    source_columns = inspector.get_columns(source)
    mapping = []
    for info in source_columns:
        if info["name"] in ("fid", GEOMETRY_COLUMN):
            continue
        type_ = Text() if isinstance(info["type"], NullType) else info["type"]
        mapping.append([info["name"], _stored_column(conn, table, known, info["name"], _spec(type_, conn.dialect))])
    has_geometry = any(c["name"] == GEOMETRY_COLUMN for c in source_columns)
    geometry = ('ST_AsBinary("geometry")' if conn.dialect.name == "postgresql" else '"geometry"') if has_geometry else "NULL"
    targets = ", ".join(f'"{stored}"' for _, stored in mapping)
    sources = ", ".join(f'"{column}"' for column, _ in mapping)
    copied = conn.execute(text(
        f'INSERT INTO "{table}" (version, fid, geometry{", " + targets if mapping else ""}) '
        f'SELECT :v, fid, {geometry}{", " + sources if mapping else ""} FROM "{source}" ORDER BY fid'),
        {"v": int(version)}).rowcount
    conn.execute(schema.layer_history_columns.insert().values(
        layer_name=name, version=int(version), columns_json=json.dumps(mapping, ensure_ascii=False),
        geometry_type=stored_geometry_type(conn, source) if has_geometry else None, archived_at=_utcnow()))
    return int(copied)


def has_version(conn, name: str, version: int) -> bool:
    """True when the history of ``name`` holds ``version``."""
    h = schema.layer_history_columns
    return conn.execute(select(h.c.version).where(h.c.layer_name == name, h.c.version == int(version))).first() is not None


def read_version(conn, name: str, version: int) -> gpd.GeoDataFrame:
    """``version`` of layer ``name`` from its history: the columns it had, in ``fid`` order, EPSG:9215.

    Raises
    ------
    KeyError
        The history does not hold that version.
    """
    h = schema.layer_history_columns
    columns_json = conn.execute(select(h.c.columns_json).where(h.c.layer_name == name,
                                                               h.c.version == int(version))).scalar()
    if columns_json is None:
        raise KeyError((name, version))
    mapping = json.loads(columns_json)
    table = _reflect(conn, history_table(name))
    stored = [table.c[s] for _, s in mapping]
    rows = conn.execute(select(*stored, table.c[GEOMETRY_COLUMN]).where(table.c.version == int(version))
                        .order_by(table.c.fid)).all()
    names = [c for c, _ in mapping]
    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=[*names, GEOMETRY_COLUMN]) if rows else \
        pd.DataFrame({n: pd.Series(dtype=object) for n in [*names, GEOMETRY_COLUMN]})
    for (column, _), col in zip(mapping, stored):
        if isinstance(col.type, Boolean) and len(frame) and frame[column].notna().all():
            frame[column] = frame[column].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=GEOMETRY_COLUMN, crs=STORE_EPSG)


def _reflect(conn, table_name: str) -> Table:
    columns = []
    for info in inspect(conn).get_columns(table_name):
        type_ = info["type"]
        if info["name"] == GEOMETRY_COLUMN:
            type_ = ArchivedGeometry()
        elif isinstance(type_, NullType):
            type_ = Text()
        columns.append(Column(info["name"], type_, primary_key=info["name"] == "history_id"))
    return Table(table_name, MetaData(), *columns)
