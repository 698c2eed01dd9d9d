"""Browser: the dashboard's live map («Bản đồ») shows the complaint and unpaid markers of the as-of date
(issue 12), follows a date change without reloading its map page, and the layer control switches them.

``streamlit run app.py`` on the demo store (bundled data) in headless Chromium, every non-localhost request
blocked. Expected parcels come from :func:`mapview.people.people_marker_parcels` on the same store, not from
the page; the marker colour is read back from the marker canvas. Screenshots are left in the test's temp
folder to be looked at.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mapview.people import MARKER_KINDS
from tests.support.browser import APP_FRAMES, offline_page
from tests.support.login import admin_app, log_in
from tests.support.parcel_map import DRAWN, MARKER_PIXEL_JS, MARKERS_JS, hex_rgb
from tests.support.stores import demo_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"
FIRST, LATER = date(2024, 6, 30), date(2024, 12, 31)

#: The parcel ids of the live map's payload, in payload order (its JSON data block).
PAYLOAD_IDS_JS = "() => JSON.parse(document.querySelector('script[type=\"application/json\"]').textContent).ids"


def _expected(db_url: str) -> dict[date, tuple[set[str], set[str]]]:
    from mapview.people import people_marker_parcels
    from milestones.snapshot import compute_snapshot

    store = demo_store(db_url, sources_dir=SOURCES)
    try:
        return {day: people_marker_parcels(snap, store, snap.parcels)
                for day, snap in ((d, compute_snapshot(store, d)) for d in (FIRST, LATER))}
    finally:
        store.close()


def _marked_ids(frame, ids: list[str]) -> tuple[set[str], ...]:
    return tuple({ids[i] for i in layer["marked"]} for layer in frame.evaluate(MARKERS_JS))


#: What the map page knows of its size (for a failure message): window, map container, map size, zoom, canvases.
SIZES_JS = """() => { const l = window.GPMBParcels && window.GPMBParcels.layers[0], m = l && l._map;
  return {window: [innerWidth, innerHeight], container: m && [m.getContainer().clientWidth, m.getContainer().clientHeight],
          size: m && m.getSize(), zoom: m && m.getZoom(),
          canvases: [...document.querySelectorAll('canvas')].map(c => [c.width, c.height])}; }"""


def _live_map_frame(page, shots):
    """The sandboxed map page inside the live-map component, once its parcels are drawn. A map that does
    not draw fails with what every frame knew of its size, and a screenshot in ``shots``."""
    outer = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first
    try:
        outer.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=180_000)
    except Exception as error:
        page.screenshot(path=str(shots / "map_not_drawn.png"), full_page=True)
        sizes = [(f.url[:60], f.evaluate(SIZES_JS)) for f in page.frames if f.url == "about:srcdoc"]
        raise AssertionError(f"the live map did not draw: {page.url} {sizes}") from error
    inner = next(f for f in page.frames if f.url == "about:srcdoc" and f.parent_frame is not None
                 and f.parent_frame != page.main_frame)
    inner.wait_for_function(DRAWN, timeout=180_000)
    return outer, inner


def _check_marker_pixels(page, inner) -> None:
    """At the first parcel of each kind: the marker canvas has the kind's colour at the marker's centre, and
    the parcel under the marker still answers the hover with its own tooltip."""
    for layer, (_, _, colour, _) in enumerate(MARKER_KINDS):
        # The first marked parcel wide enough at zoom 19 to hold its marker (offset sideways) and not
        # overlapped there by another parcel (some demo parcels overlap).
        spots = (inner.evaluate(MARKER_PIXEL_JS, [layer, i, 19]) for i in range(10))
        spot = next((s for s in spots if s is None or s["hit"]), None)
        assert spot is not None, layer
        assert all(abs(a - b) <= 2 for a, b in zip(spot["rgba"][:3], hex_rgb(colour))) and spot["rgba"][3] == 255, spot
        number = inner.evaluate("(p) => window.GPMBParcels.layers[0].properties(p).n", spot["index"])
        box = page.frame_locator(APP_FRAMES).first.locator("iframe").first.bounding_box()
        page.mouse.move(box["x"] + spot["x"] - 8, box["y"] + spot["y"] - 8)
        page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"], steps=3)
        tip = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first.locator(".leaflet-tooltip.gpmb-tip")
        tip.wait_for(timeout=15_000)
        assert f"thửa {number}" in tip.inner_text()
        page.mouse.move(box["x"] + 2, box["y"] + box["height"] - 2)


def _set_date(page, day: date) -> None:
    """Type ``day`` into the sidebar's date field (day, month, year segments); the widget commits the date
    when the focus leaves it (two tabs: past its calendar button)."""
    field = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']").first
    field.locator("[role='spinbutton'][data-type='day']").focus()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")


def test_live_map_markers_follow_the_date_and_the_layer_control(tmp_path):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    with admin_app(tmp_path, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base:
        expected = _expected(db_url)
        assert expected[FIRST] != expected[LATER] and all(expected[FIRST]), expected   # the data marks both kinds
        with offline_page(viewport={"width": 1500, "height": 1000}) as (page, blocked):
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            log_in(page, base + "/")
            page.get_by_role("link", name="Bản đồ").first.click()
            outer, inner = _live_map_frame(page, tmp_path)
            ids = inner.evaluate(PAYLOAD_IDS_JS)
            inner.wait_for_function("() => window.GPMBMarkers.layers.every(l => l.drawn > 0)", timeout=60_000)
            assert _marked_ids(inner, ids) == expected[FIRST]
            assert "Đơn thư chưa giải quyết (" + str(len(expected[FIRST][0])) in outer.locator(".gpmb-legend").inner_text()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(tmp_path / "markers_30-06-2024.png"), full_page=True)
            _check_marker_pixels(page, inner)
            page.screenshot(path=str(tmp_path / "markers_30-06-2024_zoomed.png"), full_page=True)

            # A later date: the same live map (a mark set in it stays) gets that date's markers in its state.
            inner.evaluate("() => { window.__sameMap = true; }")
            _set_date(page, LATER)
            inner.wait_for_function("(n) => window.GPMBMarkers.layers[1].marked().length === n",
                                    arg=len(expected[LATER][1]), timeout=120_000)
            assert inner.evaluate("() => window.__sameMap === true")
            assert _marked_ids(inner, ids) == expected[LATER]
            assert "31/12/2024" in outer.locator(".gpmb-title").inner_text()
            _check_marker_pixels(page, inner)
            page.screenshot(path=str(tmp_path / "markers_31-12-2024.png"), full_page=True)

            # The layer control switches each kind off (its canvas leaves the map) and on again.
            inner.evaluate("() => window.GPMBParcels.layers[0]._map.setZoom(12, {animate: false})")
            before = inner.evaluate(MARKERS_JS)
            assert all(layer["on"] and layer["drawn"] > 0 for layer in before), before
            for layer, (_, name, _, _) in enumerate(MARKER_KINDS):
                toggle = outer.locator(".leaflet-control-layers label").filter(has_text=name).locator("input")
                toggle.uncheck()
                off = inner.evaluate(MARKERS_JS)
                assert not off[layer]["on"] and off[layer]["canvases"] == before[layer]["canvases"] - 1, off
                page.screenshot(path=str(tmp_path / f"markers_off_{layer}.png"), full_page=True)
                toggle.check()
                inner.wait_for_function("([i, n]) => window.GPMBMarkers.layers[i]._map && window.GPMBMarkers.layers[i].drawn === n",
                                        arg=[layer, before[layer]["drawn"]], timeout=15_000)
            assert inner.evaluate(MARKERS_JS)[0]["canvases"] == before[0]["canvases"]
            assert errors == []
        assert blocked == [], blocked
