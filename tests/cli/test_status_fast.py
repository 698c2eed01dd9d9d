"""``cli.py status`` at a new as-of date from the status document stored once per data version (issue 13):
the same bytes as the full path at every milestone's due date and a sample of event dates, without pandas,
numpy, SQLAlchemy or geometry; a document of other data, of another program or damaged is never used."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

import cli
from commands import _status_text
from commands.status import status_records
from milestones.prepared import prepare, snapshot_at
from milestones.status import parse_due_date
from parsing.dates import DATE_RANGE
from store import open_store, output_cache
from tests.support.actors import office_admin

REPO = Path(__file__).resolve().parents[2]


def argv(url: str, day: date, *more: str) -> list[str]:
    return ["status", "--as-of", day.isoformat(), "--database-url", url, *more]


def reference(prepared, day: date) -> tuple[str, str]:
    """Text and JSON of the full path (``snapshot_at`` equals ``compute_snapshot`` exactly: test_prepared)."""
    snap = snapshot_at(prepared, day)
    return tuple(_status_text.status_output(day, status_records(snap), snap.problems, as_json=j) for j in (False, True))


def fast(url: str, day: date) -> tuple[str | None, str | None]:
    return cli.fast_status(argv(url, day)), cli.fast_status(argv(url, day, "--json"))


def sample_dates(store) -> list[date]:
    """Every milestone's due date and the days around it, every 40th event date, before and after the ledger."""
    dues = {parse_due_date(d) for d in store.milestones()["due_date"]}
    days = sorted({pd.Timestamp(d).date() for d in store.events()["event_date"]})
    out = {days[0] - timedelta(days=1), days[-1] + timedelta(days=200), *days[::40]}
    for d in dues:
        out |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    return sorted(out)


def damage_document(path: Path) -> None:
    """Overwrite the stored document with text that is not one (as a foreign or broken row would be)."""
    with sqlite3.connect(path) as conn:
        version = output_cache.data_version(lambda sql: conn.execute(sql).fetchall())
        key = output_cache.cache_key(_status_text.PREPARED_REQUEST, version, output_cache.code_version())
        assert conn.execute("UPDATE cli_cache SET output = ? WHERE cache_key = ?", ('{"format": 1}', key)).rowcount == 1


def test_the_first_new_date_stores_the_document_then_new_dates_are_answered_from_it(run, store_url):
    assert cli.fast_status(argv(store_url, date(2024, 6, 30))) is None        # nothing stored yet
    code, text, _ = run("status", "--as-of", "2024-06-30")
    assert code == 0 and "Tiến độ GPMB tại ngày 30/06/2024" in text
    assert cli.fast_status(argv(store_url, date(2024, 6, 30))) == text
    for day in (date(2024, 7, 3), date(2024, 9, 30)):                        # through compute_snapshot
        assert fast(store_url, day) == (run("status", "--as-of", day.isoformat())[1],
                                        run("status", "--as-of", day.isoformat(), "--json")[1])


def test_the_same_bytes_as_the_full_path_at_due_dates_and_event_dates(run, store_url):
    run("status", "--as-of", "2024-06-30")
    store = open_store(store_url)
    try:
        prepared = prepare(store)
        dates = sample_dates(store)
    finally:
        store.close()
    assert len(dates) > 40
    for day in dates:
        assert fast(store_url, day) == reference(prepared, day), day


def test_the_fast_path_imports_neither_pandas_numpy_sqlalchemy_nor_geometry(run, store_url):
    run("status", "--as-of", "2024-06-30")
    probe = ("import sys; import cli; out = cli.fast_status(['status', '--as-of', '2024-08-17', '--json', "
             f"'--database-url', {store_url!r}]); "
             "print(out is not None, *(m in sys.modules for m in ('pandas', 'numpy', 'sqlalchemy', 'geopandas', "
             "'shapely', 'pyproj')))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert done.stdout.split() == ["True", "False", "False", "False", "False", "False", "False"]


def test_rollup_an_account_and_other_backends_take_the_full_path(run, store_url):
    run("status", "--as-of", "2024-06-30")
    day = date(2024, 8, 1)
    assert cli.fast_status(argv(store_url, day)) is not None
    assert cli.fast_status(argv(store_url, day, "--rollup")) is None
    assert cli.fast_status(argv(store_url, day, "--as", "admin")) is None
    assert cli.fast_status(["status", "--as-of", "2024-08-01", "--database-url", "postgresql+psycopg://h/db"]) is None
    assert cli.fast_status(["parcels", "--as-of", "2024-08-01"]) is None
    assert cli.fast_status(argv(store_url, date(1899, 12, 31))) is None        # a usage error on the normal path
    assert cli.AS_OF_RANGE == DATE_RANGE


def test_a_damaged_document_is_ignored_and_made_again(run, store_url):
    run("status", "--as-of", "2024-06-30")
    damage_document(output_cache.sqlite_path_of(store_url))
    day = date(2024, 8, 2)
    assert cli.fast_status(argv(store_url, day)) is None
    code, text, _ = run("status", "--as-of", day.isoformat())
    assert code == 0 and cli.fast_status(argv(store_url, day)) == text


def test_a_document_that_disagrees_with_the_snapshot_is_not_stored(run, store_url, monkeypatch):
    import milestones.status_fast as status_fast

    real = status_fast.status_at

    def wrong(doc, day):
        projects, milestones, problems = real(doc, day)
        return [{**projects[0], "area_handed_over_m2": 1.0}, *projects[1:]], milestones, problems

    damage_document(output_cache.sqlite_path_of(store_url))
    monkeypatch.setattr(status_fast, "status_at", wrong)
    assert run("status", "--as-of", "2024-08-03")[0] == 0
    monkeypatch.setattr(status_fast, "status_at", real)
    assert cli.fast_status(argv(store_url, date(2024, 8, 4))) is None          # nothing usable was stored
    assert run("status", "--as-of", "2024-08-04")[0] == 0
    assert cli.fast_status(argv(store_url, date(2024, 8, 5))) is not None


def test_after_an_upload_the_old_document_is_not_used_and_the_new_one_counts_it(run, store_url):
    run("status", "--as-of", "2024-06-30")
    day = date(2024, 8, 20)
    before = cli.fast_status(argv(store_url, day, "--json"))
    store = open_store(store_url)
    try:
        events = pd.DataFrame({"kind": ["parcel"], "project_id": ["CCN_HT2"],
                               "parcel_id": [store.parcels("CCN_HT2").parcel_id.iloc[0]],
                               "event": ["handed_over"], "event_date": [date(2024, 6, 1)]})
        store.commit_upload(events, actor=office_admin(store), file_name="x.csv", file_sha256="e" * 64, rows_read=1)
    finally:
        store.close()
    assert cli.fast_status(argv(store_url, day, "--json")) is None             # another data version
    assert run("status", "--as-of", "2024-08-19")[0] == 0                       # stores the new document
    after = cli.fast_status(argv(store_url, day, "--json"))
    assert after is not None and after != before
    assert after == run("status", "--as-of", day.isoformat(), "--json")[1]
