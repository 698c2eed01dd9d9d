"""In Chromium: an upload whose file name, commune and note hold markup shows it as text on the upload page:
no dialog, no image from the Markdown, no request leaves the machine (``streamlit run app.py``)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.ingest.fixture_data import write_sources
from tests.support.browser import chromium_path, offline_page
from tests.support.login import admin_app, log_in
from tests.support.streamlit_server import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FILE_NAME = "<img src=x onerror=alert(1)>.csv"
COMMUNE = "![](http://example.invalid/x.png)"
NOTE = "<script>alert(document.domain)</script>"
UPLOAD_CSV = ("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Diện tích (m²);Ghi chú\r\n"
              f"QL4B;{COMMUNE};12;5;Bàn giao mặt bằng;10/06/2024;350;{NOTE}\r\n")


@pytest.fixture
def app_url(tmp_path):
    chromium_path()  # skips when chromium is not installed
    sources = write_sources(tmp_path / "sources")
    database_url = f"sqlite:///{tmp_path / 'e2e.gpkg'}"
    env = {**os.environ, "DATABASE_URL": database_url, "GPMB_SOURCES_DIR": str(sources)}
    subprocess.run([sys.executable, "-c", "from store import open_store; open_store()"], cwd=REPO, env=env,
                   check=True, timeout=120)
    with admin_app(tmp_path, database_url=database_url, sources_dir=sources,
                   extra_args=("--server.fileWatcherType", "none", "--server.runOnSave", "false")) as url:
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
