"""In Chromium: an upload whose file name, commune and note hold markup shows it as text on the upload page:
no dialog, no image from the Markdown, no request leaves the machine (``streamlit run app.py``)."""
from __future__ import annotations

import pytest

from tests.support.browser import offline_page
from tests.support.login import log_in, seeded_admin_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FILE_NAME = "<img src=x onerror=alert(1)>.csv"
COMMUNE = "![](http://example.invalid/x.png)"
NOTE = "<script>alert(document.domain)</script>"
UPLOAD_CSV = ("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Diện tích (m²);Ghi chú\r\n"
              f"QL4B;{COMMUNE};12;5;Bàn giao mặt bằng;10/06/2024;350;{NOTE}\r\n")


@pytest.fixture
def app_url(tmp_path):
    with seeded_admin_app(tmp_path) as (url, _database_url, _sources):
        yield url


def test_hostile_upload_is_shown_as_text(app_url, tmp_path):
    from playwright.sync_api import expect

    upload = tmp_path / FILE_NAME
    upload.write_text(UPLOAD_CSV, encoding="utf-8")
    dialogs = []
    with offline_page(viewport={"width": 1400, "height": 2000}) as (page, requests_elsewhere):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, app_url + "/upload")
        page.locator("input[type='file']").set_input_files(str(upload))
        expect(page.get_by_text("Dòng có lỗi", exact=True)).to_be_visible(timeout=60_000)
        page.wait_for_timeout(2000)  # let every element of the preview render
        body = page.inner_text("body")
        assert "<img sr" in body and "rt(1)>.csv" in body  # the (shortened) file name, as text
        assert page.locator("img[src='x'], img[src*='example.invalid']").count() == 0
        assert page.locator("script:has-text('document.domain')").count() == 0
    assert dialogs == []
    assert not requests_elsewhere
