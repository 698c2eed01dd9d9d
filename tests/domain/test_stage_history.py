"""The stage-at-date rule: hand-made cases, and the scalar and vectorised forms agreeing on random ledgers."""
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.stage_history import StageEvent, running_stage, stage_at, stage_since, voided, voided_events
from domain.stages import STAGE_RANK, stage_ranks

D0 = date(2025, 1, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_stage_rises_to_the_maximum_and_a_correction_sets_it_exactly():
    events = [StageEvent(day(0), 1, 3, False), StageEvent(day(5), 2, 2, False), StageEvent(day(9), 3, 1, True)]
    assert stage_at(events, day(-1)) == (0, None)
    assert stage_at(events, day(6)) == (3, day(0))      # the lower event does not lower the stage
    assert stage_at(events, day(9)) == (1, day(9))      # the correction goes backwards


def test_an_event_that_keeps_the_stage_keeps_its_date():
    events = [StageEvent(day(0), 1, 4, False), StageEvent(day(3), 2, 4, True), StageEvent(day(4), 3, 4, False)]
    assert stage_at(events, day(10)) == (4, day(0))


def test_an_event_above_a_later_correction_is_void():
    events = [StageEvent(day(0), 1, 5, False), StageEvent(day(1), 2, 4, True), StageEvent(day(2), 3, 5, False)]
    assert voided_events(events) == [True, False, False]
    assert list(voided(np.zeros(3), np.array([5, 4, 5]), np.array([False, True, False]))) == [True, False, False]


def test_stage_ranks_give_minus_one_for_flags_and_unknown_codes():
    assert list(stage_ranks(["paid", "complaint", None, "xyz", "handed_over"])) == [
        STAGE_RANK["paid"], -1, -1, -1, STAGE_RANK["handed_over"]]


ledgers = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 20), st.integers(1, 6), st.booleans()),  # key, day, rank, corr
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ledgers, st.integers(-1, 21))
def test_vectorised_rule_agrees_with_the_scalar_rule(rows, cutoff):
    events = [(key, day(d), order, rank, corr) for order, (key, d, rank, corr) in enumerate(rows)]
    kept = sorted((e for e in events if e[1] <= day(cutoff)), key=lambda e: (e[0], e[1], e[2]))
    key = np.array([e[0] for e in kept], dtype="int64")
    rank = np.array([e[3] for e in kept], dtype="int64")
    corr = np.array([e[4] for e in kept], dtype=bool)
    dates = np.array([np.datetime64(e[1], "D") for e in kept], dtype="datetime64[D]")
    running = running_stage(key, rank, corr)
    since = stage_since(key, running, dates)
    void = voided(key, rank, corr)
    for k in range(4):
        mine = [StageEvent(d, o, r, c) for kk, d, o, r, c in events if kk == k]
        expected = stage_at(mine, day(cutoff))
        positions = np.flatnonzero(key == k)
        if len(positions) == 0:
            assert expected == (0, None)
            continue
        last = positions[-1]
        assert (int(running[last]), since[last].astype(object)) == expected
        in_range = [e for e in mine if e.day <= day(cutoff)]
        by_order = sorted(in_range, key=lambda e: (e.day, e.order))
        assert list(void[positions]) == voided_events(by_order)
