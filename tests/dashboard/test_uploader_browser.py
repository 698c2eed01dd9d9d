"""Browser: every upload page's drop zone reads in Vietnamese (dashboard.uploader) — Streamlit's English
button «Upload» and «250MB per file • …» are hidden and the Vietnamese texts drawn in their place, with
the limit the page's reader enforces. ``streamlit run app.py`` on the demo store in headless Chromium;
a screenshot of each drop zone is left in the test's temp folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.uploader import BUTTON_VI
from tests.support.browser import offline_page
from tests.support.login import admin_app, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"

#: page url → the start of its hint
PAGES = {
    "upload": "Kéo thả tệp vào đây · tối đa 50 MB một tệp · CSV, XLSX, TXT",
    "register_upload": "Kéo thả tệp vào đây · tối đa 50 MB một tệp",
    "import": "Kéo thả các tệp vào đây · tối đa 250 MB một tệp · Shapefile, ZIP",
    "converter": "Kéo thả tệp vào đây · tối đa 250 MB một tệp · CSV, TXT",
}

#: What the drop zone shows: each text element's own size and its ::after content.
SHOWN_JS = """(zone) => [zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'),
                        zone.querySelector('button p')].map(e => ({
    own: getComputedStyle(e).fontSize, text: e.textContent,
    after: getComputedStyle(e, '::after').content, afterSize: getComputedStyle(e, '::after').fontSize}))"""


def test_every_drop_zone_reads_in_vietnamese(tmp_path):
    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    with admin_app(tmp_path, database_url=db_url, sources_dir=SOURCES, timeout_s=180.0) as base:
        with offline_page(viewport={"width": 1400, "height": 1000}) as (page, blocked):
            for path, hint in PAGES.items():
                page.goto("about:blank")
                log_in(page, f"{base}/{path}")
                if path == "converter":     # its uploader is on the second tab
                    page.get_by_role("tab", name="Nhiều điểm").click()
                zone = page.locator("[data-testid='stFileUploaderDropzone']").first
                zone.wait_for(timeout=120_000)
                instructions, button = zone.evaluate(SHOWN_JS)
                assert "per file" in instructions["text"] and button["text"] == "Upload"   # Streamlit's own, hidden:
                assert instructions["own"] == button["own"] == "0px", (path, instructions, button)
                assert instructions["after"].strip('"').startswith(hint), (path, instructions)
                assert button["after"] == f'"{BUTTON_VI}"' and button["afterSize"] != "0px", (path, button)
                zone.screenshot(path=str(tmp_path / f"dropzone_{path}.png"))
        assert blocked == [], blocked
