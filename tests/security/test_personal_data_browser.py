"""In Chromium: a viewer (lãnh đạo) sees no owner name on the parcel list, its downloads or the map
(tooltip data in the map frame), and has no export page; an officer has the export-with-personal-data box."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import APP_FRAMES, offline_page
from tests.support.login import add_account, log_in, seeded_admin_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OWNER = re.compile(r"Hộ \d+")  # the owner names of tests.ingest.fixture_data ("Hộ 0", "Hộ 1" …)
#: The export-with-personal-data checkbox of 50_exports.py (today's label and the one proposed in exports.personal).
PERSONAL_BOX = re.compile("Kèm (dữ liệu cá nhân|họ tên)")


@pytest.fixture
def app(tmp_path):
    with seeded_admin_app(tmp_path) as (url, database_url, sources):
        add_account(database_url, "lanh_dao", "viewer", sources_dir=sources)
        add_account(database_url, "can_bo", "officer", sources_dir=sources)
        yield url


def _all_frames_html(page) -> str:
    return "\n".join(frame.content() for frame in page.frames)


def test_viewer_sees_no_owner_name_officer_may_export_them(app, tmp_path):
    from playwright.sync_api import expect

    with offline_page(viewport={"width": 1400, "height": 1800}) as (page, requests_elsewhere):
        log_in(page, app + "/parcels", username="lanh_dao")
        expect(page.get_by_role("heading", name="Danh sách thửa đất")).to_be_visible(timeout=60_000)
        with page.expect_download(timeout=60_000) as csv_download:
            page.get_by_role("button", name=re.compile("Tải danh sách \\(CSV")).click()
        csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
        assert csv_text.count("\n") > 1 and not OWNER.search(csv_text)
        assert not OWNER.search(_all_frames_html(page))

        log_in(page, app + "/map", username="lanh_dao")
        expect(page.get_by_role("heading", name=re.compile("Bản đồ tiến độ"))).to_be_visible(timeout=60_000)
        expect(page.frame_locator(APP_FRAMES).first.frame_locator("iframe").first.locator(".leaflet-container")
               ).to_be_attached(timeout=60_000)
        assert not OWNER.search(_all_frames_html(page))
        assert page.get_by_role("link", name=re.compile("Xuất")).count() == 0  # no export page in the list
        log_in(page, app + "/exports", username="lanh_dao")
        page.wait_for_timeout(3000)
        assert page.get_by_text(PERSONAL_BOX).count() == 0

    with offline_page(viewport={"width": 1400, "height": 1800}) as (page, more_requests):
        log_in(page, app + "/exports", username="can_bo")
        expect(page.get_by_text(PERSONAL_BOX).first).to_be_visible(timeout=60_000)
    assert not requests_elsewhere and not more_requests
