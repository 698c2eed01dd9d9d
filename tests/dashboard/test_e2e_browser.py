"""End to end: ``streamlit run app.py`` on a fresh store (bundled data), opened in headless Chromium with
every non-localhost request blocked. The overview shows milestone statuses and the map draws the parcels.

Needs /usr/bin/chromium; takes ~1 minute (the store is built from data/sources on first use).
"""
from __future__ import annotations

import os
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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATUS_LABELS = ("Đạt", "Không đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("streamlit did not become healthy in time")


@pytest.fixture
def dashboard_server(tmp_path):
    if not (REPO / "data" / "sources" / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed")
    port = _free_port()
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    env = {**os.environ, "DATABASE_URL": db_url}
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_dashboard_offline_end_to_end(dashboard_server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, db_url = dashboard_server
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def route(r):
                url = r.request.url
                if url.startswith(("data:", "blob:", "about:")) or url.startswith((base, "ws://127.0.0.1")):
                    r.continue_()
                else:
                    blocked.append(url)
                    r.abort()

            page.route("**/*", route)

            # Overview at the default as-of date: the milestone table shows a status.
            page.goto(base + "/")
            page.get_by_text("Các mốc tiến độ").wait_for(timeout=180_000)
            table = page.locator("table").filter(has_text="Trạng thái").first
            table.wait_for(timeout=60_000)
            text = table.inner_text()
            assert any(label in text for label in STATUS_LABELS)
            assert "30/06/2024" in page.locator("section.stMain, .stMain, main").first.inner_text()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(tmp_path / "overview_30-06-2024.png"), full_page=True)

            # Map page: the Leaflet map inside the iframe draws every parcel.
            page.get_by_role("link", name="Bản đồ").first.click()
            frame = page.frame_locator("iframe").first
            frame.locator("path.leaflet-interactive").first.wait_for(timeout=180_000)
            page.wait_for_timeout(1500)
            drawn = frame.locator("path.leaflet-interactive").count()
            from store import open_store

            n_parcels = len(open_store(db_url).parcels())     # all parcels are in the default view
            assert n_parcels > 1000
            assert drawn >= n_parcels
            assert "Tiến độ GPMB tại ngày 30/06/2024" in frame.locator(".gpmb-title").inner_text()
            page.screenshot(path=str(tmp_path / "map_30-06-2024.png"), full_page=True)
        finally:
            browser.close()
    # Everything worked with the network cut off, and nothing even tried to reach it.
    assert blocked == [], blocked
