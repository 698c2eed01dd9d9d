"""The ``parcel_status`` layer: progress as a QGIS/tile-server layer, kept current inside every write.

One table with a fixed name and identity (never renamed or re-created, so a QGIS project, a view or a
tile server keeps reading it): each parcel's geometry (MultiPolygon, EPSG:9215) with its stage, stage
date, flags, risk, next action and deadline as of ``as_of`` (columns
:data:`domain.tables.PARCEL_STATUS_COLUMNS`). Registered as a GeoPackage feature layer (PostGIS:
``geometry(MultiPolygon, 9215)`` with a GiST index), with Vietnamese field aliases
(``gpkg_data_columns`` / ``COMMENT ON COLUMN``) and a default QGIS style in ``layer_styles``.

Layering (pyproject.toml): the store may not import ``milestones``, where stages, risk and deadlines are
computed. So the computation is *registered* here by the layer that owns it: ``cli.py`` and the
dashboard call :func:`milestones.status_layer.install`, which passes
:func:`milestones.status_layer.parcel_status_frame` to :func:`register_refresher`. Every store write
that changes parcels or the ledger (upload commit, revert, layer replacement or restore, a confirmed
proposal, seeding) then calls :func:`refresh_in` on its own connection, inside its own transaction: the
refresher reads the uncommitted state through :class:`ConnectionReader` and the layer is rewritten
(``DELETE`` + ``INSERT``) before the commit, so it never disagrees with the ledger it was computed from.
In a process where nothing registered a refresher (a script using :mod:`store` alone) the layer is
left as it was and marked stale: :func:`status_state` says so.
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from domain import office_time
from domain.crs import STORE_EPSG
from domain.stages import STAGES
from domain.tables import PARCEL_STATUS_COLUMNS
from gis.qgis_style import Category, categorized_qml, categorized_sld
from parsing.columns import map_distinct
from store import config, identity, schema, uploads
from store.errors import StoreError
from store.geometry import GeometryColumn, _now_iso
from store.layers import read_layer_table, table_exists
from vocab.headers import STATUS_LAYER_HEADERS_VI
from vocab.labels import STAGE_COLOURS, stage_label

log = logging.getLogger(__name__)

#: Name of the layer (table) on both backends.
STATUS_TABLE = "parcel_status"
#: Its title in GeoPackage ``gpkg_contents`` and in the PostGIS table comment.
STATUS_TITLE_VI = "Tiến độ GPMB theo thửa (parcel_status)"
#: ``layer_styles.styleName`` of the style the store writes (a user's own styles are left alone).
STYLE_NAME = "GPMB - giai đoạn"
#: ``layer_styles.owner`` of that style.
STYLE_OWNER = "gpmb-tracker"
#: ``gpkg_data_column_constraints`` enum of the stage codes (QGIS/GDAL read it as a coded field domain).
STAGE_CONSTRAINT = "gpmb_stage"
#: Time zone of "today" (``as_of`` is the day in Vietnam when the write commits).
LOCAL_TZ = office_time.LOCAL_TZ
#: ``store_meta`` key: the data version the layer was computed from (JSON).
VERSION_KEY = "parcel_status_data_version"
#: The parcels layer version the rows (their geometry) were last written from (:func:`write_status`).
GEOMETRY_VERSION_KEY = "parcel_status_parcels_version"

_KINDS = {"parcel_id": Text, "project_id": Text, "commune": Text, "commune_former": Text, "map_sheet": Integer,
          "parcel_number": Text, "area_to_recover_m2": Double, "stage": Text, "stage_rank": Integer,
          "stage_date": Date, "complaint_open": Boolean, "enforced": Boolean, "compulsory_inventory": Boolean,
          "days_in_stage": Integer, "risk_flags": Text, "at_risk": Boolean, "next_action": Text,
          "next_deadline": Date, "days_overdue": Integer, "as_of": Date}

#: A refresher: (a reader of the store as the write transaction sees it, the as-of date) → GeoDataFrame
#: with :data:`PARCEL_STATUS_COLUMNS` and a geometry, one row per parcel.
StatusRefresher = Callable[["ConnectionReader", date], pd.DataFrame]

_refresher: StatusRefresher | None = None


def status_columns() -> list[Column]:
    """The columns of ``parcel_status`` (``fid`` first, ``geometry`` last), fresh objects for one Table."""
    return [Column("fid", Integer, primary_key=True, autoincrement=True),
            *[Column(name, _KINDS[name]()) for name in PARCEL_STATUS_COLUMNS],
            Column("geometry", GeometryColumn("MULTIPOLYGON", STORE_EPSG))]


def status_table() -> Table:
    """SQLAlchemy ``Table`` of ``parcel_status`` (created by migration 0007)."""
    return Table(STATUS_TABLE, MetaData(), *status_columns(), sqlite_autoincrement=True)


def register_refresher(refresher: StatusRefresher | None) -> StatusRefresher | None:
    """Make ``refresher`` the computation of the layer for this process; returns the previous one.

    ``None`` unregisters (the layer is then marked stale by writes instead of recomputed).
    """
    global _refresher
    previous, _refresher = _refresher, refresher
    return previous


def registered_refresher() -> StatusRefresher | None:
    """The refresher registered for this process, or None."""
    return _refresher


def today_local() -> date:
    """Today in Vietnam (Asia/Ho_Chi_Minh, UTC+7): the ``as_of`` of a refresh at commit time."""
    return datetime.now(LOCAL_TZ).date()


class ConnectionReader:
    """The store's read interface (:class:`store.protocol.StoreReader`) over ONE open connection.

    A refresher given this reader inside a write transaction sees that transaction's own uncommitted
    rows (a separate connection would not, on either backend). Same tables and readers as
    :class:`store.store.Store`.
    """

    def __init__(self, conn, project_ids: Collection[str] | None = None, *, parcel_geometry: bool = True):
        self.conn = conn
        #: When given, the layers, milestones and events are those of these projects only (a partial
        #: refresh reads what it recomputes, :func:`refresh_in`); None = the whole store.
        self.project_ids = None if project_ids is None else sorted({str(p) for p in project_ids})
        #: False: :meth:`parcels` is a plain DataFrame without the geometry (a refresh that only updates
        #: the attributes of rows whose geometry is already the parcels', :func:`refresh_in`).
        self.parcel_geometry = parcel_geometry

    def _layer(self, name: str, project_id: str | None = None, geometry: bool = True):
        ids = self.project_ids if project_id is None else [
            p for p in (self.project_ids or [str(project_id)]) if p == str(project_id)]
        if ids is None:
            return read_layer_table(self.conn, name, geometry=geometry)
        return read_layer_table(self.conn, name, lambda t: t.c.project_id.in_(ids), geometry=geometry)

    def projects(self):
        return self._layer("projects")

    def centrelines(self):
        return self._layer("centrelines")

    def parcels(self, project_id: str | None = None):
        return self._layer("parcels", project_id, self.parcel_geometry)

    def communes(self):
        return read_layer_table(self.conn, "communes")

    def roads(self):
        return read_layer_table(self.conn, "roads")

    def milestones(self, as_of: date | None = None) -> pd.DataFrame:
        frame = config.milestones_in_force(self.conn, as_of)
        if self.project_ids is None or "project_id" not in frame.columns:
            return frame
        return frame[frame["project_id"].astype(str).isin(self.project_ids)].reset_index(drop=True)

    def rules(self, as_of: date | None = None) -> dict:
        return config.rules_in_force(self.conn, as_of)

    def config_history(self, kind: str | None = None) -> pd.DataFrame:
        return config.read_changes(self.conn, kind)

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        if self.project_ids is None:
            return uploads.read_events(self.conn, include_reverted)
        return uploads.read_events(self.conn, include_reverted, _of_projects(schema.events, self.project_ids))

    def uploads(self) -> pd.DataFrame:
        return uploads.read_uploads(self.conn)

    def data_version(self) -> dict:
        return uploads.read_data_version(self.conn)


def _of_projects(events, project_ids: Collection[str]):
    """Events of ``project_ids``: by their ``project_id``, or by their parcel's (the key a parcel's stage follows)."""
    ids = sorted(project_ids)
    parcels = sql_table("parcels", sql_column("parcel_id"), sql_column("project_id"))
    return events.c.project_id.in_(ids) | events.c.parcel_id.in_(
        select(parcels.c.parcel_id).where(parcels.c.project_id.in_(ids)))


def touched_projects(conn, upload_id: int) -> set | None:
    """The projects an upload's events concern: their ``project_id`` and their parcels' (the ``projects``
    of :func:`refresh_in` for a commit or revert of that upload); None when one has no project."""
    if not table_exists(conn, "parcels"):
        return None
    ev = schema.events
    parcels = sql_table("parcels", sql_column("parcel_id"), sql_column("project_id"))
    mine = ev.c.upload_id == upload_id
    without = conn.execute(select(func.count()).select_from(ev).where(
        mine, ev.c.project_id.is_(None),
        ev.c.parcel_id.is_(None) | ev.c.parcel_id.not_in(select(parcels.c.parcel_id)))).scalar()
    if without:
        return None
    own = select(ev.c.project_id).where(mine, ev.c.project_id.is_not(None))
    of_parcels = select(parcels.c.project_id).join_from(parcels, ev, ev.c.parcel_id == parcels.c.parcel_id).where(mine)
    found = {r[0] for r in conn.execute(own.union(of_parcels))}
    return None if any(not isinstance(p, str) or not p.strip() for p in found) else found


def _version_text(conn) -> str:
    return json.dumps(uploads.read_data_version(conn), default=str, sort_keys=True)


_set_meta = identity.set_meta   # one implementation of store_meta writes


def layer_current(conn) -> bool:
    """True when the layer was computed from the store's present data version.

    A write calls it first, before changing anything: when the layer was current then, rewriting only
    the projects the write touches leaves every row as a full recomputation would (:func:`refresh_in`).
    """
    stored = _read_meta(conn, VERSION_KEY)
    return stored is not None and stored == _version_text(conn)


def refresh_in(conn, as_of: date | None = None, refresher: StatusRefresher | None = None, *,
               projects: Collection | None = None, was_current: bool = False) -> int | None:
    """Recompute ``parcel_status`` inside the caller's write transaction (nothing is committed here).

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The write transaction that has just changed parcels or the ledger.
    as_of : date, optional
        Default :func:`today_local`.
    refresher : callable, optional
        Default: the one of :func:`register_refresher`.
    projects : collection of str, optional
        The projects whose events the write added or reverted (a ledger write; a layer or configuration
        write passes None). With ``was_current`` the refresher is given a reader of these projects only
        and only their rows are updated, when that gives what a full recomputation would
        (:func:`_partial_allowed`: same as-of day and parcels version as the stored rows, every milestone
        in force tied to a project); otherwise every row is recomputed.
    was_current : bool
        :func:`layer_current` as the write found it, before changing anything.

    Returns
    -------
    int or None
        Rows written; None when no refresher is registered (the layer is left as it was, and
        :func:`status_state` reports it stale).

    Raises
    ------
    StoreError
        The refresher's frame lacks a column of :data:`PARCEL_STATUS_COLUMNS` (the write is rolled back).
    """
    fn = refresher or _refresher
    if fn is None:
        log.debug("parcel_status: no refresher registered, layer left stale")
        return None
    as_of = as_of or today_local()
    if projects is not None and was_current and _partial_allowed(conn, projects, as_of):
        written = _refresh_projects(conn, fn, as_of, {str(p) for p in projects})
        if written is not None:
            return written
    if _read_meta(conn, GEOMETRY_VERSION_KEY) == _parcels_version(conn):
        # the stored geometry is the parcels' already: when the frame holds the stored parcels only the
        # attributes change, so the frame is computed without reading or decoding a geometry
        written = _update_changed(conn, fn(ConnectionReader(conn, parcel_geometry=False), as_of))
        if written is not None:
            return written
    return write_status(conn, fn(ConnectionReader(conn), as_of))


def _partial_allowed(conn, projects: Collection, as_of: date) -> bool:
    """Whether the rows of other projects than ``projects`` stay what a full recomputation gives.

    They do when nothing they depend on changed: the stored rows are of this as-of day (the
    date-dependent columns) and of the current parcels version, and each milestone in force belongs to
    one project (a milestone without one would tie the projects' risk flags together). False also when
    ``projects`` hold every parcel: then the plain full refresh reads less than the filtered one.
    """
    if not projects or any(not isinstance(p, str) or not p.strip() for p in projects):
        return False
    parcels = sql_table("parcels", sql_column("project_id"))
    others = conn.execute(select(func.count()).select_from(parcels)
                          .where(parcels.c.project_id.not_in(sorted(projects)))).scalar()
    if not others:   # the write touches every parcel's project: the unfiltered reads are the cheaper ones
        return False
    if _read_meta(conn, GEOMETRY_VERSION_KEY) != _parcels_version(conn):
        return False
    table = status_table()
    other_day = conn.execute(select(func.count()).select_from(table)
                             .where((table.c.as_of != as_of) | table.c.as_of.is_(None))).scalar()
    if other_day:
        return False
    milestones = config.milestones_in_force(conn, as_of)
    return "project_id" in milestones.columns and bool(
        milestones["project_id"].map(lambda p: isinstance(p, str) and bool(p.strip())).all())


def _refresh_projects(conn, fn: StatusRefresher, as_of: date, projects: set[str]) -> int | None:
    """Recompute and update the rows of ``projects`` only; None when the stored rows of those projects
    are not the parcels the refresher returned (the caller then rewrites the whole layer)."""
    return _update_changed(conn, fn(ConnectionReader(conn, projects, parcel_geometry=False), as_of), projects)


def _update_changed(conn, frame: pd.DataFrame, projects: Collection[str] | None = None) -> int | None:
    """Update the stored rows (of ``projects``, or all) whose attributes differ from ``frame``'s, record
    the data version; rows updated, or None (nothing written) when ``frame`` does not hold the stored
    parcels. The geometry is not written: ``frame`` may have none."""
    changed = _changed_rows(conn, frame, projects, only_changed=True)
    if changed is None:
        return None
    _update_rows(conn, changed)
    write_metadata(conn)
    _set_meta(conn, VERSION_KEY, _version_text(conn))
    return len(changed)


def _multipolygon(geom):
    """A MultiPolygon for the layer's declared type (polygons of a collection kept; None if none)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    parts = [p for p in shapely.get_parts(shapely.get_parts(geom)) if p.geom_type == "Polygon"]
    return MultiPolygon(parts) if parts else None


def _cell(value, kind):
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind is Date:
        return value.date() if isinstance(value, (pd.Timestamp, datetime)) else value
    if kind is Boolean:
        return bool(value)
    if kind is Integer:
        # a map_sheet that is not a whole number: the derived layer keeps its integer columns for QGIS and
        # leaves such a cell empty; parcel_id still names the parcel.
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if kind is Double:
        return float(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return ";".join(str(v) for v in value)
    return str(value)


def status_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as insert parameters of ``parcel_status`` (types of the table, MultiPolygons).

    Raises
    ------
    StoreError
        A column of :data:`PARCEL_STATUS_COLUMNS` or the geometry is missing.
    """
    missing = [c for c in (*PARCEL_STATUS_COLUMNS, "geometry") if c not in frame.columns]
    if missing:
        raise StoreError(f"Lớp parcel_status thiếu cột: {', '.join(missing)}.")
    values = {name: [_cell(v, _KINDS[name]) for v in frame[name].astype(object)] for name in PARCEL_STATUS_COLUMNS}
    values["geometry"] = [_multipolygon(g) for g in frame["geometry"]]
    names = list(values)
    return [dict(zip(names, row)) for row in zip(*values.values())]


def write_status(conn, frame: pd.DataFrame) -> int:
    """Make the rows of ``parcel_status`` those of ``frame``, in ``conn``'s transaction (same table, never
    renamed); update the GeoPackage extent, the aliases and the default style; record the data version.

    When the parcels layer is the version the rows were last written from and ``frame`` holds the same
    parcels, only the rows whose attributes changed are updated (a commit of a few events touches a few
    rows; geometry, R-tree and the other rows are left alone). Otherwise every row is replaced
    (DELETE then INSERT).

    Returns
    -------
    int
        Rows written (inserted or updated).
    """
    parcels_version = _parcels_version(conn)
    if _read_meta(conn, GEOMETRY_VERSION_KEY) == parcels_version:
        written = _update_changed(conn, frame)
        if written is not None:
            return written
    rows = status_records(frame)
    table = status_table()
    conn.execute(delete(table))
    if rows:
        conn.execute(table.insert(), rows)
    _update_extent(conn, frame)
    write_metadata(conn)
    _set_meta(conn, VERSION_KEY, _version_text(conn))
    _set_meta(conn, GEOMETRY_VERSION_KEY, parcels_version)
    return len(rows)


def _parcels_version(conn) -> str:
    """The current version of the parcels layer, as text (``"0"`` before any)."""
    lv = schema.layer_versions
    return str(conn.execute(select(func.max(lv.c.version)).where(lv.c.layer_name == "parcels")).scalar() or 0)


def _read_meta(conn, key: str) -> str | None:
    return conn.execute(select(schema.store_meta.c.value).where(schema.store_meta.c.key == key)).scalar()


def _update_rows(conn, changed: list[dict]) -> None:
    """Write ``changed`` (:func:`_changed_rows` with ``only_changed``): one bulk ``UPDATE`` per set of changed
    columns, each setting those columns only (geometry and unchanged cells untouched)."""
    table = status_table()
    groups: dict[tuple, list[dict]] = {}
    for row in changed:
        groups.setdefault(tuple(row), []).append(row)
    for keys, rows in groups.items():
        columns = [k[3:] for k in keys if k != "_fid"]
        conn.execute(table.update().where(table.c.fid == bindparam("_fid"))
                     .values({c: bindparam(f"_v_{c}") for c in columns}), rows)


def _changed_rows(conn, frame: pd.DataFrame, projects: Collection[str] | None = None, *,
                  only_changed: bool = False) -> list[dict] | None:
    """Update parameters (``_fid`` + every attribute, or with ``only_changed`` the attributes that differ) of
    the stored rows whose attributes differ from ``frame``'s, in the stored rows' order; None when the two
    do not hold the same parcels (then the caller rewrites every row). With ``projects``, only the stored
    rows of those projects are compared (``frame`` holds theirs).

    Column by column, each distinct value converted once (:func:`_column_cells`), cells compared as arrays:
    the result of the row-by-row reference ``tests/store/changed_rows_reference.py``.

    Raises
    ------
    StoreError
        A column of :data:`PARCEL_STATUS_COLUMNS` is missing from ``frame``.
    """
    missing = [c for c in PARCEL_STATUS_COLUMNS if c not in frame.columns]
    if missing:
        raise StoreError(f"Lớp parcel_status thiếu cột: {', '.join(missing)}.")
    table = status_table()
    query = select(table.c.fid, *[table.c[c] for c in PARCEL_STATUS_COLUMNS])
    if projects is not None:
        query = query.where(table.c.project_id.in_(sorted(projects)))
    stored = conn.execute(query).all()
    new = {name: _column_cells(frame[name].astype(object).tolist(), _KINDS[name], _cell)
           for name in PARCEL_STATUS_COLUMNS}
    new_rows = {pid: i for i, pid in enumerate(new["parcel_id"])}
    if len(stored) != len(new_rows) or len(new_rows) != len(frame):
        return None
    columns = list(zip(*stored)) if stored else [()] * (len(PARCEL_STATUS_COLUMNS) + 1)
    order = [new_rows.get(pid) for pid in columns[1 + PARCEL_STATUS_COLUMNS.index("parcel_id")]]
    if None in order:
        return None
    aligned, differs = {}, {}
    for j, c in enumerate(PARCEL_STATUS_COLUMNS, start=1):
        aligned[c] = _objects([new[c][i] for i in order])
        differs[c] = _objects(_column_cells(list(columns[j]), _KINDS[c], _stored_value)) != aligned[c]
    rows = np.flatnonzero(np.logical_or.reduce(list(differs.values())))
    fids = columns[0]
    if only_changed:
        return [{"_fid": fids[k], **{f"_v_{c}": aligned[c][k] for c in PARCEL_STATUS_COLUMNS if differs[c][k]}}
                for k in rows.tolist()]
    return [{"_fid": fids[k], **{f"_v_{c}": aligned[c][k] for c in PARCEL_STATUS_COLUMNS}} for k in rows.tolist()]


def _objects(values: list) -> np.ndarray:
    """``values`` as a 1-D object array (``!=`` of two is Python's ``!=`` cell by cell)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _column_cells(values: list, kind, convert) -> list:
    """``[convert(v, kind) for v in values]`` with each distinct (type, value) converted once
    (:func:`parsing.columns.map_distinct`); a Double column one by one (``-0.0`` and ``0.0`` are equal
    keys but not the same float)."""
    if kind is Double:
        return [convert(v, kind) for v in values]
    failed: list[ValueError] = []

    def call(value):
        try:
            return convert(value, kind)
        except ValueError as exc:   # map_distinct would return it in the cell's place: raised below instead
            failed.append(exc)
            raise

    out = map_distinct(values, call)
    if failed:
        raise failed[0]
    return out


def _stored_value(value, kind):
    """A value read back from the table in the terms of :func:`_cell` (dates as ``date``, floats as float)."""
    if value is None:
        return None
    if kind is Date and isinstance(value, str):
        return date.fromisoformat(value[:10])
    return _cell(value, kind)


def _update_extent(conn, frame: pd.DataFrame) -> None:
    if conn.dialect.name != "sqlite":
        return
    bounds = [None if not len(frame) or b != b else float(b) for b in frame.total_bounds] if hasattr(
        frame, "total_bounds") else [None] * 4
    conn.execute(text("UPDATE gpkg_contents SET min_x = :x0, min_y = :y0, max_x = :x1, max_y = :y1, "
                      "last_change = :lc WHERE table_name = :t"),
                 dict(x0=bounds[0], y0=bounds[1], x1=bounds[2], y1=bounds[3], lc=_now_iso(), t=STATUS_TABLE))


def status_state(conn) -> dict:
    """``rows``, ``as_of`` (date or None) and ``current`` (computed from the store's present data version)."""
    table = status_table()
    rows, as_of = conn.execute(select(func.count(), func.max(table.c.as_of))).one()
    stored = conn.execute(select(schema.store_meta.c.value).where(schema.store_meta.c.key == VERSION_KEY)).scalar()
    return {"rows": int(rows), "as_of": as_of, "current": stored is not None and stored == _version_text(conn)}


# ------------------------------------------------------------------ aliases and style (QGIS)
_SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"

#: GeoPackage 1.3 §2.3 "Schema" extension tables and ``gpkg_extensions`` (if absent: GDAL or another
#: writer may have made them).
GPKG_SCHEMA_DDL: tuple[str, ...] = (
    ("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,"
     " definition TEXT NOT NULL, scope TEXT NOT NULL,"
     " CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"),
    ("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,"
     " name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,"
     " CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))"),
    ("CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL,"
     " constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC,"
     " max_is_inclusive BOOLEAN, description TEXT,"
     " CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"),
)

#: ``layer_styles`` as QGIS creates it in a GeoPackage (QgsOgrProviderUtils), registered as attributes.
LAYER_STYLES_SQLITE = (
    "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),"
    " f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),"
    " styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),"
    " update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
#: ``layer_styles`` as QGIS creates it in PostgreSQL (QgsPostgresProvider::saveStyle).
LAYER_STYLES_PG = (
    "CREATE TABLE IF NOT EXISTS layer_styles (id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar,"
    " f_table_name varchar, f_geometry_column varchar, styleName text, styleQML xml, styleSLD xml,"
    " useAsDefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
    " update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
)


def ensure_gpkg_schema_extension(conn) -> None:
    """GeoPackage (SQLite) only: the schema-extension tables, their ``gpkg_extensions`` rows, and
    ``layer_styles`` registered in ``gpkg_contents`` (each created only if absent)."""
    for ddl in (*GPKG_SCHEMA_DDL, LAYER_STYLES_SQLITE):
        conn.execute(text(ddl))
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        conn.execute(text(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)"
            " SELECT :t, NULL, 'gpkg_schema', :d, 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions"
            " WHERE table_name = :t AND extension_name = 'gpkg_schema')"), {"t": table, "d": _SCHEMA_EXTENSION})
    conn.execute(text(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
        " SELECT 'layer_styles', 'attributes', 'layer_styles', 'Kiểu hiển thị QGIS' WHERE NOT EXISTS"
        " (SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles')"))


def stage_categories() -> list[Category]:
    """One legend class per stage code, in process order: dashboard colour, Vietnamese label."""
    return [Category(code, stage_label(code), STAGE_COLOURS[code]) for code in STAGES]


def style_qml(aliases: Mapping[str, str] | None = None) -> str:
    """The default QML of the layer: polygons coloured by ``stage``, Vietnamese aliases."""
    return categorized_qml("stage", stage_categories(), aliases=dict(aliases or STATUS_LAYER_HEADERS_VI))


def write_metadata(conn, table_name: str = STATUS_TABLE, aliases: Mapping[str, str] | None = None) -> None:
    """Field aliases and the default style of ``table_name`` (idempotent; in ``conn``'s transaction).

    GeoPackage: ``gpkg_data_columns`` rows (``name`` = ``title`` = the Vietnamese alias; ``stage`` bound to
    the :data:`STAGE_CONSTRAINT` enum of ``gpkg_data_column_constraints``). PostGIS: ``COMMENT ON COLUMN``.
    Both: the :data:`STYLE_NAME` row of ``layer_styles`` (a user's own styles untouched; ours is the
    default only when no other style of the layer is).
    """
    aliases = dict(aliases or STATUS_LAYER_HEADERS_VI)
    if conn.dialect.name == "sqlite":
        _gpkg_aliases(conn, table_name, aliases)
    else:
        _pg_comments(conn, table_name, aliases)
    _default_style(conn, table_name, aliases)


def _gpkg_aliases(conn, table_name: str, aliases: Mapping[str, str]) -> None:
    conn.execute(text("DELETE FROM gpkg_data_columns WHERE table_name = :t"), {"t": table_name})
    conn.execute(text("INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description, "
                      "constraint_name) VALUES (:t, :c, :n, :n, :d, :k)"),
                 [{"t": table_name, "c": column, "n": alias, "d": f"{alias} ({column})",
                   "k": STAGE_CONSTRAINT if column == "stage" else None}
                  for column, alias in aliases.items()])
    conn.execute(text("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = :k"), {"k": STAGE_CONSTRAINT})
    conn.execute(text("INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, "
                      "description) VALUES (:k, 'enum', :v, :d)"),
                 [{"k": STAGE_CONSTRAINT, "v": c.value, "d": c.label} for c in stage_categories()])


def _pg_comments(conn, table_name: str, aliases: Mapping[str, str]) -> None:
    quote = String().literal_processor(conn.dialect)
    conn.execute(text(f'COMMENT ON TABLE "{table_name}" IS {quote(STATUS_TITLE_VI)}'))
    for column, alias in aliases.items():
        conn.execute(text(f'COMMENT ON COLUMN "{table_name}"."{column}" IS {quote(alias)}'))


def _default_style(conn, table_name: str, aliases: Mapping[str, str]) -> None:
    catalog, schema_name = ("", "") if conn.dialect.name == "sqlite" else conn.execute(
        text("SELECT current_database(), current_schema()")).one()
    key = {"t": table_name, "s": STYLE_NAME, "o": STYLE_OWNER}
    conn.execute(text("DELETE FROM layer_styles WHERE f_table_name = :t AND stylename = :s AND owner = :o"), key)
    other_default = conn.execute(text("SELECT count(*) FROM layer_styles WHERE f_table_name = :t AND useasdefault"),
                                 key).scalar()
    sqlite = conn.dialect.name == "sqlite"
    xml, now = ("TEXT", "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") if sqlite else ("xml", "CURRENT_TIMESTAMP")
    conn.execute(text("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                      "stylename, styleqml, stylesld, useasdefault, description, owner, ui, update_time) VALUES "
                      f"(:c, :sc, :t, 'geometry', :s, CAST(:q AS {xml}), CAST(:sld AS {xml}), :d, :desc, :o, NULL, {now})"),
                 {**key, "c": catalog, "sc": schema_name, "q": style_qml(aliases),
                  "sld": categorized_sld(table_name, "stage", stage_categories()), "d": not other_default,
                  "desc": "Màu theo giai đoạn GPMB, như trên bảng điều khiển"})
