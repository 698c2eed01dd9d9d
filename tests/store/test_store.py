"""The store on both backends: round trips, ledger, idempotent uploads, reverts, layer versions, migrations.

Expected values come from the hand-made fixture (tests/store/sources_fixture.py), not from the store.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sources_fixture import (
    MILESTONES_CSV,
    PARCEL_IDS,
    SEED_EVENT_COUNT,
    make_centrelines,
    make_communes,
    make_events,
    make_parcels,
    make_projects,
    make_roads,
)
from sqlalchemy import text

from domain.schemas import EventTable
from domain.tables import EVENT_COLUMNS
from parsing.parcel_keys import parcel_key
from store import StoreError, open_store, schema
from store.engine import make_engine, write_transaction
from store.layers import write_layer_table
from store.sources import load_milestones
from tests.support.actors import office_admin
from tests.support.stores import demo_store


def sha(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


def new_events(n=3, parcel=PARCEL_IDS[2], start=date(2024, 2, 1)):
    return pd.DataFrame({
        "kind": ["parcel"] * n, "project_id": ["QL4B"] * n, "parcel_id": [parcel] * n,
        "event": ["inventory", "plan_posted", "approved"][:n] + ["paid"] * max(0, n - 3),
        "event_date": [start.replace(day=1 + i) for i in range(n)], "area_m2": [None] * n,
        "amount_vnd": [None, None, 1.5e8][:n] + [None] * max(0, n - 3), "is_correction": [False] * n,
        "note": ["đợt 2"] * n,
    })


def assert_same_layer(got: gpd.GeoDataFrame, expected: gpd.GeoDataFrame, tolerance=0.0):
    assert got.crs.to_epsg() == 9215
    assert len(got) == len(expected)
    assert list(got.columns) == list(expected.columns)
    expected = expected.to_crs(9215)
    assert shapely.equals_exact(got.geometry.values, expected.geometry.values, tolerance).all()
    for col in expected.columns.drop("geometry"):
        for a, b in zip(got[col], expected[col]):
            if isinstance(b, float) and pd.isna(b):
                assert pd.isna(a), col
            elif col == "parcel_number":   # stored as its canonical text key (migration 0015)
                assert a == parcel_key(b), (col, a, b)
            else:
                assert a == b, (col, a, b)


# ---------------------------------------------------------------------------------------------- layers
def test_layers_round_trip_in_epsg_9215(store):
    assert_same_layer(store.projects(), make_projects())
    assert_same_layer(store.centrelines(), make_centrelines())
    assert_same_layer(store.parcels(), make_parcels())
    assert_same_layer(store.communes(), make_communes(), tolerance=1e-6)
    assert_same_layer(store.roads(), make_roads(), tolerance=1e-6)
    assert isinstance(store.projects().start_date.iloc[0], date)
    assert store.parcels().geometry.area.round(6).tolist() == [500.0] * 6  # 20 m × 25 m squares


def test_parcels_filtered_by_project(store):
    ql4b = store.parcels("QL4B")
    assert ql4b.parcel_id.tolist() == PARCEL_IDS[:3]
    assert ql4b.crs.to_epsg() == 9215
    assert store.parcels("KHONG_CO").empty


def test_milestones_as_written_and_rules(store):
    ms = store.milestones()
    assert ms.milestone_id.tolist() == ["QL4B_100", "CCN_HT1_50"]
    assert ms.due_date.tolist() == ["31/03/2024", "30/06/2024"]  # text as the clerk wrote it
    assert ms.target_percent.tolist() == [100, 50]
    assert ms.label.iloc[0] == "QL4B: bàn giao 100% trước 31/3/2024"
    assert store.rules() == {"stage_limits_days": {"notice": 90, "plan_posted": 30, "approved": 30},
                             "forecast_window_days": 60}


def test_edited_milestones_file_does_not_change_the_store(store_url, tmp_path):
    """Issue 10: after ``init`` the store is the truth; a clerk's edited milestones.csv is not read back."""
    from sources_fixture import write_sources

    src = write_sources(tmp_path / "src")
    demo_store(store_url, src).close()
    (src / "milestones.csv").write_text(MILESTONES_CSV.replace(",100,project", ",90,project"), encoding="utf-8-sig")
    (src / "rules.yaml").write_text("forecast_window_days: 12\n", encoding="utf-8")
    reopened = open_store(store_url, sources_dir=src)
    assert reopened.milestones().target_percent.tolist() == [100, 50]
    assert reopened.rules()["forecast_window_days"] == 60
    assert reopened.config_history().source.tolist() == ["seed"] * 3
    assert len(reopened.events()) == SEED_EVENT_COUNT  # nothing else reseeded


def test_changed_seed_files_are_not_read_into_an_existing_store(store_url, tmp_path):
    from sources_fixture import write_sources

    src = write_sources(tmp_path / "src")
    before = demo_store(store_url, src).data_version()
    make_parcels().iloc[:4].to_file(src / "parcels.gpkg", layer="parcels", driver="GPKG")
    make_events().iloc[:7].to_csv(src / "events.csv", index=False, encoding="utf-8-sig")
    (src / "rules.yaml").write_text("forecast_window_days: 5\n", encoding="utf-8")
    store = open_store(store_url, sources_dir=src)
    assert store.parcels().parcel_id.tolist() == PARCEL_IDS
    assert store.layer_versions("parcels").source.tolist() == ["seed"]
    assert len(store.events()) == SEED_EVENT_COUNT and store.uploads().source.tolist() == ["seed"]
    assert store.rules()["forecast_window_days"] == 60
    assert store.data_version() == before


def test_changed_seed_files_leave_user_data_alone(store_url, tmp_path):
    from sources_fixture import write_sources

    src = write_sources(tmp_path / "src")
    store = demo_store(store_url, src)
    actor = office_admin(store)
    store.commit_upload(new_events(), file_name="xa.csv", file_sha256=sha("xa"), actor=actor, rows_read=3)
    make_parcels().iloc[:4].to_file(src / "parcels.gpkg", layer="parcels", driver="GPKG")
    make_events().iloc[:7].to_csv(src / "events.csv", index=False, encoding="utf-8-sig")
    reopened = open_store(store_url, sources_dir=src)
    assert len(reopened.parcels()) == 6
    assert reopened.layer_versions("parcels").version.tolist() == [1]
    assert len(reopened.events()) == SEED_EVENT_COUNT + 3
    assert reopened.uploads().source.tolist() == ["seed", "upload"]


# ---------------------------------------------------------------------------------------------- ledger
def test_seed_events_are_one_upload(store):
    uploads = store.uploads()
    assert uploads.source.tolist() == ["seed"]
    assert uploads.rows_committed.tolist() == [SEED_EVENT_COUNT]
    events = store.events()
    expected = make_events()
    assert len(events) == SEED_EVENT_COUNT
    assert events.event_id.is_monotonic_increasing and events.event_id.is_unique
    assert (events.upload_id == uploads.upload_id.iloc[0]).all()
    assert events.event.tolist() == expected.event.tolist()
    assert events.parcel_id.tolist() == expected.parcel_id.tolist()
    assert events.event_date.tolist() == [date.fromisoformat(d) for d in expected.event_date]
    assert events.amount_vnd.iloc[2] == 250_000_000
    assert events.area_m2.iloc[4] == 500.0 and pd.isna(events.area_m2.iloc[0])
    assert events.households.tolist() == expected.households.tolist()
    assert not events.is_correction.any()
    assert events.note.iloc[6] == "khiếu nại giá đất"
    assert list(events.columns) == ["event_id", "upload_id", "kind", "project_id", "parcel_id", "commune",
                                    "chainage_from_m", "chainage_to_m", "event", "event_date", "area_m2",
                                    "households", "amount_vnd", "is_correction", "note"]
    assert tuple(events.columns) == EVENT_COLUMNS                  # the one definition agrees with the contract
    EventTable.validate(events, lazy=True)


def test_commit_upload_and_idempotent_reupload(store, actor):
    before = store.data_version()
    first = store.commit_upload(new_events(), file_name="xa_gia_cat.xlsx", file_sha256=sha("file-1"),
                                actor=actor, rows_read=5)
    assert first.created and first.rows_committed == 3
    again = store.commit_upload(new_events(), file_name="copy.xlsx", file_sha256=sha("file-1"),
                                actor=actor, rows_read=5)
    assert (again.upload_id, again.created, again.rows_committed) == (first.upload_id, False, 3)
    assert len(store.events()) == SEED_EVENT_COUNT + 3
    uploads = store.uploads()
    assert len(uploads) == 2
    row = uploads.set_index("upload_id").loc[first.upload_id]
    assert (row.file_name, row.uploaded_by, row.rows_read, row.rows_committed, row.source) == (
        "xa_gia_cat.xlsx", "quan_tri", 5, 3, "upload")
    assert abs(row.uploaded_at - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=5)
    added = store.events().query("upload_id == @first.upload_id")
    assert added.event.tolist() == ["inventory", "plan_posted", "approved"]
    assert added.event_date.tolist() == [date(2024, 2, 1), date(2024, 2, 2), date(2024, 2, 3)]
    after = store.data_version()
    assert after["last_upload_id"] == first.upload_id > before["last_upload_id"]


def test_revert_is_recorded_and_excludes_events(store, actor):
    up = store.commit_upload(new_events(), file_name="a.csv", file_sha256=sha("a"), actor=actor, rows_read=3)
    store.revert_upload(up.upload_id, actor=actor, reason="nhập nhầm xã")
    assert len(store.events()) == SEED_EVENT_COUNT
    everything = store.events(include_reverted=True)
    assert len(everything) == SEED_EVENT_COUNT + 3  # nothing deleted
    uploads = store.uploads().set_index("upload_id")
    reverted = uploads.loc[up.upload_id]
    revert_row = uploads.loc[reverted.reverted_by_upload_id]
    assert (reverted.reverted_by, reverted.revert_reason) == ("quan_tri", "nhập nhầm xã")
    assert not pd.isna(reverted.reverted_at)
    assert (revert_row.source, revert_row.uploaded_by, revert_row.reverts_upload_id) == (
        "revert", "quan_tri", up.upload_id)
    assert store.data_version()["last_upload_id"] == reverted.reverted_by_upload_id
    with pytest.raises(StoreError, match="đã được hoàn tác"):
        store.revert_upload(up.upload_id, actor=actor)
    with pytest.raises(StoreError, match="Không có lần tải lên số 9999"):
        store.revert_upload(9999, actor=actor)
    with pytest.raises(StoreError, match="thao tác hoàn tác"):
        store.revert_upload(int(reverted.reverted_by_upload_id), actor=actor)
    # the same file may come again after a revert, as a new upload
    again = store.commit_upload(new_events(), file_name="a.csv", file_sha256=sha("a"), actor=actor, rows_read=3)
    assert again.created and again.upload_id != up.upload_id
    assert len(store.events()) == SEED_EVENT_COUNT + 3


@pytest.mark.parametrize("column,value,message", [
    ("event", "ban_giao", "cột 'event'"),
    ("kind", "thua", "cột 'kind'"),
    ("event_date", "30/02/2024", "cột 'event_date'"),
    ("area_m2", "mười", "cột 'area_m2'"),
    ("amount_vnd", -5, "không được âm"),
    ("parcel_id", None, "cột 'parcel_id'"),
])
def test_bad_rows_write_nothing(store, actor, column, value, message):
    before_events, before_uploads = store.events(include_reverted=True), store.uploads()
    frame = new_events().astype(object)
    frame.loc[1, column] = value
    with pytest.raises(StoreError, match=message) as info:
        store.commit_upload(frame, file_name="bad.csv", file_sha256=sha("bad"), actor=actor, rows_read=3)
    assert "Dòng 2" in str(info.value)
    pd.testing.assert_frame_equal(store.events(include_reverted=True), before_events)
    pd.testing.assert_frame_equal(store.uploads(), before_uploads)


def test_commit_refuses_bad_hash_and_source(store, actor):
    with pytest.raises(StoreError, match="SHA-256"):
        store.commit_upload(new_events(), file_name="x", file_sha256="abc", actor=actor, rows_read=1)
    with pytest.raises(StoreError, match="Nguồn"):
        store.commit_upload(new_events(), file_name="x", file_sha256=sha("x"), actor=actor, rows_read=1,
                            source="revert")


def test_chainage_and_aggregate_rows(store, actor):
    frame = pd.DataFrame([
        dict(kind="chainage_range", project_id="QL4B", chainage_from_m=3500.0, chainage_to_m=3800.0,
             event="handed_over", event_date="2024-03-01", is_correction=False),
        dict(kind="aggregate", project_id="QL4B", commune="Phường Kỳ Lừa", event="handed_over",
             event_date=datetime(2024, 3, 15), area_m2=1234.5, is_correction="True"),
    ])
    store.commit_upload(frame, file_name="tong_hop.csv", file_sha256=sha("agg"), actor=actor, rows_read=2)
    added = store.events().tail(2)
    assert added.kind.tolist() == ["chainage_range", "aggregate"]
    assert added.chainage_to_m.iloc[0] == 3800.0 and pd.isna(added.parcel_id.iloc[0])
    assert added.commune.iloc[1] == "Phường Kỳ Lừa" and added.area_m2.iloc[1] == 1234.5
    assert added.event_date.tolist() == [date(2024, 3, 1), date(2024, 3, 15)]
    assert added.is_correction.tolist() == [False, True]


# ---------------------------------------------------------------------------------------- layer versions
def test_replace_and_restore_layer(store, actor):
    original = store.parcels()
    new = original.iloc[:4].copy()
    new["area_to_recover_m2"] = [111.0, 222.0, 333.0, 444.0]
    new["source_sheet"] = "tờ 12 bản đồ địa chính 2019"  # an extra column is kept
    version = store.replace_layer("parcels", new, actor=actor, report={"tep": "dia_chinh.shp", "so_thua": 4})
    assert version == 2
    current = store.parcels()
    assert len(current) == 4 and current.area_to_recover_m2.tolist() == [111.0, 222.0, 333.0, 444.0]
    assert current.source_sheet.iloc[0] == "tờ 12 bản đồ địa chính 2019"
    versions = store.layer_versions("parcels")
    assert versions.version.tolist() == [1, 2]
    assert versions.feature_count.tolist() == [6, 4]
    assert versions.is_current.tolist() == [False, True]
    assert versions.report.iloc[1] == {"tep": "dia_chinh.shp", "so_thua": 4}
    assert store.data_version()["layers"]["parcels"] == 2

    restored = store.restore_layer("parcels", 1, actor=actor).result
    assert restored == 3
    assert_same_layer(store.parcels(), make_parcels())
    assert store.layer_versions("parcels").source.tolist() == ["seed", "import", "restore"]
    assert store.restore_layer("parcels", 3, actor=actor).result == 3  # already current: nothing to do
    with pytest.raises(StoreError, match="không có phiên bản 7"):
        store.restore_layer("parcels", 7, actor=actor)


def test_replace_layer_reprojects_and_checks_columns(store, actor):
    wgs84 = make_projects().to_crs(4326)
    assert store.replace_layer("projects", wgs84, actor=actor, report={}) == 2
    assert store.projects().crs.to_epsg() == 9215
    assert abs(store.projects().area.iloc[0] - 60_000.0) < 0.5  # 1 000 m × 60 m boundary, back in metres
    with pytest.raises(StoreError, match="thiếu cột: parcel_id"):
        store.replace_layer("parcels", make_parcels().drop(columns="parcel_id"), actor=actor, report={})
    with pytest.raises(StoreError, match="hệ tọa độ"):
        store.replace_layer("roads", make_roads().set_crs(None, allow_override=True), actor=actor, report={})
    with pytest.raises(StoreError, match="Lớp không hợp lệ"):
        store.replace_layer("events", make_roads(), actor=actor, report={})
    assert store.layer_versions("parcels").version.tolist() == [1]  # refused calls wrote nothing


# ------------------------------------------------------------------------------------------- opening
def test_open_store_uses_database_url_and_is_cheap_when_ready(store_url, sources_dir, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    demo_store(store_url, sources_dir).close()
    first = open_store()
    assert first.url == store_url and len(first.events()) == SEED_EVENT_COUNT
    second = open_store()
    assert len(second.uploads()) == 1  # reopening did not seed again


def test_url_forms():
    from store.engine import resolve_url

    assert resolve_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("data/x.gpkg").startswith("sqlite:///") and resolve_url("data/x.gpkg").endswith("/data/x.gpkg")
    with pytest.raises(ValueError, match="SQLite/GeoPackage hoặc PostgreSQL"):
        open_store("mysql://u@h/db")


def test_store_is_usable_from_threads(store, actor):
    """Streamlit serves sessions from several threads: one Store object must work from all of them."""
    from concurrent.futures import ThreadPoolExecutor

    def work(i):
        # a month of its own per thread: the same row from two threads would be one fact (issue 10)
        store.commit_upload(new_events(1, start=date(2024, 3 + i, 1)), file_name=f"t{i}.csv",
                            file_sha256=sha(f"thread-{i}"), actor=actor, rows_read=1)
        return len(store.parcels())

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(work, range(8))) == [6] * 8
    assert len(store.events()) == SEED_EVENT_COUNT + 8


def test_failed_seed_leaves_nothing(store_url, tmp_path):
    from pathlib import Path

    from sources_fixture import write_sources
    from sqlalchemy.engine import make_url

    from store import init_store

    src = write_sources(tmp_path / "src")
    bad = make_events()
    bad.loc[5, "event"] = "khong_ro"
    bad.to_csv(src / "events.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(StoreError, match="Dòng 6"):
        init_store(store_url, demo=True, sources_dir=src)
    if store_url.startswith("sqlite"):  # the file the failed init made is removed, -wal/-shm too
        path = Path(make_url(store_url).database)
        assert not [p.name for p in path.parent.iterdir() if p.name.startswith(path.name)]
    else:
        engine = make_engine(store_url)
        with engine.connect() as conn:
            assert schema.current_revision(conn) is None  # schema and layers rolled back with the seed
            assert set(__import__("sqlalchemy").inspect(conn).get_table_names()) <= {"spatial_ref_sys"}  # PostGIS own
        engine.dispose()
    make_events().to_csv(src / "events.csv", index=False, encoding="utf-8-sig")
    assert len(init_store(store_url, demo=True, sources_dir=src).events()) == SEED_EVENT_COUNT


# ------------------------------------------------------------------------------------------- migrations
def test_head_revision_matches_migration_scripts():
    from alembic.script import ScriptDirectory

    from store.schema import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config(None)).get_current_head() == HEAD_REVISION


def test_store_from_a_newer_release_is_refused_clearly(store, store_url, sources_dir):
    with write_transaction(store.engine) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(ValueError, match="phiên bản GPMB Tracker mới hơn"):
        open_store(store_url, sources_dir=sources_dir)


def test_store_at_first_revision_is_upgraded(store_url, sources_dir):
    """A store in use, written by a release at revision 0001 (no layer versions), opens and keeps its data."""
    engine = make_engine(store_url)
    with write_transaction(engine) as conn:
        schema.upgrade(conn, "0001")
        for name, gdf in [("projects", make_projects()), ("centrelines", make_centrelines()),
                          ("parcels", make_parcels()), ("communes", make_communes().to_crs(9215)),
                          ("roads", make_roads().to_crs(9215))]:
            write_layer_table(conn, name, gdf)
        write_layer_table(conn, "milestones", load_milestones(sources_dir))
        conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('seeded_at', '2025-01-01'), "
                          "('rules_yaml', 'forecast_window_days: 45')"))
        conn.execute(text("INSERT INTO uploads (uploaded_at, uploaded_by, file_name, file_sha256, rows_read,"
                          " rows_committed, source) VALUES (:t, 'cũ', 'cu.csv', :s, 1, 1, 'cli')"),
                     dict(t=datetime(2025, 1, 1, tzinfo=UTC), s=sha("old")))
        conn.execute(text("INSERT INTO events (upload_id, kind, project_id, parcel_id, event, event_date,"
                          " is_correction) VALUES (1, 'parcel', 'QL4B', :p, 'notice', :d, :f)"),
                     dict(p=PARCEL_IDS[0], d=date(2024, 12, 1), f=False))
    with engine.connect() as conn:
        assert schema.current_revision(conn) == "0001"
        assert not __import__("sqlalchemy").inspect(conn).has_table("layer_versions")
    engine.dispose()

    store = open_store(store_url, sources_dir=sources_dir)
    with store.engine.connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD_REVISION
    events = store.events()
    assert events[["parcel_id", "event", "event_date"]].values.tolist() == [[PARCEL_IDS[0], "notice",
                                                                             date(2024, 12, 1)]]
    # issue 10: what the old store held is moved into config_changes; the local files are not read
    assert store.rules()["forecast_window_days"] == 45
    assert store.milestones().milestone_id.tolist() == ["QL4B_100", "CCN_HT1_50"]
    assert set(store.config_history().source) == {"migration"}
    with store.engine.connect() as conn:
        assert not __import__("sqlalchemy").inspect(conn).has_table("milestones")
    # an earlier release's store is ours (seeded_at): it gets an identity once, dated when it was filled
    ident = store.identity()
    assert ident.created_at == datetime(2025, 1, 1, tzinfo=UTC) and len(ident.store_id) == 36
    assert open_store(store_url).identity().store_id == ident.store_id
    from store import AuditTrail
    assert AuditTrail(store).read().action.tolist() == ["store_identity_assigned"]
    versions = store.layer_versions("parcels")
    assert versions.version.tolist() == [1] and versions.source.tolist() == ["migration"]
    assert versions.feature_count.tolist() == [6]
    actor = office_admin(store)
    assert store.replace_layer("parcels", make_parcels().iloc[:2], actor=actor, report={}) == 2
    assert store.restore_layer("parcels", 1, actor=actor).result == 3
    assert len(store.parcels()) == 6
