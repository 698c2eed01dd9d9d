"""Issue 13, status at a new date: the per-data-version shortcuts give what the per-date formulations give.

- the blocking sets with the parcels' keys kept per data version (:class:`milestones.blockers.ParcelKeys`)
  equal those made from the state at each date, and the row positions they return are exactly the parcels
  their ``parcel_ids`` name;
- the risk flags marked by those positions equal the flags found by looking the ids up;
- ``combine_project`` through the report steps equals its one-call formulation
  (``tests/milestones/aggregates_reference.py``);
- the observed stage durations grouped on integer codes equal the text group-by
  (``tests/milestones/blockers_reference.py``), from the ledger up to a date and from the whole ledger's first days;
- the dates of a history's percent calls floored to the day by numpy equal pandas' normalisation.
Random ledgers (``tests.milestones.random_ledger``) at random dates, as the other reference tests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.aggregates import combine_project
from milestones.blockers import (
    blocking_sets,
    blocking_sets_and_rows,
    observed_stage_days,
    parcel_keys,
    stage_first_days,
)
from milestones.events import parcel_events, prepare_events, to_timestamp
from milestones.history import day_stamps
from milestones.risk import parcel_risk_flags
from tests.milestones import aggregates_reference, blockers_reference
from tests.milestones.random_ledger import case_dates, random_case
from tests.milestones.test_fast_equals_reference import _inputs


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 120))
def test_kept_keys_and_rows_equal_the_per_date_path(seed, n):
    case = random_case(seed, n_parcels=n, n_events=6 * n)
    keys = parcel_keys(case["parcels"])          # made once, used at every date (as PreparedData does)
    for day in case_dates(case["events"], seed):
        state, ms, clocks, observed, ts, rules = _inputs(case, day)
        letters = frozenset(state["parcel_id"].iloc[::5])
        want = blocking_sets(state, ms, clocks, observed, ts, rules, letter_parcels=letters)
        got, rows = blocking_sets_and_rows(state, ms, clocks, observed, ts, rules, letter_parcels=letters, keys=keys)
        pd.testing.assert_frame_equal(got.attrs["summary"], want.attrs["summary"], check_exact=True)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        ids = state["parcel_id"].to_numpy(dtype=object)
        for milestone_id, group in got.groupby("milestone_id"):
            named = {p for parcel_ids in group["parcel_ids"] for p in parcel_ids}
            assert sorted(ids[rows[milestone_id]]) == sorted(named)
        assert set(rows) >= set(got["milestone_id"])
        by_rows = parcel_risk_flags(state, ms, ts, rules, blockers=got, blocking_rows=rows)
        by_ids = parcel_risk_flags(state, ms, ts, rules, blockers=want)
        pd.testing.assert_frame_equal(by_rows, by_ids, check_exact=True)


def test_keys_of_other_parcels_are_not_used():
    """Keys that do not match the state's rows are ignored (made again from the state), never misapplied."""
    case = random_case(7, n_parcels=40, n_events=240)
    day = case_dates(case["events"], 7)[0]
    state, ms, clocks, observed, ts, rules = _inputs(case, day)
    other = parcel_keys(case["parcels"].iloc[::-1])
    assert not other.matches(state)
    got, _ = blocking_sets_and_rows(state, ms, clocks, observed, ts, rules, keys=other)
    pd.testing.assert_frame_equal(got, blocking_sets(state, ms, clocks, observed, ts, rules), check_exact=True)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 100_000), n_reports=st.integers(0, 40), n_dates=st.integers(1, 12))
def test_report_steps_equal_the_one_call_combination(seed, n_reports, n_dates):
    rng = np.random.default_rng(seed)
    communes = ["Xã An", "Xã Bình", None, "Phường Hòa"]
    formers = np.array(["Xã An Cũ", "Xã Bình Cũ", "Xã Tân", None], dtype=object)
    reports = pd.DataFrame({
        "level": rng.choice(np.array(["project", "commune", "former"], dtype=object), n_reports),
        "commune": rng.choice(np.array(["Xã An", "Xã Bình", "Phường Hòa", "Xã Khác", None], dtype=object), n_reports),
        "commune_former": formers[rng.integers(0, len(formers), n_reports)],
        "event_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 300, n_reports)), unit="D"),
        "area_m2": rng.uniform(0, 5000, n_reports),
    })
    dates = (pd.Timestamp("2023-12-01") + pd.to_timedelta(rng.integers(0, 400, n_dates), unit="D")).sort_values()
    parcel_area = rng.uniform(0, 3000, (len(communes), n_dates))
    to_recover = rng.uniform(1000, 9000, len(communes))
    got = combine_project(communes, parcel_area, to_recover, reports, dates)
    want = aggregates_reference.combine_project(communes, parcel_area, to_recover, reports, dates)
    assert got.keys() == want.keys()
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)


@settings(max_examples=100, deadline=None)
@given(ns=st.lists(st.one_of(st.none(), st.integers(-4_000_000_000_000_000_000, 4_000_000_000_000_000_000)),
                   max_size=20))
def test_day_stamps_equal_pandas_normalisation(ns):
    """Before and after 1970, at and off midnight, NaT: numpy's floor to the day is pandas' normalize()."""
    values = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "ns") for v in ns],
                      dtype="datetime64[ns]")
    want = pd.DatetimeIndex(pd.to_datetime(pd.Index(values))).normalize().astype("datetime64[ns]").to_numpy()
    got = day_stamps(values)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(day_stamps(list(pd.DatetimeIndex(values))), want)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 150))
def test_observed_stage_days_equal_the_text_group_by(seed, n):
    case = random_case(seed, n_parcels=n, n_events=6 * n)
    parcels = case["parcels"].copy()
    parcels.loc[parcels.index[::11], "project_id"] = None          # a parcel without project is left out
    whole = parcel_events(parcels, prepare_events(case["events"]))
    firsts = stage_first_days(whole)
    for day in case_dates(case["events"], seed):
        ts = to_timestamp(day)
        by_parcel = parcel_events(parcels, prepare_events(case["events"], ts), ts)
        want = blockers_reference.observed_stage_days(parcels, by_parcel)
        for got in (observed_stage_days(parcels, by_parcel), observed_stage_days(parcels, None, firsts, ts)):
            if len(want):
                pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                              check_exact=True)
            else:
                assert got.empty and list(got.columns) == list(want.columns)
