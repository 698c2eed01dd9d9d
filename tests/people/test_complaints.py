"""The complaint clock: Law on Complaints 2011 arts. 27, 28, 33, 37; Law on Denunciations 2018 art. 30."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people import COMPLAINT_STATUSES
from milestones.complaints import (
    DEFAULT_COMPLAINT_LIMITS,
    complaint_clock,
    complaint_limits,
    monthly_counts,
    overdue_by_body,
    overdue_letters,
)

AS_OF = date(2026, 6, 30)
RULES = Path(__file__).resolve().parents[2] / "data" / "sources" / "rules.yaml"


def letter(letter_id="D1", *, kind="complaint", status="accepted", received=date(2026, 5, 1), accepted=None,
           closed=None, round_=1, complicated=False, remote=False, body="district_people_committee", commune="X"):
    return {"letter_id": letter_id, "project_id": "P1", "commune": commune, "body": body, "kind": kind,
            "status": status, "received_date": received, "accepted_date": accepted, "closed_date": closed,
            "round": round_, "complicated": complicated, "remote_area": remote}


def clock_of(*letters, as_of=AS_OF):
    return complaint_clock(pd.DataFrame(list(letters)), as_of).set_index("letter_id")


@pytest.mark.parametrize("round_, complicated, remote, days", [
    (1, False, False, 30), (1, True, False, 45), (1, False, True, 45), (1, True, True, 60),
    (2, False, False, 45), (2, True, False, 60), (2, False, True, 60), (2, True, True, 70),
])
def test_resolution_limits_by_round_complication_and_remote_area(round_, complicated, remote, days):
    accepted = date(2026, 5, 1)
    got = clock_of(letter(accepted=accepted, round_=round_, complicated=complicated, remote=remote)).loc["D1"]
    assert got["limit_days"] == days
    assert got["due_date"] == pd.Timestamp(accepted + timedelta(days=days))
    assert got["clock"] == f"round_{round_}"
    assert got["article"] == ("Luật Khiếu nại 2011, điều 28" if round_ == 1 else "Luật Khiếu nại 2011, điều 37")
    assert got["days_overdue"] == max(0, (AS_OF - accepted).days - days)


def test_acceptance_must_come_within_ten_days_of_receipt():
    got = clock_of(letter(status="received", received=date(2026, 6, 10))).loc["D1"]
    assert (got["clock"], got["due_date"], got["days_overdue"]) == ("acceptance", pd.Timestamp(2026, 6, 20), 10)
    assert got["article"] == "Luật Khiếu nại 2011, điều 27"


@pytest.mark.parametrize("status", ["resolved", "withdrawn", "escalated"])
def test_a_closed_letter_stops_its_clock(status):
    stopped = clock_of(letter(status=status, accepted=date(2026, 1, 5), closed=date(2026, 6, 1))).loc["D1"]
    assert not stopped["open"] and not stopped["overdue"] and stopped["clock"] is None
    before = clock_of(letter(status=status, accepted=date(2026, 1, 5), closed=date(2026, 6, 1)),
                      as_of=date(2026, 5, 1)).loc["D1"]
    assert before["open"] and before["overdue"]  # on 01/05 it was still open and past 04/02


def test_denunciations_have_their_own_limit_and_petitions_none():
    got = clock_of(letter("T", kind="denunciation", accepted=date(2026, 5, 1), complicated=True),
                   letter("K", kind="petition", accepted=date(2026, 1, 1)))
    assert (got.loc["T", "limit_days"], got.loc["T", "article"]) == (60, "Luật Tố cáo 2018, điều 30")
    assert got.loc["K", "clock"] is None and not got.loc["K", "overdue"]


def test_escalation_window_after_an_unresolved_first_limit_or_a_first_decision():
    got = clock_of(letter("A", accepted=date(2026, 4, 1)),
                   letter("B", status="resolved", accepted=date(2026, 4, 1), closed=date(2026, 4, 20), remote=True),
                   letter("C", accepted=date(2026, 4, 1), round_=2))
    assert got.loc["A", "may_escalate_until"] == pd.Timestamp(2026, 5, 1) + pd.Timedelta(days=30)
    assert got.loc["B", "may_escalate_until"] == pd.Timestamp(2026, 4, 20) + pd.Timedelta(days=45)
    assert pd.isna(got.loc["C", "may_escalate_until"])


def test_letters_received_after_the_as_of_date_are_left_out():
    assert list(clock_of(letter("A"), letter("B", received=date(2026, 7, 2))).index) == ["A"]


def test_overdue_per_body_and_the_list():
    clock = complaint_clock(pd.DataFrame([
        letter("A", accepted=date(2026, 3, 1), body="commune_people_committee"),
        letter("B", accepted=date(2026, 5, 1), body="commune_people_committee"),
        letter("C", accepted=date(2026, 6, 20), body="district_people_committee"),
        letter("D", status="resolved", accepted=date(2026, 1, 1), closed=date(2026, 2, 1),
               body="district_people_committee"),
    ]), AS_OF)
    per_body = overdue_by_body(clock).set_index("body")
    assert per_body.loc["commune_people_committee"].to_dict() == {
        "letters_open": 2, "letters_overdue": 2, "max_days_overdue": (AS_OF - date(2026, 3, 31)).days}
    assert per_body.loc["district_people_committee"].to_dict() == {
        "letters_open": 1, "letters_overdue": 0, "max_days_overdue": 0}
    assert list(overdue_letters(clock)["letter_id"]) == ["A", "B"]
    assert overdue_letters(clock, "district_people_committee").empty


def test_monthly_received_resolved_and_open_per_commune():
    letters = pd.DataFrame([
        letter("A", received=date(2026, 4, 3), status="resolved", closed=date(2026, 5, 10)),
        letter("B", received=date(2026, 4, 20), status="withdrawn", closed=date(2026, 4, 25)),
        letter("C", received=date(2026, 5, 2)),
        letter("D", received=date(2026, 6, 2), commune="Y"),
    ])
    got = monthly_counts(letters, AS_OF).set_index(["commune", "month"])
    x = got.loc["X"]
    assert list(x["received"]) == [2, 1, 0]
    assert list(x["resolved"]) == [0, 1, 0]
    assert list(x["closed"]) == [1, 1, 0]
    assert list(x["open_at_month_end"]) == [1, 1, 1]
    assert list(got.loc["Y", "open_at_month_end"]) == [0, 0, 1]


def test_the_bundled_rules_file_gives_the_legal_defaults():
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert complaint_limits(rules) == DEFAULT_COMPLAINT_LIMITS


def test_limits_are_configurable_and_checked():
    limits = complaint_limits({"complaints": {"complaint": {"round_1": {"normal": 20}}, "petition": {"round_1": 15}}})
    assert limits["complaint"]["round_1"] == {"normal": 20, "complicated": 45, "remote": 45, "remote_complicated": 60}
    assert limits["petition"]["round_1"]["remote"] == 15
    with pytest.raises(ValueError, match=r"complaints\.complaint\.acceptance_days"):
        complaint_limits({"complaints": {"complaint": {"acceptance_days": -1}}})


@settings(max_examples=80, deadline=None)
@given(received=st.dates(date(2025, 1, 1), date(2026, 6, 30)), accept_after=st.one_of(st.none(), st.integers(0, 20)),
       status=st.sampled_from(COMPLAINT_STATUSES), close_after=st.integers(0, 200),
       round_=st.sampled_from([1, 2]), complicated=st.booleans(), remote=st.booleans())
def test_property_an_open_letter_is_overdue_exactly_past_its_due_date(received, accept_after, status, close_after,
                                                                       round_, complicated, remote):
    accepted = None if accept_after is None else received + timedelta(days=accept_after)
    closed = received + timedelta(days=close_after) if status in ("resolved", "withdrawn", "escalated") else None
    got = clock_of(letter(status=status, received=received, accepted=accepted, closed=closed, round_=round_,
                          complicated=complicated, remote=remote)).loc["D1"]
    is_closed = closed is not None and closed <= AS_OF
    assert got["open"] == (not is_closed)
    if is_closed:
        assert not got["overdue"]
    else:
        started = accepted if accepted is not None and accepted <= AS_OF else received
        assert got["overdue"] == ((AS_OF - started).days > got["limit_days"])
