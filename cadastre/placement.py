"""Where each imported parcel lies: its 2025 commune, its chainage on the centreline, its ``parcel_id``.

Every function takes and returns parcels in EPSG:9215 (DATA_MODEL.md, "parcels") and adds columns.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
from shapely.ops import linemerge

from cadastre.former_communes import fold_unit
from domain.crs import STORE_EPSG
from gis.chainage import chainages_of_points

log = logging.getLogger(__name__)


def attach_commune_2025(parcels: gpd.GeoDataFrame, store) -> gpd.GeoDataFrame:
    """``commune`` and ``commune_code``: the 2025 commune (``store.communes()``) containing each parcel's
    representative point; None without a communes layer or outside every commune."""
    try:
        communes = store.communes()
    except Exception:  # pragma: no cover - a store without communes: only the 2025 names are lost
        log.exception("communes layer unavailable")
        communes = None
    if communes is None or communes.empty or parcels.empty:
        return parcels.assign(commune=None, commune_code=None)
    communes = communes.to_crs(STORE_EPSG)[["full_name", "code", "geometry"]]
    points = gpd.GeoDataFrame({"_i": np.arange(len(parcels))}, geometry=parcels.geometry.representative_point().values,
                              crs=STORE_EPSG)
    joined = gpd.sjoin(points, communes, how="left", predicate="within").drop_duplicates("_i").sort_values("_i")
    return parcels.assign(commune=joined["full_name"].to_numpy(), commune_code=joined["code"].to_numpy())


def attach_chainage(parcels: gpd.GeoDataFrame, store, project_id: str, kind: str) -> gpd.GeoDataFrame:
    """``chainage_m`` (m, 0,1 m): each parcel's representative point on the project's centreline (a road,
    ``store.centrelines()``, from its ``chainage_start_m``); NaN for area projects or without a centreline."""
    chainage = np.full(len(parcels), np.nan)
    line, start_m = _centreline(store, project_id) if kind == "road" and not parcels.empty else (None, 0.0)
    if line is not None:
        chainage = chainages_of_points(line, parcels.geometry.representative_point().values, start_m)
    return parcels.assign(chainage_m=np.round(chainage, 1))


def _centreline(store, project_id: str):
    """(LineString or None, chainage at its start in m): a MultiLineString only counts if it merges into one line."""
    lines = store.centrelines()
    hit = lines[lines["project_id"] == project_id]
    if hit.empty or hit.iloc[0].geometry is None:
        return None, 0.0
    line = hit.iloc[0].geometry
    if line.geom_type == "MultiLineString":
        line = linemerge(line)
    if line.geom_type != "LineString":
        return None, 0.0
    return line, float(hit.iloc[0].get("chainage_start_m") or 0.0)


def parcel_ids(parcels: gpd.GeoDataFrame, project_id: str) -> list[str]:
    """``project/former code/sheet/number`` (the folded former name when the commune has no GSO code)."""
    former_key = [c if isinstance(c, str) and c else fold_unit(n).replace(" ", "_")
                  for c, n in zip(parcels["_former_code"], parcels["commune_former"])]
    return [f"{project_id}/{k}/{s}/{n}" for k, s, n in zip(former_key, parcels["map_sheet"], parcels["parcel_number"])]
