"""Rules of the demo-data builder checked on constructed inputs (independent of the bundled files)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from shapely import LineString, Point, box

from data.demo import geometry as geo
from data.demo.history import HANDOVER_CURVES, _weekday, curve_date
from data.demo.names import owner_name
from data.demo.parcels import MEAN_PARCEL_M2, sample_points, split_rectangle, voronoi_fabric

LINE = LineString([(500_000, 2_400_000), (502_000, 2_400_000), (502_000, 2_402_000)])


def test_chaikin_keeps_end_points_and_shortens_corners():
    pts = geo.chaikin(LINE.coords, passes=3)
    assert tuple(pts[0]) == LINE.coords[0] and tuple(pts[-1]) == LINE.coords[-1]
    assert LineString(pts).length < LINE.length


def test_corridor_area_is_length_times_width():
    poly = geo.corridor(LineString([(0, 0), (1000, 0)]), 100.0, 600.0, 20.0)
    assert poly.area == pytest.approx(500 * 40)


def test_cluster_polygon_has_the_requested_area_on_the_requested_side():
    left = geo.cluster_polygon(LINE, 200.0, 1200.0, 30.0, 123_456.0)
    right = geo.cluster_polygon(LINE, 200.0, 1200.0, 30.0, 50_000.0, side="right")
    assert left.area == pytest.approx(123_456.0, abs=0.01)
    assert right.area == pytest.approx(50_000.0, abs=0.01)
    assert left.centroid.y > 2_400_000 > right.centroid.y  # left of an eastward line is north
    assert left.distance(LINE) == pytest.approx(30.0, abs=0.01)


def test_expressway_is_43_43_km_from_the_border_gate():
    line = geo.expressway_centreline()
    assert line.length == pytest.approx(43_430.0)
    lon, lat = geo.point_lonlat(Point(line.coords[0]))
    assert (lon, lat) == pytest.approx((106.7139, 21.9720), abs=1e-4)


def test_curve_date_inverts_the_curve():
    curve = HANDOVER_CURVES["CT_HNCL"]
    assert curve_date(curve, 0.0) == dt.date(2024, 1, 10)
    assert curve_date(curve, 1.0) == dt.date(2025, 6, 10)
    for (day, fraction) in curve[1:-1]:
        assert curve_date(curve, fraction) == dt.date.fromisoformat(day)
    days = [curve_date(curve, f) for f in np.linspace(0, 1, 50)]
    assert days == sorted(days)


def test_weekends_move_to_the_nearest_weekday():
    assert _weekday(dt.date(2024, 6, 29)) == dt.date(2024, 6, 28)  # Saturday → Friday
    assert _weekday(dt.date(2024, 6, 30)) == dt.date(2024, 7, 1)  # Sunday → Monday
    assert _weekday(dt.date(2024, 7, 3)) == dt.date(2024, 7, 3)


def test_sample_points_are_inside():
    poly = box(0, 0, 100, 10).union(box(0, 0, 10, 100))
    pts = sample_points(poly, 500, np.random.default_rng(0))
    assert pts.shape == (500, 2)
    assert all(poly.covers(Point(p)) for p in pts)


def test_voronoi_fabric_tiles_the_fabric_at_the_land_use_density():
    fabric = box(0, 0, 400, 200)
    blocks = [(box(0, 0, 200, 200), "LUC", "rice"), (box(200, 0, 400, 200), "ONT", "village")]
    parcels = voronoi_fabric(blocks, fabric, np.random.default_rng(3))
    total = sum(p.area for p, _ in parcels)
    assert total == pytest.approx(fabric.area, rel=0.01)  # cells tile the fabric (largest parts kept)
    rice = [p.area for p, lu in parcels if lu == "LUC"]
    houses = [p.area for p, lu in parcels if lu in ("ONT",)]
    assert np.median(rice) > 2 * np.median(houses)
    assert 0.5 * MEAN_PARCEL_M2["LUC"] < np.median(rice) < 2 * MEAN_PARCEL_M2["LUC"]


def test_split_rectangle_covers_it():
    rect = box(0, 0, 30, 40)
    pieces = split_rectangle(rect, 3, np.random.default_rng(1))
    assert len(pieces) == 3 and sum(p.area for p in pieces) == pytest.approx(1200.0)


def test_owner_names_look_vietnamese():
    rng = np.random.default_rng(5)
    names = [owner_name(rng) for _ in range(200)]
    assert all(len(n.split()) == 3 for n in names)
    assert any(n.split()[1] == "Thị" for n in names) and any(n.split()[1] == "Văn" for n in names)
    assert len(set(names)) > 150
