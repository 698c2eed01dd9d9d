"""Fixtures of the store tests: a hand-made sources folder and a store on each backend.

``store_url`` is parametrised over SQLite (a GeoPackage file in ``tmp_path``) and PostGIS (a database
created for the test, ``CREATE EXTENSION postgis``, dropped afterwards). The PostGIS server comes from
``$GPMB_TEST_PG_ADMIN_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); when it
cannot be reached the PostGIS cases are skipped (they fail instead when ``$GPMB_REQUIRE_POSTGIS`` is set);
see :mod:`tests.support.postgis`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.postgis import postgis_database
from tests.support.stores import BACKENDS, backend_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sources_fixture import write_sources


@pytest.fixture(scope="session")
def postgis_template():
    """A database with PostGIS installed, copied for each test (faster than creating the extension)."""
    with postgis_database("store") as url:
        yield make_url(url).database


@pytest.fixture(scope="session")
def sources_dir(tmp_path_factory) -> Path:
    return write_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    template = request.getfixturevalue("postgis_template") if request.param == "postgis" else None
    with backend_url(request.param, tmp_path, "store", template) as url:
        yield url


@pytest.fixture
def store(store_url, sources_dir, monkeypatch):
    from tests.support.stores import demo_store

    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    monkeypatch.setenv("DATABASE_URL", store_url)
    the_store = demo_store(store_url, sources_dir=sources_dir)
    yield the_store
    the_store.close()


@pytest.fixture
def actor(store):
    """The acting administrator (maker–checker off): :func:`tests.support.actors.office_admin`."""
    from tests.support.actors import office_admin

    return office_admin(store)
