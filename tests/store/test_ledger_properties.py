"""Property test of the ledger (SQLite): any sequence of commits, re-uploads, bad uploads and reverts.

A plain-Python model says what must be true after each step: valid uploads land exactly once, an
identical file (same hash, not reverted) adds nothing, a row whose content (parcel, event, date: the
note aside) is already counted is not written again (issue 10) and an upload left with no row
adds nothing, a bad upload writes nothing, a revert hides
exactly that upload's events and keeps them in the ledger, upload ids increase by one per upload or
revert.
"""
from __future__ import annotations

import hashlib
import shutil
import uuid

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_fixture import PARCEL_IDS, SEED_EVENT_COUNT

from store import StoreError
from tests.support.actors import office_admin
from tests.support.stores import demo_store

commit_op = st.tuples(st.just("commit"), st.integers(0, 3), st.integers(0, 4), st.booleans(), st.integers(1, 2))
revert_op = st.tuples(st.just("revert"), st.integers(0, 8), st.just(0), st.just(True), st.just(1))


@pytest.fixture(scope="module")
def template_store(tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("template") / "seeded.gpkg"
    demo_store(str(path), sources_dir=sources_dir).close()
    return path


def rows(tag: str, n: int, valid: bool, day: int = 1) -> pd.DataFrame:
    frame = pd.DataFrame({"kind": ["parcel"] * n, "parcel_id": [PARCEL_IDS[i % 6] for i in range(n)],
                          "event": ["notice"] * n, "event_date": [f"2024-03-0{day}"] * n,
                          "note": [f"{tag}-{i}" for i in range(n)]})
    if not valid:
        frame = pd.concat([frame, pd.DataFrame({"kind": ["parcel"], "parcel_id": [PARCEL_IDS[0]],
                                                "event": ["khong_hop_le"], "event_date": ["2024-03-01"],
                                                "note": ["x"]})], ignore_index=True)
    return frame


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(commit_op, revert_op), min_size=1, max_size=8))
def test_ledger_matches_model(ops, template_store, sources_dir, tmp_path):
    path = tmp_path / f"{uuid.uuid4().hex}.gpkg"
    shutil.copyfile(template_store, path)
    store = demo_store(str(path), sources_dir=sources_dir)
    actor = office_admin(store)
    uploads: dict[int, dict] = {}  # model: upload_id -> {hash, notes, contents, reverted}
    next_id = 2  # the seed is upload 1
    try:
        for step, (op, a, n, valid, day) in enumerate(ops):
            if op == "commit":
                digest = hashlib.sha256(f"file-{a}".encode()).hexdigest()
                frame = rows(f"s{step}", n, valid, day)
                if not valid:
                    with pytest.raises(StoreError):
                        store.commit_upload(frame, file_name="f", file_sha256=digest, actor=actor, rows_read=n)
                    continue
                result = store.commit_upload(frame, file_name="f", file_sha256=digest, actor=actor, rows_read=n)
                active = [i for i, u in uploads.items() if u["hash"] == digest and not u["reverted"]]
                counted = {c: i for i, u in sorted(uploads.items(), reverse=True) if not u["reverted"]
                           for c in u["contents"]}
                contents = [(p, day) for p in frame.parcel_id]
                new = [k for k, c in enumerate(contents) if c not in counted]
                if active:
                    assert (result.created, result.upload_id) == (False, active[0])
                elif n and not new:
                    assert (result.created, result.rows_committed) == (False, 0)
                    assert result.upload_id == min(counted[c] for c in contents)
                else:
                    assert (result.created, result.upload_id, result.rows_committed) == (True, next_id, len(new))
                    assert sorted(p for p, _ in result.duplicates.in_ledger) == sorted(set(range(n)) - set(new))
                    uploads[next_id] = {"hash": digest, "notes": [frame.note[k] for k in new],
                                        "contents": [contents[k] for k in new], "reverted": False}
                    next_id += 1
            else:
                ids = sorted(uploads)
                if not ids:
                    continue
                target = ids[a % len(ids)]
                if uploads[target]["reverted"]:
                    with pytest.raises(StoreError):
                        store.revert_upload(target, actor=actor)
                else:
                    store.revert_upload(target, actor=actor)
                    uploads[target]["reverted"] = True
                    next_id += 1
        expected = sorted(note for u in uploads.values() if not u["reverted"] for note in u["notes"])
        events = store.events()
        assert sorted(events.note.iloc[SEED_EVENT_COUNT:]) == expected
        assert len(store.events(include_reverted=True)) == SEED_EVENT_COUNT + sum(
            len(u["notes"]) for u in uploads.values())
        assert events.event_id.is_unique and events.event_id.is_monotonic_increasing
        assert store.data_version()["last_upload_id"] == next_id - 1
    finally:
        store.close()
