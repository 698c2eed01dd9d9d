"""The ledger read in chunks (issue 13): the same frame as the one-statement read, and on PostgreSQL a read
that no single statement could do within ``statement_timeout`` succeeds.

- ``store.uploads.read_events`` (server-side cursor, driver tuples, types converted per distinct value,
  sorted here) equals its reference ``tests/store/events_read_reference.py`` (one ``SELECT … ORDER BY``,
  SQLAlchemy rows), values and dtypes, on both backends, at any chunk size, with reverted uploads, a
  filter, and an empty answer (hypothesis).
- PostGIS: a filter that costs 20 ms a row makes the whole ledger one statement of ≈ 2.6 s; with
  ``statement_timeout=1s`` the one-statement read and a single-chunk read are cancelled (the Vietnamese
  message names the limit), the chunked read gives the whole ledger."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_fixture import PARCEL_IDS
from sqlalchemy import text
from sqlalchemy.engine import make_url

from store import bulk_read, schema, uploads
from store.engine import make_engine, read_connection
from store.errors import StoreUnavailableError
from tests.store.events_read_reference import read_events_reference
from tests.support.actors import office_admin


def _events(rows: int, tag: str, start: date) -> pd.DataFrame:
    """Parcel events from ``start`` on, the optional columns empty on some rows (NULLs the frame must keep)."""
    return pd.DataFrame({
        "kind": "parcel", "project_id": "QL4B", "parcel_id": [PARCEL_IDS[i % 3] for i in range(rows)],
        "event": "notice", "event_date": [start + timedelta(days=i % 300) for i in range(rows)],
        "amount_vnd": [float(i) if i % 3 else None for i in range(rows)],
        "households": [i % 4 if i % 5 else None for i in range(rows)],
        "note": [f"{tag}-{i}" if i % 2 else None for i in range(rows)],
    })


def _commit(store, actor, rows: int, tag: str, start: date):
    return store.commit_upload(_events(rows, tag, start), actor=actor, file_name=f"{tag}.csv",
                               file_sha256=hashlib.sha256(tag.encode()).hexdigest(), rows_read=rows)


def _with_uploads(store):
    """``store`` with two more uploads, the first of them reverted."""
    actor = office_admin(store)
    first = _commit(store, actor, 40, "dau", date(2023, 1, 1))
    _commit(store, actor, 80, "sau", date(2024, 1, 1))
    store.revert_upload(first.upload_id, actor=actor, reason="thử")
    return store


@pytest.fixture
def ledger(store):
    """The demo store (each backend) with two more uploads, the first of them reverted."""
    return _with_uploads(store)


@pytest.fixture
def pg_ledger(postgis_template, sources_dir, monkeypatch):
    """As :func:`ledger`, on PostGIS only (a test of PostgreSQL's statement_timeout)."""
    from tests.support.postgis import postgis_database
    from tests.support.stores import demo_store

    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    with postgis_database("events_read", postgis_template) as url:
        store = demo_store(url, sources_dir=sources_dir)
        try:
            yield _with_uploads(store)
        finally:
            store.close()


_FILTERS = {"none": None, "parcel 102": schema.events.c.parcel_id == PARCEL_IDS[1],
            "nothing": schema.events.c.event_id < 0}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 200), include_reverted=st.booleans(), where=st.sampled_from(sorted(_FILTERS)))
def test_the_chunked_read_equals_the_one_statement_read(ledger, monkeypatch, chunk, include_reverted, where):
    monkeypatch.setattr(bulk_read, "CHUNK_ROWS", chunk)
    with read_connection(ledger.engine) as conn:
        ours = uploads.read_events(conn, include_reverted, _FILTERS[where])
        reference = read_events_reference(conn, include_reverted, _FILTERS[where])
        counted = uploads.counted_events(conn)
        stored = conn.execute(text("SELECT count(*) FROM events")).scalar()
    pd.testing.assert_frame_equal(ours, reference)
    assert list(ours.dtypes) == list(reference.dtypes)
    if where == "none":
        assert len(ours) == (stored if include_reverted else counted) and stored > counted > 80


@pytest.mark.postgis
def test_a_ledger_read_longer_than_statement_timeout_succeeds_in_chunks(pg_ledger, monkeypatch):
    ledger = pg_ledger
    with ledger.engine.begin() as conn:   # 20 ms of server time per row read
        conn.execute(text("CREATE FUNCTION gpmb_test_slow(id bigint) RETURNS boolean LANGUAGE sql VOLATILE "
                          "AS $$ SELECT pg_sleep(0.02) IS NOT NULL $$"))
        expected = read_events_reference(conn)
    slow = text("gpmb_test_slow(events.event_id)")
    limited = make_url(ledger.url).update_query_dict({"statement_timeout": "1s"}).render_as_string(hide_password=False)
    engine = make_engine(limited)
    try:
        for one_statement in (read_events_reference, lambda conn, where: uploads.read_events(conn, where=where)):
            monkeypatch.setattr(bulk_read, "CHUNK_ROWS", 1_000)   # one chunk: the whole ledger in one FETCH
            with pytest.raises(StoreUnavailableError, match="chạy quá 1 giây"), read_connection(engine) as conn:
                one_statement(conn, where=slow)
        monkeypatch.setattr(bulk_read, "CHUNK_ROWS", 10)   # 10 rows per FETCH: ≈ 0.2 s each
        with read_connection(engine) as conn:
            ours = uploads.read_events(conn, where=slow)
    finally:
        engine.dispose()
    assert len(ours) == len(expected) > 80
    pd.testing.assert_frame_equal(ours, expected)
