"""In Chromium: the map of a project known only by its register, uploaded and checked on the import page,
shows the register ↔ map match (figures, lists, downloads); the commit says what to do next. A screenshot
``register_match.png`` is left in the test's tmp folder (and in ``$GPMB_SCREENSHOT_DIR`` when set)."""
from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.support.browser import chromium_path, offline_page
from tests.support.login import admin_app, log_in
from tests.support.stores import copy_store_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app(tmp_path, seeded_store_file, make_fixtures, monkeypatch):
    import cli
    from ingest.register_import import import_register
    from store import open_store
    from store.settings import Settings
    from tests.cadastre.test_register_only_project import MAP_ONLY, PROJECT, _map_file
    from tests.people.matrix_builder import build_matrix
    from tests.support.login import add_account

    chromium_path()
    template, sources = seeded_store_file
    url_db = copy_store_file(template, tmp_path, "e2e.gpkg")
    admin = add_account(url_db, "admin", sources_dir=sources)   # the account log_in uses
    monkeypatch.setenv("DATABASE_URL", url_db)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    assert cli.main(["add-project", "--id", PROJECT, "--name", "Dự án chỉ có sổ", "--kind", "area", "--province",
                     "Lạng Sơn", "--as", "admin"]) == 0
    data, expected = build_matrix(40)
    store = open_store(url_db, sources_dir=sources)
    try:
        Settings(store).set("maker_checker", "off", actor=admin)
        done = import_register(data, store, kind="matrix", project_id=PROJECT, actor=admin, file_name="bang_ho.xlsx",
                               today=date(2025, 12, 1))
        assert done.status == "committed"
    finally:
        store.close()
    numeric = [int(k) for k in sorted(set(expected.parcel_tokens)) if k.isdigit()][:8]
    path, _ = _map_file(tmp_path, make_fixtures, numeric + MAP_ONLY)
    with admin_app(tmp_path, database_url=url_db, sources_dir=sources,
                   extra_env={"GPMB_ATTRIBUTE_MAPPING": str(tmp_path / "mapping.yaml")}) as url:
        yield url, path, numeric, PROJECT


def test_register_match_on_the_import_page(app, tmp_path):
    from playwright.sync_api import expect

    url, path, numeric, project = app
    with offline_page(viewport={"width": 1400, "height": 2600}) as (page, requests_elsewhere):
        log_in(page, url + "/import")
        expect(page.get_by_role("heading", name=re.compile("Nhập bản đồ địa chính"))).to_be_visible(timeout=60_000)
        page.locator("[data-testid='stSelectbox']").filter(has_text="Dự án").first.click()
        page.get_by_role("option", name=re.compile(f"^{project} ")).click()
        page.locator("input[type='file']").set_input_files(str(path))
        expect(page.get_by_text(Path(path).name)).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Kiểm tra").click()
        heading = page.get_by_role("heading", name="Đối chiếu sổ hộ dân với bản đồ")
        expect(heading).to_be_visible(timeout=90_000)
        metric = page.locator("[data-testid='stMetric']").filter(has_text="Khớp bản đồ")
        expect(metric.locator("[data-testid='stMetricValue']")).to_have_text(str(len(numeric)))
        expect(page.get_by_role("button", name="Tải danh sách đối chiếu (CSV)")).to_be_visible()
        heading.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        shot = tmp_path / "register_match.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("GPMB_SCREENSHOT_DIR"):
            shutil.copy(shot, Path(os.environ["GPMB_SCREENSHOT_DIR"]) / shot.name)
        page.get_by_role("button", name="Ghi vào kho dữ liệu").click()
        expect(page.get_by_text(re.compile(f"{len(numeric)} thửa trong sổ hộ đã khớp bản đồ"))).to_be_visible(
            timeout=90_000)
    assert not requests_elsewhere
