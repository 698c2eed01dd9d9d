"""The fast parts of a ``parcel_status`` refresh equal their references, on the demo store, both backends.

- The column-by-column comparison (``store.parcel_status._changed_rows``) gives what the row-by-row reference
  (``tests/store/changed_rows_reference.py``) gives: the same update parameters in the same order, or None for both when the
  frame does not hold the stored parcels (the frame changed at random, hypothesis); with ``only_changed``,
  each row's parameters are the reference's restricted to the cells whose stored value differs.
- The frame computed from parcels read without geometry (``ConnectionReader(parcel_geometry=False)``) equals
  the full snapshot's at several dates."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from domain.stages import STAGES
from milestones.status_layer import install
from store import parcel_status as ps
from tests.store.changed_rows_reference import changed_rows_rowwise

#: A change to one cell: (row position, column, value), values of the types a refresher may give.
_VALUES = {
    "stage": st.sampled_from(list(STAGES)),
    "stage_rank": st.integers(0, 6),
    "stage_date": st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1)),
                            st.dates(date(2020, 1, 1), date(2030, 1, 1)).map(pd.Timestamp), st.just(pd.NaT)),
    "complaint_open": st.one_of(st.booleans(), st.integers(0, 1)),
    "days_in_stage": st.one_of(st.integers(0, 900), st.floats(0, 900).map(math.floor).map(float), st.just(math.nan)),
    "risk_flags": st.one_of(st.none(), st.sampled_from(["", "stalled", "stalled;overdue", "complaint"])),
    "map_sheet": st.one_of(st.integers(1, 40), st.just(12.5), st.just(math.nan), st.just("7")),
    "area_to_recover_m2": st.one_of(st.floats(0, 5000, allow_nan=False), st.just(-0.0), st.just(math.nan)),
    "next_action": st.one_of(st.none(), st.sampled_from(["approve_plan", "pay", "hand_over"])),
    "as_of": st.sampled_from([date(2025, 1, 1), date(2025, 1, 2)]),
}


@pytest.fixture
def layer(store):
    """(store, its stored layer as a frame) with the refresher registered (the layer current)."""
    previous = ps.register_refresher(None)
    install()
    try:
        with store.engine.begin() as conn:
            ps.refresh_in(conn)
        yield store, store.parcel_status()
    finally:
        ps.register_refresher(previous)


def _same(store, frame, projects=None) -> None:
    with store.engine.connect() as conn:
        fast = ps._changed_rows(conn, frame, projects)
        cells = ps._changed_rows(conn, frame, projects, only_changed=True)
        reference = changed_rows_rowwise(conn, frame, projects)
        stored = {r.fid: r for r in conn.execute(select(ps.status_table())).all()}
    assert fast == reference
    if reference is None:
        assert cells is None
        return
    assert [r["_fid"] for r in cells] == [r["_fid"] for r in reference]
    for got, want in zip(cells, reference):
        row = stored[want["_fid"]]
        differ = {k: v for k, v in want.items()
                  if k != "_fid" and ps._stored_value(getattr(row, k[3:]), ps._KINDS[k[3:]]) != v}
        assert got == {"_fid": want["_fid"], **differ} and differ


def test_an_unchanged_frame_changes_no_row(layer):
    store, frame = layer
    with store.engine.connect() as conn:
        assert ps._changed_rows(conn, frame) == [] == changed_rows_rowwise(conn, frame)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(sorted(_VALUES)), st.data()), max_size=12),
       drop=st.booleans(), shuffle=st.integers(0, 2**16), one_project=st.booleans())
def test_changed_rows_equal_the_row_by_row_reference(layer, edits, drop, shuffle, one_project):
    store, stored = layer
    frame = stored.copy()
    projects = None
    if one_project:
        projects = {str(frame["project_id"].iloc[0])}
        frame = frame[frame["project_id"].astype(str).isin(projects)]
    frame = frame.sample(frac=1, random_state=shuffle).reset_index(drop=True).astype(
        dict.fromkeys(("stage_date", "days_in_stage", "map_sheet", "complaint_open", "risk_flags", "next_action", "as_of", "area_to_recover_m2", "stage_rank"), object))
    for position, column, data in edits:
        frame.at[position % len(frame), column] = data.draw(_VALUES[column])
    if drop:
        frame = frame.iloc[1:]
    _same(store, frame, projects)


def test_a_frame_of_other_parcels_gives_none_on_both(layer):
    store, frame = layer
    renamed = frame.assign(parcel_id=frame["parcel_id"].astype(str) + "X")
    with store.engine.connect() as conn:
        assert ps._changed_rows(conn, renamed) is None is changed_rows_rowwise(conn, renamed)


def test_a_day_later_updates_the_date_columns_alike(layer):
    store, frame = layer
    later = frame.assign(as_of=frame["as_of"].map(lambda d: d + timedelta(days=1)))
    _same(store, later)


def _attributes(frame) -> list[tuple]:
    """The rows as the table stores them (:func:`store.parcel_status._cell` of every attribute), in order."""
    return [tuple(ps._cell(row[c], ps._KINDS[c]) for c in ps.PARCEL_STATUS_COLUMNS)
            for row in frame[list(ps.PARCEL_STATUS_COLUMNS)].to_dict("records")]


def test_the_frame_without_geometry_equals_the_full_snapshot_at_several_dates(store):
    """What a refresh computes without reading the parcels' geometry is, attribute for attribute and in
    order, :func:`status_rows` of the full :func:`compute_snapshot` (read with geometry)."""
    from milestones.status_layer import parcel_status_frame

    days = pd.to_datetime(store.events()["event_date"]).dt.date
    dates = sorted({days.min() - timedelta(days=1), days.min(), days.quantile(0.5, interpolation="nearest"),
                    days.max(), ps.today_local()})
    with store.engine.connect() as conn:
        for as_of in dates:
            bare = parcel_status_frame(ps.ConnectionReader(conn, parcel_geometry=False), as_of)
            full = parcel_status_frame(ps.ConnectionReader(conn), as_of)
            assert "geometry" not in bare.columns and "geometry" in full.columns
            assert len(full) == len(store.parcels()) > 0
            assert _attributes(bare) == _attributes(full), as_of
            assert bare["stage"].nunique() > 1 or as_of < days.min(), as_of   # the dates do differ
