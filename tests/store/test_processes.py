"""Crash and concurrency on both backends, with real processes (tests/store/_worker.py).

- A process SIGKILLed inside a large commit leaves the store exactly as before.
- Two processes committing different uploads at the same time both land, nothing lost or duplicated.
- Two processes committing the same file at the same time: exactly one upload is created.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sources_fixture import SEED_EVENT_COUNT

from tests.support.stores import demo_store

WORKER = Path(__file__).resolve().parent / "_worker.py"
pytestmark = pytest.mark.slow


def start_worker(url, sources_dir, rows, tag, barrier=None, sleep=None):
    env = dict(os.environ)
    env.pop("GPMB_STORE_SLEEP_IN_COMMIT", None)
    if sleep is not None:
        env["GPMB_STORE_SLEEP_IN_COMMIT"] = str(sleep)
    args = [sys.executable, str(WORKER), url, str(sources_dir), str(rows), tag] + ([str(barrier)] if barrier else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_killed_mid_commit_leaves_store_unchanged(store, actor, store_url, sources_dir):
    store.commit_upload(pd.DataFrame({"kind": ["parcel"], "parcel_id": ["QL4B/Xã Gia Cát/12/103"],
                                      "event": ["inventory"], "event_date": ["2024-05-01"]}),
                        file_name="truoc.csv", file_sha256="a" * 64, actor=actor, rows_read=1)
    events_before = store.events(include_reverted=True)
    uploads_before = store.uploads()
    version_before = store.data_version()

    proc = start_worker(store_url, sources_dir, 50_000, "killed", sleep=120)
    try:
        deadline = time.time() + 120
        line = ""
        while "in-transaction" not in line and time.time() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"worker ended before the commit: {proc.stderr.read()}")
        assert "in-transaction" in line, "worker never reached the transaction"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    reopened = demo_store(store_url, sources_dir=sources_dir)
    pd.testing.assert_frame_equal(reopened.events(include_reverted=True), events_before)
    pd.testing.assert_frame_equal(reopened.uploads(), uploads_before)
    assert reopened.data_version() == version_before
    # the lock died with the process: the next commit goes through at once
    started = time.time()
    again = reopened.commit_upload(pd.DataFrame({"kind": ["parcel"], "parcel_id": ["QL4B/Xã Gia Cát/12/101"],
                                                 "event": ["notice"], "event_date": ["2024-06-01"]}),
                                   file_name="sau.csv", file_sha256="b" * 64, actor=actor, rows_read=1)
    assert again.created and time.time() - started < 30
    assert len(reopened.events()) == len(events_before) + 1


def run_together(url, sources_dir, tmp_path, tags, rows, sleep):
    barrier = tmp_path / "go"
    procs = [start_worker(url, sources_dir, rows, tag, barrier=barrier, sleep=sleep) for tag in tags]
    time.sleep(0.5)
    barrier.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_processes_commit_different_uploads(store, actor, store_url, sources_dir, tmp_path):
    rows = 4_000
    results = run_together(store_url, sources_dir, tmp_path, ["xa_a", "xa_b"], rows, sleep=0.5)
    assert all(r["created"] and r["rows_committed"] == rows for r in results)
    assert results[0]["upload_id"] != results[1]["upload_id"]
    events = store.events()
    assert len(events) == SEED_EVENT_COUNT + 2 * rows
    assert events.event_id.is_unique
    for tag, result in zip(["xa_a", "xa_b"], results):
        mine = events[events.upload_id == result["upload_id"]]
        assert sorted(mine.note) == sorted(f"{tag}-{i}" for i in range(rows))  # nothing lost, nothing twice
    # each upload's events are contiguous: the transactions did not interleave
    for result in results:
        ids = events.loc[events.upload_id == result["upload_id"], "event_id"]
        assert ids.max() - ids.min() == rows - 1


def test_two_processes_same_file_create_one_upload(store, actor, store_url, sources_dir, tmp_path):
    results = run_together(store_url, sources_dir, tmp_path, ["cung_tep", "cung_tep"], 500, sleep=0.5)
    assert sorted(r["created"] for r in results) == [False, True]
    assert results[0]["upload_id"] == results[1]["upload_id"]
    assert len(store.events()) == SEED_EVENT_COUNT + 500
    assert (store.uploads().source == "cli").sum() == 1
