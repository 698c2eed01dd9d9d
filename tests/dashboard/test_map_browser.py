"""The standalone map HTML in headless Chromium with every network request blocked."""
from datetime import date

import pytest

from mapview import build_map, standalone_html
from tests.dashboard import synthetic
from tests.support.browser import offline_page
from tests.support.parcel_map import COUNTS_JS, DRAWN, FOCUS_JS, PIXELS_JS, wrong_pixels

pytestmark = pytest.mark.browser


def test_map_draws_offline_and_shows_tooltips(tmp_path, fake_store):
    snap = synthetic.compute_snapshot(fake_store, date(2024, 6, 30))
    path = tmp_path / "map.html"
    path.write_text(standalone_html(build_map(snap, fake_store)), encoding="utf-8")
    errors = []
    # file:// and data: only: the exported map must not even need localhost.
    with offline_page(allow_localhost=False, viewport={"width": 1200, "height": 800}) as (page, requested):
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function(DRAWN)
        assert errors == [] and requested == []
        # All 18 parcels are drawn on the canvas, each with its stage colour (pixels read back).
        assert page.evaluate(COUNTS_JS)["drawn"] == 18
        samples = page.evaluate(PIXELS_JS)
        assert len(samples) == 18 and wrong_pixels(samples) == [], wrong_pixels(samples)
        assert sum(s["risk"] for s in samples) == 2
        # Zoom on parcel 103 and hover a point inside it: the tooltip is built in the browser from the
        # lookup tables. The point is computed from the map (not a fixed pixel) and checked to be inside
        # parcel 103 by the layer's own hit-test, and the view must really be at zoom 19.
        page.wait_for_function(
            "(() => { const l = window.GPMBParcels.layers[0]; return !l._map._animatingZoom; })()", timeout=15_000)
        spot = page.evaluate(FOCUS_JS, ["n", 103, 19])
        assert spot is not None and spot["zoom"] == 19 and spot["hit"], spot
        page.mouse.move(spot["x"] - 10, spot["y"] - 10)
        page.mouse.move(spot["x"], spot["y"], steps=3)
        tip = page.locator(".leaflet-tooltip.gpmb-tip")
        tip.wait_for(timeout=15_000)
        text = tip.inner_text()
        for expected in ("Tờ 1, thửa 103", "Xã Hợp Thành (nay Phường Kỳ Lừa)", "CLN – Đất trồng cây lâu năm",
                         "1.050 m²", "Km1+750", "Bàn giao mặt bằng (từ 10/05/2024)", "Khiếu nại chưa giải quyết",
                         "Thửa minh họa; vị trí gần đúng"):
            assert expected in text
        assert "Người sử dụng đất" not in text and "Hộ 003" not in text     # no personal data by default
        assert page.locator(".gpmb-legend").inner_text().count("(") >= 7
        # Leaflet is credited on the map, without a link to the network (the basemap is off).
        attribution = page.locator(".leaflet-control-attribution")
        assert "Leaflet" in attribution.inner_text()
        assert attribution.locator("a[href^='http']").count() == 0
        assert requested == []


#: Centre of commune disc i in page pixels, and the layer's aggregate counters.
_GROUP_JS = """(i) => { const l = window.GPMBParcels.layers[0], m = l._map, g = l.groups()[i];
  const pt = m.latLngToContainerPoint(m.unproject([g.x, g.y], 0)), box = m.getContainer().getBoundingClientRect();
  return {x: box.left + pt.x, y: box.top + pt.y, n: g.n, h: g.h, c: g.c, aggregated: l.aggregated, drawn: l.drawn,
          discs: l.drawnGroups, groups: l.groups().length, name: GPMB.communes[g.c]}; }"""


def test_low_zoom_draws_communes_and_zoom_draws_parcels(tmp_path, fake_store):
    """Above ``aggregate_above`` shown parcels in view: one disc per commune (handed-over share in its
    tooltip, counted here from the snapshot); zoomed on one parcel: the parcels again."""
    snap = synthetic.compute_snapshot(fake_store, date(2024, 6, 30))
    path = tmp_path / "map.html"
    path.write_text(standalone_html(build_map(snap, fake_store, aggregate_above=5)), encoding="utf-8")
    parcels = snap.parcels[~snap.parcels.geometry.is_empty & snap.parcels.geometry.notna()]
    pairs = parcels.groupby(["commune", parcels["commune_former"].fillna("")], dropna=False)
    expected = {(c, f): (len(g), int((g["stage"] == "handed_over").sum())) for (c, f), g in pairs}
    with offline_page(allow_localhost=False, viewport={"width": 1200, "height": 800}) as (page, requested):
        page.goto(path.as_uri())
        page.wait_for_function(DRAWN)
        first = page.evaluate(_GROUP_JS, 0)
        assert first["aggregated"] and first["drawn"] == 0
        assert first["groups"] == first["discs"] == len(expected) > 1
        for i in range(first["groups"]):
            spot = page.evaluate(_GROUP_JS, i)
            name, former = spot["name"]
            assert (spot["n"], spot["h"]) == expected[(name, former)], spot
            page.mouse.move(spot["x"] + 3, spot["y"] + 3)
            tip = page.locator(".leaflet-tooltip.gpmb-tip")
            tip.wait_for(timeout=15_000)
            text = tip.inner_text()
            assert f"{spot['n']} thửa đang hiển thị" in text and f"{spot['h']} thửa (" in text, text
            assert name in text
        page.mouse.move(5, 5)
        # Zoomed on one parcel: fewer than 5 in view, so the parcels themselves are drawn.
        spot = page.evaluate(FOCUS_JS, ["n", 103, 19])
        page.wait_for_function("() => !window.GPMBParcels.layers[0].aggregated")
        counts = page.evaluate(COUNTS_JS)
        assert 1 <= counts["drawn"] <= 5 and spot["hit"]
        assert requested == []
