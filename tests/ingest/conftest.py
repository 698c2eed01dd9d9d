"""pytest fixtures for the ingest tests (data in ``fixture_data.py``).

``store_url`` gives a real store on each backend: a GeoPackage file in ``tmp_path`` and a PostGIS
database created for the test (name ``ingest_<random>``, dropped afterwards; server from
``$GPMB_TEST_PG_ADMIN_URL``), both filled from the hand-made sources of ``fixture_data.write_sources``.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects, write_sources

ADMIN_URL = os.environ.get("GPMB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgis_database():
    """Create a fresh database ``ingest_<hex>`` with PostGIS; yield its URL; drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ingest_{secrets.token_hex(5)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: skip, do not fail
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {type(exc).__name__}")
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sources_dir(tmp_path_factory) -> Path:
    return write_sources(tmp_path_factory.mktemp("ingest_sources"))


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.gpkg'}"
    else:
        with postgis_database() as url:
            yield url


@pytest.fixture
def store(store_url, sources_dir):
    from store import open_store

    s = open_store(store_url, sources_dir=sources_dir)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path, sources_dir):
    from store import open_store

    s = open_store(f"sqlite:///{tmp_path / 'store.gpkg'}", sources_dir=sources_dir)
    yield s
    s.close()


@pytest.fixture
def projects() -> pd.DataFrame:
    return make_projects()


@pytest.fixture
def parcels() -> pd.DataFrame:
    return make_parcels()


@pytest.fixture
def ledger() -> pd.DataFrame:
    return make_ledger()


@pytest.fixture
def today() -> date:
    return TODAY
