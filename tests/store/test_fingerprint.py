"""Event fingerprints (issue 10): what is in them and what is not, and migration 0005 on both backends.

Properties (Hypothesis) over event rows: a change in any covered field changes the fingerprint; the
note, the spelling of keys (case, diacritics, spaces), the type a date comes in and sub-cent noise
do not. Migration 0005 is run on a store rewound to 0004 holding events, and must backfill exactly
what a commit computes; the event-code check and the unique parcel index then refuse bad writes.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
import sqlalchemy
from hypothesis import given, settings
from hypothesis import strategies as st
from sources_fixture import PARCEL_IDS, make_parcels
from sqlalchemy import text

from domain.stages import EVENT_CODES
from store import schema
from store.engine import make_engine, write_transaction
from store.fingerprint import FINGERPRINT_FIELDS, FINGERPRINT_HEX_CHARS, fingerprint, fingerprints
from store.ledger import prepare_events
from tests.support.actors import office_admin
from tests.support.migrations import rewind
from tests.support.stores import demo_store

rows = st.fixed_dictionaries({
    "kind": st.sampled_from(["parcel", "chainage_range", "aggregate"]),
    "project_id": st.sampled_from(["QL4B", "CT_HNCL", None]),
    "parcel_id": st.sampled_from([*PARCEL_IDS, None]),
    "commune": st.sampled_from(["Xã Hợp Thành", "Phường Kỳ Lừa", None]),
    "chainage_from_m": st.one_of(st.none(), st.floats(0, 50_000).map(lambda v: round(v, 2))),
    "chainage_to_m": st.one_of(st.none(), st.floats(0, 50_000).map(lambda v: round(v, 2))),
    "event": st.sampled_from(EVENT_CODES),
    "event_date": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    "amount_vnd": st.one_of(st.none(), st.integers(0, 10**12).map(float)),
    "households": st.one_of(st.none(), st.integers(0, 500)),
    "area_m2": st.one_of(st.none(), st.integers(0, 10**8).map(lambda v: v / 100)),
    "is_correction": st.booleans(),
    "note": st.text(max_size=30),
})


def _changed(row: dict, name: str) -> dict:
    """``row`` with ``name`` changed to another value of its kind."""
    value = row[name]
    other = {
        "kind": lambda v: "aggregate" if v != "aggregate" else "parcel",
        "project_id": lambda v: "CCN_HT1" if v != "CCN_HT1" else "QL4B",
        "parcel_id": lambda v: "QL4B/06112/12/99" if v != "QL4B/06112/12/99" else None,
        "commune": lambda v: "Xã Gia Cát" if v != "Xã Gia Cát" else None,
        "chainage_from_m": lambda v: 1.0 if v is None else v + 0.01,
        "chainage_to_m": lambda v: 1.0 if v is None else v + 0.01,
        "event": lambda v: EVENT_CODES[(EVENT_CODES.index(v) + 1) % len(EVENT_CODES)],
        "event_date": lambda v: v + dt.timedelta(days=1),
        "amount_vnd": lambda v: 0.0 if v is None else v + 1,
        "households": lambda v: 0 if v is None else v + 1,
        "area_m2": lambda v: 0.0 if v is None else v + 0.01,
        "is_correction": lambda v: not v,
    }[name](value)
    return {**row, name: other}


@settings(max_examples=150, deadline=None)
@given(row=rows, name=st.sampled_from(FINGERPRINT_FIELDS))
def test_every_covered_field_changes_the_fingerprint(row, name):
    assert fingerprint(_changed(row, name)) != fingerprint(row)


@settings(max_examples=150, deadline=None)
@given(row=rows, note=st.text(max_size=30))
def test_what_a_resaved_file_changes_does_not(row, note):
    fp = fingerprint(row)
    assert len(fp) == FINGERPRINT_HEX_CHARS and int(fp, 16) >= 0
    assert fingerprint({**row, "note": note}) == fp
    assert fingerprint({**row, "event_date": row["event_date"].isoformat()}) == fp
    assert fingerprint({**row, "event_date": pd.Timestamp(row["event_date"])}) == fp
    if row["commune"] is not None:
        assert fingerprint({**row, "commune": "  " + row["commune"].upper().replace("Ã", "A") + " "}) == fp
    if row["parcel_id"] is not None:
        assert fingerprint({**row, "parcel_id": row["parcel_id"].lower()}) == fp
    if row["area_m2"] is not None:
        assert fingerprint({**row, "area_m2": row["area_m2"] + 0.001}) == fp
    if row["amount_vnd"] is not None:
        assert fingerprint({**row, "amount_vnd": row["amount_vnd"] + 0.2}) == fp
    assert fingerprint({**row, "households": None if row["households"] is None else float(row["households"])}) == fp


def test_a_missing_figure_is_not_zero():
    row = {"kind": "parcel", "parcel_id": PARCEL_IDS[0], "event": "paid", "event_date": dt.date(2024, 6, 1)}
    assert fingerprint({**row, "amount_vnd": None}) != fingerprint({**row, "amount_vnd": 0.0})
    assert fingerprint({**row, "amount_vnd": float("nan")}) == fingerprint(row)


def test_prepared_columns_give_the_row_fingerprints():
    frame = pd.DataFrame([{"kind": "parcel", "project_id": "QL4B", "parcel_id": p, "event": "notice",
                           "event_date": "2024-03-0" + str(i + 1), "amount_vnd": 1000 * i}
                          for i, p in enumerate(PARCEL_IDS[:3])])
    columns = prepare_events(frame)
    assert fingerprints(columns) == [fingerprint(r) for r in frame.to_dict("records")]


def _migration():
    import importlib.util

    path = schema.MIGRATIONS_DIR / "versions" / "0012_event_fingerprints.py"
    spec = importlib.util.spec_from_file_location("migration_event_fingerprints", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def test_the_frozen_event_codes_of_0005_are_the_domain_codes():
    """A new event code needs a new migration widening the check (the test says so when it is added)."""
    assert tuple(_migration().EVENT_CODES_0005) == EVENT_CODES


def _rewind_to_before(engine) -> None:
    """Take the store back to the revision before the fingerprint migration (tests.support.migrations)."""
    with write_transaction(engine) as conn:
        rewind(conn, _migration().down_revision)


def test_migration_0012_backfills_with_the_commit_function_and_adds_the_checks(store_url, sources_dir):
    store = demo_store(store_url, sources_dir=sources_dir)
    actor = office_admin(store)
    frame = pd.DataFrame({"kind": "parcel", "project_id": "QL4B", "parcel_id": PARCEL_IDS[:3],
                          "event": ["paid"] * 3, "event_date": [dt.date(2024, 6, d) for d in (1, 2, 3)],
                          "amount_vnd": [1e8, 2e8, 3e8], "note": ["a", "b", "c"]})
    store.commit_upload(frame, actor=actor, file_name="a.csv", file_sha256=hashlib.sha256(b"a").hexdigest(), rows_read=3)
    with store.engine.connect() as conn:
        committed = dict(conn.execute(text("SELECT event_id, fingerprint FROM events")).all())
    store.close()
    engine = make_engine(store_url)
    _rewind_to_before(engine)
    engine.dispose()

    store = demo_store(store_url, sources_dir=sources_dir)
    with store.engine.connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD_REVISION
        backfilled = dict(conn.execute(text("SELECT event_id, fingerprint FROM events")).all())
    assert backfilled == committed and None not in backfilled.values() and len(backfilled) > 3
    # the backfilled ledger recognises the same rows again
    again = store.commit_upload(frame, actor=actor, file_name="b.csv", file_sha256=hashlib.sha256(b"b").hexdigest(),
                                rows_read=3)
    assert (again.created, len(again.duplicates.in_ledger)) == (False, 3)

    with pytest.raises(sqlalchemy.exc.DBAPIError, match="ck_events_event"), write_transaction(store.engine) as conn:
        conn.execute(text("INSERT INTO events (upload_id, kind, event, event_date, is_correction) "
                          "VALUES (1, 'parcel', 'da_xong', '2024-01-01', false)"))
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="ck_events_event"), write_transaction(store.engine) as conn:
        conn.execute(text("UPDATE events SET event = 'khong_co' WHERE event_id = 1"))
    with pytest.raises(sqlalchemy.exc.IntegrityError), write_transaction(store.engine) as conn:
        conn.execute(text(f"UPDATE parcels SET parcel_id = '{PARCEL_IDS[0]}' WHERE parcel_id = '{PARCEL_IDS[1]}'"))
    store.close()


def test_a_parcel_layer_with_a_repeated_id_is_refused_and_each_version_keeps_its_unique_index(store):
    from store import StoreError

    actor = office_admin(store)
    parcels = make_parcels()
    twice = pd.concat([parcels, parcels.iloc[:1]], ignore_index=True)
    with pytest.raises(StoreError, match="phải là duy nhất.*" + PARCEL_IDS[0].replace("/", ".")):
        store.replace_layer("parcels", twice, actor=actor, report={})
    for _ in range(2):  # replacements: the new current table gets its own unique index every time
        store.replace_layer("parcels", parcels, actor=actor, report={})
    with pytest.raises(sqlalchemy.exc.IntegrityError), write_transaction(store.engine) as conn:
        conn.execute(text(f"INSERT INTO parcels (parcel_id) VALUES ('{PARCEL_IDS[0]}')"))
    assert len(store.parcels()) == len(parcels)


_blankish = st.sampled_from([None, float("nan"), "", "  ", pd.NaT])
_messy = {  # per field, the oddly typed cells a prepared column may hold
    "commune": st.one_of(_blankish, st.text(max_size=8)),
    "project_id": st.one_of(_blankish, st.text(max_size=8), st.integers(-3, 3)),
    "households": st.one_of(_blankish.filter(lambda v: not isinstance(v, str)), st.integers(-3, 3),
                            st.floats(-1e6, 1e6, allow_nan=False), st.booleans()),
    "is_correction": st.one_of(_blankish, st.integers(0, 1), st.floats(0, 1), st.booleans(),
                               st.sampled_from(["1", "true", "no", " T "])),
}


@settings(max_examples=100, deadline=None)
@given(st.lists(rows, min_size=1, max_size=25), st.data())
def test_column_fingerprints_equal_the_row_by_row_ones(batch, data):
    """The column-wise :func:`fingerprints` (distinct values encoded once) gives the same hex as
    :func:`fingerprint` per row, also for repeated, missing and oddly typed cells (1, 1.0, True, NaN, "")."""
    for row in batch:
        for name, values in _messy.items():
            if data.draw(st.booleans()):
                row[name] = data.draw(values)
    batch = batch + batch[: len(batch) // 2]  # repeats hit the per-column cache
    columns = {name: [r[name] for r in batch] for name in batch[0]}
    assert fingerprints(columns) == [fingerprint(r) for r in batch]


def test_column_fingerprints_of_columns_left_out():
    """A field absent from the columns counts as missing in every row, as ``row.get`` gives it."""
    columns = {"kind": ["parcel", "aggregate"], "event": ["paid", "notice"]}
    assert fingerprints(columns) == [fingerprint({"kind": "parcel", "event": "paid"}),
                                     fingerprint({"kind": "aggregate", "event": "notice"})]


def test_the_ledger_page_cache_is_the_connections_own_again_afterwards(store):
    """:func:`store.ledger.ledger_page_cache`: the large SQLite page cache only within the block, the
    connection's ``cache_size`` back after it, also when the block raises; PostgreSQL untouched."""
    from store.ledger import LEDGER_WRITE_CACHE_KIB, ledger_page_cache

    with write_transaction(store.engine) as conn:
        sqlite = conn.dialect.name == "sqlite"
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        with ledger_page_cache(conn):
            if sqlite:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -LEDGER_WRITE_CACHE_KIB
        with pytest.raises(RuntimeError, match="inside"), ledger_page_cache(conn):
            raise RuntimeError("inside")
        if sqlite:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
