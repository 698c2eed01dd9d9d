"""Parcel geometry checks: repair, duplicate keys, clipping to the clearance boundary.

All functions take and return layers in EPSG:9215 (metres), so areas are m² on the VN-2000 TM-3
grid of Lạng Sơn (shared/crs/VN2000.md). Locations in reports are written the surveyors' way:
``x_northing`` then ``y_easting``.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from parsing.parcel_keys import parcel_rank

#: Default sliver threshold (m²): a parcel whose part inside the boundary is smaller is reported
#: and ignored (digitising noise along a shared edge).
DEFAULT_SLIVER_M2 = 1.0


def _location(geom) -> dict:
    p = geom.representative_point() if geom is not None and not geom.is_empty else None
    if p is None:
        return {"x_northing": None, "y_easting": None}
    return {"x_northing": round(p.y, 3), "y_easting": round(p.x, 3)}


def _polygonal(geom):
    """Keep only the polygonal parts of a geometry (make_valid may return a collection)."""
    if geom is None or geom.is_empty:
        return None
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def repair_polygons(gdf: gpd.GeoDataFrame, row_labels) -> tuple[gpd.GeoDataFrame, list[dict], list[dict]]:
    """Repair invalid polygons with ``shapely.make_valid`` and drop what is not a polygon.

    Parameters
    ----------
    gdf : GeoDataFrame
        Parcels in a metric CRS.
    row_labels : sequence of str
        One label per row for the report (``"tờ12.shp dòng 5"``).

    Returns
    -------
    (GeoDataFrame, list of dict, list of dict)
        The rows kept (polygonal geometry, 2D), the repairs (``row``, ``reason`` from
        ``shapely.is_valid_reason``, ``area_before_m2``, ``area_after_m2``, location) and the rejects
        (``row``, ``reason``: empty / not a polygon).
    """
    geoms = shapely.force_2d(gdf.geometry.values)
    repairs, rejects, keep, new_geoms = [], [], [], []
    valid = shapely.is_valid(geoms)
    for i, (geom, ok) in enumerate(zip(geoms, valid)):
        label = row_labels[i]
        if geom is None or geom.is_empty:
            rejects.append({"row": label, "reason": "Không có hình thửa (geometry rỗng)."})
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            rejects.append({"row": label, "reason": f"Hình không phải vùng (là {geom.geom_type})."})
            continue
        if not ok:
            reason = shapely.is_valid_reason(geom)
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None or fixed.area <= 0:
                rejects.append({"row": label, "reason": f"Hình lỗi không sửa được ({reason})."})
                continue
            repairs.append({"row": label, "reason": reason, "area_before_m2": round(float(abs(geom.area)), 2),
                            "area_after_m2": round(float(fixed.area), 2), **_location(fixed)})
            geom = fixed
        keep.append(i)
        new_geoms.append(geom)
    out = gdf.iloc[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(new_geoms, index=out.index, crs=gdf.crs))
    return out, repairs, rejects


def find_duplicate_keys(gdf: gpd.GeoDataFrame, key_columns=("commune_former", "map_sheet", "parcel_number"),
                        row_column: str = "_row") -> list[dict]:
    """Report parcels sharing a key (same former commune, sheet and parcel number). Nothing is merged.

    Keys are compared as text (parcel numbers are text keys, ``263A``); the report lists them by former
    commune, sheet and parcel order (:func:`parsing.parcel_keys.parcel_rank`: ``17 < 175 < 263A``).

    Returns
    -------
    list of dict
        One entry per duplicated key: ``key`` (dict), ``rows`` (row labels) and ``locations``
        (``x_northing``/``y_easting`` of each copy), ``areas_m2``.
    """
    if gdf.empty:
        return []
    keys = gdf[list(key_columns)].astype(str)
    dup_mask = keys.duplicated(keep=False)
    out = []
    dups = gdf[dup_mask].sort_values(list(key_columns), kind="stable",
                                     key=lambda col: parcel_rank(col) if col.name == "parcel_number" else col)
    for key, group in dups.groupby(list(key_columns), sort=False, dropna=False):
        out.append({
            "key": dict(zip(key_columns, [str(k) for k in key])),
            "rows": group[row_column].tolist(),
            "locations": [_location(g) for g in group.geometry],
            "areas_m2": [round(float(g.area), 2) for g in group.geometry],
        })
    return out


def clip_to_boundary(gdf: gpd.GeoDataFrame, boundary, *, sliver_m2: float = DEFAULT_SLIVER_M2):
    """Area of each parcel inside the clearance boundary (chỉ giới GPMB).

    Parameters
    ----------
    gdf : GeoDataFrame
        Parcels, EPSG:9215.
    boundary : shapely (Multi)Polygon or None
        The project's clearance boundary in EPSG:9215. None: every parcel is recovered whole (reported).
    sliver_m2 : float
        Parts inside the boundary smaller than this many m² are slivers: reported, not imported.

    Returns
    -------
    (Series, Series, Series)
        ``area_to_recover_m2`` (float m², index of ``gdf``), ``is_sliver`` (bool: 0 < area < threshold),
        ``is_outside`` (bool: no part inside the boundary).
    """
    if sliver_m2 < 0:
        raise ValueError("Ngưỡng mảnh vụn (m²) phải ≥ 0.")
    if boundary is None:
        areas = pd.Series(gdf.geometry.area.to_numpy(), index=gdf.index)
        false = pd.Series(False, index=gdf.index)
        return areas, false, false.copy()
    boundary = shapely.make_valid(boundary) if not boundary.is_valid else boundary
    shapely.prepare(boundary)
    geoms = gdf.geometry.values
    touches = shapely.intersects(boundary, geoms)
    areas = np.zeros(len(gdf))
    inside = shapely.contains_properly(boundary, geoms)
    areas[inside] = shapely.area(geoms[inside])
    partial = touches & ~inside
    if partial.any():
        areas[partial] = shapely.area(shapely.intersection(geoms[partial], boundary))
    area = pd.Series(areas, index=gdf.index)
    is_outside = pd.Series(area <= 0, index=gdf.index)
    is_sliver = pd.Series((area > 0) & (area < sliver_m2), index=gdf.index)
    return area, is_sliver, is_outside
