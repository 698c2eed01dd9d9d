"""Migration 0016: the ledger's event-code check is a CHECK constraint on both backends (no row trigger on
SQLite), and a 0015 store is rebuilt to it with every row, id, fingerprint and the id counter kept."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from sqlalchemy import exc, text

from store import open_store, schema
from store.engine import read_connection, write_transaction
from tests.support.migrations import rewind


def _bad_code_insert(conn) -> None:
    upload_id = conn.execute(text("SELECT MIN(upload_id) FROM uploads")).scalar()
    conn.execute(text("INSERT INTO events (upload_id, kind, event, event_date, is_correction) "
                      "VALUES (:u, 'parcel', 'teleported', '2024-01-01', false)"), {"u": upload_id})


def _ledger(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT event_id, upload_id, parcel_id, event, event_date, fingerprint FROM events ORDER BY event_id"))]


def _sqlite_schema(conn) -> tuple[set[str], str, set[str]]:
    """Triggers on ``events``, its CREATE statement, its indexes."""
    rows = conn.execute(text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'events'")).all()
    return ({r.name for r in rows if r.type == "trigger"}, next(r.sql for r in rows if r.type == "table"),
            {r.name for r in rows if r.type == "index" and r.sql})


def test_a_bad_event_code_is_refused_by_the_table(store):
    with pytest.raises(exc.IntegrityError, match="ck_events_event"), write_transaction(store.engine) as conn:
        _bad_code_insert(conn)
    if store.engine.dialect.name == "sqlite":
        with read_connection(store.engine) as conn:
            triggers, create, _ = _sqlite_schema(conn)
        assert triggers == set() and "CONSTRAINT ck_events_event CHECK" in create


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_0015_store_is_rebuilt_with_its_rows_ids_and_counter(store, store_url, actor):
    committed = store.commit_upload(
        pd.DataFrame({"kind": ["parcel"], "parcel_id": [store.parcels()["parcel_id"].iloc[0]],
                      "event": ["complaint"], "event_date": ["2024-03-01"]}),
        actor=actor, file_name="a.csv", file_sha256=hashlib.sha256(b"a").hexdigest(), rows_read=1)
    with write_transaction(store.engine) as conn:
        rewind(conn, "0015")
        conn.execute(text("UPDATE sqlite_sequence SET seq = seq + 5 WHERE name = 'events'"))  # a gap to keep
    with read_connection(store.engine) as conn:
        triggers, create, indexes = _sqlite_schema(conn)
        before = _ledger(conn)
        counter = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'events'")).scalar()
    assert triggers == {"ck_events_event_insert", "ck_events_event_update"} and "CHECK" not in create
    assert committed.created and before and counter == before[-1][0] + 5
    store.close()

    reopened = open_store(store_url)
    try:
        with read_connection(reopened.engine) as conn:
            assert schema.current_revision(conn) == schema.HEAD_REVISION
            triggers, create, after_indexes = _sqlite_schema(conn)
            assert _ledger(conn) == before
            assert conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'events'")).scalar() == counter
        assert triggers == set() and "CONSTRAINT ck_events_event CHECK" in create and after_indexes == indexes
        result = reopened.commit_upload(
            pd.DataFrame({"kind": ["parcel"], "parcel_id": [reopened.parcels()["parcel_id"].iloc[1]],
                          "event": ["complaint"], "event_date": ["2024-03-02"]}),
            actor=actor, file_name="b.csv", file_sha256=hashlib.sha256(b"b").hexdigest(), rows_read=1)
        assert result.created
        assert int(reopened.events()["event_id"].max()) == counter + 1
        with pytest.raises(exc.IntegrityError, match="ck_events_event"), write_transaction(reopened.engine) as conn:
            _bad_code_insert(conn)
    finally:
        reopened.close()
