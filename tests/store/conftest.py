"""Fixtures of the store tests: a hand-made sources folder and a store on each backend.

``store_url`` is parametrised over SQLite (a GeoPackage file in ``tmp_path``) and PostGIS (a database
created for the test, ``CREATE EXTENSION postgis``, dropped afterwards). The PostGIS server comes from
``$GPMB_TEST_PG_ADMIN_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); when it
cannot be reached the PostGIS cases are skipped (they fail instead when ``$GPMB_REQUIRE_POSTGIS`` is set).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sources_fixture import write_sources  # noqa: E402

ADMIN_URL = os.environ.get("GPMB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _url_of(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def postgis_database(template: str | None = None):
    """Create a fresh database (from ``template`` if given, else with ``CREATE EXTENSION postgis``);
    yield its URL; drop it afterwards (``WITH (FORCE)``: leftover connections of killed workers)."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"store_{secrets.token_hex(5)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    except Exception as exc:  # noqa: BLE001 - no server: skip, unless CI says PostGIS must be there
        admin.dispose()
        message = f"PostgreSQL not reachable at {ADMIN_URL}: {type(exc).__name__}: {exc}"
        if os.environ.get("GPMB_REQUIRE_POSTGIS"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        if template is None:
            engine = create_engine(_url_of(name), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            engine.dispose()
        yield _url_of(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgis_template():
    """A database with PostGIS installed, copied for each test (faster than creating the extension)."""
    with postgis_database() as url:
        yield make_url(url).database


@pytest.fixture(scope="session")
def sources_dir(tmp_path_factory) -> Path:
    return write_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.gpkg'}"
    else:
        with postgis_database(request.getfixturevalue("postgis_template")) as url:
            yield url


@pytest.fixture
def store(store_url, sources_dir, monkeypatch):
    from store import open_store

    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    monkeypatch.setenv("DATABASE_URL", store_url)
    the_store = open_store(store_url, sources_dir=sources_dir)
    yield the_store
    the_store.close()
