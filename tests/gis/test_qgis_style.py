"""``gis.qgis_style``: the QML/SLD documents parse as XML and carry every category, whatever text a label holds."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gis.qgis_style import Category, categorized_qml, categorized_sld

# XML 1.0 cannot hold control characters other than tab/newline/CR at all: labels come from vocab, never those.
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@given(st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=1, max_size=8, unique_by=lambda t: t[0]))
def test_qml_round_trips_any_label(pairs):
    cats = [Category(v, label, "#43a047") for v, label in pairs]
    root = ET.fromstring(categorized_qml("stage", cats, aliases={"stage": pairs[0][1]}).split("\n", 1)[1])
    got = [(c.get("value"), c.get("label")) for c in root.iter("category")]
    assert got == [(v, label) for v, label in pairs]
    assert root.find("aliases/alias").get("name") == pairs[0][1]
    assert len(list(root.iter("symbol"))) == len(pairs)


@given(st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=1, max_size=8))
def test_sld_round_trips_any_label(pairs):
    cats = [Category(v, label, "#ba68c8") for v, label in pairs]
    root = ET.fromstring(categorized_sld("parcel_status", "stage", cats))
    ns = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}
    literals = [e.text or "" for e in root.iterfind(".//ogc:Literal", ns)]
    names = [e.text or "" for e in root.iterfind(".//se:Rule/se:Name", ns)]
    assert literals == [v for v, _ in pairs] and names == [label for _, label in pairs]


def test_colour_and_empty_input_are_checked():
    with pytest.raises(ValueError, match="#rrggbb"):
        categorized_qml("stage", [Category("a", "A", "green")])
    with pytest.raises(ValueError):
        categorized_qml("stage", [])
    qml = categorized_qml("stage", [Category("a", "A", "#0a0b0c")])
    assert 'value="10,11,12,255"' in qml
