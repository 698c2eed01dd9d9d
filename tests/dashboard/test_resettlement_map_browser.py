"""Browser: the live map page («Bản đồ») on the bundled data draws the resettlement area of QL4B (layer «Khu tái
định cư») as a polygon with its tooltip, listed in the layer control and the legend (``streamlit run app.py`` in
headless Chromium, every non-localhost request blocked). The screenshot is left in the test's temp folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import APP_FRAMES, offline_page
from tests.support.login import admin_app, log_in
from tests.support.parcel_map import DRAWN

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"

#: Fit the live map to the resettlement layer (no animation); returns the zoom, or null without the layer.
FIT_AREAS_JS = """() => {
  const map = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])
    .find(v => v instanceof L.Map);  // folium's map variable (reading every global trips localStorage)
  let bounds = null;
  map.eachLayer(l => { if (l.options && l.options.className === 'gpmb-resettlement' && l.getBounds) {
    bounds = bounds ? bounds.extend(l.getBounds()) : l.getBounds(); } });
  if (!bounds) { return null; }
  map.fitBounds(bounds, {animate: false, maxZoom: 17, padding: [60, 60]});
  return map.getZoom();
}"""


def test_live_map_draws_the_resettlement_area_with_its_tooltip(tmp_path):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    with admin_app(tmp_path, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base, \
            offline_page(viewport={"width": 1400, "height": 1000}) as (page, blocked):
        log_in(page, base + "/map")
        frame = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first   # the sandboxed map
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=180_000)
        inner = next(f for f in page.frames if f.url == "about:srcdoc" and f.parent_frame is not None
                     and f.parent_frame != page.main_frame)
        inner.wait_for_function(DRAWN, timeout=180_000)
        assert "Khu tái định cư" in frame.locator(".leaflet-control-layers").inner_text()
        assert "Khu tái định cư" in frame.locator(".gpmb-area-legend").inner_text()
        assert inner.evaluate(FIT_AREAS_JS) >= 15
        page.wait_for_timeout(1000)
        polygon = frame.locator("path.gpmb-resettlement").first
        box = polygon.bounding_box()
        assert box is not None and box["width"] > 40 and box["height"] > 25, box   # 146 m × 88 m at zoom ≥ 15
        assert polygon.get_attribute("stroke-dasharray") == "12 5 2 5"
        polygon.hover()
        tip = frame.locator(".leaflet-tooltip.gpmb-tip")
        tip.wait_for(timeout=15_000)
        text = tip.inner_text()
        for expected in ("Khu tái định cư – Khu tái định cư Gia Cát (QL4B)", "Tiến độ xây dựng: 85,0%",
                         "Lô đã bốc thăm / tổng số lô:", "Hoàn thành theo kế hoạch: 30/06/2024"):
            assert expected in text, text
        page.screenshot(path=str(tmp_path / "map_resettlement_area.png"), full_page=True)
        assert blocked == []
