"""Approximate project geometry in EPSG:9215: centrelines, clearance boundaries, cluster areas, sites.

None of it is surveyed. The rules are stated beside each constant and in ``data/SOURCES.md``:

* QL4B: the three LegoCity pieces of "Quốc lộ 4B" chained from Lạng Sơn city south-east (towards Lộc
  Bình), smoothed (Chaikin, 3 passes), Km0 at the city end of the source line (approximate origin).
* Hữu Nghị – Chi Lăng expressway: no public alignment; a smoothed line through hand-placed waypoints
  (:data:`EXPRESSWAY_WAYPOINTS`) from the Hữu Nghị border gate, east of the QL4A/QL1A corridor at
  ~1.5–2.5 km, crossing QL4B in Kỳ Lừa, south-west to Mai Sao (Chi Lăng), cut at 43.43 km.
* Clearance boundaries: flat-capped buffers of the managed section; widths in :func:`build_projects`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, MultiPolygon, Point, Polygon
from shapely.ops import substring

from gis.crs import LANG_SON_CRS, transformer_from_wgs84

#: Source gid of the LegoCity QL4B pieces, in order from Lạng Sơn city (the first is a 3-part MultiLineString).
QL4B_SOURCE_GIDS = (295, 240, 249)
QL4B_SECTION = (3700.0, 18000.0)  # Km3+700 – Km18 (plan of Cao Lộc district, 2024)

#: Waypoints (lon, lat WGS 84) of the approximate expressway alignment, north → south. Placed by hand:
#: start at the Hữu Nghị border gate; ~2 km east of the QL4A (Đồng Đăng → city) corridor; cross QL4B
#: near its Km7 in Kỳ Lừa (the interchange); south-west, ~2 km east/south of QL1A, to Mai Sao.
EXPRESSWAY_WAYPOINTS = (
    (106.7139, 21.9720),  # Hữu Nghị border gate (Đồng Đăng)
    (106.7290, 21.9560),
    (106.7480, 21.9330),
    (106.7690, 21.9060),
    (106.7960, 21.8800),
    (106.8150, 21.8540),
    (106.8285, 21.8250),  # QL4B crossing (Kỳ Lừa interchange)
    (106.8220, 21.7990),
    (106.7900, 21.7740),
    (106.7450, 21.7450),
    (106.6950, 21.7230),
    (106.6450, 21.7110),
    (106.6000, 21.7030),  # beyond Mai Sao: the line is cut at the main-line length
    (106.5600, 21.6950),
)
EXPRESSWAY_MAIN_LINE_M = 43_430.0
#: Corridor width ≈ 100 m: 578–618 ha for 59.87 km ≈ 9.7–10.3 ha/km (public figures, DOMAIN.md).
EXPRESSWAY_HALF_WIDTH_M = 50.0
#: Target of QL4B's Cao Lộc part (DOMAIN.md: "about 45 ha").
QL4B_CAO_LOC_TARGET_M2 = 450_000.0
#: Resettlement area of the QL4B project in Gia Cát (DOMAIN.md: "> 2.3 ha, > 120 plots of ~100 m²"):
#: 2.4 ha on the south-west side of QL4B, chainage Km8+000 – Km8+300 (position assumed).
QL4B_RESETTLEMENT_M2 = 24_000.0
QL4B_RESETTLEMENT_CHAINAGE = (8000.0, 8300.0)
#: CCN Hợp Thành 1 + 2: 81.558 ha together; the split 50 / 31.558 ha is an assumption.
CCN_AREAS_M2 = {"CCN_HT1": 500_000.0, "CCN_HT2": 315_580.0}
#: Chainage ranges along QL4B of the two clusters (north-east side of the road), an assumption.
CCN_CHAINAGE = {"CCN_HT1": (3850.0, 4900.0), "CCN_HT2": (4900.0, 5650.0)}


@dataclass(frozen=True)
class PoliceSite:
    """A commune police headquarters site (trụ sở công an xã), illustrative position and size."""

    former_unit: str
    lon: float
    lat: float
    width_m: float
    depth_m: float


#: 7 sites, one per former commune, near the commune centre (positions illustrative), 800–2 500 m².
POLICE_SITES = (
    PoliceSite("Xã Thụy Hùng", 106.7105, 21.9070, 40.0, 45.0),
    PoliceSite("Xã Phú Xá", 106.6830, 21.9035, 30.0, 40.0),
    PoliceSite("Xã Lộc Yên", 106.8355, 21.9215, 35.0, 50.0),
    PoliceSite("Xã Thạch Đạn", 106.7765, 21.9390, 30.0, 30.0),
    PoliceSite("Xã Xuất Lễ", 106.9950, 21.8990, 45.0, 50.0),
    PoliceSite("Xã Hải Yến", 106.8530, 21.8905, 28.0, 32.0),
    PoliceSite("Xã Mẫu Sơn", 106.9700, 21.8600, 40.0, 55.0),
)


def chaikin(coords, passes: int = 3) -> np.ndarray:
    """Chaikin corner cutting (keeps the end points): a smooth road-like line from coarse vertices."""
    pts = np.asarray(coords, dtype=float)
    for _ in range(passes):
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        pts = np.vstack([pts[:1], mid, pts[-1:]])
    return pts


def _lonlat_to_metric(lonlat) -> np.ndarray:
    lon, lat = np.asarray(lonlat, dtype=float).T
    x, y = transformer_from_wgs84().transform(lon, lat)
    return np.column_stack([x, y])


def ql4b_centreline(roads: gpd.GeoDataFrame, length_m: float = QL4B_SECTION[1]) -> LineString:
    """QL4B centreline, EPSG:9215, from the city end (Km0) to ``length_m`` (default Km18).

    Parameters
    ----------
    roads : GeoDataFrame
        The LegoCity roads layer (``roads.geojson``) in EPSG:9215 with column ``source_gid``.

    Raises
    ------
    ValueError
        If the QL4B pieces are missing or do not chain end to start.
    """
    coords: list[tuple[float, float]] = []
    for gid in QL4B_SOURCE_GIDS:
        rows = roads[roads["source_gid"] == gid]
        if rows.empty:
            raise ValueError(f"roads.geojson: missing QL4B piece source_gid={gid}")
        geom = rows.geometry.iloc[0]
        for part in getattr(geom, "geoms", [geom]):
            part_coords = list(part.coords)
            if coords and math.dist(coords[-1], part_coords[0]) > 1.0:
                raise ValueError(f"QL4B piece {gid} does not start where the previous one ends")
            coords += part_coords if not coords else part_coords[1:]
    smooth = LineString(chaikin(coords))
    return substring(smooth, 0.0, length_m)


def expressway_centreline() -> LineString:
    """Approximate Hữu Nghị – Chi Lăng main line, EPSG:9215, north → south, exactly 43.43 km long."""
    smooth = LineString(chaikin(_lonlat_to_metric(EXPRESSWAY_WAYPOINTS), passes=4))
    if smooth.length < EXPRESSWAY_MAIN_LINE_M:
        raise ValueError("expressway waypoints too short for the main-line length")
    return substring(smooth, 0.0, EXPRESSWAY_MAIN_LINE_M)


def corridor(centreline: LineString, from_m: float, to_m: float, half_width_m: float) -> Polygon:
    """Clearance corridor: flat-capped buffer of the centreline between two chainages.

    Parameters
    ----------
    centreline : LineString
        EPSG:9215, chainage 0 at the first vertex.
    from_m, to_m : float
        Chainages (m) of the section.
    half_width_m : float
        Distance (m) from the centreline to each edge; the area is ≈ (to_m - from_m) × 2 × half_width_m.
    """
    section = substring(centreline, from_m, to_m)
    return section.buffer(half_width_m, cap_style="flat", join_style="round", quad_segs=8)


def side_strip(centreline: LineString, from_m: float, to_m: float, offset_m: float, depth_m: float,
               side: str = "left") -> Polygon:
    """Band on one side of the centreline between two chainages, from ``offset_m`` to ``offset_m + depth_m``.

    ``side`` is ``"left"`` or ``"right"`` of the direction of increasing chainage; distances in metres
    (EPSG:9215). Built from single-sided buffers, so sharp bends give a valid polygon.
    """
    section = substring(centreline, from_m, to_m)
    sign = 1.0 if side == "left" else -1.0
    outer = section.buffer(sign * (offset_m + depth_m), single_sided=True, join_style="round")
    if offset_m <= 0:
        return outer
    inner = section.buffer(sign * offset_m, single_sided=True, join_style="round")
    return outer.difference(inner)


def cluster_polygon(centreline: LineString, from_m: float, to_m: float, offset_m: float, area_m2: float,
                    side: str = "left") -> Polygon:
    """Area beside QL4B with exactly ``area_m2`` (±0.01 m²): depth found by bisection.

    The polygon runs along one side of the road (default left of the direction of increasing chainage,
    i.e. north-east of QL4B), starting ``offset_m`` from the centreline (the edge of the QL4B clearance
    boundary), so the road borders it as in the clusters' description.
    """
    low, high = 1.0, 5000.0
    poly = None
    for _ in range(80):
        mid = 0.5 * (low + high)
        poly = side_strip(centreline, from_m, to_m, offset_m, mid, side)
        if abs(poly.area - area_m2) < 0.005:
            break
        if poly.area < area_m2:
            low = mid
        else:
            high = mid
    return poly


def police_site(site: PoliceSite) -> Polygon:
    """Rectangle ``width_m × depth_m`` centred on the site's position, EPSG:9215 (axis-aligned)."""
    x, y = _lonlat_to_metric([(site.lon, site.lat)])[0]
    return shapely.box(x - site.width_m / 2, y - site.depth_m / 2, x + site.width_m / 2, y + site.depth_m / 2)


def as_multipolygon(geom) -> MultiPolygon:
    """Polygon/MultiPolygon/GeometryCollection → MultiPolygon (polygon parts only)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    flat: list[Polygon] = []
    for part in parts:
        flat += list(getattr(part, "geoms", [part]))
    return MultiPolygon(flat)


def to_gdf(records: list[dict]) -> gpd.GeoDataFrame:
    """Records with a ``geometry`` key → GeoDataFrame in EPSG:9215."""
    return gpd.GeoDataFrame(records, geometry="geometry", crs=LANG_SON_CRS)


def point_lonlat(point: Point) -> tuple[float, float]:
    """EPSG:9215 point → (lon, lat) WGS 84, for notes."""
    from gis.crs import transformer_to_wgs84

    return transformer_to_wgs84().transform(point.x, point.y)
