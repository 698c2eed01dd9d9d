"""The canvas parcel layer: compact payload (round trips), the state vector, and in Chromium (offline)
restyling after a date or filter change equal to a full rebuild, hover and tooltip on one handler."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from mapview import build_map, standalone_html
from mapview.context import project_table
from mapview.elements import ParcelLayer
from mapview.encode import SCALE, columnar, decode_geometries, encode_geometries, script_json, uncolumnar
from mapview.parcel_layer import map_state, pack_state, unpack_state
from milestones.filters import Filters
from tests.dashboard import synthetic
from tests.support.browser import offline_page
from tests.support.parcel_map import COUNTS_JS, DRAWN, FOCUS_JS, PIXELS_JS, STYLES_JS, wrong_pixels

EARLY, LATE = date(2024, 3, 31), date(2024, 6, 30)


def quantised(geom):
    return shapely.set_precision(geom, 1 / SCALE) if geom is not None else None


corner = st.tuples(st.integers(106_000_000, 107_000_000), st.integers(21_000_000, 22_000_000))
size = st.integers(1, 5000)


@st.composite
def parcels(draw):
    """A Polygon (maybe with a hole), a MultiPolygon, or nothing, on the micro-degree grid."""
    kind = draw(st.sampled_from(["box", "holed", "multi", "none", "point"]))
    (x, y), w, h = draw(corner), draw(size), draw(size)
    outer = box(x / SCALE, y / SCALE, (x + w + 2) / SCALE, (y + h + 2) / SCALE)
    if kind == "box":
        return outer
    if kind == "holed":
        return Polygon(outer.exterior.coords, [box((x + 1) / SCALE, (y + 1) / SCALE, (x + 1 + w) / SCALE,
                                                   (y + 1 + h) / SCALE).exterior.coords])
    if kind == "multi":
        return MultiPolygon([outer, box((x + w + 10) / SCALE, y / SCALE, (x + 2 * w + 10) / SCALE, (y + h) / SCALE)])
    return None if kind == "none" else Point(x / SCALE, y / SCALE)


@settings(max_examples=60, deadline=None)
@given(st.lists(parcels(), min_size=1, max_size=12))
def test_geometry_round_trip(geoms):
    payload = encode_geometries(np.array(geoms, dtype=object))
    assert payload["n"] == len(geoms)
    back = decode_geometries(payload)
    for original, decoded in zip(geoms, back):
        if original is None or original.geom_type == "Point":
            assert decoded is None                     # kept as a parcel without rings: indices stay aligned
        else:
            assert decoded.geom_type == original.geom_type
            assert shapely.equals(decoded, quantised(original)), (original, decoded)


def test_quantisation_is_a_tenth_of_a_metre():
    geom = box(106.7612344, 21.8812344, 106.7613, 21.8813)
    back = decode_geometries(encode_geometries([geom]))[0]
    assert shapely.hausdorff_distance(geom, back) <= 0.6e-6          # half a unit of 1e-6 degree


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["10/05/2024", "1.050", "Xã <b>", "ĐẤT"]),
                          st.text(max_size=5)), min_size=1, max_size=30))
def test_columns_round_trip(values):
    frame = pd.DataFrame({"t": pd.Series(values, dtype=object), "i": range(len(values))})
    sent = json.loads(script_json(columnar(frame)))
    assert uncolumnar(sent) == {"t": values, "i": list(range(len(values)))}


def test_repeated_texts_are_sent_once():
    frame = pd.DataFrame({"d": ["10/05/2024"] * 50 + [None] * 10})
    spec = columnar(frame)["d"]
    assert spec == {"dict": ["10/05/2024"], "codes": [0] * 50 + [-1] * 10}


def test_script_json_cannot_close_its_script():
    text = script_json({"t": "</script><script>alert(1)</script>", "v": "Phường Kỳ Lừa"})
    assert "<" not in text and "Phường Kỳ Lừa" in text and json.loads(text)["t"].startswith("</script>")


def test_the_page_carries_geometry_once_no_geojson_no_risk_layer():
    store = synthetic.FakeStore()
    m = build_map(synthetic.compute_snapshot(store, LATE), store)
    parcels = [c for c in m._children.values() if isinstance(c, ParcelLayer)]
    assert len(parcels) == 1 and parcels[0].payload["geometry"]["n"] == 18
    html = standalone_html(m)
    assert "Thửa có rủi ro tiến độ" not in html                        # no second layer for the risk
    assert '"type":"Feature","properties":{"s"' not in html             # no GeoJSON parcel features


def test_state_follows_date_and_filters():
    store = synthetic.FakeStore()
    projects = project_table(store)
    early, late = (map_state(synthetic.compute_snapshot(store, d), projects) for d in (EARLY, LATE))
    assert early["s"] != late["s"] and late["s"][:9] == [6] * 9
    assert early["count"] == late["count"] == 18 and sum(late["v"]) == 18
    paid = map_state(synthetic.compute_snapshot(store, LATE), projects, Filters(stages=("paid",)))
    assert sum(paid["v"]) == 2 == paid["count"] and paid["s"] == late["s"]    # same geometry order
    assert "2 thửa đang hiển thị" in paid["title"] and "Chi trả (2)" in paid["legend"]


@st.composite
def states(draw):
    """A state as :func:`mapview.parcel_layer.parcel_state` makes it: bitmask or index-list flags, dates
    dictionary-encoded or a plain list."""
    n = draw(st.integers(0, 40))
    ints = lambda lo, hi: st.lists(st.integers(lo, hi), min_size=n, max_size=n)  # noqa: E731
    flags = draw(st.one_of(ints(0, 2**30), st.lists(st.lists(st.integers(0, 40), max_size=3), min_size=n, max_size=n)))
    dates = draw(st.one_of(st.fixed_dictionaries({"dict": st.just(["01/02/2024", "03/04/2024"]), "codes": ints(-1, 1)}),
                           st.lists(st.one_of(st.none(), st.just("01/02/2024")), min_size=n, max_size=n)))
    return {"s": draw(ints(0, 6)), "r": draw(ints(0, 1)), "v": draw(ints(0, 1)), "f": flags, "d": dates,
            "flags": ["a"], "title": "<b>t</b>", "legend": "l", "count": n, "markers": {"complaint": [0]}}


@given(states())
@settings(max_examples=60, deadline=None)
def test_packed_state_round_trips(state):
    small, binary = pack_state(state)
    assert unpack_state(small, binary) == state
    assert {"s", "r", "v"} <= set(binary) and not {"s", "r", "v"} & set(small)
    assert len(binary["s"]) == len(state["s"])                      # one byte per parcel
    assert ("f" in binary) == (not state["f"] or not isinstance(state["f"][0], list))   # bitmasks only
    json.dumps(small)                                               # the rest stays JSON


def test_packed_state_of_a_real_map_state():
    store = synthetic.FakeStore()
    state = map_state(synthetic.compute_snapshot(store, LATE), project_table(store), Filters(stages=("paid",)))
    small, binary = pack_state(state)
    assert unpack_state(small, binary) == state and small["title"] == state["title"]
    assert np.frombuffer(binary["v"], dtype=np.uint8).sum() == 2


def _page_file(tmp_path, name, as_of, filters=None):
    store = synthetic.FakeStore()
    path = tmp_path / name
    path.write_text(standalone_html(build_map(synthetic.compute_snapshot(store, as_of), store, filters)),
                    encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.parametrize("filters", [None, Filters(stages=("paid", "approved")), Filters(at_risk_only=True)],
                         ids=["all", "stage-filter", "at-risk-only"])
def test_restyle_after_a_date_change_equals_a_rebuild(tmp_path, filters):
    store = synthetic.FakeStore()
    state = map_state(synthetic.compute_snapshot(store, LATE), project_table(store), filters)
    early, late = _page_file(tmp_path, "early.html", EARLY), _page_file(tmp_path, "late.html", LATE, filters)
    errors = []
    with offline_page(allow_localhost=False, viewport={"width": 1000, "height": 700}) as (page, requested):
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(late.as_uri())
        page.wait_for_function(DRAWN)
        rebuilt, rebuilt_pixels = page.evaluate(STYLES_JS), page.evaluate(PIXELS_JS)
        page.goto(early.as_uri())
        page.wait_for_function(DRAWN)
        before = page.evaluate(STYLES_JS)
        page.evaluate("(state) => window.GPMBParcels.layers[0].setState(state)", state)
        restyled, restyled_pixels = page.evaluate(STYLES_JS), page.evaluate(PIXELS_JS)
        assert before != rebuilt                                       # the date change changes the map
        assert restyled == rebuilt
        assert restyled_pixels == rebuilt_pixels and wrong_pixels(restyled_pixels) == []
        assert len(restyled_pixels) == state["count"]
        assert errors == [] and requested == []


@pytest.mark.browser
def test_one_handler_hovers_outlines_and_leaves(tmp_path):
    path = _page_file(tmp_path, "map.html", LATE)
    with offline_page(allow_localhost=False, viewport={"width": 1000, "height": 700}) as (page, requested):
        page.goto(path.as_uri())
        page.wait_for_function(DRAWN)
        assert page.evaluate(COUNTS_JS)["drawn"] == 18
        spot = page.evaluate(FOCUS_JS, ["n", 200, 19])
        assert spot["hit"], spot
        page.mouse.move(spot["x"] - 5, spot["y"] - 5)
        page.mouse.move(spot["x"], spot["y"], steps=3)
        tip = page.locator(".leaflet-tooltip.gpmb-tip")
        tip.wait_for(timeout=15_000)
        assert "thửa 200" in tip.inner_text()
        assert page.locator(".leaflet-overlay-pane path[stroke='#000000']").count() == 1   # hover outline
        page.mouse.move(2, 690)                                        # off every parcel
        tip.wait_for(state="detached", timeout=15_000)
        assert page.locator(".leaflet-overlay-pane path[stroke='#000000']").count() == 0
        # Switching the layer off in the layer control removes the canvas; on again, it draws again.
        toggle = page.locator(".leaflet-control-layers label").filter(has_text="Thửa đất theo giai đoạn").locator("input")
        canvases = page.locator(".leaflet-overlay-pane canvas").count()     # the parcels' and the markers'
        toggle.uncheck()
        assert page.locator(".leaflet-overlay-pane canvas").count() == canvases - 1
        assert page.evaluate("() => !window.GPMBParcels.layers[0]._map && !window.GPMBParcels.layers[0]._container")
        toggle.check()
        page.wait_for_function("() => window.GPMBParcels.layers[0].drawn > 0")
        assert requested == []


def test_static_columns_are_reused_for_a_new_date(monkeypatch):
    import mapview.parcel_layer as parcel_layer

    store, calls = synthetic.FakeStore(), []
    original = parcel_layer.parcel_properties
    monkeypatch.setattr(parcel_layer, "parcel_properties", lambda *a, **k: calls.append(1) or original(*a, **k))
    early = build_map(synthetic.compute_snapshot(store, EARLY), store)
    late = build_map(synthetic.compute_snapshot(store, LATE), store)
    assert len(calls) == 1                                              # the tooltip columns once
    payloads = [next(c for c in m._children.values() if isinstance(c, ParcelLayer)).payload for m in (early, late)]
    assert payloads[0]["columns"] == payloads[1]["columns"] and payloads[0]["state"] != payloads[1]["state"]
    changed = synthetic.compute_snapshot(store, LATE)
    changed.parcels.loc[changed.parcels.index[0], "land_use"] = "ONT"   # another value, same data version
    build_map(changed, store)
    assert len(calls) == 2


@pytest.mark.browser
def test_blocking_parcels_are_outlined_above_the_parcel_canvas(tmp_path):
    from mapview.blockers import BLOCKERS_PANE, blockers_map

    store = synthetic.FakeStore()
    snap = synthetic.compute_snapshot(store, EARLY)
    path = tmp_path / "blockers.html"
    path.write_text(standalone_html(blockers_map(snap, store, "RD-1")), encoding="utf-8")
    n_blocking = int((snap.blockers["milestone_id"] == "RD-1").sum())
    with offline_page(allow_localhost=False, viewport={"width": 1000, "height": 700}) as (page, requested):
        page.goto(path.as_uri())
        page.wait_for_function(DRAWN)
        panes = page.evaluate("""(name) => { const z = s => +getComputedStyle(document.querySelector(s)).zIndex;
            return {blockers: z('.leaflet-' + name + '-pane'), parcels: z('.leaflet-overlay-pane'),
                    outlines: document.querySelectorAll('.leaflet-' + name + '-pane path').length}; }""", BLOCKERS_PANE)
        assert panes["blockers"] > panes["parcels"] and panes["outlines"] == n_blocking, panes
        assert requested == []
