"""Resettlement areas (khu tái định cư) of the ``areas`` register: the boundary column and the checks across columns.

A CSV/XLSX carries each area's boundary as WKT in «Ranh giới khu (WKT)»; a GeoJSON, GeoPackage or zipped
shapefile is read by :func:`cadastre.resettlement_areas.read_area_file`, which puts each feature's polygon there
already in EPSG:9215. Here each WKT is parsed and checked (a Polygon or MultiPolygon, not empty, valid: no
self-intersection), the CRS of a CSV's coordinates decided (degrees → WGS 84, EPSG:4326; metres → ``--crs``,
else the VN-2000 TM-3 zone of the project's province, :func:`gis.crs.tm3_epsg_for_province`) and the polygons
reprojected to EPSG:9215 (the store's CRS), kept as WKT rounded to the millimetre.
"""
from __future__ import annotations

from datetime import date
from pathlib import PurePath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from domain.crs import STORE_EPSG, WGS84_EPSG
from gis.crs import LANG_SON_EPSG, tm3_epsg_for_province
from ingest.register_rows import REGISTERS
from ingest.report import RowProblem
from vocab.format import fmt_date

#: File suffixes of the map formats an ``areas`` import reads through the cadastral readers.
GEO_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".kml", ".kmz")

_HEADERS = {f.column: f.header_vi for f in REGISTERS["areas"]}
GEOMETRY_HEADER = _HEADERS["geometry_wkt"]


def is_geo_file(file_name: str) -> bool:
    """True when ``file_name`` ends with a suffix of :data:`GEO_SUFFIXES` (case ignored)."""
    return PurePath(str(file_name)).suffix.lower() in GEO_SUFFIXES


def project_epsg(store, project_id: str) -> int:
    """The VN-2000 TM-3 zone (EPSG) of the project's province; EPSG:9215 (Lạng Sơn) when unknown."""
    projects = store.projects()
    hit = projects[projects["project_id"] == project_id] if "project_id" in projects else projects.iloc[0:0]
    province = hit.iloc[0].get("province") if len(hit) else None
    if isinstance(province, str) and province.strip():
        try:
            return tm3_epsg_for_province(province)
        except ValueError:
            pass
    return LANG_SON_EPSG


def area_checks(valid: pd.DataFrame, today: date) -> list[RowProblem]:
    """Problems across the columns of parsed rows: an actual completion date after ``today``, or one given while
    construction is below 100 %."""
    problems = []
    for row, r in valid.iterrows():
        actual = r["actual_completion_date"]
        if actual is None or pd.isna(actual):
            continue
        if actual > today:
            problems.append(RowProblem(int(row), _HEADERS["actual_completion_date"],
                                       f"ngày hoàn thành thực tế không được sau hôm nay ({fmt_date(today)})",
                                       fmt_date(actual)))
        if r["construction_percent"] < 100:
            problems.append(RowProblem(int(row), _HEADERS["construction_percent"],
                                       "đã có ngày hoàn thành thực tế thì tiến độ xây dựng phải là 100%",
                                       f"{r['construction_percent']:g}"))
    return problems


def lower_percent_notes(valid: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """A note per area whose new construction percent is below the recorded one (a correction, or a mistake):
    recorded all the same, as a new version."""
    recorded = dict(zip(current["area_id"], current["construction_percent"], strict=True)) if len(current) else {}
    notes = []
    for r in valid.to_dict("records"):
        before = recorded.get(r["area_id"])
        if before is not None and not pd.isna(before) and r["construction_percent"] < before:
            notes.append(f"Khu {r['area_id']}: tiến độ xây dựng giảm từ {before:g}% xuống "
                         f"{r['construction_percent']:g}% (vẫn ghi là phiên bản mới; hãy kiểm tra nếu nhập nhầm).")
    return notes


def _geometry(text: str):
    """(2D polygonal geometry, None) or (None, Vietnamese problem) for one WKT text."""
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.GEOSException:
        return None, "không đọc được ranh giới: cần WKT dạng POLYGON ((x y, x y, …)) hoặc MULTIPOLYGON"
    if geom is None or geom.is_empty:
        return None, "ranh giới khu rỗng (không có tọa độ nào)"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"ranh giới khu phải là vùng (POLYGON/MULTIPOLYGON), tệp có {geom.geom_type}"
    geom = shapely.force_2d(geom)
    if not geom.is_valid:
        return None, f"ranh giới khu không hợp lệ ({shapely.is_valid_reason(geom)}); hãy sửa trong QGIS"
    return geom, None


def _decide_epsg(geoms: list, *, user_epsg: int | None, default_epsg: int) -> tuple[int, str]:
    """The CRS of WKT coordinates (no file declares one): degrees → WGS 84, metres → ``user_epsg`` or the
    project's zone; with the sentence the report shows."""
    bounds = shapely.total_bounds(np.array(geoms, dtype=object))
    degrees = bool(np.all(np.isfinite(bounds))) and -180 <= bounds[0] <= bounds[2] <= 180 \
        and -90 <= bounds[1] <= bounds[3] <= 90
    if degrees:
        return WGS84_EPSG, "Tọa độ WKT là độ: đọc theo WGS 84 (EPSG:4326)."
    if user_epsg is not None:
        return user_epsg, f"Tọa độ WKT là mét: đọc theo EPSG:{user_epsg} (--crs)."
    return default_epsg, f"Tọa độ WKT là mét: đọc theo múi VN-2000 TM-3 của tỉnh của dự án (EPSG:{default_epsg})."


def area_geometries(valid: pd.DataFrame, *, epsg: int | None, user_epsg: int | None = None,
                    default_epsg: int = LANG_SON_EPSG) -> tuple[pd.DataFrame, list[RowProblem], list[str], float]:
    """Parse, check and reproject the ``geometry_wkt`` column of valid ``areas`` rows.

    Parameters
    ----------
    valid : DataFrame
        Rows of :func:`ingest.register_rows.validate_areas` (index = file row).
    epsg : int or None
        The CRS of the WKT when known (a map file already reprojected: EPSG:9215); None for a CSV/XLSX,
        decided from the coordinates (module docstring).
    user_epsg, default_epsg : int
        ``--crs``, and the project's TM-3 zone (:func:`project_epsg`).

    Returns
    -------
    (DataFrame, list of RowProblem, list of str, float)
        The rows whose boundary is good, ``geometry_wkt`` in EPSG:9215; a problem per bad boundary (row,
        «Ranh giới khu (WKT)», what is wrong); notes on the CRS used; the total area of the good rows in m².
    """
    problems, good, geoms = [], [], []
    for row, text in valid["geometry_wkt"].items():
        geom, problem = _geometry(str(text))
        if problem:
            problems.append(RowProblem(int(row), GEOMETRY_HEADER, problem, str(text)[:60]))
        else:
            good.append(row)
            geoms.append(geom)
    out = valid.loc[good].copy()
    if not geoms:
        return out, problems, [], 0.0
    notes = []
    if epsg is None:
        epsg, note = _decide_epsg(geoms, user_epsg=user_epsg, default_epsg=default_epsg)
        notes.append(note)
    series = gpd.GeoSeries(geoms, index=out.index, crs=epsg)
    if epsg != STORE_EPSG:
        series = series.to_crs(STORE_EPSG)
    out["geometry_wkt"] = series.to_wkt(rounding_precision=3).to_numpy()
    return out, problems, notes, float(series.area.sum())
