"""Fixtures of the dashboard tests: a hand-made store and snapshot (``synthetic.py``) wired into
``dashboard.state`` in place of the real store and computations, and AppTest helpers."""
from __future__ import annotations

import logging

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import state
from tests.dashboard import synthetic
from tests.support.login import preset_login, stub_accounts

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_store():
    return synthetic.FakeStore()


@pytest.fixture
def fake_backend(monkeypatch, fake_store):
    """Route ``state.store()``/``state.snapshot()`` to the synthetic store; fresh caches around the test."""
    monkeypatch.setattr(state, "_open_store", lambda url: fake_store)
    monkeypatch.setattr(state, "_compute_snapshot", synthetic.compute_snapshot)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield fake_store
    st.cache_data.clear()
    st.cache_resource.clear()


def page_script(module: str) -> str:
    """A Streamlit script drawing the shared sidebar and one page (AppTest cannot switch to callable
    ``st.Page`` pages, so each page is also tested on its own)."""
    return (
        "import importlib\n"
        "from dashboard import state\n"
        "state.render_sidebar()\n"
        f"importlib.import_module('dashboard.pages.{module}').render()\n"
    )


@pytest.fixture
def page_app():
    def make(module: str) -> AppTest:
        return AppTest.from_string(page_script(module), default_timeout=90)
    return make


@pytest.fixture
def main_app(monkeypatch):
    """``make(logged_in=True)``: an AppTest of app.py, by default with :data:`TEST_ADMIN` logged in
    (``tests.support.login``: a preset session, accounts re-read from a stub instead of the store)."""
    def make(logged_in: bool = True) -> AppTest:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
        if logged_in:
            stub_accounts(monkeypatch)
            preset_login(at)
        return at
    return make


@pytest.fixture(autouse=True)
def _quiet_logs():
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    yield
