"""Chainage: parse/format round trips, parse errors, chainage ⇄ point/segment on a known line."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from gis.chainage import (
    chainage_of_point,
    chainages_of_points,
    format_chainage,
    kilometre_markers,
    parse_chainage,
    point_at_chainage,
    segment_between,
)


@pytest.mark.parametrize("text, metres", [
    ("Km3+700", 3700.0), ("Km 3+700", 3700.0), ("km3+700,5", 3700.5), ("KM3+700.5", 3700.5), ("3+700", 3700.0),
    ("Km3+700m", 3700.0), ("Km0+000", 0.0), ("Km18+000", 18000.0), ("  km 12 + 050,25 ", 12050.25),
    ("Km43+430", 43430.0), ("Km3+999,9", 3999.9),
])
def test_parse_accepted_forms(text, metres):
    assert parse_chainage(text) == pytest.approx(metres)


@pytest.mark.parametrize("text", ["Km3+1200", "Km-1+0", "", "   ", "garbage", "Km3", "3700", "Km3+", "+700",
                                  "Km3-700", "Km3+70x", "Km3+700+5", None, float("nan")])
def test_parse_rejects_with_vietnamese_message_naming_the_form(text):
    with pytest.raises(ValueError) as info:
        parse_chainage(text)
    message = str(info.value)
    assert "Lý trình" in message and "Km3+700" in message


def test_parse_metres_over_999_message_says_why():
    with pytest.raises(ValueError, match="nhỏ hơn 1000"):
        parse_chainage("Km3+1200")


@pytest.mark.parametrize("metres, decimals, label", [
    (3700.0, 0, "Km3+700"), (0.0, 0, "Km0+000"), (12050.5, 1, "Km12+050,5"), (18000.0, 0, "Km18+000"),
    (999.6, 0, "Km1+000"), (3700.04, 1, "Km3+700,0"), (5.0, 2, "Km0+005,00"),
])
def test_format(metres, decimals, label):
    assert format_chainage(metres, decimals) == label


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_format_rejects_negative_and_non_finite(bad):
    with pytest.raises(ValueError):
        format_chainage(bad)


@settings(max_examples=300, deadline=None)
@given(km=st.integers(0, 500), metres=st.integers(0, 999))
def test_round_trip_whole_metres(km, metres):
    label = format_chainage(km * 1000 + metres)
    assert label == f"Km{km}+{metres:03d}"
    assert parse_chainage(label) == km * 1000 + metres


@settings(max_examples=300, deadline=None)
@given(tenths=st.integers(0, 5_000_000))
def test_round_trip_with_one_decimal(tenths):
    metres = tenths / 10
    assert parse_chainage(format_chainage(metres, decimals=1)) == pytest.approx(metres, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(value=st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
def test_round_trip_error_is_half_a_unit(value):
    assert abs(parse_chainage(format_chainage(value)) - value) <= 0.5 + 1e-9


# A known L-shaped line: 1 000 m east, then 2 500 m north (total 3 500 m).
LINE = LineString([(500_000, 2_400_000), (501_000, 2_400_000), (501_000, 2_402_500)])


def test_point_at_chainage_on_known_line():
    assert point_at_chainage(LINE, 500.0).equals(Point(500_500, 2_400_000))
    assert point_at_chainage(LINE, 2000.0).equals(Point(501_000, 2_401_000))
    # With a chainage origin at Km3+700 at the first vertex.
    assert point_at_chainage(LINE, 4700.0, chainage_start_m=3700.0).equals(Point(501_000, 2_400_000))


def test_chainage_of_point_projects_orthogonally():
    assert chainage_of_point(LINE, Point(500_250, 2_400_030)) == pytest.approx(250.0)
    assert chainage_of_point(LINE, Point(501_040, 2_401_500), chainage_start_m=3700.0) == pytest.approx(6200.0)
    # Beyond the end: clamps to the end.
    assert chainage_of_point(LINE, Point(501_000, 2_403_000)) == pytest.approx(3500.0)


def test_vectorised_chainages_match_scalar():
    pts = [Point(500_250, 2_400_030), Point(501_040, 2_401_500)]
    assert list(chainages_of_points(LINE, pts, 100.0)) == pytest.approx([350.0, 2600.0])


@settings(max_examples=200, deadline=None)
@given(ch=st.floats(0, 3500, allow_nan=False), start=st.floats(0, 50_000, allow_nan=False))
def test_point_chainage_round_trip(ch, start):
    point = point_at_chainage(LINE, start + ch, chainage_start_m=start)
    assert chainage_of_point(LINE, point, chainage_start_m=start) == pytest.approx(start + ch, abs=1e-6)


def test_segment_between_has_the_right_length_and_ends():
    seg = segment_between(LINE, 800.0, 1300.0)
    assert seg.length == pytest.approx(500.0)
    assert Point(seg.coords[0]).equals(Point(500_800, 2_400_000))
    assert Point(seg.coords[-1]).equals(Point(501_000, 2_400_300))
    seg2 = segment_between(LINE, 4500.0, 5000.0, chainage_start_m=3700.0)
    assert seg2.length == pytest.approx(500.0)


@pytest.mark.parametrize("args", [(-10.0, 100.0), (100.0, 3600.0), (200.0, 100.0), (100.0, 100.0)])
def test_segment_between_errors(args):
    with pytest.raises(ValueError):
        segment_between(LINE, *args)


@pytest.mark.parametrize("ch, start", [(-1.0, 0.0), (3500.5, 0.0), (3000.0, 3700.0), (7300.0, 3700.0), (math.nan, 0.0)])
def test_point_at_chainage_out_of_range(ch, start):
    with pytest.raises(ValueError, match=r"ngoài tuyến|Lý trình"):
        point_at_chainage(LINE, ch, chainage_start_m=start)


def test_point_at_chainage_needs_a_line():
    with pytest.raises(TypeError):
        point_at_chainage(Point(0, 0), 1.0)


def test_kilometre_markers():
    markers = kilometre_markers(LINE, chainage_start_m=3700.0)
    assert list(markers["chainage_m"]) == [4000.0, 5000.0, 6000.0, 7000.0]
    assert list(markers["label"]) == ["Km4", "Km5", "Km6", "Km7"]
    assert markers.crs.to_epsg() == 9215
    assert markers.geometry.iloc[0].equals(Point(500_300, 2_400_000))
    half = kilometre_markers(LINE, 0.0, every_m=500)
    assert list(half["label"])[:3] == ["Km0", "Km0+500", "Km1"]
    assert len(half) == 8  # 0, 500, …, 3500
    with pytest.raises(ValueError):
        kilometre_markers(LINE, 0.0, every_m=0)
