"""The status document (``milestones.status_prepared`` → ``milestones.status_fast``) prints exactly what the
snapshot prints: random ledgers with every rule (corrections, reports at three levels, chainage ranges, the
three metrics at project and commune scope), at every event date, the day before and after each, and with
milestones and rules changed later (epochs of ``config_changes``)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands import _status_text
from commands.status import status_records
from milestones.prepared import prepare_frames, snapshot_at
from milestones.status_fast import FORMAT, document_from_text, status_at
from milestones.status_prepared import status_document
from tests.milestones.random_ledger import random_case


def outputs_from_snapshot(prepared, day: date) -> tuple[str, str]:
    snap = snapshot_at(prepared, day)
    records = status_records(snap)
    return tuple(_status_text.status_output(day, records, snap.problems, as_json=j) for j in (False, True))


def outputs_from_document(doc: dict, day: date) -> tuple[str, str]:
    projects, milestones, problems = status_at(doc, day)
    records = _status_text.status_records(projects, milestones)
    return tuple(_status_text.status_output(day, records, problems, as_json=j) for j in (False, True))


def stored(doc: dict) -> dict:
    """The document as the store gives it back (JSON text)."""
    return json.loads(json.dumps({**doc, "version": [], "code": ""}, ensure_ascii=False))


def around_every_event(events: pd.DataFrame) -> list[date]:
    """Every event date, the day before every fifth one, and dates long before and after the ledger."""
    days = sorted({pd.Timestamp(d).date() for d in events["event_date"]})
    out = {days[0] - timedelta(days=400), days[-1] + timedelta(days=400), *days}
    out |= {d - timedelta(days=1) for d in days[::5]}
    return sorted(out)


def test_equal_at_every_event_date_and_due_date_of_a_random_ledger():
    case = random_case(7, n_parcels=80, n_events=40)
    prepared = prepare_frames(**case, rules={"forecast_window_days": 45, "forecast_windows_days": [20, 45.5, 90]})
    doc = stored(status_document(prepared))
    dues = {date(int(y), int(m), int(d)) for d, m, y in (s.split("/") for s in case["milestones"]["due_date"])}
    for day in sorted({*around_every_event(case["events"]), *dues, *(d + timedelta(days=1) for d in dues)}):
        assert outputs_from_document(doc, day) == outputs_from_snapshot(prepared, day), day


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_parcels=st.integers(1, 60), n_events=st.integers(1, 250),
       offsets=st.lists(st.integers(-30, 560), min_size=1, max_size=4))
def test_equal_for_any_ledger(seed, n_parcels, n_events, offsets):
    case = random_case(seed, n_parcels=n_parcels, n_events=n_events)
    prepared = prepare_frames(**case, rules=None)
    doc = stored(status_document(prepared))
    for offset in offsets:
        day = date(2023, 6, 1) + timedelta(days=offset)
        assert outputs_from_document(doc, day) == outputs_from_snapshot(prepared, day), day


def _config(case) -> pd.DataFrame:
    """Seeded milestones and rules, then: a target raised on 15/03/2024 (09:00 in Vietnam), a milestone
    removed and the rules changed on 01/05/2024 (00:30 in Vietnam: still 30/04 in UTC)."""
    rows, cid = [], 0

    def add(at, kind, item, after, source):
        nonlocal cid
        cid += 1
        rows.append(dict(change_id=cid, recorded_at=pd.Timestamp(at, tz="UTC"), kind=kind, item=item, before=None,
                         after=after, account="admin", reason="", source=source, proposal_id=None))

    records = case["milestones"].to_dict("records")
    for rec in records:
        add("2023-01-01T00:00", "milestone", rec["milestone_id"], rec, "seed")
    add("2023-01-01T00:00", "rules", "rules", {"yaml": "forecast_window_days: 60\n"}, "seed")
    add("2024-03-15T02:00", "milestone", records[1]["milestone_id"], {**records[1], "target_percent": 85}, "cli")
    add("2024-04-30T17:30", "milestone", records[2]["milestone_id"], None, "cli")
    add("2024-04-30T17:30", "rules", "rules", {"yaml": "forecast_window_days: 20\nat_risk_grace_days: 30\n"}, "cli")
    return pd.DataFrame(rows)


def test_milestones_and_rules_changed_later_are_in_force_from_their_local_day():
    case = random_case(11, n_parcels=70, n_events=200)
    prepared = prepare_frames(**case, rules=None, config=_config(case))
    doc = stored(status_document(prepared))
    assert [e["from"] for e in doc["epochs"]] == [None, date(2024, 3, 15).toordinal(), date(2024, 5, 1).toordinal()]
    for day in [date(2024, 3, 14), date(2024, 3, 15), date(2024, 4, 30), date(2024, 5, 1), date(2024, 8, 1),
                *around_every_event(case["events"])[::15]]:
        assert outputs_from_document(doc, day) == outputs_from_snapshot(prepared, day), day
    assert outputs_from_document(doc, date(2024, 3, 14)) != outputs_from_document(doc, date(2024, 3, 15))


def test_a_document_of_another_version_program_or_format_is_not_trusted():
    prepared = prepare_frames(**random_case(3, n_parcels=20, n_events=50), rules=None)
    doc = {**status_document(prepared), "version": [["0016"]], "code": "abc"}
    text = json.dumps(doc)
    assert document_from_text(text, [["0016"]], "abc") is not None
    assert document_from_text(text, [["0017"]], "abc") is None           # other data
    assert document_from_text(text, [["0016"]], "abd") is None           # other program
    assert document_from_text(json.dumps({**doc, "format": FORMAT + "x"}), [["0016"]], "abc") is None
    assert document_from_text("{not json", [["0016"]], "abc") is None
    assert document_from_text(json.dumps({**doc, "epochs": []}), [["0016"]], "abc") is None
