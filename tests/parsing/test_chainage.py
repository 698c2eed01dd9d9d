"""Chainage cells: a Km label or a number of metres, numbers by the one number rule."""
from __future__ import annotations

import pytest

import gis.chainage
from parsing.chainage import parse_chainage, parse_chainage_or_metres


def test_gis_uses_the_parsing_label_parser():
    assert gis.chainage.parse_chainage is parse_chainage


@pytest.mark.parametrize("value, metres", [
    ("Km3+700", 3700.0), ("km3+700,5", 3700.5), ("KM3+700.500", 3700.5), ("3700", 3700.0), (3700, 3700.0),
    ("3.700", 3700.0), ("3.700,5", 3700.5), (3700.25, 3700.25),
])
def test_labels_and_metres(value, metres):
    assert parse_chainage_or_metres(value, decimal="vi") == pytest.approx(metres)


def test_ambiguous_metres_follow_the_column_convention_or_are_reported():
    assert parse_chainage_or_metres("3.700", decimal="en") == pytest.approx(3.7)
    with pytest.raises(ValueError, match="không rõ"):
        parse_chainage_or_metres("3.700")


@pytest.mark.parametrize("value", ["Km3+1200", "ba km", "Km-3+100", ""])
def test_bad_chainage_cells(value):
    with pytest.raises(ValueError):
        parse_chainage_or_metres(value)
