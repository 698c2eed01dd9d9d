"""dashboard.session_files: one temp folder per login session, no copy per rerun, gone after commit/cancel/logout."""
from __future__ import annotations

import tempfile

import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = '''
import streamlit as st
from dashboard import session_files

class Uploaded:  # what st.file_uploader returns: file_id, name, getvalue()
    def __init__(self, file_id, name, data):
        self.file_id, self.name, self._data = file_id, name, data
    def getvalue(self):
        return self._data

step = st.session_state.get("step")
files = [Uploaded("1", "thua.shp", b"shp"), Uploaded("2", "thua.dbf", b"Nguyen Van An")]
if step == "preview":
    paths = session_files.save_files("import", files)
    st.session_state["saved"] = [(str(p), p.stat().st_mtime_ns, p.stat().st_ino) for p in paths]
elif step in ("commit", "cancel"):
    session_files.clear_task("import")
elif step == "logout":
    session_files.cleanup_session_temp()
'''


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """tempfile.gettempdir() pointed at an empty folder, so that every file the code leaves is seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _step(at: AppTest, step: str) -> AppTest:
    at.session_state["step"] = step
    return at.run()


def test_preview_rerun_commit_cancel_logout_leave_nothing(temp_dir):
    at = AppTest.from_string(SCRIPT)
    first = _step(at, "preview").session_state["saved"]
    session_dirs = list(temp_dir.iterdir())
    assert len(session_dirs) == 1 and session_dirs[0].name.startswith("gpmb-")
    assert sorted(p.name for p in (session_dirs[0] / "import").iterdir()) == ["thua.dbf", "thua.shp"]
    assert oct(session_dirs[0].stat().st_mode & 0o777) == "0o700"

    assert _step(at, "preview").session_state["saved"] == first  # a rerun writes no new copy
    _step(at, "commit")
    assert list(temp_dir.iterdir()) == []

    _step(at, "preview")
    _step(at, "cancel")
    assert list(temp_dir.iterdir()) == []

    _step(at, "preview")
    _step(at, "logout")
    assert list(temp_dir.iterdir()) == []
    assert not at.exception


def test_two_sessions_get_two_folders(temp_dir):
    one, two = AppTest.from_string(SCRIPT), AppTest.from_string(SCRIPT)
    _step(one, "preview")
    _step(two, "preview")
    assert len(list(temp_dir.iterdir())) == 2
    _step(one, "logout")
    assert len(list(temp_dir.iterdir())) == 1
