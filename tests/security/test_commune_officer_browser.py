"""In Chromium: a commune officer's upload with a row of another commune shows that row refused on the
page before anything is written (preview), and the commit writes only his commune's row."""
from __future__ import annotations

import pytest

from tests.support.browser import offline_page
from tests.support.login import add_account, log_in, seeded_admin_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Row 1: Xã Hợp Thành, in Phường Kỳ Lừa (his); row 2: Xã Gia Cát (not his).
UPLOAD_CSV = ("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Diện tích (m²);Ghi chú\r\n"
              "QL4B;Hợp Thành;12;5;Bàn giao mặt bằng;10/06/2024;350;\r\n"
              "QL4B;Gia Cát;3;15;Bàn giao mặt bằng;10/06/2024;640;\r\n")


@pytest.fixture
def app(tmp_path):
    with seeded_admin_app(tmp_path) as (url, database_url, sources):
        add_account(database_url, "xa_ky_lua", "commune_officer", sources_dir=sources, communes=["Phường Kỳ Lừa"])
        yield url, database_url, sources


def _metric(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).locator("[data-testid='stMetricValue']")


def test_rows_of_another_commune_are_refused_row_by_row(app, tmp_path):
    from playwright.sync_api import expect

    url, database_url, sources = app
    upload = tmp_path / "hai_xa.csv"
    upload.write_text(UPLOAD_CSV, encoding="utf-8")
    with offline_page(viewport={"width": 1400, "height": 2000}) as (page, requests_elsewhere):
        log_in(page, url + "/upload", username="xa_ky_lua")
        page.locator("input[type='file']").set_input_files(str(upload))
        expect(_metric(page, "Dòng có lỗi")).to_have_text("1", timeout=60_000)
        expect(_metric(page, "Dòng hợp lệ")).to_have_text("1")
        page.get_by_role("button", name="Ghi các dòng hợp lệ").click()
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(timeout=60_000)
    assert not requests_elsewhere
    from tests.support.stores import demo_store

    store = demo_store(database_url, sources_dir=sources)
    try:
        uploads = store.uploads()
        his = uploads[uploads["file_name"] == "hai_xa.csv"]
        assert len(his) == 1, uploads[["uploaded_by", "file_name", "rows_committed"]]
        assert int(his["rows_committed"].iloc[0]) == 1
    finally:
        store.close()
