"""End to end in Chromium: upload a zipped shapefile on the import page, read the report and the map
preview, commit, and find the parcels in the store (``streamlit run app.py`` on a store in tmp_path)."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import APP_FRAMES, chromium_path, offline_page
from tests.support.login import admin_app, log_in
from tests.support.stores import copy_store_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app(tmp_path, seeded_store_file):
    chromium_path()  # skips when chromium is not installed
    template, sources = seeded_store_file
    url_db = copy_store_file(template, tmp_path, "e2e.gpkg")
    with admin_app(tmp_path, database_url=url_db, sources_dir=sources,
                   extra_env={"GPMB_ATTRIBUTE_MAPPING": str(tmp_path / "mapping.yaml")}) as url:
        yield url, url_db, sources


def test_upload_zip_check_preview_commit(app, fixture_files, tmp_path):
    from playwright.sync_api import expect

    url, url_db, sources = app
    with offline_page(viewport={"width": 1400, "height": 2400}) as (page, requests_elsewhere):
        log_in(page, url + "/import")
        expect(page.get_by_role("heading", name=re.compile("Nhập bản đồ địa chính"))).to_be_visible(timeout=60_000)
        page.locator("input[type='file']").set_input_files(fixture_files["vni_prj_mismatch_zip"])
        # the default project is the first one of the store: TEST_QL4B
        expect(page.get_by_text("to12_vni.zip")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Kiểm tra").click()
        metric = page.locator("[data-testid='stMetric']").filter(has_text="Số thửa nhập")
        expect(metric.locator("[data-testid='stMetricValue']")).to_have_text("12", timeout=60_000)
        expect(page.get_by_text(re.compile("Tên hệ tọa độ trong tệp là"))).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile("Ánh xạ thuộc tính"))).to_be_visible()
        iframe = page.locator(APP_FRAMES).first
        expect(iframe).to_be_visible(timeout=30_000)
        frame = page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first  # sandboxed map frame
        expect(frame.locator(".leaflet-overlay-pane canvas").first).to_be_attached(timeout=30_000)
        expect(frame.get_by_text("Thửa sẽ nhập")).to_be_visible()
        page.screenshot(path=str(tmp_path / "import_page.png"), full_page=True)
        page.get_by_role("button", name="Ghi vào kho dữ liệu").click()
        expect(page.get_by_text(re.compile(r"Đã ghi 12 thửa"))).to_be_visible(timeout=60_000)
    assert not requests_elsewhere
    from tests.support.stores import demo_store

    store = demo_store(url_db, sources_dir=sources)
    try:
        parcels = store.parcels()
        assert (parcels["project_id"] == "TEST_QL4B").sum() == 12
        assert "Nguyễn Văn An" in set(parcels["owner_name"])
    finally:
        store.close()


@pytest.fixture
def app_with_204_parcels(tmp_path, seeded_store_file):
    """The import page on a store where TEST_QL4B holds 204 parcels of Xã Hợp Thành (test_change_set)."""
    from store import open_store
    from store.settings import Settings
    from tests.cadastre.test_change_set import seed_project
    from tests.support.login import add_account

    chromium_path()
    template, sources = seeded_store_file
    url_db = copy_store_file(template, tmp_path, "e2e.gpkg")
    admin = add_account(url_db, "admin", sources_dir=sources)  # the account log_in uses
    store = open_store(url_db, sources_dir=sources)
    try:
        Settings(store).set("maker_checker", "off", actor=admin)  # the confirmed import then runs at once
        seed_project(store, admin)
    finally:
        store.close()
    with admin_app(tmp_path, database_url=url_db, sources_dir=sources) as url:
        yield url, url_db, sources


def test_removal_needs_the_typed_count_in_the_browser(app_with_204_parcels, fixture_files, tmp_path):
    from playwright.sync_api import expect

    url, url_db, sources = app_with_204_parcels
    with offline_page(viewport={"width": 1400, "height": 2400}) as (page, requests_elsewhere):
        log_in(page, url + "/import")
        page.locator("input[type='file']").set_input_files(fixture_files["gpkg"])
        expect(page.get_by_text("thua.gpkg")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Kiểm tra").click()
        removed = page.locator("[data-testid='stMetric']").filter(has_text="Bị xóa")
        expect(removed.locator("[data-testid='stMetricValue']")).to_have_text("204", timeout=60_000)
        commit = page.get_by_role("button", name="Ghi vào kho dữ liệu")
        expect(commit).to_be_disabled()
        box = page.get_by_label("Nhập 204 để xác nhận xóa 204 thửa")
        box.fill("204")
        box.press("Enter")
        expect(commit).to_be_enabled(timeout=30_000)
        page.screenshot(path=str(tmp_path / "import_confirm.png"), full_page=True)
        commit.click()
        expect(page.get_by_text(re.compile(r"Đã ghi 12 thửa"))).to_be_visible(timeout=60_000)
    assert not requests_elsewhere
    from store import open_store

    store = open_store(url_db, sources_dir=sources)
    try:
        assert (store.parcels()["project_id"] == "TEST_QL4B").sum() == 12
    finally:
        store.close()
