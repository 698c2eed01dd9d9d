"""The parcel layer by viewport (``mapview.viewport``): what a view gets equals the whole-layer payload of the
same parcels (the reference: ``mapview.parcel_layer.parcel_payload`` of the subset built directly), read
through each one's own label tables; the commune discs equal the browser's rule."""
from __future__ import annotations

from datetime import date

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from mapview.cache import StoreMemo
from mapview.context import project_table
from mapview.encode import decode_geometries, uncolumnar
from mapview.parcel_layer import map_state, parcel_payload, payload_parcels
from mapview.viewport import commune_groups, static_columns, view_index, view_payload
from milestones.filters import Filters
from tests.dashboard import synthetic

LATE = date(2024, 6, 30)
STORE = synthetic.FakeStore()
SNAPSHOT = synthetic.compute_snapshot(STORE, LATE)
PROJECTS = project_table(STORE)
PARCELS = payload_parcels(SNAPSHOT.parcels, ())
INDEX = view_index(PARCELS)
FILTERS = [Filters(), Filters(stages=("paid", "approved")), Filters(at_risk_only=True)]


def _readable(payload: dict, tables: dict, flags: list) -> list[dict]:
    """Each parcel of ``payload`` with its codes replaced by the texts of ``tables`` (what a tooltip shows)."""
    cols, state = uncolumnar(payload["columns"]), payload["state"]
    dates = uncolumnar({"d": state["d"]})["d"]
    out = []
    for i in range(len(state["s"])):
        f = state["f"][i]
        bits = f if isinstance(f, list) else [b for b in range(30) if f >> b & 1]
        row = {k: v[i] for k, v in cols.items() if k not in ("c", "p")}
        row.update(c=tables["communes"][cols["c"][i]], p=tables["projects"][cols["p"][i]], s=state["s"][i],
                   r=state["r"][i], v=state["v"][i], d=dates[i], f=[flags[b] for b in bits])
        out.append(row)
    return out


views = st.tuples(st.floats(106.66, 106.73), st.floats(21.87, 21.89), st.floats(0.0005, 0.05), st.floats(0.0005, 0.02))


@given(views, st.sampled_from(range(len(FILTERS))))
@settings(max_examples=40, deadline=None)
def test_a_view_gets_the_whole_layers_parcels_in_view(view, which):
    w, s, dw, dh = view
    box = {"w": w, "s": s, "e": w + dw, "n": s + dh}
    f = FILTERS[which]
    full = map_state(SNAPSHOT, PROJECTS, f, store=STORE)
    columns, _ = static_columns(StoreMemo(STORE), PARCELS, PROJECTS)
    got = view_payload(PARCELS, columns, full, INDEX, box)
    rows = got["rows"]
    # which parcels: the shown ones whose box meets the view (shapely's own box test)
    lonlat = shapely.box(box["w"], box["s"], box["e"], box["n"])
    boxes = shapely.box(INDEX.west, INDEX.south, INDEX.east, INDEX.north)
    expected = [i for i in range(len(PARCELS)) if full["v"][i] and shapely.intersects(boxes[i], lonlat)]
    assert rows == expected and not got["aggregated"]
    # what they carry: the payload of exactly those parcels, built directly
    reference = parcel_payload(StoreMemo(STORE), PARCELS.iloc[rows], PROJECTS, PROJECTS, f, LATE)
    whole = parcel_payload(StoreMemo(STORE), PARCELS, PROJECTS, PROJECTS, f, LATE)
    assert _readable(got, whole["tables"], full["flags"]) == _readable(reference, reference["tables"],
                                                                       reference["state"]["flags"])
    assert [g.wkb for g in decode_geometries(got["geometry"])] == [g.wkb for g in decode_geometries(reference["geometry"])]
    # markers follow the rows: positions in the view of the parcels the full state marks
    for kind, positions in got["state"]["markers"].items():
        assert [rows[p] for p in positions] == [p for p in full["markers"][kind] if p in set(rows)]
    assert got["state"]["title"] == full["title"] and got["state"]["count"] == full["count"]


def test_too_many_in_view_sends_the_commune_discs():
    full = map_state(SNAPSHOT, PROJECTS, Filters(), store=STORE)
    columns, _ = static_columns(StoreMemo(STORE), PARCELS, PROJECTS)
    got = view_payload(PARCELS, columns, full, INDEX, {"w": 100, "s": 10, "e": 110, "n": 30}, limit=5)
    assert got["aggregated"] and got["rows"] == [] and len(got["state"]["s"]) == 0
    columns = uncolumnar(columns)
    handed = len(full["s"]) and max(full["s"])
    by_commune: dict = {}
    for i, c in enumerate(columns["c"]):                      # the browser's groups(), one parcel at a time
        g = by_commune.setdefault(c, {"c": c, "n": 0, "h": 0, "x": 0.0, "y": 0.0})
        g["n"] += 1
        g["h"] += full["s"][i] == 6
        g["x"] += INDEX.x[i]
        g["y"] += INDEX.y[i]
    expected = [{**g, "x": g["x"] / g["n"], "y": g["y"] / g["n"]} for g in by_commune.values()]
    assert handed == 6 and len(got["groups"]) == len(expected) > 1
    for a, b in zip(got["groups"], expected):
        assert (a["c"], a["n"], a["h"]) == (b["c"], b["n"], b["h"])
        assert np.isclose(a["x"], b["x"]) and np.isclose(a["y"], b["y"])
    assert commune_groups(full, {"c": columns["c"]}, INDEX) == got["groups"]      # plain list column too


@given(st.lists(st.tuples(st.floats(300_000, 700_000), st.floats(2_300_000, 2_600_000)), min_size=1, max_size=50))
@settings(max_examples=40, deadline=None)
def test_corner_reprojection_equals_to_wgs84(points):
    from mapview.viewport import _corners_wgs84, _corners_wgs84_reference

    x, y = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    fast, reference = _corners_wgs84(PARCELS.crs, x, y), _corners_wgs84_reference(PARCELS.crs, x, y)
    assert np.allclose(fast[0], reference[0], rtol=0, atol=1e-9) and np.allclose(fast[1], reference[1], rtol=0, atol=1e-9)


def test_a_parcel_without_geometry_is_in_no_view():
    parcels = PARCELS.copy()
    parcels.loc[3, "geometry"] = None
    index = view_index(parcels)
    assert np.isnan(index.west[3]) and not index.within({"w": -180, "s": -90, "e": 180, "n": 90})[3]
    assert index.within({"w": -180, "s": -90, "e": 180, "n": 90}).sum() == len(parcels) - 1
    reference = view_index(PARCELS)
    assert np.allclose(np.delete(index.west, 3), np.delete(reference.west, 3))


def _page_text(m) -> str:
    """The page of ``m`` with folium's random element ids, and so the scripts' CSP hashes, replaced (two builds of
    one map compare equal)."""
    import re

    from mapview import standalone_html

    return re.sub(r"sha256-[A-Za-z0-9+/=]+", "sha256-X", re.sub(r"_[0-9a-f]{32}", "_ID", standalone_html(m)))


def test_a_map_built_with_the_callers_state_is_the_same_page():
    from mapview import build_map

    earlier = synthetic.compute_snapshot(STORE, date(2024, 3, 31))
    for viewport in (True, False):
        for f in (Filters(), Filters(project_ids=("QL4B",)), Filters(stages=("paid",), at_risk_only=True)):
            state = map_state(SNAPSHOT, PROJECTS, f, store=STORE)
            built = _page_text(build_map(SNAPSHOT, STORE, f, viewport=viewport))
            assert _page_text(build_map(SNAPSHOT, STORE, f, viewport=viewport, state=state)) == built
            other = map_state(earlier, PROJECTS, f, store=STORE)
            assert _page_text(build_map(SNAPSHOT, STORE, f, viewport=viewport, state=other)) != built  # it is used
