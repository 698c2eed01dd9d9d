"""The shared helpers do what their callers rely on: the database exists with PostGIS and is gone
afterwards; the request gate lets local and file URLs through and records everything else; the
streamlit server answers and is stopped."""
from __future__ import annotations

import urllib.request

import pytest

from tests.support.browser import is_allowed


@pytest.mark.parametrize("url, local_ok, expected", [
    ("http://127.0.0.1:8123/_stcore/health", True, True),
    ("http://localhost/x.js", True, True),
    ("file:///home/officer/ban_do.html", True, True),
    ("data:image/png;base64,AAAA", False, True),
    ("http://127.0.0.1:8123/", False, False),
    ("https://unpkg.com/leaflet@1.9.4/dist/leaflet.js", True, False),
    ("https://tile.openstreetmap.org/1/1/1.png", True, False),
    ("http://127.0.0.1.evil.example/", True, False),  # not a local host, only a prefix of one
    ("http://localhostx.example/", True, False),
])
def test_request_gate(url, local_ok, expected):
    assert is_allowed(url, allow_localhost=local_ok) is expected


@pytest.mark.postgis
def test_postgis_database_has_postgis_and_is_dropped():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.support.postgis import database_exists, postgis_database

    with postgis_database("support") as url:
        name = make_url(url).database
        assert name.startswith("support_") and len(name) == len("support_") + 10
        engine = create_engine(url)
        with engine.connect() as conn:
            # a real geometry computation: a 3-4-5 triangle's hypotenuse, in the database
            assert conn.execute(text("SELECT ST_Length(ST_GeomFromText('LINESTRING(0 0, 3 4)'))")).scalar() == 5.0
        engine.dispose()
        assert database_exists(name)
        with postgis_database("support", template=name) as copy_url:  # a copy keeps the extension
            engine = create_engine(copy_url)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT extname FROM pg_extension WHERE extname = 'postgis'")).scalar()
            engine.dispose()
            copy_name = make_url(copy_url).database
        assert not database_exists(copy_name)
    assert not database_exists(name)


def test_unreachable_server_skips_or_fails(monkeypatch):
    from tests.support.postgis import postgis_database

    monkeypatch.setenv("GPMB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:1/postgres")
    monkeypatch.delenv("GPMB_REQUIRE_POSTGIS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not reachable"), postgis_database("support"):
        pass
    monkeypatch.setenv("GPMB_REQUIRE_POSTGIS", "1")
    with pytest.raises(pytest.fail.Exception, match="not reachable"), postgis_database("support"):
        pass


@pytest.mark.browser
def test_offline_page_records_outside_requests(tmp_path):
    from tests.support.browser import offline_page

    page_file = tmp_path / "p.html"
    page_file.write_text('<html><body><p id="ok">xin chào</p>'
                         '<img src="https://tile.openstreetmap.org/1/1/1.png"></body></html>', encoding="utf-8")
    with offline_page(allow_localhost=False) as (page, blocked):
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        assert page.inner_text("#ok") == "xin chào"
    assert blocked == ["https://tile.openstreetmap.org/1/1/1.png"]


@pytest.mark.browser
@pytest.mark.slow
def test_streamlit_app_answers_and_stops(tmp_path):
    from tests.support.streamlit_server import streamlit_app

    with (streamlit_app(tmp_path, database_url=f"sqlite:///{tmp_path / 'gpmb.gpkg'}") as base,
          urllib.request.urlopen(base + "/_stcore/health", timeout=5) as answer):
        assert answer.status == 200
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/_stcore/health", timeout=2)
