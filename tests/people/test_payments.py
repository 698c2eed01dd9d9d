"""Payment clocks: the 30-day deadline of Land Law 2024 art. 94, days late, refused money, funds."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.payments import (
    funds_balance,
    overdue,
    paid_not_handed_over,
    payment_deadline_days,
    payment_status,
    payment_totals,
    refusal_state,
)

AS_OF = date(2026, 6, 30)


def plans(*rows):
    """rows: (household_id, commune, compensation, support, resettlement, effective_date)."""
    return pd.DataFrame([{"project_id": "P1", "household_id": h, "commune": c, "compensation_vnd": a,
                          "support_vnd": b, "resettlement_vnd": r, "effective_date": d}
                         for h, c, a, b, r, d in rows])


def payments(*rows):
    return pd.DataFrame([{"project_id": "P1", "household_id": h, "payment_date": d, "amount_vnd": a,
                          "part": "compensation", "receipt_number": f"PC{i}"} for i, (h, d, a) in enumerate(rows)],
                        columns=["project_id", "household_id", "payment_date", "amount_vnd", "part", "receipt_number"])


def row(status, household):
    return status.set_index("household_id").loc[household]


def test_deadline_is_thirty_days_after_the_decision_takes_effect_and_lateness_counts_from_it():
    p = plans(("H1", "X", 100, 20, 0, date(2026, 5, 1)), ("H2", "X", 50, 0, 0, date(2026, 5, 1)),
              ("H3", "Y", 80, 0, 0, date(2026, 6, 10)), ("H4", "Y", 10, 0, 0, None))
    pay = payments(("H1", date(2026, 5, 20), 100), ("H1", date(2026, 6, 5), 20),  # full on 05/06: 5 days late
                   ("H2", date(2026, 5, 10), 50),                                 # on time
                   ("H3", date(2026, 6, 15), 30))                                 # part, deadline not reached
    s = payment_status(p, pay, AS_OF)
    assert row(s, "H1")["deadline"] == pd.Timestamp(2026, 5, 31)
    assert (row(s, "H1")["paid_on"], row(s, "H1")["days_late"], row(s, "H1")["late"]) == (
        pd.Timestamp(2026, 6, 5), 5, True)
    assert (row(s, "H2")["days_late"], row(s, "H2")["amount_due_vnd"]) == (0, 0)
    assert pd.isna(row(s, "H3")["paid_on"]) and row(s, "H3")["amount_due_vnd"] == 50
    assert row(s, "H3")["days_late"] == 0  # deadline 10/07 is after the as-of date
    assert row(s, "H4")["days_late"] == 0 and pd.isna(row(s, "H4")["deadline"])
    assert payment_status(p, pay, date(2026, 7, 15)).set_index("household_id").loc["H3", "days_late"] == 5


def test_payments_after_the_as_of_date_do_not_count():
    p = plans(("H1", "X", 100, 0, 0, date(2026, 5, 1)))
    s = payment_status(p, payments(("H1", date(2026, 7, 3), 100)), AS_OF)
    assert row(s, "H1")["amount_paid_vnd"] == 0 and row(s, "H1")["days_late"] == 30


def test_a_treasury_deposit_stops_the_clock_but_is_not_a_payment():
    p = plans(("H1", "X", 100, 0, 0, date(2026, 5, 1)))
    refusals = pd.DataFrame({"project_id": "P1", "household_id": "H1",
                             "step": ["invited_1", "invited_2", "invited_3", "deposited"],
                             "step_date": [date(2026, 5, 10), date(2026, 5, 20), date(2026, 5, 30), date(2026, 6, 4)]})
    s = payment_status(p, payments(), AS_OF, refusals=refusals)
    assert (row(s, "H1")["refusal_step"], row(s, "H1")["days_late"], row(s, "H1")["amount_due_vnd"]) == (
        "deposited", 4, 100)
    early = payment_status(p, payments(), date(2026, 5, 25), refusals=refusals)
    assert row(early, "H1")["refusal_step"] == "invited_2"


def test_an_unknown_refusal_step_is_refused():
    with pytest.raises(ValueError, match="lan_4"):
        refusal_state(pd.DataFrame({"project_id": ["P1"], "household_id": ["H1"], "step": ["lan_4"],
                                    "step_date": [AS_OF]}), AS_OF)


def test_paid_not_handed_over_lists_the_longest_waiting_first():
    p = plans(("H1", "X", 10, 0, 0, date(2026, 5, 1)), ("H2", "X", 10, 0, 0, date(2026, 5, 1)),
              ("H3", "X", 10, 0, 0, date(2026, 5, 1)))
    s = payment_status(p, payments(("H1", date(2026, 5, 5), 10), ("H2", date(2026, 5, 2), 10),
                                   ("H3", date(2026, 5, 3), 10)), AS_OF)
    handovers = pd.DataFrame({"project_id": ["P1"], "household_id": ["H3"], "handed_over_on": [date(2026, 6, 1)]})
    waiting = paid_not_handed_over(s, handovers, AS_OF)
    assert list(waiting["household_id"]) == ["H2", "H1"]
    assert list(waiting["days_since_paid"]) == [(AS_OF - date(2026, 5, 2)).days, (AS_OF - date(2026, 5, 5)).days]


def test_funds_needed_against_transferred_per_project():
    p = plans(("H1", "X", 100, 20, 0, date(2026, 5, 1)), ("H2", "X", 50, 0, 30, date(2026, 7, 1)))
    transfers = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "amount_vnd": [60.0, 40.0, 5.0],
                              "transfer_date": [date(2026, 4, 1), date(2026, 8, 1), date(2026, 4, 1)]})
    funds = funds_balance(p, transfers, AS_OF).set_index("project_id")
    assert funds.loc["P1"].to_dict() == {"amount_needed_vnd": 120.0, "amount_transferred_vnd": 60.0,
                                         "shortfall_vnd": 60.0}
    assert funds.loc["P2", "shortfall_vnd"] == 0.0 and funds.loc["P2", "amount_needed_vnd"] == 0.0


def test_totals_per_commune():
    p = plans(("H1", "X", 10, 0, 0, date(2026, 5, 1)), ("H2", "X", 10, 0, 0, date(2026, 5, 1)),
              ("H3", "Y", 10, 0, 0, date(2026, 5, 1)))
    s = payment_status(p, payments(("H1", date(2026, 5, 5), 10), ("H3", date(2026, 6, 5), 4)), AS_OF)
    t = payment_totals(s).set_index("commune")
    assert (t.loc["X", "households"], t.loc["X", "households_paid"], t.loc["X", "households_late"]) == (2, 1, 1)
    assert (t.loc["Y", "amount_paid_vnd"], t.loc["Y", "amount_due_vnd"]) == (4, 6)


@pytest.mark.parametrize("rules, days", [(None, 30), ({}, 30), ({"payments": {"deadline_days": 45}}, 45)])
def test_the_deadline_is_configurable(rules, days):
    assert payment_deadline_days(rules) == days


@pytest.mark.parametrize("bad", [0, -3, 2.5, "ba mươi", True])
def test_a_bad_deadline_is_refused_naming_the_key(bad):
    with pytest.raises(ValueError, match=r"payments\.deadline_days"):
        payment_deadline_days({"payments": {"deadline_days": bad}})


@settings(max_examples=80, deadline=None)
@given(effective=st.dates(date(2025, 1, 1), date(2026, 12, 31)), paid_after=st.integers(0, 120),
       days=st.integers(1, 90), as_of_after=st.integers(0, 200), amount=st.integers(1, 10**9))
def test_property_days_late_is_the_gap_past_the_deadline(effective, paid_after, days, as_of_after, amount):
    as_of = effective + timedelta(days=as_of_after)
    paid_day = effective + timedelta(days=paid_after)
    p = plans(("H1", "X", amount, 0, 0, effective))
    s = row(payment_status(p, payments(("H1", paid_day, amount)), as_of, deadline_days=days), "H1")
    stop = paid_day if paid_day <= as_of else as_of
    assert s["days_late"] == max(0, (stop - effective).days - days)
    assert s["late"] == (s["days_late"] > 0)
    assert s["amount_due_vnd"] == (0 if paid_day <= as_of else amount)


def test_the_commune_table_and_the_card_count_the_same_overdue_households():
    # H1 paid in full but late (done, not overdue), H2 unpaid past its deadline (overdue).
    p = plans(("H1", "X", 10, 0, 0, date(2026, 5, 1)), ("H2", "X", 10, 0, 0, date(2026, 5, 1)))
    s = payment_status(p, payments(("H1", date(2026, 6, 20), 10)), AS_OF)
    assert bool(s.set_index("household_id").loc["H1", "late"])           # it was late …
    assert payment_totals(s).set_index("commune").loc["X", "households_late"] == 1 == int(overdue(s).sum())
