"""``monthly_counts`` (letters × months at once) equals the per-group, per-month reference
(``tests/people/complaints_reference.py``) on random registers and on the bundled one."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people import COMPLAINT_STATUSES
from milestones.complaints import monthly_counts
from tests.people.complaints_reference import monthly_counts as reference

START = date(2025, 1, 1)
days = st.integers(0, 540).map(lambda d: START + timedelta(days=d))


@st.composite
def registers(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        received = draw(days)
        closed = draw(st.one_of(st.none(), days))
        rows.append({"letter_id": f"L{i}", "project_id": draw(st.sampled_from(["P1", "P2"])),
                     "commune": draw(st.one_of(st.none(), st.sampled_from(["X", "Y", "Z"]))),
                     "status": draw(st.one_of(st.none(), st.sampled_from(list(COMPLAINT_STATUSES)))),
                     "received_date": received, "closed_date": closed})
    return pd.DataFrame(rows)


@settings(max_examples=150, deadline=None)
@given(registers(), days, st.sampled_from([("project_id", "commune"), ("commune",), ("project_id",)]))
def test_monthly_counts_equal_the_reference(letters, as_of, by):
    pd.testing.assert_frame_equal(monthly_counts(letters, as_of, by), reference(letters, as_of, by))


def test_bundled_register_equals_the_reference(tmp_path):
    from tests.support.stores import demo_store

    store = demo_store(f"sqlite:///{tmp_path / 'demo.gpkg'}")
    try:
        letters = store.register("complaints")
    finally:
        store.close()
    assert len(letters) > 10
    for as_of in (date(2024, 6, 30), date(2024, 9, 30), date(2025, 12, 31)):
        got = monthly_counts(letters, as_of)
        assert got["open_at_month_end"].sum() > 0
        pd.testing.assert_frame_equal(got, reference(letters, as_of))
