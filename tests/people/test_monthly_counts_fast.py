"""``milestones.complaints.monthly_counts`` (counts per group × month with numpy) equals the group-by-month loop it
replaced (``tests/people/complaints_reference.py``) on random registers and on the bundled one; the people figures
from registers read once (``milestones.people.people_at``) equal a fresh read at every date."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people import COMPLAINT_STATUSES
from milestones.complaints import monthly_counts
from tests.people.complaints_reference import monthly_counts_reference

AS_OF = date(2024, 6, 30)
SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"

letter_rows = st.lists(st.tuples(
    st.sampled_from(["P1", "P2", None]), st.sampled_from(["X", "Y", "Z", None]), st.sampled_from(COMPLAINT_STATUSES),
    st.one_of(st.none(), st.integers(-500, 40)),      # received: days from AS_OF (after it: not counted)
    st.one_of(st.none(), st.integers(-600, 60)),      # closed: days from AS_OF (may precede the receipt)
), min_size=0, max_size=40)


def frame(rows) -> pd.DataFrame:
    def day(offset):
        return None if offset is None else AS_OF + timedelta(days=offset)

    return pd.DataFrame({"project_id": [r[0] for r in rows], "commune": [r[1] for r in rows],
                         "status": [r[2] for r in rows], "received_date": [day(r[3]) for r in rows],
                         "closed_date": [day(r[4]) for r in rows]},
                        columns=["project_id", "commune", "status", "received_date", "closed_date"])


def same(letters: pd.DataFrame, as_of: date, by=("project_id", "commune")) -> None:
    pd.testing.assert_frame_equal(monthly_counts(letters, as_of, by), monthly_counts_reference(letters, as_of, by))


@settings(max_examples=300, deadline=None)
@given(letter_rows, st.integers(-40, 40))
def test_monthly_counts_equal_the_reference(rows, shift):
    letters = frame(rows)
    day = AS_OF + timedelta(days=shift)
    same(letters, day)
    same(letters, day, by=("project_id",))
    same(letters, day, by=("commune", "project_id"))


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    from tests.support.stores import demo_store

    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    store = demo_store(f"sqlite:///{tmp_path_factory.mktemp('letters') / 'demo.gpkg'}", SOURCES)
    yield store
    store.close()


def test_monthly_counts_of_the_bundled_register_equal_the_reference(bundled):
    letters = bundled.register("complaints")
    assert len(letters) > 100
    for day in (date(2023, 12, 31), date(2024, 6, 30), date(2024, 9, 30), date(2025, 7, 15)):
        same(letters, day)


def test_registers_read_once_give_every_date_the_figures_of_a_fresh_read(bundled):
    """The dashboard reads the registers once per data version (``read_people``) and computes each date from them
    (``people_at``): no date may change them for the next one."""
    import dataclasses

    from milestones.people import people_at, people_figures, read_people

    registers = read_people(bundled)
    for day in (date(2024, 9, 30), date(2023, 12, 31), date(2025, 7, 15), date(2024, 9, 30)):
        shared, fresh = people_at(registers, day), people_figures(bundled, day)
        for f in dataclasses.fields(fresh):
            a, b = getattr(shared, f.name), getattr(fresh, f.name)
            if isinstance(b, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b, obj=f.name)
            else:
                assert a == b, f.name
        assert shared.cards() == fresh.cards()
