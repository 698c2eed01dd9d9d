"""The vectorised pieces of the snapshot (issue 13) give exactly what their plain formulations give.

The references are the formulations before issue 13, kept in ``tests/milestones/*_reference.py``; the data
are random (``tests.milestones.random_ledger``) at random dates, so ties, empty scopes, shared and missing
households and corrections all occur.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.blockers import blocking_sets, observed_stage_days
from milestones.clocks import parcel_clocks
from milestones.events import parcel_events, prepare_events, to_timestamp
from milestones.history import ProgressHistory
from milestones.parcel_state import parcel_stages
from milestones.rules import resolve_rules
from milestones.status import milestone_status
from tests.milestones import blockers_reference, clocks_reference
from tests.milestones.random_ledger import case_dates, random_case


def _inputs(case: dict, day):
    ts = to_timestamp(day)
    rules = resolve_rules(None)
    events = prepare_events(case["events"], ts)
    by_parcel = parcel_events(case["parcels"], events, ts)
    history = ProgressHistory.build(case["parcels"], events, ts, events_by_parcel=by_parcel)
    state = parcel_stages(case["parcels"], events, ts, events_by_parcel=by_parcel)
    ms = milestone_status(case["milestones"], history, ts, rules)
    clocks = parcel_clocks(state[state["stage"] != "handed_over"], ts, rules)
    return state, ms, clocks, observed_stage_days(case["parcels"], by_parcel), ts, rules


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 120))
def test_blocking_sets_equal_the_reference(seed, n):
    case = random_case(seed, n_parcels=n, n_events=6 * n)
    for day in case_dates(case["events"], seed):
        state, ms, clocks, observed, ts, rules = _inputs(case, day)
        letters = frozenset(state["parcel_id"].iloc[::7])
        plan = _random_plan(seed, day) if seed % 2 else None      # half the cases with a procedure plan
        got = blocking_sets(state, ms, clocks, observed, ts, rules, letter_parcels=letters, plan=plan)
        want = blockers_reference.blocking_sets(state, ms, clocks, observed, ts, rules, letter_parcels=letters,
                                                plan=plan)
        pd.testing.assert_frame_equal(got.attrs["summary"], want.attrs["summary"], check_exact=True)
        if len(want):
            pd.testing.assert_frame_equal(got, want, check_exact=True)
        else:
            assert got.empty and list(got.columns) == list(want.columns)


def _random_plan(seed: int, day) -> pd.DataFrame:
    """A procedure plan for project A (planned dates around ``day``, some lead bodies) as
    :func:`milestones.procedure_plan.stage_plan` gives it; project B has none."""
    from domain.stages import STAGES
    from milestones.procedure_plan import stage_plan

    rng = np.random.default_rng(seed)
    stages = list(STAGES[1:])
    steps = pd.DataFrame({
        "project_id": "A", "step_code": [f"C{i:03d}" for i in range(len(stages))], "stage": stages,
        "planned_date": [pd.Timestamp(day) + pd.Timedelta(days=int(d)) for d in rng.integers(-200, 60, len(stages))],
        "lead_body": rng.choice(np.array(["TTPTQĐ", "UBND xã", None], dtype=object), len(stages))})
    return stage_plan(steps)


def _working_day_pauses(rules: dict) -> dict:
    """The default rules with the inventory clock in working days, paused by a complaint, and an extra
    holiday: the counting path the defaults do not take."""
    changed = copy.deepcopy(rules)
    changed["legal_clocks"]["inventory"]["day_type"] = "working"
    changed["legal_clocks"]["complaint_acceptance"]["paused_by"] = ["complaint"]
    changed["extra_holidays"] = ["02/01/2024", "2024-09-03"]
    return changed


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 120), variant=st.booleans())
def test_parcel_clocks_equal_the_reference(seed, n, variant):
    case = random_case(seed, n_parcels=n, n_events=6 * n)
    for day in case_dates(case["events"], seed):
        state, _, _, _, ts, rules = _inputs(case, day)
        rules = _working_day_pauses(rules) if variant else rules
        todo = state[state["stage"] != "handed_over"]
        got, want = parcel_clocks(todo, ts, rules), clocks_reference.parcel_clocks(todo, ts, rules)
        if len(want):
            pd.testing.assert_frame_equal(got, want, check_exact=True)
        else:
            assert got.empty and list(got.columns) == list(want.columns)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.just(float("nan")), st.integers(0, 3),
                                 st.sampled_from(["LUC", " luc ", "Bhk", "ODT", "ont", "", " ", "RSX\t", "X"])),
                       max_size=30),
       as_series=st.booleans())
def test_is_agricultural_equals_the_string_rule(values, as_series):
    """Each distinct code tested once equals the column-wide string rule it replaced (strip, upper, isin)."""
    import numpy as np

    from milestones.rules import AGRICULTURAL_LAND_USE, is_agricultural

    data = pd.Series(values, dtype=object) if as_series else values
    plain = pd.Series(list(values), dtype=object).astype(str).str.strip().str.upper()
    want = plain.isin(AGRICULTURAL_LAND_USE).to_numpy(dtype=bool)
    assert np.array_equal(is_agricultural(data), want)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0.0, 1.5, 30.0, -0.0, 90.0]),
                               st.sampled_from([0.0, 10.0, 250.5]), st.integers(0, 3)), max_size=60))
def test_rank_order_without_a_position_key_equals_the_reference(rows):
    """Few distinct values, so most rows tie on every key: the stable lexsort alone keeps them in input order."""
    from milestones.blockers import rank_order

    stage, days, area, codes = (np.array(col) for col in zip(*rows, strict=True)) if rows else \
        (np.zeros(0, dtype="int64"), np.zeros(0), np.zeros(0), np.zeros(0, dtype="int64"))
    got = rank_order(stage, days, area, codes)
    want = blockers_reference.rank_order(stage, days, area, codes)
    assert np.array_equal(got, want)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 120))
def test_counts_on_kept_groups_equal_the_reference(seed, n):
    """The tables' groups and household runs made once (``CountGroups``, kept per data version) give at every
    date the counts the per-date text group-by gave; shared and missing households, empty communes occur."""
    from milestones.events import household_codes
    from milestones.tables import _counts, count_groups
    from tests.milestones import tables_reference

    case = random_case(seed, n_parcels=n, n_events=6 * n)
    hh = household_codes(case["parcels"])
    kept = {}
    for day in case_dates(case["events"], seed):
        state = _inputs(case, day)[0]
        for keys in (["project_id", "commune"], ["project_id"]):
            want = tables_reference.counts(state, keys)
            groups = kept.setdefault(tuple(keys), count_groups(state, keys, hh))
            pd.testing.assert_frame_equal(_counts(state, keys, groups=groups), want, check_exact=True)
            pd.testing.assert_frame_equal(_counts(state, keys, hh), want, check_exact=True)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 80))
def test_state_read_from_kept_steps_equals_the_recomputed_state(seed, n):
    """Stages (corrections), complaints (opened, resolved, reopened, same-day) and flags read from the steps of
    the whole ledger equal the state recomputed from the events up to each date, on and around event days."""
    from milestones.parcel_state import state_steps

    case = random_case(seed, n_parcels=n, n_events=6 * n)
    events = prepare_events(case["events"])
    whole = parcel_events(case["parcels"], events)
    steps = state_steps(whole, len(case["parcels"]))
    days = sorted(set(events["event_date"]))
    rng = np.random.default_rng(seed)
    picked = [days[i] for i in rng.choice(len(days), size=min(len(days), 6), replace=False)] if days else []
    dates = [d + pd.Timedelta(days=k) for d in picked for k in (-1, 0, 1)] + [pd.Timestamp("1990-01-01")]
    for ts in dates:
        upto = whole[whole["event_date"] <= ts].reset_index(drop=True)
        want = parcel_stages(case["parcels"], prepare_events(events, ts), ts, events_by_parcel=upto)
        got = parcel_stages(case["parcels"], prepare_events(events, ts), ts, events_by_parcel=upto, steps=steps)
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"state at {ts.date()}")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 120), variant=st.booleans())
def test_array_built_clocks_equal_the_frame_built_reference(seed, n, variant):
    """The clocks built as arrays with their text columns gathered once equal, values and dtypes, the
    frame-per-chain-position build they replaced, with and without a procedure plan and custom rules."""
    from tests.milestones import clocks_frames_reference

    case = random_case(seed, n_parcels=n, n_events=6 * n)
    for day in case_dates(case["events"], seed):
        state, _, _, _, ts, rules = _inputs(case, day)
        rules = _working_day_pauses(rules) if variant else rules
        plan = _random_plan(seed, day) if seed % 2 else None
        todo = state[state["stage"] != "handed_over"]
        got = parcel_clocks(todo, ts, rules, plan=plan)
        want = clocks_frames_reference.parcel_clocks(todo, ts, rules, plan=plan)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
