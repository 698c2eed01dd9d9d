"""The upload page under Streamlit's AppTest (no browser): uploads list, revert with confirmation,
template downloads, no traceback. (File upload itself is driven in Chromium: test_browser.py.)"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = """
import importlib
importlib.import_module("dashboard.pages.40_upload").render()
"""


@pytest.fixture
def page_env(monkeypatch, tmp_path, sources_dir):
    from store import open_store

    url = f"sqlite:///{tmp_path / 'page.gpkg'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    store = open_store(url, sources_dir=sources_dir)
    yield store
    store.close()


def test_revert_needs_a_name_and_a_confirmation(page_env):
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Tải lên số liệu kiểm đếm"
    listed = at.dataframe[0].value
    assert list(listed["Lần tải"]) == [1] and list(listed["Trạng thái"]) == ["Đang dùng"]

    button = at.button(key="revert_button")
    assert button.disabled  # no name, no confirmation
    at.text_input(key="upload_by").input("Trần Thị B – TTPTQĐ").run()
    assert at.button(key="revert_button").disabled  # still no confirmation
    at.text_input(key="revert_reason").input("nhập nhầm").run()
    at.checkbox(key="revert_confirm").check().run()
    at.button(key="revert_button").click().run()
    assert not at.exception
    assert any("Đã hoàn tác lần tải lên số 1" in s.value for s in at.success)

    uploads = page_env.uploads().set_index("upload_id")
    assert uploads.loc[1, "reverted_by_upload_id"] == 2
    assert uploads.loc[2, "source"] == "revert" and uploads.loc[2, "uploaded_by"] == "Trần Thị B – TTPTQĐ"
    assert page_env.events().empty  # the seed events no longer count
    listed = at.dataframe[0].value
    assert listed.set_index("Lần tải").loc[1, "Trạng thái"].startswith("Đã hoàn tác ngày")


def test_store_failure_is_a_vietnamese_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert any("Không mở được kho dữ liệu" in e.value for e in at.error)
