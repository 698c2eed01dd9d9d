"""The audit trail (store.audit) on GeoPackage and PostGIS: append and read only, refused by the database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from domain.roles import Account
from store import AuditTrail, schema
from store.engine import make_engine, write_transaction
from tests.support.migrations import PEOPLE_CONTENTS, PEOPLE_DROPS, UNDO

ADMIN = Account("admin", "Quản trị", "admin")


@pytest.fixture
def trail(store, clock):
    return AuditTrail(store, clock=clock)


def test_append_then_read_back(trail, clock):
    first = trail.append(actor=ADMIN, action="revert", target="upload:7", before={"rows": 12},
                         after={"rows": 0, "lý_do": "nhập nhầm"}, client_address="10.0.0.2")
    clock.advance(minutes=5)
    second = trail.append(actor=None, action="login_failed", target="account:ai")
    assert second > first
    rows = trail.read()
    assert rows.action.iloc[0] == "store_initialised"  # a store's trail starts when it was made (issue 10)
    rows = rows.iloc[1:].reset_index(drop=True)
    assert rows.columns.tolist() == ["audit_id", "recorded_at", "account", "role", "action", "target", "before",
                                     "after", "client_address"]
    assert rows.iloc[0].to_dict() | {"recorded_at": None} == {
        "audit_id": first, "recorded_at": None, "account": "admin", "role": "admin", "action": "revert",
        "target": "upload:7", "before": {"rows": 12}, "after": {"rows": 0, "lý_do": "nhập nhầm"},
        "client_address": "10.0.0.2"}
    assert rows.recorded_at.tolist() == [clock.now - timedelta(minutes=5), clock.now]
    assert rows.iloc[1][["account", "role", "before", "after"]].tolist() == [None, None, None, None]


def test_read_since_and_until_in_any_time_zone(trail, clock):
    start = clock.now
    for _ in range(3):
        trail.append(actor=ADMIN, action="export_personal", target="export:bao-cao.xlsx")
        clock.advance(hours=1)
    vietnam = timezone(timedelta(hours=7))
    since = (start + timedelta(hours=1)).astimezone(vietnam)  # the same instant written in UTC+7

    def exports(frame):  # the store's own ``store_initialised`` row has the real time, not the test clock's
        return frame[frame.action == "export_personal"]

    assert len(exports(trail.read(since=since))) == 2
    assert len(exports(trail.read(since=since, until=start + timedelta(hours=2)))) == 1
    assert len(exports(trail.read(since=start.replace(tzinfo=None)))) == 3  # naive = UTC


def test_the_interface_offers_append_and_read_only():
    public = {name for name in dir(AuditTrail) if not name.startswith("_")}
    assert public == {"append", "read"}


def test_the_database_refuses_to_change_the_audit(store, trail):
    trail.append(actor=ADMIN, action="restore", target="layer:parcels")
    statements = ["UPDATE audit_log SET action = 'nothing_happened'", "DELETE FROM audit_log",
                  "DELETE FROM audit_log WHERE audit_id = 1"]
    if store.backend == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"), \
                write_transaction(store.engine) as conn:
            conn.execute(text(statement))
    assert trail.read().action.tolist() == ["store_initialised", "restore"]


def test_an_audit_row_commits_with_its_change_or_not_at_all(store, trail):
    from store import audit

    with pytest.raises(RuntimeError), write_transaction(store.engine) as conn:
        audit.append(conn, actor=ADMIN, action="revert", target="upload:1")
        raise RuntimeError("the change failed after the audit row was written")
    assert trail.read().action.tolist() == ["store_initialised"]  # only the store's creation


def test_geopackage_lists_the_audit_but_not_the_accounts(seeded):
    template, _sources = seeded
    engine = make_engine(f"sqlite:///{template}")
    with engine.connect() as conn:
        listed = set(conn.execute(text("SELECT table_name FROM gpkg_contents WHERE data_type = 'attributes'"))
                     .scalars())
    engine.dispose()
    assert "audit_log" in listed and "accounts" not in listed


#: Undoing revisions 0014 and 0013 (issue 12 registers) on a copy of a head store.
PEOPLE_TABLES_0013 = (*UNDO["0014"]["sqlite"], *PEOPLE_DROPS, PEOPLE_CONTENTS)


def test_a_store_at_revision_0002_gains_accounts_and_audit_on_open(tmp_path, seeded):
    """The migration runs on a store written by the previous release, keeping its ledger."""
    import shutil

    from tests.support.stores import demo_store

    template, sources = seeded
    path = tmp_path / "old.gpkg"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    with write_transaction(engine) as conn:  # take the copy back to 0002 as an older release left it
        conn.execute(text("DROP TABLE config_changes"))  # 0008 (issue 10); its triggers go with it
        conn.execute(text("DELETE FROM gpkg_contents WHERE table_name = 'config_changes'"))
        for statement in ("DROP TRIGGER ck_events_event_insert", "DROP TRIGGER ck_events_event_update",  # 0005
                          "DROP INDEX ix_events_fingerprint", "DROP INDEX ux_parcels_parcel_id",
                          "ALTER TABLE events DROP COLUMN fingerprint",
                          "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
                          "DROP TABLE audit_log", "DROP TABLE accounts", "DROP TABLE proposals", "DROP TABLE settings",
                          "DROP TABLE layer_history_columns",
                          "DROP TABLE source_profiles",
                          "DROP TABLE units",
                          "DELETE FROM gpkg_contents WHERE table_name = 'audit_log'",
                          # 0007 (issue 10): the parcel_status layer, layer_styles and the schema extension
                          "DROP TABLE parcel_status", "DROP TABLE layer_styles", "DROP TABLE gpkg_data_columns",
                          "DROP TABLE gpkg_data_column_constraints", "DELETE FROM gpkg_extensions",
                          "DELETE FROM gpkg_geometry_columns WHERE table_name = 'parcel_status'",
                          "DELETE FROM gpkg_contents WHERE table_name IN ('parcel_status', 'layer_styles')",
                          *PEOPLE_TABLES_0013,
                          *UNDO["0011"]["sqlite"],  # cli_cache
                          "UPDATE alembic_version SET version_num = '0002'"):
            conn.execute(text(statement))
        uploads_before = conn.execute(text("SELECT COUNT(*) FROM uploads")).scalar_one()
    engine.dispose()

    store = demo_store(f"sqlite:///{path}", sources_dir=sources)
    with store.engine.connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD_REVISION
        assert conn.execute(text("SELECT COUNT(*) FROM uploads")).scalar_one() == uploads_before
    AuditTrail(store).append(actor=ADMIN, action="restore", target="layer:parcels")
    with pytest.raises(sqlalchemy.exc.DBAPIError), write_transaction(store.engine) as conn:
        conn.execute(text("DELETE FROM audit_log"))
    store.close()


def test_default_clock_records_utc_now(store):
    before = datetime.now(UTC).replace(microsecond=0)
    AuditTrail(store).append(actor=ADMIN, action="restore")
    recorded = AuditTrail(store).read().recorded_at.iloc[-1]
    assert before <= recorded <= datetime.now(UTC)
