"""The parcel layer by viewport, for stores too large to send whole (issue 13: 500 000 parcels on PostGIS).

Above :data:`VIEWPORT_ABOVE` parcels the dashboard's map page carries no parcel geometry. The page reports
its view (``{w, s, e, n}`` in degrees, EPSG:4326, and the zoom) back to Python, which answers with
:func:`view_payload`: the parcels whose box meets the view and that pass the filters (at most
:data:`mapview.style.AGGREGATE_ABOVE`), in the shape of :func:`mapview.parcel_layer.parcel_payload`, or,
when more are in view, the commune discs of every shown parcel (:func:`commune_groups`) and no parcel.

The rule is the one of the whole-layer map: the same static tooltip columns, label tables and state as
:func:`mapview.parcel_layer.parcel_payload` of the same parcels, sliced to the view (the tests compare
them with the payload of the subset built directly), so a tooltip or a stage colour never depends on the
view. Codes (commune, project, flag indices) index the tables of the whole layer, written once in the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from domain.stages import STAGES
from gis.crs import WGS84, to_wgs84
from mapview.cache import StoreMemo
from mapview.encode import encode_geometries
from mapview.layers import to_leaflet_geometries
from mapview.parcel_layer import _static_columns, payload_parcels
from mapview.style import AGGREGATE_ABOVE, SIMPLIFY_M

#: More parcels than this in the page's payload (project filter): the page is built in viewport mode.
VIEWPORT_ABOVE = 100_000


@dataclass(frozen=True)
class ViewIndex:
    """Boxes of the payload parcels in degrees (EPSG:4326), positional order of ``payload_parcels``.

    ``west``, ``south``, ``east``, ``north`` (float arrays; NaN for a parcel without geometry) and
    ``x``, ``y``: the box centre in Web Mercator pixels at zoom 0 (what ``map.project(latlng, 0)`` gives),
    for the commune discs.
    """

    west: np.ndarray
    south: np.ndarray
    east: np.ndarray
    north: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def within(self, view: dict) -> np.ndarray:
        """Bool per parcel: its box meets ``view`` (``w``, ``s``, ``e``, ``n`` in degrees)."""
        return ((self.west <= float(view["e"])) & (self.east >= float(view["w"]))
                & (self.south <= float(view["n"])) & (self.north >= float(view["s"])))


def _corners_wgs84(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the points ``x``, ``y`` of ``crs``: the transformation ``gis.crs.to_wgs84`` uses
    (GeoPandas' ``to_crs``: pyproj, always x/y), applied to the arrays directly instead of through 2 million
    shapely points at 500 000 parcels (:func:`_corners_wgs84_reference` is the old way, the tests compare)."""
    transformer = pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), WGS84, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _corners_wgs84_reference(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_corners_wgs84` through ``gis.crs.to_wgs84`` of shapely points (the reference of the tests)."""
    points = gpd.GeoSeries(shapely.points(x, y), crs=crs)
    xy = shapely.get_coordinates(to_wgs84(points).values) if len(points) else np.empty((0, 2))
    return xy[:, 0], xy[:, 1]


def view_index(parcels: gpd.GeoDataFrame) -> ViewIndex:
    """The :class:`ViewIndex` of ``parcels`` (EPSG:9215): one vectorised bounds call and one reprojection
    of the four corners of every box (no per-parcel Python).

    Raises
    ------
    ValueError
        If ``parcels`` has no CRS.
    """
    if parcels.crs is None:
        raise ValueError("Lớp thửa đất không có hệ tọa độ (CRS); cần EPSG:9215.")
    bounds = shapely.bounds(np.asarray(parcels.geometry.values, dtype=object))   # NaN for None / empty
    x0, y0, x1, y1 = bounds.T
    n = len(parcels)
    lon, lat = _corners_wgs84(parcels.crs, np.concatenate([x0, x1, x0, x1]), np.concatenate([y0, y0, y1, y1]))
    lon, lat = lon.reshape(4, n), lat.reshape(4, n)
    missing = np.isnan(x0)
    west, east = np.where(missing, np.nan, lon.min(axis=0)), np.where(missing, np.nan, lon.max(axis=0))
    south, north = np.where(missing, np.nan, lat.min(axis=0)), np.where(missing, np.nan, lat.max(axis=0))
    cx, cy = (west + east) / 2, np.clip((south + north) / 2, -85.0511287798, 85.0511287798)
    sin = np.sin(np.radians(cy))
    px = 256 * (cx / 360 + 0.5)
    py = 256 * (0.5 - np.log((1 + sin) / (1 - sin)) / (4 * np.pi))
    return ViewIndex(west, south, east, north, px, py)


def _slice_column(spec: Any, rows: np.ndarray) -> Any:
    if isinstance(spec, dict):
        return {"dict": spec["dict"], "codes": np.asarray(spec["codes"])[rows].tolist()}
    return [spec[i] for i in rows.tolist()]


def _slice_state(state: dict, rows: np.ndarray) -> dict:
    out = dict(state)
    for name in ("s", "r", "v", "f"):
        out[name] = _slice_column(state[name], rows)
    out["d"] = _slice_column(state["d"], rows)
    if "markers" in state:
        where = np.full(len(state["s"]), -1)
        where[rows] = np.arange(len(rows))
        out["markers"] = {kind: [int(where[p]) for p in positions if where[p] >= 0]
                          for kind, positions in state["markers"].items()}
    return out


def commune_groups(full_state: dict, columns: dict, index: ViewIndex) -> list[dict]:
    """The commune discs of the shown parcels of ``full_state`` (all parcels of the payload, not only the view):
    ``[{c, n, h, x, y}]`` as ``parcels.js``'s ``groups()`` computes them in the browser (``c`` commune code of
    the ``c`` column, -1 when missing; ``n`` shown parcels; ``h`` of them at the last stage; ``x``, ``y`` mean
    box centre in zoom-0 pixels), in order of first appearance."""
    shown = np.asarray(full_state["v"], dtype=bool) & ~np.isnan(index.x)
    spec = columns.get("c")
    codes = np.asarray(spec["codes"] if isinstance(spec, dict) else [(-1 if v is None else v) for v in spec]
                       if spec is not None else np.full(len(shown), -1), dtype=np.int64)
    frame = pd.DataFrame({"c": codes[shown], "h": np.asarray(full_state["s"])[shown] == len(STAGES) - 1,
                          "x": index.x[shown], "y": index.y[shown]})
    grouped = frame.groupby("c", sort=False).agg(n=("h", "size"), h=("h", "sum"), x=("x", "mean"), y=("y", "mean"))
    return [{"c": int(c), "n": int(r.n), "h": int(r.h), "x": float(r.x), "y": float(r.y)}
            for c, r in grouped.iterrows()]


def view_payload(snapshot_parcels: gpd.GeoDataFrame, columns: dict, full_state: dict, index: ViewIndex,
                 view: dict, *, limit: int = AGGREGATE_ABOVE) -> dict:
    """What the page needs for ``view``: ``geometry``, ``columns``, ``state`` of the shown parcels in view
    and ``rows`` (their positions in the payload order), or with more than ``limit`` of them ``groups``
    (:func:`commune_groups`) and an empty parcel set.

    Parameters
    ----------
    snapshot_parcels : GeoDataFrame
        The payload parcels (:func:`mapview.parcel_layer.payload_parcels` of the project filter), EPSG:9215.
    columns : dict
        Their static tooltip columns (:func:`static_columns`; the dashboard keeps them per data version).
    full_state : dict
        :func:`mapview.parcel_layer.map_state` of those parcels at the date and filters shown.
    index : ViewIndex
        :func:`view_index` of the same parcels.
    view : dict
        ``w``, ``s``, ``e``, ``n`` (degrees).

    Returns
    -------
    dict
        ``geometry`` (:func:`mapview.encode.encode_geometries`), ``columns``, ``state`` (title, legend and
        counts of the whole layer; ``s``, ``r``, ``v``, ``d``, ``f`` and ``markers`` of the rows sent), ``rows``
        (list of int), ``groups`` (list, empty unless aggregated), ``aggregated`` (bool).

    Raises
    ------
    KeyError
        If ``view`` lacks one of ``w``, ``s``, ``e``, ``n``.
    """
    rows = np.flatnonzero(np.asarray(full_state["v"], dtype=bool) & index.within(view))
    aggregated = len(rows) > limit
    if aggregated:
        rows = rows[:0]
    return {
        "geometry": encode_geometries(to_leaflet_geometries(snapshot_parcels.geometry.iloc[rows], SIMPLIFY_M["parcels"])),
        "columns": {name: _slice_column(spec, rows) for name, spec in columns.items()},
        "state": _slice_state(full_state, rows),
        "rows": rows.tolist(),
        "groups": commune_groups(full_state, columns, index) if aggregated else [],
        "aggregated": bool(aggregated),
    }


def static_columns(memo: StoreMemo, parcels: gpd.GeoDataFrame, projects: pd.DataFrame, *,
                   include_personal_data: bool = False) -> tuple[dict, dict]:
    """(static tooltip columns, label tables) of the whole payload ``parcels``, as in
    :func:`mapview.parcel_layer.parcel_payload` (the same cache in ``memo``)."""
    return _static_columns(memo, parcels, projects, include_personal_data)


def page_payload(columns: dict, tables: dict, full_state: dict) -> dict:
    """The parcel payload a page in viewport mode is built with: no parcel (geometry, columns and state of
    zero rows), the label tables of the whole layer, the whole layer's title, legend and counts."""
    rows = np.zeros(0, dtype=np.int64)
    return {"geometry": encode_geometries([]), "columns": {k: _slice_column(v, rows) for k, v in columns.items()},
            "tables": tables, "state": _slice_state(full_state, rows), "ids": []}


def view_parcels(snapshot_parcels: gpd.GeoDataFrame, project_ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The payload parcels of ``project_ids`` (:func:`mapview.parcel_layer.payload_parcels`)."""
    return payload_parcels(snapshot_parcels, tuple(project_ids))


def empty_state(full_state: dict) -> dict:
    """``full_state`` with no parcel (the state the page in viewport mode is built with)."""
    return _slice_state(full_state, np.zeros(0, dtype=np.int64))

