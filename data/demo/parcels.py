"""Illustrative parcel fabric inside and around the clearance boundaries (EPSG:9215).

Rule (also in ``data/SOURCES.md``):

1. Each project claims a *fabric* area: its clearance boundary widened by a margin, minus what a project
   built earlier claimed, so parcels of different projects never overlap (order: clusters, QL4B,
   expressway, police sites). Parcels on the margin straddle the boundary: only part is recovered.
2. Along the route the fabric is cut into chunks of 150–600 m (chainage); each chunk gets a zone
   (village, rice, upland, forest) by project-specific weights, each chunk side a land-use code from the
   zone, and seeds at the density of that land use's typical parcel size (:data:`MEAN_PARCEL_M2`).
   Along the existing QL4B, village chunks have a residential frontage strip (25–35 m).
3. Parcels are the Voronoi cells of the seeds (one Lloyd relaxation) clipped to the fabric; a few cells
   become cemetery (NTD), irrigation (DTL) or transport (DGT) land.
4. ``area_to_recover_m2`` = area of parcel ∩ clearance boundary in EPSG:9215; parcels with < 1 m² inside
   are dropped.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely import LineString, Polygon

from data.demo.geometry import side_strip

#: Typical parcel size by land-use code, m² (ranges seen in rural cadastres of the northern mountains).
MEAN_PARCEL_M2 = {
    "LUC": 800.0, "LUK": 700.0, "BHK": 1400.0, "NHK": 1300.0, "CLN": 2000.0, "RSX": 7000.0, "RPH": 10000.0,
    "ONT": 230.0, "ODT": 150.0, "NTS": 1500.0, "NTD": 300.0, "DTL": 400.0, "DGT": 600.0,
}

#: Land-use mix of each zone: (code, weight) for a chunk side.
ZONE_LAND_USE = {
    "village": (("ONT", 0.35), ("CLN", 0.4), ("BHK", 0.25)),
    "rice": (("LUC", 0.75), ("LUK", 0.15), ("NTS", 0.1)),
    "upland": (("BHK", 0.4), ("NHK", 0.2), ("CLN", 0.4)),
    "forest": (("RSX", 0.8), ("RPH", 0.1), ("CLN", 0.1)),
}

#: Zone weights per project (QL4B: suburban national road; expressway: new line through hills).
PROJECT_ZONES = {
    "QL4B": (("village", 0.5), ("rice", 0.3), ("upland", 0.15), ("forest", 0.05)),
    "CT_HNCL": (("village", 0.1), ("rice", 0.3), ("upland", 0.25), ("forest", 0.35)),
    "CCN_HT1": (("village", 0.1), ("rice", 0.4), ("upland", 0.35), ("forest", 0.15)),
    "CCN_HT2": (("village", 0.05), ("rice", 0.35), ("upland", 0.4), ("forest", 0.2)),
    "QL4B_TDC": (("village", 0.1), ("rice", 0.5), ("upland", 0.4)),  # land of the Gia Cát resettlement area
}

#: Share of cells turned into special land in each zone: (code, probability).
SPECIAL_LAND_USE = {
    "village": (("DGT", 0.03), ("NTD", 0.01)),
    "rice": (("DTL", 0.04), ("DGT", 0.01)),
    "upland": (("NTD", 0.03), ("DGT", 0.01)),
    "forest": (("NTD", 0.02),),
}


def _choice(rng: np.random.Generator, table) -> str:
    codes = [code for code, _w in table]
    weights = np.array([w for _c, w in table], dtype=float)
    return codes[rng.choice(len(codes), p=weights / weights.sum())]


def sample_points(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniformly inside ``polygon`` (rejection sampling in its bounding box), shape (n, 2)."""
    if n <= 0 or polygon.is_empty:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    out = np.empty((0, 2))
    ratio = max(polygon.area / max((maxx - minx) * (maxy - miny), 1e-9), 0.01)
    while len(out) < n:
        m = int((n - len(out)) / ratio * 1.3) + 8
        cand = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        cand = cand[shapely.contains_xy(polygon, cand[:, 0], cand[:, 1])]
        out = np.vstack([out, cand])
    return out[:n]


def route_blocks(project_id: str, line: LineString, from_m: float, to_m: float, half_width_m: float,
                 rng: np.random.Generator, *, frontage: bool, offset_m: float = 0.0,
                 sides=("left", "right")) -> list[tuple[Polygon, str, str]]:
    """Blocks ``(polygon, land_use, zone)`` covering a band along ``line`` between two chainages.

    The band runs from ``offset_m`` to ``offset_m + half_width_m`` on each of ``sides``; chainages are
    distances from the first vertex of ``line``.
    """
    blocks: list[tuple[Polygon, str, str]] = []
    a = from_m
    while a < to_m - 1.0:
        b = min(to_m, a + rng.uniform(150.0, 600.0))
        if to_m - b < 100.0:
            b = to_m
        zone = _choice(rng, PROJECT_ZONES[project_id])
        for side in sides:
            bands: list[tuple[float, float, str]] = []
            start = offset_m
            if frontage and zone == "village":
                depth = rng.uniform(25.0, 35.0)
                bands.append((start, depth, "ONT"))
                start += depth
            bands.append((start, offset_m + half_width_m - start, _choice(rng, ZONE_LAND_USE[zone])))
            for band_start, depth, land_use in bands:
                if depth > 0.5:
                    blocks.append((side_strip(line, a, b, band_start, depth, side), land_use, zone))
        a = b
    return blocks


def voronoi_fabric(blocks, fabric, rng: np.random.Generator, min_area_m2: float = 10.0):
    """Parcels from blocks: seeds by land-use density, Voronoi cells clipped to ``fabric``.

    Parameters
    ----------
    blocks : list of (Polygon, str, str)
        ``(polygon, land_use, zone)`` from :func:`route_blocks` or hand-made.
    fabric : Polygon or MultiPolygon
        Where the parcels may lie (EPSG:9215).

    Returns
    -------
    list of (Polygon, str)
        Parcel polygon (largest part of its clipped cell, ≥ ``min_area_m2``) and land-use code.
    """
    seeds, uses, zones = [], [], []
    shapely.prepare(fabric)
    for polygon, land_use, zone in blocks:
        part = polygon.intersection(fabric)
        if part.is_empty or part.area < 1.0:
            continue
        n = part.area / MEAN_PARCEL_M2[land_use] * rng.uniform(0.8, 1.25)
        n = int(n) + (1 if rng.random() < n - int(n) else 0)
        if n == 0:
            continue
        pts = sample_points(part, n, rng)
        seeds.append(pts)
        uses += [land_use] * len(pts)
        zones += [zone] * len(pts)
    if not seeds:
        return []
    pts = np.vstack(seeds)
    envelope = shapely.box(*fabric.buffer(200).bounds)
    for iteration in range(2):  # one Lloyd relaxation (seeds moved to their cell centroids), then final cells
        cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=envelope, ordered=True)
        clipped = shapely.intersection(np.array(shapely.get_parts(cells)), fabric)
        if iteration == 0:
            ok = ~shapely.is_empty(clipped)
            pts = pts.copy()
            pts[ok] = shapely.get_coordinates(shapely.centroid(clipped[ok]))
    out = []
    for cell, land_use, zone in zip(clipped, uses, zones):
        if cell.is_empty:
            continue
        parts = [g for g in shapely.get_parts(cell) if isinstance(g, Polygon)]
        if not parts:
            continue
        poly = max(parts, key=lambda g: g.area)
        if poly.area < min_area_m2:
            continue
        for code, p in SPECIAL_LAND_USE.get(zone, ()):
            if rng.random() < p:
                land_use = code
                break
        # Snap to a 1 mm grid (valid result), then drop the grid from the geometry (WKB round trip) so that
        # later overlays run in full precision, exactly as for a layer read back from the file.
        out.append((shapely.from_wkb(shapely.to_wkb(shapely.set_precision(poly, 0.001))), land_use))
    return out


def split_rectangle(rect: Polygon, n: int, rng: np.random.Generator) -> list[Polygon]:
    """Split an axis-aligned rectangle into ``n`` strips of random widths (west → east)."""
    minx, miny, maxx, maxy = rect.bounds
    cuts = np.sort(rng.uniform(0.25, 0.75, n - 1)) if n > 1 else np.array([])
    xs = [minx, *(minx + cuts * (maxx - minx)), maxx]
    return [shapely.box(xs[i], miny, xs[i + 1], maxy) for i in range(n)]
