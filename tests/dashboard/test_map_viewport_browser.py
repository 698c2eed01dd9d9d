"""Browser: the live map by viewport (``mapview.viewport``, issue 13) draws the right parcels with the right
stage colours after a pan, a zoom and a date change.

``streamlit run app.py`` on the demo store (4 032 parcels) with ``GPMB_MAP_VIEWPORT_ABOVE=1000``, so the map page
carries no parcel and each view asks Python for its own, as a 500 000-parcel store does. After each move the
parcels drawn must be those computed here from the same store (shown parcels whose box meets the view the page
reports, :func:`mapview.viewport.view_index`), their stage colour that of the snapshot at the date, and the
canvas must show it (pixels read at the parcels' label points, the map not moved). No request leaves the machine.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tests.support.browser import APP_FRAMES, offline_page
from tests.support.login import admin_app, log_in
from tests.support.parcel_map import hex_rgb
from tests.support.stores import demo_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"
FIRST, LATER = date(2024, 6, 30), date(2024, 12, 31)

#: Rows (positions in the whole layer), stage index and fill colour of each parcel drawn, the view, zoom, mode.
LAYER_JS = """() => { const l = window.GPMBParcels.layers[0];
  return {rows: l.rows, s: Array.from(l._s), fill: l.styles().map(x => x && x[0]), view: l.view(),
          aggregated: !!l.aggregated, drawn: l.drawn, payloads: window.__gpmbPayloads || 0}; }"""
#: Canvas pixel at the label point of up to ``limit`` drawn parcels at least 8 px across and alone under that
#: point, without moving the map: [{index, rgba, expected}].
PIXELS_HERE_JS = """(limit) => { const l = window.GPMBParcels.layers[0], m = l._map, c = l._container, out = [];
  const r = c.getBoundingClientRect(), mr = m.getContainer().getBoundingClientRect(), size = m.getSize();
  for (let p = 0; p < l._geo.n && out.length < limit; p++) {
    if (!l._v[p] || l._r[p]) { continue; }
    const b = l.bounds(p), sw = m.latLngToContainerPoint(b.getSouthWest()), ne = m.latLngToContainerPoint(b.getNorthEast());
    if (Math.min(Math.abs(ne.x - sw.x), Math.abs(ne.y - sw.y)) < 8) { continue; }
    const ll = l.labelLatLng(p), pt = m.latLngToContainerPoint(ll);
    if (pt.x < 5 || pt.y < 5 || pt.x > size.x - 5 || pt.y > size.y - 5 || l.parcelsAt(ll).length !== 1) { continue; }
    const x = Math.round((mr.left + pt.x - r.left) * c.width / r.width), y = Math.round((mr.top + pt.y - r.top) * c.height / r.height);
    const d = l._ctx.getImageData(x, y, 1, 1).data;
    out.push({index: p, rgba: [d[0], d[1], d[2], d[3]], expected: l.options.colours[l._s[p]]}); }
  return out; }"""


#: Markers whose drawn point is not the label point of the parcel they mark in the current payload.
MARKERS_AT_JS = """() => { const l = window.GPMBParcels.layers[0], bad = [];
  for (const m of window.GPMBMarkers.layers) { for (const p of m.marked()) {
    const a = m.point(p), b = l.labelPoint(p);
    if (!a || !b || Math.abs(a[0] - b[0]) > 1e-9 || Math.abs(a[1] - b[1]) > 1e-9) { bad.push([m.options.kind, p]); } } }
  return bad; }"""


def _truth(db_url: str) -> dict:
    """Per date: the shown parcels' stage index in payload order; plus the view index of the payload parcels."""
    from mapview.parcel_layer import payload_parcels
    from mapview.parcels import _stage_ranks
    from mapview.viewport import view_index
    from milestones.snapshot import compute_snapshot

    store = demo_store(db_url, sources_dir=SOURCES)
    try:
        snaps = {d: payload_parcels(compute_snapshot(store, d).parcels, ()) for d in (FIRST, LATER)}
    finally:
        store.close()
    assert snaps[FIRST]["parcel_id"].tolist() == snaps[LATER]["parcel_id"].tolist()
    return {"ranks": {d: np.asarray(_stage_ranks(p)) for d, p in snaps.items()}, "index": view_index(snaps[FIRST])}


def _expected_rows(truth: dict, view: dict) -> list[int]:
    box = {k: round(float(view[k]), 6) for k in ("w", "s", "e", "n")}     # as dashboard.state.map_view keys it
    return np.flatnonzero(truth["index"].within(box)).tolist()


def _settled(inner, payloads: int) -> dict:
    inner.wait_for_function("(n) => (window.__gpmbPayloads || 0) > n", arg=payloads, timeout=180_000)
    inner.wait_for_timeout(1500)               # a move's last view answered (no newer payload on the way)
    return inner.evaluate(LAYER_JS)


def _check(inner, truth: dict, day: date, got: dict, pixels: bool = True) -> None:
    from domain.stages import STAGES
    from vocab.labels import STAGE_COLOURS

    assert not got["aggregated"]
    assert got["rows"] == _expected_rows(truth, got["view"]) and len(got["rows"]) == got["drawn"] > 0, got["view"]
    ranks = truth["ranks"][day][got["rows"]].tolist()
    assert got["s"] == ranks
    assert got["fill"] == [STAGE_COLOURS[STAGES[r]] for r in ranks]
    # the people-side markers sit at the label points of the parcels of this payload they mark
    assert inner.evaluate(MARKERS_AT_JS) == [], "a marker not at its parcel's label point"
    if not pixels:                            # the whole extent: parcels of a pixel or two
        return
    samples = inner.evaluate(PIXELS_HERE_JS, 12)
    assert samples, "no parcel wide enough to sample"
    for px in samples:
        assert all(abs(a - b) <= 3 for a, b in zip(px["rgba"][:3], hex_rgb(px["expected"]))), px


def _set_date(page, day: date) -> None:
    field = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']").first
    field.locator("[role='spinbutton'][data-type='day']").focus()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")


def test_the_map_by_viewport_draws_the_parcels_of_each_view(tmp_path):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    with admin_app(tmp_path, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0,
                   extra_env={"GPMB_MAP_VIEWPORT_ABOVE": "1000"}) as base:
        truth = _truth(db_url)
        with offline_page(viewport={"width": 1500, "height": 1000}) as (page, blocked):
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            log_in(page, base + "/")
            page.get_by_role("link", name="Bản đồ").first.click()
            page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first.locator(
                ".leaflet-overlay-pane canvas").first.wait_for(timeout=180_000)
            inner = next(f for f in page.frames if f.url == "about:srcdoc" and f.parent_frame is not None
                         and f.parent_frame != page.main_frame)
            # the page itself carries no parcel
            assert inner.evaluate("() => JSON.parse(document.querySelector('script[type=\"application/json\"]')"
                                  ".textContent).geometry.n") == 0
            first = _settled(inner, 0)
            _check(inner, truth, FIRST, first, pixels=False)
            page.screenshot(path=str(tmp_path / "viewport_first.png"), full_page=True)

            # zoom in on a parcel: only the parcels around it come
            inner.evaluate("() => { const l = window.GPMBParcels.layers[0]; "
                           "l._map.setView(l.labelLatLng(Math.floor(l._geo.n / 2)), 17, {animate: false}); }")
            zoomed = _settled(inner, first["payloads"])
            _check(inner, truth, FIRST, zoomed)
            assert 0 < len(zoomed["rows"]) < len(first["rows"])
            page.screenshot(path=str(tmp_path / "viewport_zoomed.png"), full_page=True)

            # pan: another set of parcels
            inner.evaluate("() => window.GPMBParcels.layers[0]._map.panBy([400, 250], {animate: false})")
            panned = _settled(inner, zoomed["payloads"])
            _check(inner, truth, FIRST, panned)
            assert panned["rows"] != zoomed["rows"]

            # a new date: the same view, that date's stages
            _set_date(page, LATER)
            later = _settled(inner, panned["payloads"])
            _check(inner, truth, LATER, later)
            assert later["rows"] == panned["rows"]
            page.screenshot(path=str(tmp_path / "viewport_later.png"), full_page=True)
            assert errors == []
        assert blocked == [], blocked
