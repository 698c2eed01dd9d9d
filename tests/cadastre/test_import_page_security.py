"""Import page (issue 9): the server-path box only for an admin with the config switched on, confined to
the import folder with one refusal; uploads in one session temp folder removed after commit or cancel."""
from __future__ import annotations

import pytest


@pytest.fixture
def import_folder(tmp_path):
    folder = tmp_path / "nhap"
    folder.mkdir()
    (folder / "thua.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "bi_mat.txt").write_text("không được đọc", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------- the import page
SCRIPT = "import importlib\nimportlib.import_module('dashboard.pages.60_import').render()\n"


def _page(store, role: str, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.support.actors import make_account
    from tests.support.login import preset_login

    return preset_login(AppTest.from_string(SCRIPT, default_timeout=60), make_account(store, f"u_{role}", role))


def _box_shown(at) -> bool:
    return any(t.key == "imp_paths" for t in at.text_input)


@pytest.mark.parametrize(("switched_on", "role", "shown"), [
    (False, "admin", False), (True, "admin", True), (True, "officer", False), (True, "viewer", False)])
def test_box_only_for_an_admin_and_only_when_switched_on(store, tmp_path, monkeypatch, import_folder,
                                                         switched_on, role, shown):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true" if switched_on else "false")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", str(import_folder))
    at = _page(store, role, tmp_path).run()
    assert not at.exception
    assert _box_shown(at) is shown


def test_page_refusal_echoes_nothing(store, tmp_path, monkeypatch, import_folder):
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", str(import_folder))
    at = _page(store, "admin", tmp_path).run()
    at.text_input(key="imp_paths").input("../bi_mat.txt").run()
    absent = [e.value for e in at.error]
    at.text_input(key="imp_paths").input("khong_co.shp").run()
    assert absent == [e.value for e in at.error] and len(absent) == 1
    assert "bi_mat" not in absent[0] and str(tmp_path) not in absent[0]
    assert at.button(key="imp_check").disabled
