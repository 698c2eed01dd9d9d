"""End to end in Chromium: upload a file on the upload page, see the preview with its errors, commit
the valid rows, see the overview figures change (``streamlit run app.py`` on a store in tmp_path)."""
from __future__ import annotations

import re
import time

import pytest

from tests.ingest.fixture_data import CORPUS
from tests.support.browser import offline_page
from tests.support.login import log_in, seeded_admin_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Two QL4B parcels handed over (350 + 820,5 m² to recover) and one bad row (unknown parcel).
UPLOAD_CSV = (
    "Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Diện tích (m²);Ghi chú\r\n"
    "QL4B;Hợp Thành;12;5;Bàn giao mặt bằng;10/06/2024;350;<script>alert(1)</script>\r\n"
    "QL4B;Hợp Thành;12;6;Bàn giao mặt bằng;12/06/2024;820,5;\r\n"
    "QL4B;Hợp Thành;12;99;Bàn giao mặt bằng;12/06/2024;100;thửa không có\r\n"
)


@pytest.fixture
def app_url(tmp_path):
    with seeded_admin_app(tmp_path) as (url, _database_url, _sources):
        yield url


def _handed_over_text(page) -> str:
    """The "Đã bàn giao" area (``0,12 ha``) of the QL4B card on the overview page, read from the page
    text (robust to how the card is drawn: metric or HTML)."""
    pattern = re.compile(r"Cải tạo, nâng cấp quốc lộ 4B.*?Đã bàn giao\s*([\d.]+,\d+ ha)", re.S)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = pattern.search(page.inner_text("body"))
        if found:
            return found.group(1)
        page.wait_for_timeout(500)
    raise AssertionError("overview: QL4B card not found:\n" + page.inner_text("body")[:2000])


def test_upload_preview_commit_and_overview_changes(app_url, tmp_path):
    from playwright.sync_api import expect

    upload = tmp_path / "so_lieu_ky_lua.csv"
    upload.write_bytes(UPLOAD_CSV.encode("utf-8-sig"))
    with offline_page() as (page, _blocked):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        log_in(page, app_url + "/")
        before = _handed_over_text(page)

        log_in(page, app_url + "/upload")
        expect(page.get_by_role("heading", name="Tải lên số liệu kiểm đếm")).to_be_visible(timeout=60_000)
        # a PNG renamed .csv: a Vietnamese message, nothing written, no traceback
        page.locator("input[type='file']").set_input_files(str(CORPUS / "bad_png_renamed.csv"))
        expect(page.get_by_text(re.compile("Tệp này là ảnh PNG"))).to_be_visible(timeout=90_000)
        expect(page.get_by_text(re.compile("Không có gì được ghi"))).to_be_visible()
        assert page.locator("[data-testid='stException']").count() == 0
        page.get_by_role("button", name="Hủy").click()
        expect(page.get_by_text(re.compile("Tệp này là ảnh PNG"))).to_have_count(0, timeout=90_000)
        expect(page.get_by_text("bad_png_renamed.csv")).to_have_count(0, timeout=90_000)  # a fresh uploader
        expect(page.locator("input[type='file']")).to_have_count(1, timeout=90_000)

        page.locator("input[type='file']").set_input_files(str(upload))

        # preview: counts and the row-level errors
        metrics = page.locator("[data-testid='stMetric']")
        expect(metrics.filter(has_text="Dòng có lỗi").locator("[data-testid='stMetricValue']")).to_have_text(
            "1", timeout=90_000)
        expect(metrics.filter(has_text="Dòng hợp lệ").locator("[data-testid='stMetricValue']")).to_have_text("2")
        expect(page.get_by_text("1 dòng có lỗi sẽ bị bỏ qua")).to_be_visible()
        expect(page.get_by_role("heading", name="Danh sách lỗi")).to_be_visible()
        commit = page.get_by_role("button", name="Ghi các dòng hợp lệ")
        expect(page.get_by_text(re.compile("ghi theo tài khoản đang đăng nhập"))).to_be_visible()  # no free-text name
        expect(commit).to_be_enabled(timeout=90_000)
        commit.click()
        expect(page.get_by_text(re.compile(r"Đã ghi 2 dòng"))).to_be_visible(timeout=90_000)
        expect(page.locator("[data-testid='stMetric']")).to_have_count(0)  # the uploader was reset

        log_in(page, app_url + "/")
        after = _handed_over_text(page)
        # 350 + 820,5 m² of QL4B handed over = 0,117 ha, shown with 2 decimals
        assert (before, after) == ("0,00 ha", "0,12 ha")
        assert dialogs == []  # the <script> in a note never ran
        assert page.locator("[data-testid='stException']").count() == 0

        # the same file saved again with other line endings: the preview names the rows already recorded,
        # the commit adds nothing and the figures stay (issue 10)
        resaved = tmp_path / "so_lieu_ky_lua_luu_lai.csv"
        resaved.write_bytes(UPLOAD_CSV.replace("\r\n", "\n").encode("utf-8-sig"))
        log_in(page, app_url + "/upload")
        expect(page.locator("input[type='file']")).to_have_count(1, timeout=90_000)
        page.locator("input[type='file']").set_input_files(str(resaved))
        expect(page.get_by_text(re.compile("Không ghi lại 2 dòng đã có trong sổ số liệu"))).to_be_visible(
            timeout=90_000)
        commit = page.get_by_role("button", name="Ghi các dòng hợp lệ")
        expect(commit).to_be_enabled(timeout=90_000)
        commit.click()
        expect(page.get_by_text(re.compile("Mọi dòng hợp lệ của tệp đã có trong sổ số liệu"))).to_be_visible(
            timeout=90_000)
        log_in(page, app_url + "/")
        assert _handed_over_text(page) == "0,12 ha"
        assert page.locator("[data-testid='stException']").count() == 0
