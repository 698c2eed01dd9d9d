"""Every file-supplied text reaches the map and the preview HTML-escaped (no browser needed)."""
import html
import json
import re

import folium
import geopandas as gpd
from shapely.geometry import box

from mapview import build_map, standalone_html
from mapview.elements import DataLayer, LookupTables, ParcelLayer
from mapview.parcels import parcel_properties
from mapview.preview import preview_map_html
from tests.mapview.hostile import CORPUS, IMG, SCRIPT, hostile_snapshot, hostile_store


def texts(value):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from texts(v)


def map_texts(m: folium.Map) -> list[str]:
    """The strings of every feature property and lookup table of ``m`` (what the browser puts into
    tooltips and labels with ``innerHTML``)."""
    found = []
    for element in m._children.values():
        stack = [element]
        while stack:
            e = stack.pop()
            stack.extend(e._children.values())
            if isinstance(e, (DataLayer, ParcelLayer)):
                found += [t for f in e.geojson()["features"] for t in texts(f["properties"])]
            if isinstance(e, ParcelLayer):  # what the canvas layer's tooltips read, as sent to the browser
                found += list(texts(e.payload["columns"])) + list(texts(e.payload["tables"]))
                found += list(texts(e.payload["state"]["flags"])) + list(texts(e.payload["state"]["d"]))
            elif isinstance(e, LookupTables):
                found += list(texts(e.tables))
    return found


def test_every_text_of_the_map_is_escaped():
    store = hostile_store()
    m = build_map(hostile_snapshot(store), store, include_personal_data=True)
    found = map_texts(m)
    # the map's own markup (bold titles, line breaks, notes) is the only markup left
    own_markup = re.compile(r"</?b>|<br>|<span class='note'>|</span>")
    assert found and all("<" not in own_markup.sub("", t) and '"' not in t for t in found)
    assert not any(text in t for text in (IMG, SCRIPT) for t in found)
    # each hostile text is there, escaped once (read back, it is the file's text again)
    unescaped = " ".join(html.unescape(t) for t in found)
    assert all(text in unescaped for text in CORPUS)


def test_a_parcel_number_that_is_not_a_number_is_shown_as_text():
    store = hostile_store()
    snap = hostile_snapshot(store)
    props, _ = parcel_properties(snap.parcels, store.projects())
    assert props["n"].iloc[-1] == html.escape(IMG) and props["n"].iloc[0] == 100   # numbers stay numbers
    assert html.escape(IMG) in json.loads(json.dumps(props["n"].tolist()))


def test_the_parcel_layer_carries_every_hostile_parcel_text_escaped():
    store = hostile_store()
    m = build_map(hostile_snapshot(store), store, include_personal_data=True)
    parcels = next(e for e in m._children.values() if isinstance(e, ParcelLayer))
    sent = list(texts(parcels.payload["columns"])) + list(texts(parcels.payload["tables"]))
    assert sent and all("<" not in t and '"' not in t for t in sent)
    assert html.escape(IMG) in sent                                   # the parcel numbered with markup


def test_hostile_names_cannot_close_the_script_they_are_written_in():
    store = hostile_store()
    page = standalone_html(build_map(hostile_snapshot(store), store, include_personal_data=True))
    assert page.lower().count("</script>") == page.lower().count("<script")
    assert "<img src=x" not in page and "<script>alert" not in page


def _square(x0, y0, **attrs):
    return gpd.GeoDataFrame({k: [v] for k, v in attrs.items()},
                            geometry=[box(x0, y0, x0 + 40, y0 + 40)], crs=9215)


def test_preview_escapes_file_and_member_names_values_and_layer_names():
    parcels = _square(450_000, 2_410_000, parcel_id=f"P/{SCRIPT}", parcel_number=IMG, land_use=IMG,
                      area_to_recover_m2=12.5)
    rejected = _square(450_200, 2_410_000, row=f"{IMG}.shp dòng 3", reason=f"Trùng khóa {SCRIPT}")
    page = preview_map_html([(f"Tệp {IMG}.zip", parcels, "#1565c0"), ("Thửa bị loại", rejected, "#c62828")])
    data = [json.loads(d) for d in re.findall(r"_add\((\{.*?\})\);", page)]
    values = [t for d in data for t in texts(d["features"][0]["properties"])]
    assert len(data) == 2 and all("<" not in v for v in values)
    assert html.escape(IMG) in values and f"{html.escape(IMG)}.shp dòng 3" in values
    assert html.escape("12,5") in values                                    # areas still formatted
    names = re.findall(r'"((?:[^"\\]|\\.)*)" : geo_json_', page)             # layer control entries
    assert [json.loads(f'"{n}"') for n in names] == [f"Tệp {html.escape(IMG)}.zip", "Thửa bị loại"]
