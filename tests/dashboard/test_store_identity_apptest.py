"""Issue 10 in the dashboard (Streamlit AppTest, real GeoPackage stores): the sidebar's foot names the store
(its id and creation time, as every export does), and a store made empty by ``init`` shows its pages
without a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.store.sources_fixture import write_sources
from tests.support.login import add_account, preset_login

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _app(url: str, monkeypatch, sources: Path) -> tuple[AppTest, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    admin = add_account(url, "admin", sources_dir=sources)
    from store import open_store

    store_id = open_store(url).identity().store_id
    return preset_login(AppTest.from_file(str(REPO / "app.py"), default_timeout=120), admin).run(), store_id


def test_the_sidebar_foot_names_the_store(tmp_path, monkeypatch, fresh_caches):
    sources = write_sources(tmp_path / "sources")
    at, store_id = _app(f"sqlite:///{tmp_path / 'kho.gpkg'}", monkeypatch, sources)
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert captions[-1].startswith(f"Kho dữ liệu: mã {store_id}, tạo lúc ") and captions[-1].endswith(" UTC")


def test_an_empty_store_shows_pages_without_a_traceback(tmp_path, monkeypatch, fresh_caches):
    from store import init_store

    sources = write_sources(tmp_path / "sources")
    url = f"sqlite:///{tmp_path / 'rong.gpkg'}"
    init_store(url, demo=False, sources_dir=sources).close()
    at, store_id = _app(url, monkeypatch, sources)
    assert not at.exception
    assert store_id in at.sidebar.caption[-1].value
    shown = " ".join(str(e.value) for kind in ("info", "warning", "error") for e in getattr(at, kind))
    assert "Kho chưa có dữ liệu" in shown
    assert "Traceback" not in shown


PAGES = ["10_overview", "15_blockers", "20_map", "30_parcels", "40_upload", "50_exports", "60_import", "85_proposals", "76_register_upload",
         "95_audit"]


@pytest.mark.parametrize("module", PAGES)
def test_each_page_on_an_empty_store_says_why_instead_of_failing(tmp_path, monkeypatch, fresh_caches, module):
    from store import init_store

    sources = write_sources(tmp_path / "sources")
    url = f"sqlite:///{tmp_path / 'rong.gpkg'}"
    init_store(url, demo=False, sources_dir=sources).close()
    monkeypatch.setenv("DATABASE_URL", url)
    admin = add_account(url, "admin", sources_dir=sources)
    at = AppTest.from_string(f"import importlib\nimportlib.import_module('dashboard.pages.{module}').render()\n",
                             default_timeout=120)
    at = preset_login(at, admin).run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])


def test_a_broken_store_is_refused_on_screen_and_left_as_it_was(tmp_path, monkeypatch, fresh_caches):
    """A zero-byte ``DATABASE_URL`` file: the dashboard says so (never a fresh demo store in its place)."""
    path = tmp_path / "gpmb.gpkg"
    path.write_bytes(b"")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "tệp rỗng (0 byte)" in errors and "python cli.py init" in errors
    assert path.read_bytes() == b"" and [p.name for p in tmp_path.iterdir()] == ["gpmb.gpkg"]
