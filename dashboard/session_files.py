"""Temporary files of one login session: one folder, removed when the work is done.

Uploaded cadastral files must sit on disk for GDAL (a shapefile's parts side by side). They go into
``<tempdir>/gpmb-<token>/<task>/``, where the token is random per Streamlit session: a rerun rewrites
nothing (see :func:`save_files`), a commit or a cancel removes the task folder (:func:`clear_task`),
and logout removes the session folder (:func:`cleanup_session_temp`, to be called by
``dashboard.auth.logout``). The files may hold owner names (Decree 13/2023/NĐ-CP), so the folder is
created readable by the server account only (mode 0700).
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import streamlit as st

_TOKEN_KEY = "gpmb_temp_token"
_SAVED_KEY = "gpmb_temp_saved"


def session_folder(token: str) -> Path:
    """``<tempdir>/gpmb-<token>`` (not created)."""
    return Path(tempfile.gettempdir()) / f"gpmb-{token}"


def _token() -> str:
    return st.session_state.setdefault(_TOKEN_KEY, secrets.token_hex(12))


def task_folder(task: str) -> Path:
    """This session's folder for ``task`` (e.g. ``"import"``), created with mode 0700."""
    folder = session_folder(_token()) / task
    folder.parent.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def save_files(task: str, files) -> list[Path]:
    """Write Streamlit ``UploadedFile`` objects into the task folder, each under its base name.

    The same files on a rerun are not written again (their ``file_id`` is remembered); other files
    replace the folder's content, so there is never more than one copy of an upload on disk.
    """
    signature = tuple((f.file_id, f.name) for f in files)
    saved = st.session_state.setdefault(_SAVED_KEY, {})
    folder = task_folder(task)
    if saved.get(task) == signature and all((folder / Path(f.name).name).is_file() for f in files):
        return sorted(folder.iterdir())
    clear_task(task)
    folder = task_folder(task)
    for f in files:
        (folder / Path(f.name).name).write_bytes(f.getvalue())
    saved[task] = signature
    return sorted(folder.iterdir())


def clear_task(task: str) -> None:
    """Remove the task folder, and the session folder when nothing else is left in it."""
    st.session_state.get(_SAVED_KEY, {}).pop(task, None)
    token = st.session_state.get(_TOKEN_KEY)
    if token is None:
        return
    root = session_folder(token)
    shutil.rmtree(root / task, ignore_errors=True)
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def cleanup_session_temp() -> None:
    """Remove every temporary file of this login session (call at logout)."""
    token = st.session_state.pop(_TOKEN_KEY, None)
    st.session_state.pop(_SAVED_KEY, None)
    if token is not None:
        shutil.rmtree(session_folder(token), ignore_errors=True)
