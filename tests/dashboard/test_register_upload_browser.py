"""Browser: a commune officer of Phường Kỳ Lừa uploads a household × step matrix through «Nhập sổ hộ dân, đơn thư»
and commits it (``streamlit run app.py`` in headless Chromium, every non-localhost request blocked). The preview
and the result are left as screenshots in the test's temp folder to be looked at."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.dashboard.test_register_upload_page import matrix_file
from tests.store.sources_fixture import write_sources
from tests.support.browser import choose_option, offline_page
from tests.support.login import add_account, admin_app, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_matrix_uploaded_previewed_and_committed(tmp_path):
    from store import open_store

    sources = write_sources(tmp_path / "sources")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    path = tmp_path / "bang_ho_buoc.xlsx"
    path.write_bytes(matrix_file())
    add_account(db_url, "admin", sources_dir=sources)
    add_account(db_url, "can_bo_ky_lua", "commune_officer", sources_dir=sources, communes=["Phường Kỳ Lừa"])
    with admin_app(tmp_path, database_url=db_url, sources_dir=sources, timeout_s=180.0) as base, \
            offline_page(viewport={"width": 1400, "height": 2600}) as (page, blocked):
        log_in(page, base + "/register_upload", username="can_bo_ky_lua")
        page.get_by_role("heading", name="Nhập sổ hộ dân, đơn thư").wait_for(timeout=180_000)
        page.locator("[data-testid='stSelectbox']").filter(has_text="Loại sổ").click()
        page.get_by_role("option", name="Bảng theo dõi hộ × bước thủ tục", exact=True).click()
        page.get_by_text("Chọn tệp sổ (XLSX)").wait_for(timeout=60_000)
        commune = page.locator("[data-testid='stSelectbox']").filter(has_text="Xã/phường của tệp")
        expect(commune).not_to_contain_text("không bắt buộc")  # the matrix needs his commune: his only one is chosen
        uploader = page.locator("input[type='file']")
        expect(uploader).to_have_count(1, timeout=60_000)  # the uploader of the kind before has gone
        uploader.set_input_files(str(path))
        page.get_by_text("Ánh xạ bước → giai đoạn", exact=True).wait_for(timeout=180_000)
        page.get_by_text("Xem trước (chưa ghi gì)").wait_for(timeout=60_000)
        page.get_by_text("Dòng đọc được", exact=True).wait_for(timeout=60_000)
        expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(3000)  # the tables' canvases draw after their frame
        main = page.locator("section.stMain, .stMain, main").first
        text = main.inner_text()
        assert "Thửa khớp bản đồ" in text and "Số hộ theo giai đoạn" in text
        page.screenshot(path=str(tmp_path / "register_matrix_preview.png"), full_page=True)
        commit = page.get_by_role("button", name="Ghi vào sổ")
        assert commit.is_disabled()  # the mapping is confirmed first
        page.get_by_text("Tôi đã kiểm tra ánh xạ bước → giai đoạn ở bảng trên").click()
        page.wait_for_timeout(1000)
        commit.click()
        page.get_by_text("Đã ghi lần tải").wait_for(timeout=180_000)
        page.get_by_text("Dòng mới", exact=True).wait_for(timeout=60_000)
        page.get_by_text("Trang danh sách bước (kế hoạch thủ tục của dự án) không được ghi").wait_for(timeout=60_000)
        page.wait_for_timeout(3000)
        page.screenshot(path=str(tmp_path / "register_matrix_result.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
    assert blocked == [], blocked
    store = open_store(db_url)
    try:
        imports = store.register_imports()
        assert list(imports["register"]) == ["households"] and list(imports["source"]) == ["upload"]
        assert list(imports["uploaded_by"]) == ["can_bo_ky_lua"]
        assert store.register("procedure").empty       # the project's plan is not a commune's to write
        assert int(imports["events_added"].iloc[0]) == 3      # 101: notice, inventory; 102: inventory (C003 unmapped)
        homes = store.register("households")
        assert sorted(homes["household_id"]) == ["H1", "H2", "H3"] and set(homes["commune"]) == {"Phường Kỳ Lừa"}
    finally:
        store.close()


def test_a_geojson_of_resettlement_areas_uploaded_on_the_real_server(tmp_path):
    """The map file goes through the cadastral readers' worker process under ``streamlit run`` (not AppTest)."""
    import json

    from store import open_store

    sources = write_sources(tmp_path / "sources")
    db_url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    ring = [[106.76, 21.85], [106.761, 21.85], [106.761, 21.8508], [106.76, 21.8508], [106.76, 21.85]]
    path = tmp_path / "khu_tdc.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ma_khu": "KTDC-WEB", "ten_khu": "Khu qua trang", "tien_do": 30},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    add_account(db_url, "admin", sources_dir=sources)
    with admin_app(tmp_path, database_url=db_url, sources_dir=sources, timeout_s=180.0) as base, \
            offline_page(viewport={"width": 1400, "height": 1800}) as (page, blocked):
        log_in(page, base + "/register_upload")
        page.get_by_role("heading", name="Nhập sổ hộ dân, đơn thư").wait_for(timeout=180_000)
        kind_box = page.locator("[data-testid='stSelectbox']").filter(has_text="Loại sổ").locator("input")
        choose_option(page, kind_box, "Khu tái định cư (ranh giới, tiến độ xây dựng)")
        # the uploader of this kind (its label lists GEOJSON), once the rerun has replaced the previous kind's
        uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="GEOJSON")
        expect(page.locator("input[type='file']")).to_have_count(1, timeout=60_000)
        uploader.locator("input[type='file']").set_input_files(str(path))
        page.get_by_text("Dòng đọc được", exact=True).wait_for(timeout=180_000)
        page.wait_for_timeout(2000)
        assert "dừng bất thường" not in page.locator("section.stMain, .stMain, main").first.inner_text()
        page.get_by_role("button", name="Ghi vào sổ").click()
        page.get_by_text("Đã ghi lần tải").wait_for(timeout=180_000)
        page.screenshot(path=str(tmp_path / "register_areas_result.png"), full_page=True)
    assert blocked == [], blocked
    store = open_store(db_url)
    try:
        area = store.resettlement_areas().set_index("area_id").loc["KTDC-WEB"]
        assert area["construction_percent"] == 30.0 and area.geometry.area > 1000    # m² in EPSG:9215
    finally:
        store.close()
