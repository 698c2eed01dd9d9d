"""A ledger write recomputes ``parcel_status`` for the projects it touches only, and the layer is then
exactly what a full recomputation gives (bundled data: five projects, milestones of each, 24 611 events)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pandas as pd
import pytest

from domain.tables import PARCEL_STATUS_COLUMNS
from milestones.status_layer import parcel_status_frame
from store import parcel_status as ps
from tests.support.actors import office_admin
from tests.support.stores import demo_store


@pytest.fixture
def bundled(store_url, monkeypatch):
    """A demo store of the bundled data with the refresher registered; yields (store, projects read)."""
    read: list = []

    def spying(reader, as_of):
        read.append(None if reader.project_ids is None else tuple(reader.project_ids))
        return parcel_status_frame(reader, as_of)

    previous = ps.register_refresher(spying)
    the_store = demo_store(store_url)
    yield the_store, read
    ps.register_refresher(previous)
    the_store.close()


def attributes(frame) -> dict:
    """parcel_id → the row's attributes as the table stores them (:func:`store.parcel_status.status_records`)."""
    return {r["parcel_id"]: tuple(r[c] for c in PARCEL_STATUS_COLUMNS) for r in ps.status_records(frame)}


def assert_as_full(store):
    """The stored layer equals a full recomputation at its as-of day, row for row."""
    state = store.parcel_status_state()
    assert state["current"]
    assert attributes(store.parcel_status()) == attributes(parcel_status_frame(store, state["as_of"]))


def commit(store, actor, rows: list[dict], tag: str):
    result = store.commit_upload(pd.DataFrame(rows), actor=actor, file_name=f"{tag}.csv",
                                 file_sha256=hashlib.sha256(tag.encode()).hexdigest(), rows_read=len(rows))
    assert result.created, tag
    return result


def open_parcels(store, project_id: str, n: int) -> list[str]:
    """``n`` parcels of the project not handed over yet (the bundled CCN_HT2 has 53)."""
    layer = store.parcel_status()
    mine = layer[(layer["project_id"] == project_id) & (layer["stage"] != "handed_over")]
    assert len(mine) >= n
    return mine["parcel_id"].head(n).tolist()


def test_parcel_rows_recompute_their_project_only(bundled):
    store, read = bundled
    actor = office_admin(store)
    ids = open_parcels(store, "CCN_HT2", 4)
    before = attributes(store.parcel_status())
    read.clear()
    commit(store, actor, [{"kind": "parcel", "parcel_id": p, "event": "handed_over", "event_date": "2024-05-02"}
                          for p in ids], "ht1")
    assert read == [("CCN_HT2",)]
    assert_as_full(store)
    after = attributes(store.parcel_status())
    assert {p: after[p][PARCEL_STATUS_COLUMNS.index("stage")] for p in ids} == dict.fromkeys(ids, "handed_over")
    assert {p: v for p, v in after.items() if not p.startswith("CCN_HT2/")} == {
        p: v for p, v in before.items() if not p.startswith("CCN_HT2/")}


def test_aggregate_range_and_revert_agree_with_a_full_recomputation(bundled):
    store, read = bundled
    actor = office_admin(store)
    read.clear()
    commit(store, actor, [{"kind": "aggregate", "project_id": "CCN_HT2", "event": "handed_over",
                           "event_date": "2024-05-03", "area_m2": 1000.0}], "agg")
    assert_as_full(store)
    ranged = commit(store, actor, [{"kind": "chainage_range", "project_id": "QL4B", "chainage_from_m": 4000.0,
                                    "chainage_to_m": 4500.0, "event": "handed_over", "event_date": "2024-05-04"}],
                    "range")
    assert_as_full(store)
    store.revert_upload(ranged.upload_id, actor=actor, reason="test")
    assert_as_full(store)
    assert read == [("CCN_HT2",), ("QL4B",), ("QL4B",)]


def test_a_stale_layer_is_recomputed_whole(bundled):
    store, read = bundled
    actor = office_admin(store)
    refresher = ps.register_refresher(None)     # a script without the refresher: the layer goes stale
    commit(store, actor, [{"kind": "parcel", "parcel_id": open_parcels(store, "CCN_HT2", 1)[0],
                           "event": "complaint", "event_date": "2024-05-05"}], "stale")
    assert not store.parcel_status_state()["current"]
    ps.register_refresher(refresher)
    read.clear()
    commit(store, actor, [{"kind": "parcel", "parcel_id": open_parcels(store, "CCN_HT2", 2)[1],
                           "event": "handed_over", "event_date": "2024-05-05"}], "after")
    assert read == [None]
    assert_as_full(store)


def test_another_day_is_recomputed_whole(bundled, monkeypatch):
    store, read = bundled
    actor = office_admin(store)
    tomorrow = ps.today_local() + timedelta(days=1)
    monkeypatch.setattr(ps, "today_local", lambda: tomorrow)
    read.clear()
    commit(store, actor, [{"kind": "parcel", "parcel_id": open_parcels(store, "CCN_HT2", 1)[0],
                           "event": "handed_over", "event_date": "2024-05-06"}], "tomorrow")
    assert read == [None]
    assert_as_full(store)
