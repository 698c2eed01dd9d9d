"""Browser: the "Điểm nghẽn" page and the overview with a commune filter, on the bundled data at 30/06/2024
(``streamlit run app.py`` in headless Chromium, every non-localhost request blocked).

Expected figures come from the computations (``compute_snapshot`` on the same store), not from the page.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.browser import APP_FRAMES, choose_option, offline_page
from tests.support.login import admin_app, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    tmp = tmp_path_factory.mktemp("blockers_browser")
    db_url = f"sqlite:///{tmp / 'gpmb.gpkg'}"
    with admin_app(tmp, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base:
        yield base, db_url, tmp


@pytest.fixture(scope="module")
def snapshot(server):
    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    store = demo_store(server[1], sources_dir=SOURCES)
    try:
        return compute_snapshot(store, date(2024, 6, 30))
    finally:
        store.close()


def test_blockers_page_lists_the_ranked_parcels_and_numbers_them_on_the_map(server, snapshot):
    base, _, tmp = server
    first = snapshot.blocking_summary.iloc[0]
    n_first = int(first["blocking_units"])
    with offline_page(viewport={"width": 1500, "height": 1100}) as (page, blocked):
        log_in(page, base + "/blockers")
        page.get_by_text("Điểm nghẽn theo mốc chưa đạt").wait_for(timeout=180_000)
        page.get_by_text("Còn thiếu:").first.wait_for(timeout=120_000)
        page.get_by_text("Việc quá hạn theo cơ quan").wait_for(timeout=180_000)
        # The map of the first milestone: one numbered disc per blocking unit (up to the numbering cap).
        frame = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first
        frame.locator(".leaflet-marker-icon").first.wait_for(timeout=180_000)
        assert frame.locator(".leaflet-marker-icon div").filter(has_text="1").count() >= 1
        numbered = frame.locator(".leaflet-marker-icon").count()
        assert numbered == min(n_first, 300)
        # The chainage strip draws (Vega-Lite in the page, no network).
        page.get_by_text("Km sạch").first.scroll_into_view_if_needed(timeout=60_000)
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp / "blockers_30-06-2024.png"), full_page=True)
        chart.screenshot(path=str(tmp / "strip_30-06-2024.png"))
    assert blocked == [], blocked


def test_overview_with_a_commune_filter(server, snapshot):
    base, _, tmp = server
    commune = "Xã Đồng Đăng"
    mine = snapshot.parcels[snapshot.parcels["commune"] == commune]
    projects_there = sorted(set(mine["project_id"]))
    with offline_page(viewport={"width": 1500, "height": 1100}) as (page, blocked):
        log_in(page, base + "/")
        page.get_by_text("Báo cáo quý tiếp theo: hạn 20/09/2024").wait_for(timeout=180_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Xã / phường").locator("input")
        choose_option(page, box, commune)
        page.keyboard.press("Escape")
        page.get_by_text("Bộ lọc đang áp dụng").wait_for(timeout=120_000)
        page.get_by_text("(trên các xã, phường đã chọn)").wait_for(timeout=60_000)
        page.wait_for_timeout(2000)
        main = page.locator("section.stMain, .stMain, main").first
        text = main.inner_text()
        assert commune in text and "toàn dự án" in text
        cards = main.locator("div.gpmb-figs")
        assert cards.count() == len(projects_there)
        page.screenshot(path=str(tmp / "overview_dong-dang.png"), full_page=True)
    assert blocked == [], blocked
