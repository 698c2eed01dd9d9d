"""Legal clocks (milestones.clocks): calendar and working days, Tết, pauses, the rules' chains, the report calendar."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.clocks import (
    WorkCalendar,
    calendar_from_rules,
    next_deadlines,
    next_quarterly_report_due,
    overdue_by_body,
    parcel_clocks,
    period_end,
)
from milestones.rules import resolve_rules


def test_calendar_days_do_not_count_the_first_day():
    # Civil Code 2015 art. 147: 30 days from 01/03/2024 end on 31/03/2024.
    assert period_end(date(2024, 3, 1), 30) == date(2024, 3, 31)


def test_a_deadline_on_a_weekend_moves_to_the_next_working_day():
    # 30 days from 01/03/2024 → Sunday 31/03/2024 → Monday 01/04/2024 (art. 148); a minimum period does not move.
    assert period_end(date(2024, 3, 1), 30, roll_to_working_day=True) == date(2024, 4, 1)
    assert period_end(date(2024, 3, 1), 30, roll_to_working_day=False) == date(2024, 3, 31)


def test_working_days_skip_tet():
    # Mon 05/02/2024: 6, 7 Feb count; Tết 8–14 Feb (holidays.VN) does not; 15, 16, 19 Feb count → 19/02.
    assert period_end(date(2024, 2, 5), 5, day_type="working") == date(2024, 2, 19)
    # Monday 12/02 is a Tết holiday, not a working day.
    assert WorkCalendar().is_working_day(date(2024, 2, 12)) is False
    assert period_end(date(2024, 2, 5), 5, day_type="working", pauses=[(date(2024, 1, 1), date(2024, 1, 2))]) \
        == date(2024, 2, 19)


def test_working_days_starting_on_a_holiday_count_from_the_first_working_day_after():
    # Sat 10/02/2024 (Tết): first counted day Thu 15/02 → 3 working days end on Mon 19/02.
    assert period_end(date(2024, 2, 10), 3, day_type="working") == date(2024, 2, 19)


def test_extra_holidays_from_the_rules_are_not_working_days():
    cal = calendar_from_rules({"extra_holidays": ["16/02/2024"]})
    assert period_end(date(2024, 2, 5), 5, day_type="working", calendar=cal) == date(2024, 2, 20)
    with pytest.raises(ValueError, match="extra_holidays"):
        calendar_from_rules({"extra_holidays": ["hôm qua"]})


def test_a_pause_is_not_counted():
    # 10 calendar days from 01/03 with 05/03–07/03 paused: three days added → 14/03.
    assert period_end(date(2024, 3, 1), 10, pauses=[(date(2024, 3, 5), date(2024, 3, 7))]) == date(2024, 3, 14)
    # Working days with a pause: Mon 04/03 + 5 working days = 11/03; pausing Wed 06/03 → 12/03.
    assert period_end(date(2024, 3, 4), 5, day_type="working") == date(2024, 3, 11)
    assert period_end(date(2024, 3, 4), 5, day_type="working", pauses=[(date(2024, 3, 6), date(2024, 3, 6))]) \
        == date(2024, 3, 12)


def test_bad_day_type_and_negative_days_are_refused():
    with pytest.raises(ValueError, match="calendar hoặc working"):
        period_end(date(2024, 3, 1), 3, day_type="lunar")
    with pytest.raises(ValueError, match="âm"):
        period_end(date(2024, 3, 1), -1)


def _state(**cols) -> pd.DataFrame:
    base = dict(parcel_id=["P1"], project_id="X", commune="Xã A", land_use="LUC", complaint_open=False,
                complaint_since=pd.NaT)
    base.update(cols)
    return pd.DataFrame(base)


def test_every_default_clock_cites_its_source():
    clocks = resolve_rules(None)["legal_clocks"]
    assert {"notice_period", "plan_posting", "dialogue", "payment", "complaint_acceptance",
            "complaint_resolution"} <= set(clocks)
    assert all(c["article"] for c in clocks.values())
    assert clocks["payment"]["article"] == "Luật Đất đai 2024 điều 94 khoản 1"


def test_payment_clock_overdue_after_30_days():
    # Approved 15/01/2024 → pay by 14/02/2024 (Tết, a holiday) → next working day 15/02/2024.
    state = _state(stage=["approved"], stage_date=[pd.Timestamp("2024-01-15")])
    clocks = parcel_clocks(state, date(2024, 3, 1))
    row = clocks.set_index("clock").loc["payment"]
    assert row["due_on"] == date(2024, 2, 15) and row["days_overdue"] == 15
    assert row["action"] == "pay_compensation" and row["responsible"] == "ttptqd"
    assert next_deadlines(clocks).loc[0, "next_deadline"] == date(2024, 2, 15)


def test_notice_period_depends_on_land_use_and_is_a_minimum():
    state = _state(parcel_id=["A", "N"], land_use=["LUC", "ODT"], stage=["notice", "notice"],
                   stage_date=[pd.Timestamp("2024-01-01")] * 2)
    clocks = parcel_clocks(state, date(2024, 12, 31)).set_index("parcel_id")
    assert clocks.loc["A", "due_on"] == date(2024, 3, 31)       # 90 days
    assert clocks.loc["N", "due_on"] == date(2024, 6, 29)       # 180 days, a Saturday: a minimum is not moved
    assert (clocks["kind"] == "earliest").all() and (clocks["days_overdue"] == 0).all()
    assert next_deadlines(parcel_clocks(state, date(2024, 12, 31))).empty


def test_plan_posting_then_dialogue_chain():
    state = _state(stage=["plan_posted"], stage_date=[pd.Timestamp("2024-04-01")])
    clocks = parcel_clocks(state, date(2024, 6, 1)).set_index("clock")
    assert clocks.loc["plan_posting", "due_on"] == date(2024, 5, 1)
    assert clocks.loc["dialogue", "started_on"] == date(2024, 5, 1)
    assert clocks.loc["dialogue", "due_on"] == date(2024, 5, 16)
    assert clocks.loc["dialogue", "days_overdue"] == 16


def test_an_open_complaint_pauses_the_dialogue_and_starts_its_own_clocks():
    state = _state(stage=["plan_posted"], stage_date=[pd.Timestamp("2024-04-01")], complaint_open=True,
                   complaint_since=[pd.Timestamp("2024-05-10")])
    clocks = parcel_clocks(state, date(2024, 5, 20)).set_index("clock")
    # Dialogue from 01/05 for 15 days, 10/05–20/05 (11 days) paused → 27/05.
    assert clocks.loc["dialogue", "due_on"] == date(2024, 5, 27)
    assert clocks.loc["dialogue", "paused_days"] == 11
    # Complaint received Fri 10/05: 10 working days → 24/05, then 30 working days.
    assert clocks.loc["complaint_acceptance", "due_on"] == date(2024, 5, 24)
    assert clocks.loc["complaint_acceptance", "responsible"] == "ubnd_xa"
    assert clocks.loc["complaint_resolution", "started_on"] == date(2024, 5, 24)


def test_overdue_by_body_orders_most_late_first():
    state = _state(parcel_id=["P1", "P2", "P3"], stage=["approved", "approved", "paid"],
                   stage_date=pd.to_datetime(["2024-01-02", "2024-02-01", "2024-01-02"]))
    late = overdue_by_body(parcel_clocks(state, date(2024, 6, 1)))
    assert list(late["parcel_id"]) == ["P1", "P3", "P2"]
    assert late["days_overdue"].is_monotonic_decreasing


def test_responsible_table_is_configurable():
    state = _state(stage=["approved"], stage_date=[pd.Timestamp("2024-01-15")])
    clocks = parcel_clocks(state, date(2024, 3, 1), {"responsible": {"pay_compensation": "ban_qlda"}})
    assert set(clocks["responsible"]) == {"ban_qlda"}


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2024, 1, 5), date(2024, 3, 20)),
    (date(2024, 3, 20), date(2024, 3, 20)),
    (date(2024, 3, 21), date(2024, 6, 20)),
    (date(2024, 12, 25), date(2025, 3, 20)),
])
def test_quarterly_report_due_on_the_20th_of_the_quarters_last_month(as_of, expected):
    assert next_quarterly_report_due(as_of) == expected


def test_quarterly_report_day_is_configurable_and_checked():
    assert next_quarterly_report_due(date(2024, 5, 1), day=15) == date(2024, 6, 15)
    with pytest.raises(ValueError):
        next_quarterly_report_due(date(2024, 5, 1), day=31)


# ------------------------------------------------------------------ period_end against a day-by-day walk
def _walk_reference(start, days, calendar, day_type, paused):
    """The plain reading of the rule: step one day at a time from the day after ``start``, counting a day
    unless it is paused (or, for working days, a weekend or holiday)."""
    from datetime import timedelta

    day = start
    while days > 0:
        day += timedelta(days=1)
        counted = day_type == "calendar" or calendar.is_working_day(day)
        if counted and not any(a <= day <= b for a, b in paused):
            days -= 1
    return day


_days = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=_days, days=st.integers(0, 200), day_type=st.sampled_from(["calendar", "working"]),
       pauses=st.lists(st.tuples(_days, st.integers(0, 120)), max_size=3), roll=st.booleans())
def test_period_end_equals_a_day_by_day_walk(start, days, day_type, pauses, roll):
    from datetime import timedelta

    from milestones.clocks import WorkCalendar

    calendar = WorkCalendar(frozenset({date(2024, 5, 2), date(2025, 9, 1)}))
    paused = [(a, a + timedelta(days=n)) for a, n in pauses]
    expected = _walk_reference(start, days, calendar, day_type, paused)
    while roll and not calendar.is_working_day(expected):
        expected += timedelta(days=1)
    got = period_end(start, days, day_type=day_type, calendar=calendar, pauses=paused, roll_to_working_day=roll)
    assert got == expected
