"""The in-force rule of milestones and rules (``domain.config_history``): per item the latest change
recorded on or before the day (Vietnam date), seed and migration rows from the beginning, removals absent."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.config_history import CHANGE_COLUMNS, in_force, local_day, records_in_force

START = datetime(2024, 1, 1, tzinfo=UTC)


def frame(rows) -> pd.DataFrame:
    records = [dict(change_id=i + 1, recorded_at=pd.Timestamp(at), kind="milestone", item=item, before=None,
                    after=after, account=None, reason=None, source=source, proposal_id=None)
               for i, (item, at, after, source) in enumerate(rows)]
    return pd.DataFrame(records, columns=list(CHANGE_COLUMNS))


def test_a_later_change_does_not_reach_back_and_the_seed_counts_from_the_start():
    changes = frame([
        ("A", datetime(2026, 12, 1, tzinfo=UTC), {"v": 100}, "seed"),           # seeded late, in force always
        ("A", datetime(2024, 8, 12, 3, tzinfo=UTC), {"v": 60}, "edit"),
        ("B", datetime(2024, 5, 1, tzinfo=UTC), {"v": 1}, "import"),
        ("B", datetime(2024, 9, 1, tzinfo=UTC), None, "import"),                # removed in September
    ])
    assert records_in_force(changes, date(2024, 1, 1)) == [{"v": 100}]
    assert records_in_force(changes, date(2024, 6, 30)) == [{"v": 100}, {"v": 1}]
    assert records_in_force(changes, date(2024, 8, 12)) == [{"v": 60}, {"v": 1}]
    assert records_in_force(changes, date(2024, 9, 1)) == [{"v": 60}]
    assert records_in_force(changes) == [{"v": 60}]


def test_the_day_is_the_vietnam_date():
    assert local_day(datetime(2024, 7, 31, 16, 59, tzinfo=UTC)) == date(2024, 7, 31)
    assert local_day(datetime(2024, 7, 31, 17, 0, tzinfo=UTC)) == date(2024, 8, 1)
    assert local_day(pd.Timestamp("2024-07-31 17:00")) == date(2024, 8, 1)           # naive = UTC
    changes = frame([("A", datetime(2024, 7, 31, 17, 0, tzinfo=UTC), {"v": 1}, "edit")])
    assert records_in_force(changes, date(2024, 7, 31)) == []
    assert records_in_force(changes, pd.Timestamp("2024-08-01")) == [{"v": 1}]


def test_no_changes_nothing_in_force():
    assert in_force(frame([]), date(2024, 1, 1)).empty


change = st.tuples(st.sampled_from("ABC"), st.integers(0, 400 * 24), st.one_of(st.none(), st.integers(0, 100)),
                   st.sampled_from(["seed", "migration", "edit", "import"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(change, max_size=12), st.integers(0, 400))
def test_agrees_with_the_rule_read_literally(raw, day_offset):
    rows = [(item, START + timedelta(hours=h), None if v is None else {"item": item, "v": v}, src)
            for item, h, v, src in raw]
    as_of = (START + timedelta(days=day_offset)).date()
    expected = {}
    first_seen = {}
    for change_id, (item, at, after, source) in enumerate(rows, start=1):
        if source in ("seed", "migration") or local_day(at) <= as_of:
            expected[item] = after                       # later change_id wins
            first_seen.setdefault(item, change_id)
    wanted = [expected[i] for i in sorted(first_seen, key=first_seen.get) if expected[i] is not None]
    assert records_in_force(frame(rows), as_of) == wanted
