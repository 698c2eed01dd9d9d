"""pytest fixtures for the ingest tests (data in ``fixture_data.py``).

``store_url`` gives a real store on each backend: a GeoPackage file in ``tmp_path`` and a PostGIS
database created for the test (name ``ingest_<random>``, dropped afterwards; server from
``$GPMB_TEST_PG_ADMIN_URL``, see :mod:`tests.support.postgis`), both filled from the hand-made sources
of ``fixture_data.write_sources``.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects, write_sources
from tests.support.stores import BACKENDS, backend_url


@pytest.fixture(scope="session")
def sources_dir(tmp_path_factory) -> Path:
    return write_sources(tmp_path_factory.mktemp("ingest_sources"))


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    with backend_url(request.param, tmp_path, "ingest") as url:
        yield url


@pytest.fixture
def store(store_url, sources_dir):
    from tests.support.stores import demo_store

    s = demo_store(store_url, sources_dir=sources_dir)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path, sources_dir):
    from tests.support.stores import demo_store

    s = demo_store(f"sqlite:///{tmp_path / 'store.gpkg'}", sources_dir=sources_dir)
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


@pytest.fixture
def actor(request):
    """The acting administrator of the test's store (``store`` or ``sqlite_store``): see
    :func:`tests.support.actors.office_admin`."""
    from tests.support.actors import office_admin

    return office_admin(request.getfixturevalue("store" if "store" in request.fixturenames else "sqlite_store"))
