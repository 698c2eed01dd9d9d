"""The import page shows the change set and asks for a confirmation naming the removal count (issue 10).

AppTest on the real GeoPackage store holding 204 parcels of TEST_QL4B in Xã Hợp Thành
(:func:`test_change_set.seed_project`): checking the 12-parcel sheet with the default scope shows
«Bị xóa» 204, a warning naming 204, and the commit button stays disabled until «204» is typed.
"""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.cadastre.test_change_set import project_parcels, seed_project

SCRIPT = "import importlib\nimportlib.import_module('dashboard.pages.60_import').render()\n"


@pytest.fixture
def import_folder(fixture_files, monkeypatch):
    import os

    folder = os.path.commonpath([str(p) for p in fixture_files.values()])
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", folder)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield folder
    st.cache_data.clear()
    st.cache_resource.clear()


def checked_page(store, actor, fixture_files):
    from tests.support.login import preset_login

    seed_project(store, actor)
    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=60), actor).run()
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    at.text_input(key="imp_paths").input(fixture_files["gpkg"]).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    return at


def test_page_asks_for_the_removal_count_before_committing(store, actor, fixture_files, import_folder):
    at = checked_page(store, actor, fixture_files)
    values = {m.label: m.value for m in at.metric}
    assert values["Bị xóa"] == "204" and values["Thêm mới"] == "12"
    assert any("xóa 204 thửa" in w.value for w in at.warning)
    removed_table = next(df.value for df in at.dataframe if "Mã" in df.value.columns and len(df.value) == 204)
    assert "TEST_QL4B/06226/20/1" in set(removed_table["Mã"])
    box = at.text_input(key="imp_confirm_remove_communes_204")
    assert box.label == "Nhập 204 để xác nhận xóa 204 thửa"
    assert at.button(key="imp_commit").disabled
    box.input("203").run()
    assert at.button(key="imp_commit").disabled
    at.text_input(key="imp_confirm_remove_communes_204").input("204").run()
    assert not at.button(key="imp_commit").disabled
    at.button(key="imp_commit").click().run()
    assert not at.exception
    assert at.success and "12 thửa" in at.success[0].value
    assert len(project_parcels(store)) == 12


def test_page_without_confirmation_writes_nothing(store, actor, fixture_files, import_folder):
    from streamlit.testing.v1.errors import AppTestError

    at = checked_page(store, actor, fixture_files)
    with pytest.raises(AppTestError, match="disabled"):  # no click is possible, as in a browser
        at.button(key="imp_commit").click().run()
    at.radio(key="imp_scope").set_value("project").run()  # another scope: its own count, its own box
    assert at.text_input(key="imp_confirm_remove_project_204").label.startswith("Nhập 204")
    assert at.button(key="imp_commit").disabled
    assert len(project_parcels(store)) == 204


def test_page_shows_the_boundary_change_set(store, actor, fixture_files, import_folder):
    from tests.support.login import preset_login

    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=60), actor).run()
    at.radio(key="imp_kind").set_value("boundary").run()
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    at.text_input(key="imp_paths").input(fixture_files["boundary_geojson"]).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    assert any(h.value.startswith("Thay đổi chỉ giới dự án") for h in at.subheader)
    values = {m.label: m.value for m in at.metric}
    # the file is the stored boundary itself, through WGS 84 and back: within 1 cm, so no change
    assert (values["Thay đổi"], values["Giữ nguyên"], values["Bị xóa"]) == ("0", "1", "0")


def test_page_shows_the_steps_of_the_check(store, actor, fixture_files, import_folder):
    """Checking shows a status box per part of the work (read and check, then the change set), both
    «complete» with the steps of :data:`domain.progress.IMPORT_PARCELS_STEPS` listed (issue 13)."""
    from vocab.labels import PROGRESS_STEP_LABELS_VI as L

    at = checked_page(store, actor, fixture_files)
    assert [(s.label, s.state) for s in at.status] == [("Đã kiểm tra xong", "complete"),
                                                       ("Đã lập danh sách thay đổi", "complete")]
    steps = [m.value for m in at.markdown if m.value.startswith("[")]
    assert steps == [f"[1/4] {L['read']}…", f"[2/4] {L['check']}…", f"[3/4] {L['change_set']}…"]
