"""In Chromium: a revert proposed by one administrator waits; the proposer cannot confirm it; a second
administrator confirms it on the page «Đề xuất chờ duyệt» and only then do the figures change."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import offline_page
from tests.support.login import add_account, log_in, seeded_admin_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app(tmp_path):
    with seeded_admin_app(tmp_path) as (url, database_url, sources):
        add_account(database_url, "kiem_soat", "admin", sources_dir=sources)
        yield url, database_url, sources


def _reverted(database_url: str, sources) -> bool:
    from tests.support.stores import demo_store

    store = demo_store(database_url, sources_dir=sources)
    try:
        return bool(store.uploads()["reverted_by_upload_id"].notna().any())
    finally:
        store.close()


def test_a_revert_waits_for_a_second_account(app):
    from playwright.sync_api import expect

    url, database_url, sources = app
    with offline_page(viewport={"width": 1400, "height": 2000}) as (page, requests_elsewhere):
        log_in(page, url + "/upload")  # the installer's admin proposes
        expect(page.get_by_role("heading", name="Tải lên số liệu kiểm đếm")).to_be_visible(timeout=60_000)
        page.get_by_text("Hoàn tác một lần tải lên").click()
        page.get_by_label("Lý do").fill("nhập nhầm")
        page.get_by_label("Lý do").press("Enter")
        page.get_by_text("Tôi xác nhận hoàn tác lần tải lên đã chọn").click()
        page.get_by_role("button", name="Hoàn tác lần tải này").click()
        expect(page.get_by_text(re.compile("chờ một tài khoản khác duyệt"))).to_be_visible(timeout=60_000)
        assert not _reverted(database_url, sources)

        log_in(page, url + "/proposals")  # the proposer cannot confirm his own
        page.get_by_role("button", name="Duyệt và thực hiện").click()
        expect(page.locator("[data-testid='stAlert']").filter(has_text=re.compile("không", re.I)).first).to_be_visible(
            timeout=60_000)
        assert not _reverted(database_url, sources)

        log_in(page, url + "/proposals", username="kiem_soat")  # a second administrator confirms
        page.get_by_role("button", name="Duyệt và thực hiện").click()
        expect(page.get_by_text(re.compile("Đã duyệt và thực hiện đề xuất số 1"))).to_be_visible(timeout=60_000)
    assert _reverted(database_url, sources)
    assert not requests_elsewhere
