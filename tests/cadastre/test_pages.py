"""Streamlit AppTest of the import and converter pages on a real store (no browser)."""
from __future__ import annotations

import pytest
import streamlit as st
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

SCRIPT = "import importlib\nimportlib.import_module('dashboard.pages.{module}').render()\n"


def page(module: str) -> AppTest:
    return AppTest.from_string(SCRIPT.format(module=module), default_timeout=60)


@pytest.fixture
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_converter_single_point_in_surveyor_order(fresh_caches):
    at = page("65_converter").run()
    assert not at.exception
    at.text_input(key="conv_a").input("2412000")
    at.text_input(key="conv_b").input("450000").run()
    assert not at.exception and not at.error
    _lon, lat = Transformer.from_crs(9215, 4326, always_xy=True).transform(450000, 2412000)
    values = {m.label: m.value for m in at.metric}
    assert values["Vĩ độ (B)"] == "21°48′12,946″"
    assert values["Kinh độ (L)"] == "106°46′05,884″"
    assert abs(lat - (21 + 48 / 60 + 12.946 / 3600)) < 0.0005 / 3600


def test_converter_swapped_input_is_explained(fresh_caches):
    at = page("65_converter").run()
    at.text_input(key="conv_a").input("450000")
    at.text_input(key="conv_b").input("2412000").run()
    assert at.error and "đảo" in at.error[0].value


def test_converter_batch_list(fresh_caches):
    at = page("65_converter").run()
    at.text_area(key="conv_batch").input("M1\t2412000\t450000\nM2;2420000;452000\nsai\n").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Tên điểm"].tolist() == ["M1", "M2", ""]
    assert table["Lỗi"].tolist()[2].startswith("Dòng 3")
    assert at.warning


@pytest.fixture
def import_folder(fixture_files, monkeypatch):
    """The server-path box switched on (dashboard.config) with the generated files' folder as import folder."""
    import os

    folder = os.path.commonpath([str(p) for p in fixture_files.values()])
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", folder)
    return folder


def admin_page(module: str) -> AppTest:
    from tests.support.login import preset_login

    return preset_login(page(module))


def test_import_page_check_then_commit(store, fixture_files, import_folder, fresh_caches):
    from tests.support.actors import make_account
    from tests.support.login import preset_login

    at = preset_login(page("60_import"), make_account(store, "quan_tri")).run()
    assert not at.exception, at.exception
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    at.text_input(key="imp_paths").input(fixture_files["famis_tcvn3_noprj"]).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Số thửa nhập"] == "11"
    assert values["Số thửa trùng khóa (bị loại, không gộp)"] == "2"
    assert values["Diện tích thu hồi (m²)"] == "4.000,0"
    # encodings table shows before/after samples
    texts = [df.value for df in at.dataframe]
    assert any("Nguyễn Văn An" in df.to_string() and "NguyÔn V¨n An" in df.to_string() for df in texts)
    assert any(".prj" in w.value for w in at.warning)
    at.button(key="imp_commit").click().run()
    assert not at.exception
    assert at.success and "11 thửa" in at.success[0].value
    assert (store.parcels()["project_id"] == "TEST_QL4B").sum() == 11
    from store import AuditTrail

    last = AuditTrail(store).read().iloc[-1]
    assert (last["action"], last["account"]) == ("layer_replaced", "quan_tri")  # the page writes as the account


def test_import_page_refusal_is_a_message_not_a_traceback(store, fixture_files, import_folder, fresh_caches):
    at = admin_page("60_import").run()
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    at.text_input(key="imp_paths").input(fixture_files["utm48_noprj"])
    at.text_input(key="imp_commune").input("Xã Hợp Thành").run()
    at.button(key="imp_check").click().run()
    assert not at.exception
    assert at.error and "EPSG:3405" in at.error[0].value


def test_import_page_mapping_correction_then_recheck(store, fixture_files, import_folder, fresh_caches):
    at = admin_page("60_import").run()
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    # The GeoPackage has TenXa = "Xã Hợp Thành"; the clerk corrects: ignore TenXa, the parcels are in Xã Gia Cát.
    at.text_input(key="imp_paths").input(fixture_files["gpkg"]).run()
    at.text_input(key="imp_commune").input("Xã Gia Cát").run()
    at.button(key="imp_check").click().run()
    assert not at.exception
    first = at.session_state["imp_result"]["prepared"].parcels
    assert set(first["commune_former"]) == {"Xã Hợp Thành"}
    # what the mapping table's edit produces (the table itself is checked in the browser test)
    at.session_state["imp_corrections"] = {"TenXa": ""}
    at.session_state["imp_recheck_pending"] = True
    at.run()
    assert not at.exception
    second = at.session_state["imp_result"]["prepared"].parcels
    assert set(second["commune_former"]) == {"Xã Gia Cát"}
    assert set(second["parcel_id"].str.split("/").str[1]) == {"06235"}  # Gia Cát's former code
