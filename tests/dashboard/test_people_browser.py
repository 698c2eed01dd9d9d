"""Browser: the pages «Hộ dân & chi trả», «Đơn thư», «Tái định cư» on the bundled data at 30/06/2024, and a
lottery preview typed by the administrator (``streamlit run app.py`` in headless Chromium, every
non-localhost request blocked). Expected figures come from ``milestones.people.people_figures`` on the same
store, not from the page; screenshots are left in the test's temp folder to be looked at.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.browser import offline_page
from tests.support.login import admin_app, log_in
from tests.support.stores import demo_store
from vocab.format import fmt_number

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("people_browser")
    db_url = f"sqlite:///{tmp / 'gpmb.gpkg'}"
    with admin_app(tmp, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base:
        yield base, db_url, tmp


@pytest.fixture(scope="module")
def figures(server):
    from milestones.people import people_figures

    store = demo_store(server[1], sources_dir=SOURCES)
    try:
        return people_figures(store, date(2024, 6, 30))
    finally:
        store.close()


def _main_text(page) -> str:
    return page.locator("section.stMain, .stMain, main").first.inner_text()


def test_households_and_complaints_pages_show_the_figures(server, figures):
    base, _, tmp = server
    cards = figures.cards()
    with offline_page(viewport={"width": 1500, "height": 1100}) as (page, blocked):
        log_in(page, base + "/households")
        page.get_by_text("Chi trả theo dự án và xã, phường").wait_for(timeout=180_000)
        page.get_by_text("Hộ chưa nhận đủ tiền", exact=True).wait_for(timeout=120_000)
        page.wait_for_timeout(1500)
        text = _main_text(page)
        assert fmt_number(cards["households_paid"]) in text and fmt_number(cards["households_to_pay"]) in text
        page.screenshot(path=str(tmp / "households_30-06-2024.png"), full_page=True)
        log_in(page, base + "/complaints")   # a new URL is a new session
        page.get_by_text("Đơn quá hạn theo cơ quan có thẩm quyền").wait_for(timeout=180_000)
        page.wait_for_timeout(1500)
        text = _main_text(page)
        assert fmt_number(cards["open_complaints"]) in text and "Đơn thư quá hạn" in text  # grids draw on canvas
        page.screenshot(path=str(tmp / "complaints_30-06-2024.png"), full_page=True)
    assert blocked == [], blocked


def test_lottery_preview_on_the_resettlement_page(server):
    base, db_url, tmp = server
    with offline_page(viewport={"width": 1500, "height": 1200}) as (page, blocked):
        log_in(page, base + "/resettlement")
        page.get_by_text("Bốc thăm giao đất tái định cư").wait_for(timeout=180_000)
        page.get_by_label("Hạt giống thống nhất tại buổi bốc thăm (ví dụ các số rút từ hòm phiếu)").fill("12-07-88")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Xem trước kết quả").click()
        page.get_by_text("XEM TRƯỚC, chưa ghi").wait_for(timeout=120_000)
        page.wait_for_timeout(1000)
        assert "hộ đủ điều kiện" in _main_text(page)
        page.screenshot(path=str(tmp / "resettlement_preview.png"), full_page=True)
    assert blocked == [], blocked
    store = demo_store(db_url, sources_dir=SOURCES)
    try:
        assert store.lottery_draws().empty      # a preview writes nothing
    finally:
        store.close()
