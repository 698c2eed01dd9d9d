"""Coordinate converter and CRS resolution, checked against shared/crs/VN2000.md."""
from __future__ import annotations

import math

import pytest
from pyproj import CRS, Transformer

from cadastre.coords import (
    convert,
    convert_text_rows,
    format_dms,
    operation_description,
    parse_angle,
    parse_coordinate_pair,
    resolve_crs,
)
from parsing.numbers import parse_number

# VN2000.md: the correct custom string (rotations sign-flipped from the decree, position-vector +towgs84)
GOOD_PROJ = ("+proj=tmerc +lat_0=0 +lon_0=107.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
             "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
             "+units=m +no_defs")
# The string widely copied online keeps the decree's rotation signs.
DECREE_SIGN_PROJ = GOOD_PROJ.replace("0.00928836,-0.01975479,0.00427372", "-0.00928836,0.01975479,-0.00427372")
POINTS = [(2_412_000.0, 450_000.0), (2_440_000.0, 420_000.0), (2_380_000.0, 530_000.0)]  # X, Y in Lạng Sơn


def _to_wgs84_via(proj: str, x_northing: float, y_easting: float):
    t = Transformer.from_crs(CRS.from_user_input(proj), 4326, always_xy=True)
    return t.transform(y_easting, x_northing)  # lon, lat


def _metres_between(lon1, lat1, lon2, lat2):
    e1, n1 = Transformer.from_crs(4326, 9215, always_xy=True).transform(lon1, lat1)
    e2, n2 = Transformer.from_crs(4326, 9215, always_xy=True).transform(lon2, lat2)
    return math.hypot(e1 - e2, n1 - n2)


def test_vn2000_to_wgs84_uses_epsg_6960():
    desc = operation_description(CRS.from_epsg(9215), CRS.from_epsg(4326))
    assert "VN-2000 to WGS 84 (2)" in desc
    t = Transformer.from_crs(9215, 4326, always_xy=True)
    ids = [op.to_json_dict().get("id", {}) for op in t.operations or []]
    assert any(i.get("authority") == "EPSG" and i.get("code") == 6960 for i in ids) or \
        any("VN-2000 to WGS 84 (2)" in op.name for op in t.operations or [])


@pytest.mark.parametrize("x, y", POINTS)
def test_custom_proj_string_agrees_below_1_mm(x, y):
    p = convert(x, y, resolve_crs("9215"), resolve_crs("WGS84"))
    lon, lat = _to_wgs84_via(GOOD_PROJ, x, y)
    assert _metres_between(p.b, p.a, lon, lat) < 0.001


@pytest.mark.parametrize("x, y", POINTS)
def test_decree_sign_string_is_about_076_m_off(x, y):
    p = convert(x, y, resolve_crs("9215"), resolve_crs("WGS84"))
    lon, lat = _to_wgs84_via(DECREE_SIGN_PROJ, x, y)
    assert 0.6 < _metres_between(p.b, p.a, lon, lat) < 0.9


def test_order_in_and_out_is_x_northing_then_latitude():
    p = convert(2_412_000.0, 450_000.0, resolve_crs(9215), resolve_crs(4326))
    lon, lat = Transformer.from_crs(9215, 4326, always_xy=True).transform(450_000.0, 2_412_000.0)
    assert (p.a, p.b) == pytest.approx((lat, lon), abs=1e-12)
    assert 21 < p.a < 23 and 106 < p.b < 108
    back = convert(p.a, p.b, resolve_crs(4326), resolve_crs(9215))
    # the inverse 7-parameter Helmert is PROJ's first-order inverse: round trip within 2 mm
    assert (back.a, back.b) == pytest.approx((2_412_000.0, 450_000.0), abs=0.002)


def test_neighbouring_zone_point_converts_through_the_ellipsoid():
    # The same ground point in Cao Bằng's zone (CM 105°45′) is ~155 km further east on that grid.
    p = convert(2_412_000.0, 450_000.0, resolve_crs("Lạng Sơn"), resolve_crs("Cao Bằng"))
    e, n = Transformer.from_crs(9215, 9210, always_xy=True).transform(450_000.0, 2_412_000.0)
    assert (p.a, p.b) == pytest.approx((n, e), abs=1e-6)
    assert 150_000 < p.b - 450_000 < 160_000
    back = convert(p.a, p.b, resolve_crs(9210), resolve_crs(9215))
    assert (back.a, back.b) == pytest.approx((2_412_000.0, 450_000.0), abs=1e-4)


@pytest.mark.parametrize("spec, epsg", [
    ("9215", 9215), ("EPSG:9215", 9215), ("Lạng Sơn", 9215), ("lang son", 9215), ("Tỉnh Lạng Sơn", 9215),
    ("107-15", 9215), ("107°15'", 9215), ("107.25", 9215), ("TM3 105-45", 9210), ("Cao Bằng", 9210),
    ("Bắc Giang", 9214), ("UTM48", 3405), ("VN2000 UTM 49", 3406), ("WGS84", 4326), ("VN2000", 4756),
])
def test_resolve_crs(spec, epsg):
    assert resolve_crs(spec).to_epsg() == epsg


def test_resolve_crs_rejects_unknown_names_in_vietnamese():
    with pytest.raises(ValueError, match="Không hiểu hệ tọa độ"):
        resolve_crs("Atlantis")


@pytest.mark.parametrize("text, value", [
    ("21°50'30.5\"N", 21 + 50 / 60 + 30.5 / 3600), ("21 50 30,5", 21 + 50 / 60 + 30.5 / 3600),
    ("106°46′05,884″E", 106 + 46 / 60 + 5.884 / 3600), ("-21d30m", -21.5), ("21°30'S", -21.5), ("106,5", 106.5),
])
def test_parse_angle(text, value):
    assert parse_angle(text) == pytest.approx(value, abs=1e-12)


def test_parse_angle_rejects_minutes_over_60():
    with pytest.raises(ValueError):
        parse_angle("21°75'00\"")


def test_format_dms_round_trips():
    value = 21.803596019
    text = format_dms(value)
    assert text == "21°48′12,946″"
    assert parse_angle(text) == pytest.approx(value, abs=0.001 / 3600)


def test_parse_number_vietnamese_separators():
    assert parse_number("2.412.345,678") == 2412345.678
    assert parse_number("2 412 345,678") == 2412345.678
    assert parse_number("2412345.678") == 2412345.678


def test_swapped_grid_coordinates_are_refused():
    with pytest.raises(ValueError, match="đảo"):
        parse_coordinate_pair("450000", "2412000", resolve_crs(9215))


def test_batch_rows_keep_going_after_a_bad_line():
    rows = convert_text_rows(["M1\t2412000\t450000", "", "bad line here", "2412000;450000"], resolve_crs(9215), resolve_crs(4326))
    assert [r["line"] for r in rows] == [1, 3, 4]
    assert rows[0]["name"] == "M1" and rows[0]["error"] is None
    assert rows[1]["error"].startswith("Dòng 3")
    assert rows[2]["out_a"] == pytest.approx(rows[0]["out_a"])
