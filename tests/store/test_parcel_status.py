"""The ``parcel_status`` layer on both backends: kept current in the same transaction as every write,
agreeing with ``cli.py parcels`` stage by stage, registered for QGIS (aliases, style) and GDAL-valid."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from sources_fixture import PARCEL_IDS, make_parcels
from sqlalchemy import text

import cli
from domain.stages import STAGES
from domain.tables import PARCEL_STATUS_COLUMNS
from milestones.status_layer import parcel_status_frame
from store import open_store
from store import parcel_status as ps
from tests.support.actors import office_admin
from tests.support.migrations import rewind
from tests.support.stores import demo_store
from vocab.headers import STATUS_LAYER_HEADERS_VI
from vocab.labels import STAGE_COLOURS, stage_label

#: GDAL's GeoPackage validator (Debian python3-gdal: osgeo_utils.samples.validate_gpkg), run by the system Python.
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def refresher():
    """The milestones computation registered for the test (and the previous registration put back)."""
    previous = ps.register_refresher(parcel_status_frame)
    yield parcel_status_frame
    ps.register_refresher(previous)


@pytest.fixture
def status_store(refresher, store_url, sources_dir, monkeypatch):
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    monkeypatch.setenv("DATABASE_URL", store_url)
    the_store = demo_store(store_url, sources_dir=sources_dir)
    yield the_store
    the_store.close()


def sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def cli_stages(capsys, as_of) -> dict:
    """``cli.py parcels --json`` at ``as_of``: parcel id → (stage, stage_date ISO or None)."""
    assert cli.main(["parcels", "--json", "--as-of", as_of.isoformat()]) == 0
    rows = json.loads(capsys.readouterr().out)["parcels"]
    return {r["parcel_id"]: (r["stage"], r["stage_date"]) for r in rows}


def layer_stages(store) -> dict:
    layer = store.parcel_status()
    return {r.parcel_id: (r.stage, None if r.stage_date is None else r.stage_date.isoformat())
            for r in layer.itertuples()}


def assert_agrees_with_cli(store, capsys):
    state = store.parcel_status_state()
    assert state["current"] and state["rows"] == len(store.parcels())
    assert layer_stages(store) == cli_stages(capsys, state["as_of"])


def test_layer_follows_seed_upload_and_revert(status_store, capsys):
    store = status_store
    assert_agrees_with_cli(store, capsys)
    assert layer_stages(store)[PARCEL_IDS[2]] == ("notice", "2023-02-01")

    actor = office_admin(store)
    events = pd.DataFrame({"kind": ["parcel"] * 2, "parcel_id": [PARCEL_IDS[2]] * 2,
                           "event": ["inventory", "plan_posted"], "event_date": ["2024-02-01", "2024-03-01"]})
    up = store.commit_upload(events, actor=actor, file_name="dot2.csv", file_sha256=sha("dot2"), rows_read=2)
    assert layer_stages(store)[PARCEL_IDS[2]] == ("plan_posted", "2024-03-01")
    assert_agrees_with_cli(store, capsys)

    store.revert_upload(up.upload_id, actor=actor, reason="nhầm thửa")
    assert layer_stages(store)[PARCEL_IDS[2]] == ("notice", "2023-02-01")
    assert_agrees_with_cli(store, capsys)


def test_layer_follows_replacement_and_restore(status_store):
    store, actor = status_store, office_admin(status_store)
    fewer = make_parcels().iloc[:4]
    store.replace_layer("parcels", fewer, actor=actor, report={})
    assert sorted(store.parcel_status()["parcel_id"]) == sorted(fewer["parcel_id"])
    store.restore_layer("parcels", 1, actor=actor)
    assert sorted(store.parcel_status()["parcel_id"]) == sorted(PARCEL_IDS)
    assert store.parcel_status_state()["current"]


def test_confirmed_proposal_refreshes(status_store):
    from tests.support.actors import make_account

    store = status_store
    maker, checker = make_account(store, "quan_tri"), make_account(store, "kiem_tra")
    events = pd.DataFrame({"kind": ["parcel"], "parcel_id": [PARCEL_IDS[4]], "event": ["notice"],
                           "event_date": ["2024-04-01"]})
    up = store.commit_upload(events, actor=maker, file_name="tb.csv", file_sha256=sha("tb"), rows_read=1)
    assert layer_stages(store)[PARCEL_IDS[4]] == ("notice", "2024-04-01")
    outcome = store.revert_upload(up.upload_id, actor=maker, reason="sai")
    assert not outcome.executed and layer_stages(store)[PARCEL_IDS[4]][0] == "notice"  # only proposed
    store.confirm_proposal(outcome.proposal_id, actor=checker)
    assert layer_stages(store)[PARCEL_IDS[4]] == ("not_started", None)


def test_refresh_is_in_the_write_transaction(status_store):
    """A refresher that fails rolls the upload back: the layer never disagrees with the ledger."""
    store, actor = status_store, office_admin(status_store)
    before = len(store.events())
    of_parcel = int((store.events()["parcel_id"] == PARCEL_IDS[4]).sum())

    def broken(reader, as_of):
        # it sees the uncommitted upload (the reader may hold the touched project's events only)
        assert int((reader.events()["parcel_id"] == PARCEL_IDS[4]).sum()) == of_parcel + 1
        raise RuntimeError("tính toán hỏng")

    ps.register_refresher(broken)
    events = pd.DataFrame({"kind": ["parcel"], "parcel_id": [PARCEL_IDS[4]], "event": ["notice"],
                           "event_date": ["2024-04-01"]})
    with pytest.raises(RuntimeError):
        store.commit_upload(events, actor=actor, file_name="x.csv", file_sha256=sha("x"), rows_read=1)
    assert len(store.events()) == before and store.parcel_status_state()["current"]


def test_without_refresher_the_layer_is_marked_stale(status_store):
    store, actor = status_store, office_admin(status_store)
    ps.register_refresher(None)
    events = pd.DataFrame({"kind": ["parcel"], "parcel_id": [PARCEL_IDS[4]], "event": ["notice"],
                           "event_date": ["2024-04-01"]})
    store.commit_upload(events, actor=actor, file_name="y.csv", file_sha256=sha("y"), rows_read=1)
    state = store.parcel_status_state()
    assert state["rows"] == len(PARCEL_IDS) and not state["current"]
    assert layer_stages(store)[PARCEL_IDS[4]] == ("not_started", None)


def test_columns_aliases_and_style(status_store):
    store = status_store
    layer = store.parcel_status()
    assert list(layer.columns) == [*PARCEL_STATUS_COLUMNS, "geometry"]
    assert set(layer.geometry.geom_type) == {"MultiPolygon"} and layer.crs.to_epsg() == 9215
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            aliases = dict(conn.execute(text("SELECT column_name, name FROM gpkg_data_columns "
                                             "WHERE table_name = 'parcel_status'")).all())
            registered = conn.execute(text("SELECT data_type FROM gpkg_contents WHERE table_name IN "
                                           "('parcel_status', 'layer_styles') ORDER BY table_name")).scalars().all()
            assert registered == ["attributes", "features"]
        else:
            aliases = {c: conn.execute(text("SELECT col_description('parcel_status'::regclass, a.attnum) FROM "
                                            "pg_attribute a WHERE a.attrelid = 'parcel_status'::regclass AND "
                                            "a.attname = :c"), {"c": c}).scalar() for c in STATUS_LAYER_HEADERS_VI}
            assert conn.execute(text("SELECT type, srid FROM geometry_columns WHERE f_table_name = 'parcel_status'")
                                ).one() == ("MULTIPOLYGON", 9215)
            assert conn.execute(text("SELECT count(*) FROM pg_indexes WHERE tablename = 'parcel_status' "
                                     "AND indexdef LIKE '%USING gist%'")).scalar() == 1
        qml, default = conn.execute(text("SELECT styleqml, useasdefault FROM layer_styles "
                                         "WHERE f_table_name = 'parcel_status'")).one()
    assert aliases["stage"] == "Giai đoạn" and aliases["area_to_recover_m2"] == "Diện tích thu hồi (m²)"
    assert aliases == STATUS_LAYER_HEADERS_VI and bool(default)
    root = ET.fromstring(qml.split("\n", 1)[1])
    cats = root.find("renderer-v2").find("categories")
    assert root.find("renderer-v2").get("attr") == "stage"
    assert [(c.get("value"), c.get("label")) for c in cats] == [(s, stage_label(s)) for s in STAGES]
    symbols = {s.get("name"): s for s in root.iter("symbol")}
    for cat in cats:
        colour = symbols[cat.get("symbol")].find(".//Option[@name='color']").get("value")
        hexed = STAGE_COLOURS[cat.get("value")].lstrip("#")
        assert colour == ",".join(str(int(hexed[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"


def test_user_style_is_kept(status_store):
    """A style the user saved from QGIS is never overwritten; ours stops being the default."""
    store, actor = status_store, office_admin(status_store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE layer_styles SET useasdefault = false"))
        conn.execute(text("INSERT INTO layer_styles (f_table_name, f_geometry_column, stylename, styleqml, "
                          "useasdefault, owner) VALUES ('parcel_status', 'geometry', 'của tôi', "
                          "CAST(:q AS " + ("TEXT" if store.backend == "sqlite" else "xml") + "), true, 'lan')"),
                     {"q": "<qgis/>"})
    events = pd.DataFrame({"kind": ["parcel"], "parcel_id": [PARCEL_IDS[4]], "event": ["notice"],
                           "event_date": ["2024-04-01"]})
    store.commit_upload(events, actor=actor, file_name="z.csv", file_sha256=sha("z"), rows_read=1)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT stylename, useasdefault FROM layer_styles")).all())
    assert {k: bool(v) for k, v in rows.items()} == {"của tôi": True, ps.STYLE_NAME: False}


def validate_gpkg(path: Path) -> subprocess.CompletedProcess:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail("validate_gpkg needs Debian's python3-gdal (run-tests installs it)")
    return subprocess.run([SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_store_file_passes_gdal_validator(refresher, tmp_path, sources_dir):
    path = tmp_path / "store.gpkg"
    demo_store(f"sqlite:///{path}", sources_dir=sources_dir).close()
    result = validate_gpkg(path)
    assert result.returncode == 0, result.stdout + result.stderr

    broken = tmp_path / "broken.gpkg"   # the validator can fail: a layer registered with an unknown CRS
    shutil.copy(path, broken)
    with sqlite3.connect(broken) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("UPDATE gpkg_geometry_columns SET geometry_type_name = 'POINTZ' WHERE table_name = 'parcel_status'")
    bad = validate_gpkg(broken)
    assert bad.returncode != 0 and "parcel_status" in bad.stdout + bad.stderr


def test_a_0004_store_gains_the_layer_on_open(status_store, store_url, sources_dir):
    """Migration 0007 on a store at the revision before it (0006): the layer is created and filled on open."""
    store = status_store
    sqlite = store.backend == "sqlite"
    with store.engine.begin() as conn:
        rewind(conn, "0006")
    store.close()
    reopened = open_store(store_url, sources_dir=sources_dir)
    try:
        state = reopened.parcel_status_state()
        assert state["current"] and state["rows"] == len(PARCEL_IDS)
        with reopened.engine.connect() as conn:
            if not sqlite:
                assert conn.execute(text("SELECT auth_name, auth_srid FROM spatial_ref_sys WHERE srid = 9215")
                                    ).one() == ("EPSG", 9215)
            assert conn.execute(text("SELECT count(*) FROM layer_styles")).scalar() == 1
    finally:
        reopened.close()
