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
    from tests.support.stores import demo_store

    url = f"sqlite:///{tmp_path / 'page.gpkg'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    store = demo_store(url, sources_dir=sources_dir)
    yield store
    store.close()


def test_revert_needs_a_confirmation_and_is_recorded_under_the_account(page_env):
    from tests.support.actors import office_admin
    from tests.support.login import preset_login

    admin = office_admin(page_env)  # maker–checker off: the revert runs at once
    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=60), admin).run()
    assert not at.exception
    assert at.title[0].value == "Tải lên số liệu kiểm đếm"
    assert any("quan_tri" in c.value.replace("\\", "") for c in at.caption)  # written as the logged-in account
    listed = at.dataframe[0].value
    assert list(listed["Lần tải"]) == [1] and list(listed["Trạng thái"]) == ["Đang dùng"]

    assert at.button(key="revert_button").disabled  # no confirmation yet
    at.text_input(key="revert_reason").input("nhập nhầm").run()
    at.checkbox(key="revert_confirm").check().run()
    at.button(key="revert_button").click().run()
    assert not at.exception
    assert any("Đã hoàn tác lần tải lên số 1" in s.value for s in at.success)

    uploads = page_env.uploads().set_index("upload_id")
    assert uploads.loc[1, "reverted_by_upload_id"] == 2
    assert uploads.loc[2, "source"] == "revert" and uploads.loc[2, "uploaded_by"] == "quan_tri"
    assert page_env.events().empty  # the seed events no longer count
    listed = at.dataframe[0].value
    assert listed.set_index("Lần tải").loc[1, "Trạng thái"].startswith("Đã hoàn tác ngày")


def test_a_revert_proposed_on_the_page_waits_for_a_second_account(page_env):
    from tests.support.actors import make_account
    from tests.support.login import preset_login

    maker = make_account(page_env, "lan_admin", "admin")
    checker = make_account(page_env, "hung_admin", "admin")
    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=60), maker).run()
    at.text_input(key="revert_reason").input("nhập nhầm").run()
    at.checkbox(key="revert_confirm").check().run()
    at.button(key="revert_button").click().run()
    assert not at.exception
    assert any("chờ một tài khoản khác duyệt" in s.value for s in at.success)
    assert page_env.uploads()["reverted_by_upload_id"].isna().all()  # nothing reverted yet
    assert not page_env.events().empty

    proposals = "import importlib\nimportlib.import_module('dashboard.pages.85_proposals').render()\n"
    own = preset_login(AppTest.from_string(proposals, default_timeout=60), maker).run()
    own.button(key="proposal_confirm").click().run()
    assert any("không" in e.value.lower() for e in own.error)  # the proposer cannot confirm
    assert page_env.uploads()["reverted_by_upload_id"].isna().all()

    other = preset_login(AppTest.from_string(proposals, default_timeout=60), checker).run()
    assert not other.exception
    other.button(key="proposal_confirm").click().run()
    assert not other.exception
    assert any("Đã duyệt và thực hiện" in s.value for s in other.success)
    assert page_env.uploads().set_index("upload_id").loc[1, "reverted_by_upload_id"] == 2
    assert page_env.events().empty


def test_store_failure_is_a_vietnamese_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert any("Không mở được kho dữ liệu" in e.value for e in at.error)
