"""End to end in Chromium: upload a zipped shapefile on the import page, read the report and the map
preview, commit, and find the parcels in the store (``streamlit run app.py`` on a store in tmp_path)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app(tmp_path, seeded_store_file):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed")
    import shutil

    template, sources = seeded_store_file
    db = tmp_path / "e2e.gpkg"
    shutil.copy(template, db)
    url_db = f"sqlite:///{db}"
    env = {**os.environ, "DATABASE_URL": url_db, "GPMB_SOURCES_DIR": str(sources),
           "GPMB_ATTRIBUTE_MAPPING": str(tmp_path / "mapping.yaml")}
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start: " + (tmp_path / "streamlit.log").read_text())
        yield url, url_db, sources
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_upload_zip_check_preview_commit(app, fixture_files, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, url_db, sources = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        requests_elsewhere: list[str] = []

        def route(r):
            if re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", r.request.url) or r.request.url.startswith(("data:", "about:")):
                r.continue_()
            else:
                requests_elsewhere.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        try:
            page.goto(url + "/import")
            expect(page.get_by_role("heading", name=re.compile("Nhập bản đồ địa chính"))).to_be_visible(timeout=60_000)
            page.locator("input[type='file']").set_input_files(fixture_files["vni_prj_mismatch_zip"])
            # the default project is the first one of the store: TEST_QL4B
            expect(page.get_by_text("to12_vni.zip")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Kiểm tra").click()
            metric = page.locator("[data-testid='stMetric']").filter(has_text="Số thửa nhập")
            expect(metric.locator("[data-testid='stMetricValue']")).to_have_text("12", timeout=60_000)
            expect(page.get_by_text(re.compile("Tên hệ tọa độ trong tệp là"))).to_be_visible()
            expect(page.get_by_role("heading", name=re.compile("Ánh xạ thuộc tính"))).to_be_visible()
            iframe = page.locator("iframe").first
            expect(iframe).to_be_visible(timeout=30_000)
            frame = page.frame_locator("iframe").first
            expect(frame.locator(".leaflet-overlay-pane canvas").first).to_be_attached(timeout=30_000)
            expect(frame.get_by_text("Thửa sẽ nhập")).to_be_visible()
            page.screenshot(path=str(tmp_path / "import_page.png"), full_page=True)
            page.get_by_role("button", name="Ghi vào kho dữ liệu").click()
            expect(page.get_by_text(re.compile(r"Đã ghi 12 thửa"))).to_be_visible(timeout=60_000)
        finally:
            browser.close()
    assert not requests_elsewhere
    os.environ.setdefault("GPMB_SOURCES_DIR", str(sources))
    from store import open_store

    store = open_store(url_db, sources_dir=sources)
    try:
        parcels = store.parcels()
        assert (parcels["project_id"] == "TEST_QL4B").sum() == 12
        assert "Nguyễn Văn An" in set(parcels["owner_name"])
    finally:
        store.close()
