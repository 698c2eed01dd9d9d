"""Versioned feature layers: check a new layer, archive the current one, write, list and restore versions.

Each function works inside the caller's transaction (``conn``) and never commits: :class:`store.store.Store`
opens one write transaction per user action, so several layers change together or not at all. The
current version of a layer is the table ``<name>``; version N is archived as ``<name>__v<N>`` and
recorded in ``layer_versions`` (time, source, feature count, import report).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
from sqlalchemy import func, select, text

from domain.crs import STORE_EPSG
from domain.tables import CENTRELINE_REQUIRED, COMMUNE_REQUIRED, PARCEL_REQUIRED, PROJECT_REQUIRED
from parsing.parcel_keys import parcel_key_cells
from store import layer_history, schema, units
from store.errors import StoreError
from store.geometry import geometry_type_name
from store.layers import UNIQUE_KEYS, build_table, replace_rows, table_exists, write_layer_table

#: Versioned layers → the contract columns a new version must have (DATA_MODEL.md, :mod:`domain.tables`).
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "projects": PROJECT_REQUIRED,
    "centrelines": CENTRELINE_REQUIRED,
    "parcels": PARCEL_REQUIRED,
    "communes": COMMUNE_REQUIRED,
    "roads": (),
}

#: Date columns of the layers (stored as DATE; text such as "2021-03-01" is converted).
LAYER_DATE_COLUMNS: dict[str, tuple[str, ...]] = {"projects": ("start_date",)}

#: Parcel-number columns of the layers: canonical text keys (``263A``), stored as TEXT.
LAYER_TEXT_KEYS: dict[str, tuple[str, ...]] = {"parcels": ("parcel_number",)}

#: Layer titles written into the GeoPackage (what QGIS shows).
LAYER_TITLES_VI = {
    "projects": "Chỉ giới GPMB các dự án",
    "centrelines": "Tim tuyến (lý trình)",
    "parcels": "Thửa đất bị thu hồi",
    "communes": "Ranh giới xã, phường (2025)",
    "roads": "Đường giao thông, đường sắt",
}


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the store's timestamps)."""
    return datetime.now(UTC)


def check_layer_name(name: str) -> None:
    """Raise :class:`StoreError` unless ``name`` is a versioned layer of :data:`LAYER_COLUMNS`."""
    if name not in LAYER_COLUMNS:
        raise StoreError(f"Lớp không hợp lệ: {name!r}. Các lớp: {', '.join(LAYER_COLUMNS)}.")


def prepare_layer(name: str, gdf) -> gpd.GeoDataFrame:
    """Check one layer before any write and return it in EPSG:9215 with a ``geometry`` column and dates.

    Raises
    ------
    StoreError
        Unknown layer, not a GeoDataFrame, no CRS, missing contract columns, or a column name, type or
        date the store cannot hold (Vietnamese message naming the layer, row and column).
    """
    check_layer_name(name)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise StoreError(f"Lớp {name!r} phải là GeoDataFrame.")
    if gdf.crs is None:
        raise StoreError(f"Lớp {name!r} chưa có hệ tọa độ; cần EPSG:{STORE_EPSG}.")
    missing = [c for c in LAYER_COLUMNS[name] if c not in gdf.columns]
    if missing:
        raise StoreError(f"Lớp {name!r} thiếu cột: {', '.join(missing)}.")
    if gdf.crs.to_epsg() != STORE_EPSG:
        gdf = gdf.to_crs(STORE_EPSG)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf = normalise_keys(name, normalise_dates(name, gdf))
    _check_unique_key(name, gdf)
    try:
        build_table(name, gdf, geometry_type_name(gdf.geometry.values))
    except ValueError as exc:
        raise StoreError(f"Lớp {name!r}: {exc}") from None
    return gdf


def _check_unique_key(name: str, gdf) -> None:
    """Refuse a layer whose unique key (:data:`store.layers.UNIQUE_KEYS`) repeats, before the index would."""
    key = UNIQUE_KEYS.get(name)
    if key is None or key not in gdf.columns:
        return
    repeated = gdf[key][gdf[key].duplicated(keep=False) & gdf[key].notna()]
    if len(repeated):
        shown = ", ".join(map(str, sorted(set(repeated.astype(str)))[:5]))
        raise StoreError(f"Lớp {name!r}: cột '{key}' phải là duy nhất, các mã bị lặp: {shown}"
                         + (" …" if repeated.nunique() > 5 else "") + ".")


def normalise_keys(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with its :data:`LAYER_TEXT_KEYS` as canonical parcel keys (:func:`parsing.parcel_keys.parcel_key`:
    ``12`` → ``"12"``, ``"263a"`` → ``"263A"``), stored as TEXT (DATA_MODEL.md; migration 0015).

    Raises
    ------
    StoreError
        A value that is not a parcel number (row numbered from 1).
    """
    columns = [c for c in LAYER_TEXT_KEYS.get(name, ()) if c in gdf.columns]
    if not columns:
        return gdf
    gdf = gdf.copy()
    for col in columns:
        keys = parcel_key_cells(gdf[col])
        bad = [i for i, k in enumerate(keys) if isinstance(k, ValueError)]
        if bad:
            i = bad[0]
            raise StoreError(f"Lớp {name!r}, dòng {i + 1}, cột '{col}': {keys[i]}.")
        gdf[col] = pd.Series(keys, index=gdf.index, dtype=object)
    return gdf


def normalise_dates(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with its :data:`LAYER_DATE_COLUMNS` as ``datetime.date`` (None when empty).

    Raises
    ------
    StoreError
        A value that is not a date (row numbered from 1).
    """
    columns = [c for c in LAYER_DATE_COLUMNS.get(name, ()) if c in gdf.columns]
    if not columns:
        return gdf
    gdf = gdf.copy()
    for col in columns:
        parsed = pd.to_datetime(gdf[col], errors="coerce", format="mixed", dayfirst=False)
        bad = gdf[col].notna() & parsed.isna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise StoreError(f"Lớp {name!r}, dòng {i + 1}, cột '{col}': cần ngày, nhận {gdf[col].iloc[i]!r}.")
        gdf[col] = [None if pd.isna(v) else v.date() for v in parsed]
    return gdf


def current_version(conn, name: str) -> int:
    """Current version number of layer ``name`` (0 when never written)."""
    lv = schema.layer_versions
    return conn.execute(select(func.max(lv.c.version)).where(lv.c.layer_name == name)).scalar() or 0


def check_expected_versions(conn, expected_versions) -> None:
    """Optimistic concurrency: raise :class:`StoreError` when a layer changed since the caller read it."""
    for name, expected in (expected_versions or {}).items():
        current = current_version(conn, name)
        if current != int(expected):
            raise StoreError(
                f"Lớp {name!r} vừa được người khác thay (phiên bản {current}, bạn đọc phiên bản "
                f"{int(expected)}); chưa ghi gì, hãy làm lại thao tác.")


def replace_layer_in(conn, name: str, gdf: gpd.GeoDataFrame, report_text: str, source: str) -> int:
    """Write ``gdf`` as version N+1 of ``name``, the current version N going to ``<name>__history``; return N+1.

    The table ``name`` is kept (its rows are replaced, :func:`store.layers.replace_rows`); it is
    created, with its spatial index, only when the layer was never written.
    A ``projects`` layer gets every row's ``unit`` (:func:`store.units.with_units`: kept, else the default).
    """
    gdf = normalise_keys(name, normalise_dates(name, gdf))
    if name == "projects":
        gdf = units.with_units(conn, gdf)
    current = current_version(conn, name)
    if table_exists(conn, name):
        if current >= 1:
            layer_history.archive(conn, name, current)
        count = replace_rows(conn, name, gdf)
    else:
        count = write_layer_table(conn, name, gdf, identifier=name, description=LAYER_TITLES_VI.get(name, ""))
    conn.execute(schema.layer_versions.insert().values(
        layer_name=name, version=current + 1, created_at=utcnow(), source=source,
        feature_count=count, report=report_text))
    return current + 1


def restore_layer_in(conn, name: str, version: int, report_extra: dict | None = None) -> int:
    """Make ``version`` of ``name`` current again as a new version (or return it if already current).

    The rows come from the history table; the current version goes there first, so nothing is lost.

    ``report_extra`` is added to the new version's report (``written_together`` of a linked restore).

    Raises
    ------
    StoreError
        If the version does not exist.
    """
    current = check_restorable(conn, name, version)
    if version == current:
        return current
    gdf = layer_history.read_version(conn, name, version)
    report = json.dumps({"khoi_phuc_tu_phien_ban": version, **(report_extra or {})}, ensure_ascii=False)
    return replace_layer_in(conn, name, gdf, report, "restore")


def check_restorable(conn, name: str, version: int) -> int:
    """The current version of ``name`` after checking that ``version`` can be made current.

    Raises
    ------
    StoreError
        If the version does not exist (never written, or not in the history table).
    """
    current = current_version(conn, name)
    if version != current and (version < 1 or version > current or not layer_history.has_version(conn, name, version)):
        raise StoreError(f"Lớp {name!r} không có phiên bản {version} (phiên bản hiện hành: {current}).")
    return current


def read_layer_versions(conn, name: str) -> pd.DataFrame:
    """Versions of ``name``, oldest first: ``version``, ``created_at`` (UTC), ``source``,
    ``feature_count``, ``report`` (dict), ``is_current`` (bool)."""
    lv = schema.layer_versions
    rows = conn.execute(select(lv.c.version, lv.c.created_at, lv.c.source, lv.c.feature_count, lv.c.report)
                        .where(lv.c.layer_name == name).order_by(lv.c.version)).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["version", "created_at", "source", "feature_count", "report"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["report"] = [json.loads(r) if r else {} for r in frame["report"]]
    frame["is_current"] = frame["version"] == (frame["version"].max() if len(frame) else 0)
    return frame


#: Column identifying a feature of each layer, for the added/removed counts of a replacement.
KEY_COLUMNS: dict[str, str] = {"projects": "project_id", "centrelines": "project_id", "parcels": "parcel_id",
                               "communes": "code"}


def feature_count(conn, name: str) -> int:
    """Features in the current table ``name`` (0 when never written)."""
    return int(conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()) if table_exists(conn, name) else 0


def _current_keys(conn, name: str) -> tuple[int, set]:
    """Feature count and key values of the current table ``name`` (0 and ∅ when never written)."""
    if not table_exists(conn, name):
        return 0, set()
    key, count = KEY_COLUMNS.get(name), feature_count(conn, name)
    if key is None:
        return count, set()
    return count, {r[0] for r in conn.execute(text(f'SELECT "{key}" FROM "{name}"')).all()}


def change_summary(conn, layers) -> dict[str, dict]:
    """Per layer, what a replacement by ``layers`` (name → prepared GeoDataFrame) changes.

    Returns
    -------
    dict
        name → ``version`` (current, 0 if none), ``features_before``, ``features_after``, ``added``,
        ``removed`` (features by :data:`KEY_COLUMNS`; for ``roads``, which has no key, the change in count).
    """
    summary = {}
    for name, gdf in layers.items():
        count, keys = _current_keys(conn, name)
        key = KEY_COLUMNS.get(name)
        if key is not None and key in gdf.columns:
            new_keys = set(gdf[key])
            added, removed = len(new_keys - keys), len(keys - new_keys)
        else:
            added, removed = max(len(gdf) - count, 0), max(count - len(gdf), 0)
        summary[name] = {"version": current_version(conn, name), "features_before": count,
                         "features_after": len(gdf), "added": added, "removed": removed}
    return summary


def removes_parcels(summary: dict[str, dict]) -> bool:
    """Whether a replacement summarised by :func:`change_summary` removes parcels (a destructive change)."""
    return summary.get("parcels", {}).get("removed", 0) > 0


# ------------------------------------------------------------------ layers written together (issue 10)
#: Report key of a version written in one transaction with other layers: ``{layer: version, …}``.
WRITTEN_TOGETHER = "written_together"


def with_written_together(texts: dict[str, str], versions: dict[str, int]) -> dict[str, str]:
    """The per-layer report texts with ``written_together`` = ``versions`` added, when several layers
    are written by one action (a boundary import writes ``projects`` and ``parcels``)."""
    if len(versions) < 2:
        return texts
    out = {}
    for name, text_ in texts.items():
        report = json.loads(text_) if text_ else {}
        report = report if isinstance(report, dict) else {"report": report}
        out[name] = json.dumps({**report, WRITTEN_TOGETHER: versions}, ensure_ascii=False, default=str)
    return out


def version_report(conn, name: str, version: int) -> dict:
    """The stored report of ``version`` of ``name`` (``{}`` when none or not a JSON object)."""
    lv = schema.layer_versions
    text_ = conn.execute(select(lv.c.report).where(lv.c.layer_name == name, lv.c.version == int(version))).scalar()
    try:
        report = json.loads(text_) if text_ else {}
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def linked_versions(conn, name: str, version: int) -> dict[str, int]:
    """The versions of other layers that restoring ``version`` of ``name`` must bring back with it.

    * ``version`` was written together with other layers (a boundary import: ``projects`` vN with
      ``parcels`` vM): those layers go back to their versions of that write.
    * else, when the version that replaced it (``version + 1``) was written together with other
      layers, restoring undoes that write: each other layer goes back to the version it had just
      before it (its version in that write − 1).

    Layers whose target is already current are left out. Returns ``{}`` for a version written alone.
    """
    together = version_report(conn, name, version).get(WRITTEN_TOGETHER) or {}
    if together:
        targets = {layer: int(v) for layer, v in together.items() if layer != name}
    else:
        following = version_report(conn, name, version + 1).get(WRITTEN_TOGETHER) or {}
        targets = {layer: int(v) - 1 for layer, v in following.items() if layer != name and int(v) > 1}
    return {layer: v for layer, v in targets.items()
            if layer in LAYER_COLUMNS and v != current_version(conn, layer)}
