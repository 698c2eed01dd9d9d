"""End to end: ``streamlit run app.py`` on a fresh store (bundled data), opened in headless Chromium with
every non-localhost request blocked. The overview shows milestone statuses and the map draws the parcels.

Needs /usr/bin/chromium; takes ~1 minute (the store is built from data/sources on first use).

The server is started with ``GPMB_SOURCES_DIR`` set explicitly to the bundled ``data/sources``: an
earlier test of the same pytest session may leave that variable pointing at a tiny test folder in
``os.environ`` (whose only milestone names a project without parcels, so the overview had no milestone
table and this test timed out in the full suite).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import APP_FRAMES, offline_page
from tests.support.login import admin_app, log_in
from tests.support.parcel_map import COUNTS_JS, DRAWN, STYLES_JS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"
STATUS_LABELS = ("Đạt", "Không đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ")


@pytest.fixture
def dashboard_server(tmp_path):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    with admin_app(tmp_path, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base:
        yield base, db_url


def test_dashboard_offline_end_to_end(dashboard_server, tmp_path):
    import pyogrio

    base, _ = dashboard_server
    # Independent count: the parcels of the bundled source file (the store is built from it).
    n_parcels = pyogrio.read_info(SOURCES / "parcels.gpkg", layer="parcels")["features"]
    assert n_parcels > 1000
    with offline_page(viewport={"width": 1400, "height": 1000}) as (page, blocked):
        # Overview at the default as-of date: the milestone table shows a status.
        log_in(page, base + "/")
        page.get_by_text("Các mốc tiến độ").wait_for(timeout=180_000)
        table = page.locator("table").filter(has_text="Trạng thái").first
        table.wait_for(timeout=60_000)
        text = table.inner_text()
        assert any(label in text for label in STATUS_LABELS)
        assert "30/06/2024" in page.locator("section.stMain, .stMain, main").first.inner_text()
        # The S-curve (a Vega-Lite spec filled with this date's values) draws in the browser.
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed(timeout=60_000)
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "overview_30-06-2024.png"), full_page=True)

        # Map page: the Leaflet map inside the iframe draws every parcel (all are in the default view).
        page.get_by_role("link", name="Bản đồ").first.click()
        frame = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first  # sandboxed map frame
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=180_000)
        inner = next(f for f in page.frames if f.url == "about:srcdoc" and f.parent_frame is not None
                     and f.parent_frame != page.main_frame)     # the sandboxed map in the live-map component
        inner.wait_for_function(DRAWN, timeout=180_000)
        page.wait_for_timeout(1500)
        # The map runs with an opaque origin inside the component: it cannot read the app around it.
        assert inner.evaluate("() => { try { return parent.document && 'read'; } catch (e) { return e.name; } }") \
            == "SecurityError"
        counts = inner.evaluate(COUNTS_JS)                    # parcels on the canvas layer
        assert counts["n"] == counts["drawn"] == n_parcels, counts
        assert "Tiến độ GPMB tại ngày 30/06/2024" in frame.locator(".gpmb-title").inner_text()
        page.screenshot(path=str(tmp_path / "map_30-06-2024.png"), full_page=True)
        # Another stage filter restyles the same live map (no new page: a mark set in it stays).
        inner.evaluate("() => { window.__sameMap = true; }")
        before = inner.evaluate(STYLES_JS)["styles"]
        sidebar = page.locator("[data-testid='stSidebar']")
        stages = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Giai đoạn")
        stages.scroll_into_view_if_needed()
        stages.locator("input").click()
        page.keyboard.type("Chi trả")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        inner.wait_for_function("(n) => window.GPMBParcels.layers[0].shownCount() < n", arg=n_parcels, timeout=120_000)
        n_paid = inner.evaluate(COUNTS_JS)["shown"]
        assert f"{n_paid:,}".replace(",", ".") + " thửa đang hiển thị" in frame.locator(".gpmb-title").inner_text()
        assert inner.evaluate("() => window.__sameMap === true")
        after = inner.evaluate(STYLES_JS)["styles"]
        assert after != before and sum(1 for st in after if st) == n_paid > 0
    # Everything worked with the network cut off, and nothing even tried to reach it.
    assert blocked == [], blocked
