"""Migration 0015 (parcel numbers become text keys) on both backends, and the store writing text keys.

A store at 0014 (``parcel_number`` an integer in ``parcels``, ``parcels__history`` and ``parcel_status``) is
opened: the column becomes TEXT in each table, every integer keeps its digits, ``parcel_id`` and ``fid`` do
not change, and the GeoPackage still passes GDAL's validator (the tables are rebuilt, their R-tree triggers
made again). A new parcels version then holds ``263A`` beside ``12``.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from milestones.status_layer import parcel_status_frame
from store import open_store, schema
from store import parcel_status as ps
from store.errors import StoreError
from tests.support.actors import office_admin
from tests.support.migrations import rewind

SYSTEM_PYTHON = "/usr/bin/python3"   # Debian python3-gdal: osgeo_utils.samples.validate_gpkg
TABLES = ("parcels", "parcels__history", "parcel_status")


def _types(conn) -> dict[str, str]:
    inspector = inspect(conn)
    return {t: str(next(c["type"] for c in inspector.get_columns(t) if c["name"] == "parcel_number")).upper()
            for t in TABLES}


def _rows(conn, table: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(f'SELECT fid, parcel_id, parcel_number FROM "{table}" ORDER BY fid'))]


def _validate_gpkg(path: str) -> subprocess.CompletedProcess:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail("validate_gpkg needs Debian's python3-gdal (run-tests installs it)")
    return subprocess.run([SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", path],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def refresher():
    """The milestones computation fills ``parcel_status`` (the previous registration put back)."""
    previous = ps.register_refresher(parcel_status_frame)
    yield parcel_status_frame
    ps.register_refresher(previous)


@pytest.fixture
def store_0014(refresher, store, store_url):
    """The test store with a parcels history (one replacement) and its status layer, taken back to 0014."""
    actor = office_admin(store)
    store.replace_layer("parcels", store.parcels(), actor=actor, report={"nguon": "test"})
    with store.engine.begin() as conn:
        rewind(conn, "0014")
    with store.engine.connect() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
        types = _types(conn)
    store.close()
    return before, types


def test_0015_turns_parcel_numbers_into_text_keeping_values(store_0014, store_url, sources_dir):
    before, types = store_0014
    assert set(types.values()) <= {"INTEGER", "BIGINT"}, types
    assert all(isinstance(n, int) for t in TABLES for _, _, n in before[t])
    reopened = open_store(store_url, sources_dir=sources_dir)
    try:
        with reopened.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == schema.HEAD_REVISION
            assert _types(conn) == dict.fromkeys(TABLES, "TEXT")
            for table in TABLES:
                after = _rows(conn, table)
                assert after == [(fid, pid, str(n)) for fid, pid, n in before[table]], table
                assert len(after) > 0
            if reopened.backend == "sqlite":
                indexed = conn.execute(text("SELECT count(*) FROM rtree_parcels_geometry")).scalar()
                assert indexed == len(before["parcels"])
                triggers = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                             "AND tbl_name = 'parcels'")).scalar()
                assert triggers == 6
    finally:
        reopened.close()
    if store_url.startswith("sqlite"):
        result = _validate_gpkg(store_url.removeprefix("sqlite:///"))
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_new_version_keeps_suffixed_and_numeric_keys(store):
    actor = office_admin(store)
    parcels = store.parcels()
    parcels["parcel_number"] = parcels["parcel_number"].astype(object)
    first = parcels.index[:3]
    parcels.loc[first, "parcel_number"] = ["263a", 12, " 389 b-2 "]
    parcels.loc[first, "parcel_id"] = [f"T/{k}" for k in ("263A", "12", "389B-2")]
    store.replace_layer("parcels", parcels, actor=actor, report={"nguon": "test"})
    back = store.parcels().set_index("parcel_id")
    assert back.loc[["T/263A", "T/12", "T/389B-2"], "parcel_number"].tolist() == ["263A", "12", "389B-2"]
    assert back["parcel_number"].map(type).eq(str).all()


def test_a_parcel_number_that_is_not_one_is_refused(store):
    parcels = store.parcels()
    before = parcels["parcel_number"].tolist()
    parcels["parcel_number"] = parcels["parcel_number"].astype(object)
    parcels.loc[parcels.index[1], "parcel_number"] = 12.5
    with pytest.raises(StoreError, match=r"dòng 2, cột 'parcel_number'.*12\.5"):
        store.replace_layer("parcels", parcels, actor=office_admin(store), report={"nguon": "test"})
    assert store.parcels()["parcel_number"].tolist() == before  # nothing written
