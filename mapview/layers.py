"""Turn store / snapshot layers (EPSG:9215) into compact GeoJSON for Leaflet (EPSG:4326).

Geometries are simplified in metres *before* reprojection (tolerance per layer, well below what is
visible at the zoom the layer is read at) and coordinates are rounded to 6 decimals (≈ 0.1 m at
Lạng Sơn's latitude), which keeps the map HTML small. The reprojection is ``gis.crs.to_wgs84``
(EPSG:6960 "VN-2000 to WGS 84 (2)").
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.crs import LANG_SON_CRS, to_wgs84

#: Decimal places kept in longitude/latitude (6 ≈ 0.1 m).
COORD_DECIMALS = 6


def _round_coords(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, COORD_DECIMALS)


def to_leaflet_geometries(geoms: gpd.GeoSeries, simplify_m: float = 0.0) -> np.ndarray:
    """Simplify (metres, topology preserved) in EPSG:9215, reproject to EPSG:4326 and round to 6 decimals.

    Parameters
    ----------
    geoms : GeoSeries
        Any CRS with a defined ``crs``; it is brought to EPSG:9215 first if needed.
    simplify_m : float, default 0
        Douglas–Peucker tolerance in metres; 0 keeps every vertex.

    Returns
    -------
    numpy.ndarray of shapely geometries in EPSG:4326 (lon, lat); empty/None geometries stay as they are.

    Raises
    ------
    ValueError
        If ``geoms`` has no CRS.
    """
    if geoms.crs is None:
        raise ValueError("Lớp bản đồ không có hệ tọa độ (CRS); cần EPSG:9215.")
    if not geoms.crs.equals(LANG_SON_CRS):
        geoms = geoms.to_crs(LANG_SON_CRS)
    values = geoms.values
    if simplify_m > 0:
        values = shapely.simplify(np.asarray(values, dtype=object), simplify_m, preserve_topology=True)
    wgs = to_wgs84(gpd.GeoSeries(values, crs=LANG_SON_CRS, index=geoms.index))
    return shapely.transform(np.asarray(wgs.values, dtype=object), _round_coords)


def geometry_json(geoms: gpd.GeoSeries, simplify_m: float = 0.0) -> np.ndarray:
    """GeoJSON geometry text of each geometry, after :func:`to_leaflet_geometries` (None where missing)."""
    return shapely.to_geojson(to_leaflet_geometries(geoms, simplify_m))


def properties_json(frame: pd.DataFrame, properties: Iterable[str]) -> list[str]:
    """One JSON object text per row with the given columns (NaN/None → ``null``; lists stay lists)."""
    props = list(properties)
    if not props:
        return ["{}"] * len(frame)
    if len(frame) == 0:
        return []
    text = pd.DataFrame(frame[props]).to_json(orient="records", lines=True, force_ascii=False,
                                              double_precision=10)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(frame):  # pragma: no cover - pandas escapes newlines inside strings
        raise RuntimeError("properties_json: unexpected line count")
    return lines


def assemble_feature_collection(properties: Iterable[str], geometries: Iterable[str | None]) -> str:
    """FeatureCollection text from per-feature property and geometry texts; features without geometry
    are left out."""
    features = ",".join(
        f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
        for p, g in zip(properties, geometries) if g is not None
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


def feature_collection_json(gdf: gpd.GeoDataFrame, properties: Iterable[str] = (), simplify_m: float = 0.0) -> str:
    """GeoJSON FeatureCollection **text** of ``gdf`` for Leaflet (see :func:`feature_collection`).

    Built by string assembly from ``shapely.to_geojson`` and ``DataFrame.to_json`` (both in C), so a few
    thousand parcels take milliseconds instead of one ``json`` round trip per feature.
    """
    props = list(properties)
    if gdf.empty:
        return '{"type":"FeatureCollection","features":[]}'
    keep = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    gdf = gdf[keep]
    return assemble_feature_collection(properties_json(gdf, props), geometry_json(gdf.geometry, simplify_m))


def feature_collection(gdf: gpd.GeoDataFrame, properties: Iterable[str] = (), simplify_m: float = 0.0) -> dict:
    """A GeoJSON FeatureCollection (dict) of ``gdf`` for Leaflet.

    Parameters
    ----------
    gdf : GeoDataFrame
        With a CRS (EPSG:9215 expected). Rows with an empty or missing geometry are dropped.
    properties : iterable of str
        Columns copied into each feature's ``properties`` (values must be JSON-serialisable:
        str, int, float, bool, lists of those; NaN becomes ``null``).
    simplify_m : float
        See :func:`to_leaflet_geometries`.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}`` in EPSG:4326, coordinates at 6 decimals.
    """
    return json.loads(feature_collection_json(gdf, properties, simplify_m))


def _bounding_box(geoms: gpd.GeoSeries):
    """The bounding box of ``geoms`` as a polygon with a vertex every 1/64 of its size (so that its
    reprojection bounds the reprojected geometries), or None when they have no finite bounds."""
    bounds = geoms.total_bounds
    if not np.all(np.isfinite(bounds)):
        return None
    size = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-9)
    return shapely.segmentize(shapely.box(*bounds), size / 64)


def bounds_latlon(gdf: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of ``gdf`` in EPSG:4326 (Leaflet's fitBounds order), or None if
    empty. Computed from the densified bounding box in the layer's CRS: the same to well under a metre
    for a province-sized layer in a transverse Mercator CRS, without reprojecting every geometry."""
    if gdf.empty:
        return None
    box = gpd.GeoSeries([_bounding_box(gdf.geometry)], crs=gdf.crs)  # 1 ring, not every geometry
    if box.iloc[0] is None:
        return None
    west, south, east, north = to_wgs84(box).total_bounds
    if not np.all(np.isfinite([west, south, east, north])):
        return None
    return [[float(south), float(west)], [float(north), float(east)]]
