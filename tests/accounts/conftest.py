"""Fixtures of the account tests: a seeded store on each backend, a cheap argon2 hasher, a clock.

SQLite: one GeoPackage seeded per session from the store tests' hand-made sources and copied per
test. PostGIS: a database per test, copied from a session template seeded the same way
(:mod:`tests.support.postgis`; skipped when no server is reachable).
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from tests.support.postgis import postgis_database
from tests.support.stores import BACKENDS, backend_url, copy_store_file, seed_store_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))
from sources_fixture import write_sources

#: Cheap argon2id parameters: the same algorithm and checks, a thousandth of the work.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Clock:
    """A settable UTC clock: ``clock()`` returns the time, ``clock.advance(minutes=…)`` moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """``(seeded GeoPackage, sources folder)`` made once per session."""
    return seed_store_file(tmp_path_factory.mktemp("accounts"), write_sources)


@pytest.fixture(scope="session")
def postgis_template(seeded):
    """A PostGIS database seeded once per session; each test gets a copy (``CREATE DATABASE … TEMPLATE``)."""
    from tests.support.stores import demo_store

    with postgis_database("accounts") as url:
        demo_store(url, sources_dir=seeded[1]).close()  # no connection left open: the copy needs none
        yield make_url(url).database


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, seeded, monkeypatch):
    """An open, seeded store (``DATABASE_URL`` and ``GPMB_SOURCES_DIR`` point at it for the CLI)."""
    from tests.support.stores import demo_store

    template_file, sources = seeded
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    if request.param == "sqlite":
        url = copy_store_file(template_file, tmp_path)
        monkeypatch.setenv("DATABASE_URL", url)
        the_store = demo_store(url, sources_dir=sources)
        yield the_store
        the_store.close()
        return
    with backend_url("postgis", tmp_path, "accounts", request.getfixturevalue("postgis_template")) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        the_store = demo_store(url, sources_dir=sources)
        yield the_store
        the_store.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(store, clock):
    from store import Accounts

    return Accounts(store, hasher=FAST_HASHER, clock=clock)


@pytest.fixture
def admin(accounts):
    """The first administrator (created with no actor, as the installer does)."""
    return accounts.create_account("admin", "mat-khau-quan-tri", role="admin", by=None)
