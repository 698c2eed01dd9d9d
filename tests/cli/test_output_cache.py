"""The cached answers of ``cli.py status`` (store.output_cache, issue 13): the same text as the computation,
never stale after a write or a code change, and answered without pandas."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

import cli
from store import output_cache
from tests.support.actors import office_admin

REPO = Path(__file__).resolve().parents[2]


def test_a_second_call_prints_the_stored_answer_exactly(run, store_url):
    code, first, _ = run("status", "--as-of", "2024-06-30")
    assert code == 0 and "Tiến độ GPMB tại ngày 30/06/2024" in first
    path = output_cache.sqlite_path_of(store_url)
    request = {"command": "status", "as_of": "2024-06-30", "json": False, "rollup": False}
    assert output_cache.cached_output_from_file(path, request) == first
    assert cli.cached_status(["status", "--as-of", "30/06/2024", "--database-url", store_url]) == first
    assert cli.cached_status(["status", "--as-of", "2024-06-30", "--json", "--database-url", store_url]) is None
    assert run("status", "--as-of", "2024-06-30") == (0, first, "")


def test_an_upload_gives_a_new_key_and_a_new_answer(run, store_url):
    from store import open_store

    code, before, _ = run("status", "--as-of", "2024-06-30", "--json")
    assert code == 0
    args = ["status", "--as-of", "2024-06-30", "--json", "--database-url", store_url]
    assert cli.cached_status(args) == before
    store = open_store(store_url)
    actor = office_admin(store)
    events = pd.DataFrame({"kind": ["parcel"], "project_id": ["CCN_HT2"],
                           "parcel_id": [store.parcels("CCN_HT2").parcel_id.iloc[0]],
                           "event": ["handed_over"], "event_date": [pd.Timestamp("2024-06-01").date()]})
    store.commit_upload(events, actor=actor, file_name="x.csv", file_sha256="f" * 64, rows_read=1)
    store.close()
    assert cli.cached_status(args) is None                  # the data version changed: nothing to serve
    code, after, _ = run("status", "--as-of", "2024-06-30", "--json")
    assert code == 0 and after != before                    # the new handover is counted
    assert cli.cached_status(args) == after


def test_a_changed_source_file_changes_the_program_version(tmp_path, monkeypatch):
    (tmp_path / "milestones").mkdir()
    module = tmp_path / "milestones" / "status.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(output_cache, "REPO", tmp_path)
    before = output_cache.code_version(("milestones",))
    module.write_text("x = 22\n")
    assert output_cache.code_version(("milestones",)) != before


def test_the_cached_path_imports_neither_pandas_nor_sqlalchemy(run, store_url):
    run("status", "--as-of", "2024-06-30")
    probe = ("import sys; import cli; out = cli.cached_status(['status', '--as-of', '2024-06-30', "
             f"'--database-url', {store_url!r}]); "
             "print(out is not None, 'pandas' in sys.modules, 'sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert done.stdout.split() == ["True", "False", "False"]


def test_calls_with_an_account_or_other_options_take_the_normal_path(store_url):
    for argv in (["status", "--as", "admin"], ["status", "--help"], ["status", "--as-of", "2024-13-01"],
                 ["parcels", "--as-of", "2024-06-30"], ["status", "--database-url", "postgresql+psycopg://h/db"]):
        assert cli.cached_status(argv) is None


def _one_handover(store, row: int) -> None:
    events = pd.DataFrame({"kind": ["parcel"], "project_id": ["CCN_HT2"],
                           "parcel_id": [store.parcels("CCN_HT2").parcel_id.iloc[row]],
                           "event": ["handed_over"], "event_date": [pd.Timestamp("2024-05-02").date()]})
    store.commit_upload(events, actor=office_admin(store), file_name=f"race{row}.csv", file_sha256=f"{row:064x}",
                        rows_read=1)


def test_an_answer_computed_before_a_write_is_never_filed_under_the_newer_version(store_url):
    from store import open_store

    store = open_store(store_url)
    try:
        request = {"command": "status", "as_of": "2024-05-03", "json": False, "rollup": False}
        computed_on = store.output_data_version()
        _one_handover(store, 2)                                   # a write lands while the answer is computed
        assert store.save_output(request, "answer on the old data", computed_on=computed_on) is False
        assert store.cached_output(request) is None
        assert store.save_output(request, "answer on the new data", computed_on=store.output_data_version())
        assert store.cached_output(request) == "answer on the new data"
    finally:
        store.close()


def test_status_does_not_keep_an_answer_when_the_data_changed_while_it_was_computed(run, store_url, monkeypatch):
    from commands import status as status_command
    from store import open_store

    def compute_while_someone_writes(store, args, as_of):
        other = open_store(store_url)
        try:
            _one_handover(other, 3)
        finally:
            other.close()
        return "answer on the data before the write\n"

    monkeypatch.setattr(status_command, "_wants_document", lambda store: False)
    monkeypatch.setattr(status_command, "_output", compute_while_someone_writes)
    code, out, _ = run("status", "--as-of", "2024-05-04")
    assert code == 0 and out == "answer on the data before the write\n"
    args = ["status", "--as-of", "2024-05-04", "--database-url", store_url]
    assert cli.cached_status(args) is None                     # not served as the answer on the new data
