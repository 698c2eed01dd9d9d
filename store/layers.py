"""Write and read whole layer tables (GeoDataFrame ⇄ table) with SQLAlchemy Core on either backend.

A *layer table* holds one layer version: an integer ``fid`` primary key (GeoPackage requires one),
one column per DataFrame column, and, for a GeoDataFrame, a ``geometry`` column of
:class:`store.geometry.GeometryColumn` in EPSG:9215. Column types follow the pandas dtypes
(see :func:`sql_type_for`). Nothing here commits: callers pass a connection inside their own
transaction, so a layer is written whole or not at all.
"""
from __future__ import annotations

import datetime as dt
import json
import math

import geoalchemy2  # noqa: F401 - teaches SQLAlchemy the PostGIS types, for reflection
import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, Column, Date, Double, Integer, MetaData, Table, Text, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import NullType

from domain.crs import STORE_EPSG
from store.errors import StoreError
from store.geometry import (
    GeometryColumn,
    geometry_type_name,
    register_gpkg_attributes,
    register_gpkg_layer,
    stored_geometry_type,
    update_gpkg_layer,
)
from store.spatial_index import drop_spatial_index, ensure_spatial_index
from store.types import UtcDateTime

GEOMETRY_COLUMN = "geometry"

#: Current layer tables whose key column is unique (issue 10: unique ``parcel_id``), enforced by a
#: unique index made with the table (:func:`create_unique_key_index`).
UNIQUE_KEYS: dict[str, str] = {"parcels": "parcel_id"}


def _object_kind(values: pd.Series) -> str:
    non_null = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))
                and v is not pd.NaT]
    if not non_null:
        return "text"
    if all(isinstance(v, (bool, np.bool_)) for v in non_null):
        return "bool"
    if all(isinstance(v, dt.datetime) for v in non_null):
        return "datetime"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in non_null):
        return "date"
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in non_null):
        return "int"
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
           for v in non_null):
        return "float"
    return "text"


def column_kind(series: pd.Series) -> str:
    """Storage kind of a pandas column: ``bool``, ``int``, ``float``, ``date``, ``datetime`` or ``text``.

    A ``datetime64`` column whose values are all at midnight (how GDAL returns GeoPackage DATE
    fields) is stored as ``date``.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = series.dropna()
        naive = values.dt.tz_localize(None) if getattr(dtype, "tz", None) is not None else values
        if getattr(dtype, "tz", None) is None and (naive == naive.dt.normalize()).all():
            return "date"
        return "datetime"
    if pd.api.types.is_object_dtype(dtype):
        return _object_kind(series)
    return "text"


def sql_type_for(kind: str):
    """SQLAlchemy type for a storage kind (see :func:`column_kind`)."""
    return {
        "bool": Boolean(),
        "int": BigInteger().with_variant(Integer(), "sqlite"),  # GeoPackage knows INTEGER (64-bit)
        "float": Double(),  # GeoPackage DOUBLE = 8-byte (FLOAT would be read as 4-byte)
        "date": Date(),
        "datetime": UtcDateTime,
        "text": Text(),
    }[kind]


def _to_python(series: pd.Series, kind: str) -> list:
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return [None if pd.isna(v) else v.date() for v in series]
        return [None if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else v
                for v in series]
    if kind == "datetime":
        values = pd.to_datetime(series, utc=True)
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if kind == "text":
        out = []
        for v in series.astype(object):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                out.append(None)
            elif isinstance(v, (list, dict, tuple)):
                out.append(json.dumps(v, ensure_ascii=False, default=str))
            else:
                out.append(str(v))
        return out
    if kind == "bool":
        return [None if pd.isna(v) else bool(v) for v in series.astype(object)]
    if kind == "int":
        return [None if pd.isna(v) else int(v) for v in series.astype(object)]
    return [None if pd.isna(v) else float(v) for v in series.astype(object)]


def build_table(table_name: str, frame: pd.DataFrame, geometry_type: str | None) -> Table:
    """SQLAlchemy ``Table`` for ``frame``: ``fid`` primary key, one column per DataFrame column.

    Raises
    ------
    ValueError
        If a column is named ``fid`` or a column name is not a string.
    """
    columns = [Column("fid", Integer, primary_key=True, autoincrement=True)]
    for name in frame.columns:
        if name == GEOMETRY_COLUMN and geometry_type is not None:
            continue
        if not isinstance(name, str) or name.lower() == "fid":
            raise ValueError(f"Tên cột không dùng được trong kho dữ liệu: {name!r}.")
        columns.append(Column(name, sql_type_for(column_kind(frame[name]))))
    if geometry_type is not None:
        columns.append(Column(GEOMETRY_COLUMN, GeometryColumn(geometry_type, STORE_EPSG)))
    return Table(table_name, MetaData(), *columns, sqlite_autoincrement=True)


def write_layer_table(conn, table_name: str, frame: pd.DataFrame, *, identifier: str | None = None,
                      description: str = "", register: bool = True) -> int:
    """Create ``table_name`` and insert every row of ``frame`` (inside the caller's transaction).

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        Open connection in a transaction; nothing is committed here.
    frame : GeoDataFrame in EPSG:9215 (geometry column renamed to ``geometry``) or plain DataFrame
    identifier, description : str
        GeoPackage ``gpkg_contents`` identifier/description (SQLite only).
    register : bool
        Register the table in the GeoPackage metadata (feature layer for a GeoDataFrame, attribute
        table otherwise; SQLite only).

    Returns
    -------
    int
        Number of rows written.

    Raises
    ------
    ValueError
        If a GeoDataFrame is not in EPSG:9215.
    """
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    geometry_type = None
    if is_geo:
        frame, geometry_type = _geo_frame(table_name, frame)
    table = build_table(table_name, frame, geometry_type)
    table.create(conn)
    if conn.dialect.name == "postgresql" and is_geo:
        ensure_spatial_index(conn, table_name, GEOMETRY_COLUMN)
    if UNIQUE_KEYS.get(table_name) in frame.columns:
        create_unique_key_index(conn, table_name, UNIQUE_KEYS[table_name])
    count = insert_rows(conn, table, frame)
    if is_geo and register:
        register_gpkg_layer(conn, table_name, geometry_type, _bounds(frame), identifier=identifier or table_name,
                            description=description)
        ensure_spatial_index(conn, table_name, GEOMETRY_COLUMN)
    elif register:
        register_gpkg_attributes(conn, table_name, identifier=identifier or table_name, description=description)
    return count


def _bounds(frame: gpd.GeoDataFrame):
    return frame.total_bounds if len(frame) else (float("nan"),) * 4


def _geo_frame(table_name: str, frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """``frame`` with its geometry column named ``geometry`` and its GeoPackage geometry type.

    Raises ValueError when it is not in EPSG:9215."""
    if frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
        raise ValueError(f"Lớp {table_name!r} phải ở EPSG:{STORE_EPSG}, nhận {frame.crs}.")
    if frame.geometry.name != GEOMETRY_COLUMN:
        frame = frame.rename_geometry(GEOMETRY_COLUMN)
    return frame, geometry_type_name(frame.geometry.values)


def insert_rows(conn, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` into ``table`` (columns by name, ``fid`` assigned by the database)."""
    names = [c.name for c in table.columns if c.name != "fid"]
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    cols = []
    for name in names:
        if name == GEOMETRY_COLUMN and is_geo:
            cols.append(list(frame.geometry.values))
        else:
            cols.append(_to_python(frame[name], column_kind(frame[name])))
    rows = [dict(zip(names, values)) for values in zip(*cols)] if names else [{} for _ in range(len(frame))]
    if rows:
        conn.execute(table.insert(), rows)
    return len(rows)


def replace_rows(conn, table_name: str, frame: gpd.GeoDataFrame) -> int:
    """Make the rows of the existing layer table ``table_name`` those of ``frame``, keeping the table.

    The table keeps its name and identity (PostGIS OID, views on it, grants; on GeoPackage its
    ``gpkg_contents`` row and R-tree): every row is deleted, the columns are brought to those of
    ``frame`` (a new column is added, a column ``frame`` lacks or holds with another type is dropped
    and, for the latter, added again; a changed geometry type changes the geometry column), the rows
    are inserted and the GeoPackage extent, time and geometry type are updated. Inside the caller's
    transaction: a failure leaves the table as it was.

    Returns
    -------
    int
        Rows written.

    Raises
    ------
    ValueError
        ``frame`` not in EPSG:9215.
    store.errors.StoreError
        The database refuses to change a column (on PostGIS: a view depends on it).
    """
    frame, geometry_type = _geo_frame(table_name, frame)
    conn.execute(text(f'DELETE FROM "{table_name}"'))
    target = build_table(table_name, frame, geometry_type)
    try:
        _align_columns(conn, table_name, target)
        _align_geometry(conn, table_name, geometry_type)
    except DBAPIError as exc:
        raise StoreError(f"Không đổi được cột của lớp {table_name!r} theo phiên bản mới (một view hay đối tượng "
                         f"khác trong cơ sở dữ liệu dùng cột đó); chưa ghi gì. Chi tiết: {exc.orig}") from exc
    count = insert_rows(conn, target, frame)
    update_gpkg_layer(conn, table_name, geometry_type, _bounds(frame))
    ensure_spatial_index(conn, table_name, GEOMETRY_COLUMN)  # built again if a geometry type change dropped it
    return count


def _type_spec(type_, dialect) -> str:
    return type_.compile(dialect=dialect).upper()


def _align_columns(conn, table_name: str, target: Table) -> None:
    """Drop the attribute columns ``target`` lacks or types differently, add those it has in addition."""
    existing = {c["name"]: c["type"] for c in inspect(conn).get_columns(table_name)}
    wanted = {c.name: c.type for c in target.columns if c.name not in ("fid", GEOMETRY_COLUMN)}
    for name, type_ in list(existing.items()):
        if name in ("fid", GEOMETRY_COLUMN):
            continue
        if name not in wanted or _type_spec(type_, conn.dialect) != _type_spec(wanted[name], conn.dialect):
            conn.execute(text(f'ALTER TABLE "{table_name}" DROP COLUMN "{name}"'))
            existing.pop(name)
    for name, type_ in wanted.items():
        if name not in existing:
            conn.execute(text(f'ALTER TABLE "{table_name}" ADD COLUMN "{name}" {_type_spec(type_, conn.dialect)}'))


def _align_geometry(conn, table_name: str, geometry_type: str) -> None:
    """Give the (empty) table's geometry column ``geometry_type`` when it has another one."""
    if stored_geometry_type(conn, table_name) == geometry_type:
        return
    column = GeometryColumn(geometry_type, STORE_EPSG).compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        conn.execute(text(f'ALTER TABLE "{table_name}" ALTER COLUMN "{GEOMETRY_COLUMN}" TYPE {column}'))
        return
    # SQLite cannot change a declared type: the table is empty, so the column is dropped and added again.
    drop_spatial_index(conn, table_name, GEOMETRY_COLUMN)
    conn.execute(text(f'ALTER TABLE "{table_name}" DROP COLUMN "{GEOMETRY_COLUMN}"'))
    conn.execute(text(f'ALTER TABLE "{table_name}" ADD COLUMN "{GEOMETRY_COLUMN}" {column}'))


def create_unique_key_index(conn, table_name: str, column: str) -> None:
    """A unique index on ``table_name(column)``, named so that it never clashes with the index of an
    archived version of the table (an index keeps its name when its table is renamed).

    PostgreSQL names it itself; SQLite gets ``ux_<table>_<column>`` or, when an archived table holds
    that name, the first free ``ux_<table>_<column>_<n>``.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text(f'CREATE UNIQUE INDEX ON "{table_name}" ("{column}")'))
        return
    taken = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).all()}
    base = name = f"ux_{table_name}_{column}"
    n = 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    conn.execute(text(f'CREATE UNIQUE INDEX "{name}" ON "{table_name}" ("{column}")'))


def table_exists(conn, table_name: str) -> bool:
    """True when ``table_name`` exists in the store's schema."""
    return inspect(conn).has_table(table_name)


def reflect_layer_table(conn, table_name: str) -> Table:
    """Rebuild the ``Table`` of an existing layer table, with :class:`GeometryColumn` for ``geometry``."""
    columns = []
    for info in inspect(conn).get_columns(table_name):
        name, type_ = info["name"], info["type"]
        if name == GEOMETRY_COLUMN:
            type_ = GeometryColumn("GEOMETRY", STORE_EPSG)
        elif isinstance(type_, NullType):
            type_ = Text()
        columns.append(Column(name, type_, primary_key=name == "fid"))
    return Table(table_name, MetaData(), *columns)


def read_layer_table(conn, table_name: str, where=None, *, geometry: bool = True) -> pd.DataFrame:
    """Read a layer table back: GeoDataFrame (EPSG:9215) when it has a geometry column, else DataFrame.

    Rows come in ``fid`` order; ``fid`` itself is dropped. Date columns hold ``datetime.date``;
    NULL numbers are NaN.

    Parameters
    ----------
    where : callable(Table) -> SQL expression, optional
        Row filter, e.g. ``lambda t: t.c.project_id == "QL4B"``.
    geometry : bool
        False: the attribute columns only, as a plain DataFrame (the geometry is neither read nor decoded:
        for computations that need no shape, e.g. the ``parcel_status`` attributes).
    """
    table = reflect_layer_table(conn, table_name)
    wanted = [c for c in table.columns if geometry or c.name != GEOMETRY_COLUMN]
    query = select(*wanted).order_by(table.c.fid)
    if where is not None:
        query = query.where(where(table))
    result = conn.execute(query)
    names = [c.name for c in wanted]
    data = [tuple(r) for r in result.all()]  # plain tuples: pandas probes SQLAlchemy Row objects slowly
    frame = pd.DataFrame.from_records(data, columns=names) if data else pd.DataFrame(
        {n: pd.Series(dtype=object) for n in names})
    for col in wanted:
        if isinstance(col.type, Boolean) and len(frame) and frame[col.name].notna().all():
            frame[col.name] = frame[col.name].astype(bool)
    frame = frame.drop(columns="fid")
    if GEOMETRY_COLUMN in names:
        return gpd.GeoDataFrame(frame, geometry=GEOMETRY_COLUMN, crs=STORE_EPSG)
    return frame


def _empty_columns() -> dict[str, tuple[str, ...]]:
    from domain.tables import (
        CENTRELINE_COLUMNS,
        COMMUNE_REQUIRED,
        MILESTONE_COLUMNS,
        PARCEL_COLUMNS,
        PROJECT_COLUMNS,
    )

    return {"projects": PROJECT_COLUMNS, "centrelines": CENTRELINE_COLUMNS, "parcels": PARCEL_COLUMNS,
            "communes": COMMUNE_REQUIRED, "roads": (), "milestones": MILESTONE_COLUMNS}


#: Columns ending so hold numbers (m², m, %): an empty layer still has them as float, not object.
_FLOAT_SUFFIXES = ("_m2", "_m", "_percent")


def empty_layer(table_name: str) -> pd.DataFrame:
    """The layer ``table_name`` of a store that has none yet (``init`` without ``--demo``): no rows, the
    contract columns of :mod:`domain.tables` (numbers float, ``illustrative`` bool); a GeoDataFrame in
    EPSG:9215 except for ``milestones``.
    """
    columns = _empty_columns().get(table_name, ())
    frame = pd.DataFrame({name: pd.Series(dtype=float if name.endswith(_FLOAT_SUFFIXES) else
                                          bool if name == "illustrative" else object) for name in columns})
    if table_name == "milestones":
        return frame
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORE_EPSG), crs=STORE_EPSG)
