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


# Two QL4B parcels handed over and one unknown parcel (the rows of test_browser.py).
_STEPS_CSV = (
    "Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Diện tích (m²);Ghi chú\r\n"
    "QL4B;Hợp Thành;12;5;Bàn giao mặt bằng;10/06/2024;350;\r\n"
    "QL4B;Hợp Thành;12;6;Bàn giao mặt bằng;12/06/2024;820,5;\r\n"
    "QL4B;Hợp Thành;12;99;Bàn giao mặt bằng;12/06/2024;100;thửa không có\r\n"
).encode("utf-8-sig")


def _step_lines(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("[")]


def test_the_upload_shows_its_steps_check_then_commit(page_env):
    """Checking a file shows a status box listing read, check and duplicates, its bar full and «complete»;
    committing (through a status box of its own, gone after the page reruns) writes the two valid rows."""
    from tests.support.actors import office_admin
    from tests.support.login import preset_login
    from vocab.labels import PROGRESS_STEP_LABELS_VI as L

    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=90), office_admin(page_env)).run()
    at.file_uploader[0].set_value(("so_lieu.csv", _STEPS_CSV, "text/csv")).run()
    assert not at.exception
    assert [s.state for s in at.status] == ["complete"] and at.status[0].label == "Đã kiểm tra xong tệp"
    assert _step_lines(at) == [f"[1/4] {L['read']}…", f"[2/4] {L['check']}…", f"[3/4] {L['duplicates']}…"]
    assert at.get("progress")[0].value == 100
    assert [m.value for m in at.metric] == ["3", "2", "1"]  # read, valid, invalid

    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert any("2" in s.value for s in at.success)
    committed = page_env.uploads().sort_values("upload_id").iloc[-1]
    assert committed["source"] == "upload" and int(committed["rows_committed"]) == 2
