"""The context layers of the map as GeoJSON texts: communes, roads, clearance boundaries, centrelines
and kilometre markers.

Inputs are the store's layers (GeoDataFrames in EPSG:9215, DATA_MODEL.md); outputs are GeoJSON
FeatureCollection texts in EPSG:4326 (:func:`mapview.layers.feature_collection_json`) whose features
carry ``t`` (tooltip or label HTML, escaped) and, where the style depends on it, ``a`` (1 approximate
geometry) or ``k`` (1 railway). None of them depends on the as-of date, so :mod:`mapview.build` caches
them per data version.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import pandas as pd

from gis.chainage import kilometre_markers
from mapview.layers import bounds_latlon, feature_collection_json
from mapview.style import SIMPLIFY_M

if TYPE_CHECKING:
    from store.protocol import LayerReader

#: A road with neither name nor reference, or the source's placeholder name.
UNNAMED_ROAD = "Đường chưa rõ tên"


def escape(value: Any) -> str:
    """HTML-escaped text of ``value`` (``""`` for None)."""
    return html.escape("" if value is None else str(value))


def project_table(store: LayerReader) -> gpd.GeoDataFrame:
    """``store.projects()`` with ``geometry_status`` (default ``surveyed``) and ``short_name`` (default
    the ``name``, else the ``project_id``) always present."""
    projects = store.projects()
    if "geometry_status" not in projects:
        projects["geometry_status"] = "surveyed"
    if "short_name" not in projects:
        projects["short_name"] = projects.get("name", projects["project_id"])
    return projects


def road_name(name: Any, ref: Any) -> str:
    """Road tooltip: the name, else the reference (QL4B), else "Đường chưa rõ tên" (source "Không biết")."""
    for v in (name, ref):
        if isinstance(v, str) and v.strip() and v.strip().lower() != "không biết":
            return v.strip()
    return UNNAMED_ROAD


def route_prefix(short_name: Any, project_id: str) -> str:
    """Short route name for kilometre labels: the first word if it is a road number (``QL4B``), else the
    first two words (``Cao tốc``); the project id when there is no short name."""
    if not isinstance(short_name, str) or not short_name.strip():
        return str(project_id)
    words = short_name.split()
    return words[0] if any(ch.isdigit() for ch in words[0]) else " ".join(words[:2])


def _column(gdf: pd.DataFrame, name: str, default: Any) -> pd.Series:
    return gdf[name] if name in gdf else pd.Series(default, index=gdf.index)


def communes_layer(store: LayerReader) -> tuple[str | None, list | None]:
    """(GeoJSON text with ``t`` = ``full_name`` or ``name``, Leaflet bounds) of ``store.communes()``;
    (None, None) when there are no communes."""
    communes = store.communes()
    if communes.empty:
        return None, None
    communes = communes.copy()
    name_col = "full_name" if "full_name" in communes else "name"
    communes["t"] = [escape(n) for n in communes[name_col]]
    return feature_collection_json(communes, ["t"], SIMPLIFY_M["communes"]), bounds_latlon(communes)


def roads_layer(store: LayerReader) -> str | None:
    """GeoJSON text of ``store.roads()`` with ``t`` (:func:`road_name`) and ``k`` (1 railway); None if empty."""
    roads = store.roads()
    if roads.empty:
        return None
    roads = roads.copy()
    roads["t"] = [escape(road_name(n, r)) for n, r in zip(_column(roads, "name", ""), _column(roads, "ref", ""))]
    roads["k"] = [1 if k == "railway" else 0 for k in _column(roads, "kind", "")]
    return feature_collection_json(roads, ["t", "k"], SIMPLIFY_M["roads"])


def _boundary_tooltip(row: pd.Series) -> str:
    text = f"<b>Chỉ giới GPMB – {escape(row.get('short_name'))}</b><br>{escape(row.get('name'))}"
    if row["a"]:
        text += f"<br><span class='note'>Gần đúng: {escape(row.get('geometry_note'))}</span>"
    return text


def boundaries_layer(projects: gpd.GeoDataFrame) -> str:
    """GeoJSON text of the clearance boundaries (:func:`project_table` rows) with ``t`` and ``a``."""
    b = projects.copy()
    b["a"] = (b["geometry_status"] == "approximate").astype(int)
    b["t"] = [_boundary_tooltip(row) for _, row in b.iterrows()]
    return feature_collection_json(b, ["t", "a"], SIMPLIFY_M["boundaries"])


class CentrelineLayers(NamedTuple):
    """GeoJSON texts of the centreline layer group (None where there is nothing to draw)."""

    lines: str | None
    plain_markers: str | None  # kilometre markers labelled on hover
    labelled_markers: str | None  # kilometre markers with a permanent label


def _kilometre_markers(row: pd.Series, crs: Any, prefix: str, label_every_m: float) -> gpd.GeoDataFrame:
    """A marker every 1 000 m of one centreline with ``t`` ("QL4B Km3") and ``l`` (1 permanently labelled)."""
    start = row.get("chainage_start_m")
    start = 0.0 if start is None or pd.isna(start) else float(start)
    km = kilometre_markers(row.geometry, start, every_m=1000.0, crs=crs)
    km["t"] = [f"{escape(prefix)} {escape(label)}" for label in km["label"]]
    km["l"] = [int(abs(ch % label_every_m) < 1e-6) for ch in km["chainage_m"]]
    return km


def centreline_layers(store: LayerReader, projects: pd.DataFrame, project_ids: tuple[str, ...],
                      km_label_every_m: float) -> CentrelineLayers:
    """Centrelines of ``project_ids`` (all when empty) with ``t`` and ``a``, and their kilometre markers.

    ``projects`` (:func:`project_table`) gives the short names used in tooltips and marker labels;
    markers at multiples of ``km_label_every_m`` (metres) are the labelled ones.
    """
    centrelines = store.centrelines()
    if project_ids and not centrelines.empty:
        centrelines = centrelines[centrelines["project_id"].isin(project_ids)]
    if centrelines.empty:
        return CentrelineLayers(None, None, None)
    c = centrelines.copy()
    short = dict(zip(projects["project_id"], projects["short_name"]))
    c["a"] = (_column(c, "geometry_status", "surveyed") == "approximate").astype(int)
    c["t"] = [f"Tim tuyến {escape(short.get(pid, pid))}" + (" (gần đúng)" if a else "")
              for pid, a in zip(c["project_id"], c["a"])]
    markers = [_kilometre_markers(row, c.crs, route_prefix(short.get(row["project_id"]), row["project_id"]),
                                  km_label_every_m) for _, row in c.iterrows()]
    km_all = gpd.GeoDataFrame(pd.concat(markers, ignore_index=True), crs=c.crs)
    plain, labelled = km_all[km_all["l"] == 0], km_all[km_all["l"] == 1]
    return CentrelineLayers(
        feature_collection_json(c, ["t", "a"], SIMPLIFY_M["centrelines"]),
        feature_collection_json(plain, ["t"]) if not plain.empty else None,
        feature_collection_json(labelled, ["t"]) if not labelled.empty else None,
    )
