"""The stored procedure plan at an as-of date (milestones.people.procedure_plan): done, overdue, days behind."""
from __future__ import annotations

from datetime import date

import pandas as pd

from milestones.people import procedure_plan

AS_OF = date(2025, 6, 30)


def test_done_late_on_time_not_due_and_overdue():
    steps = pd.DataFrame({
        "project_id": ["P"] * 5,
        "step_code": ["C005", "C001", "C002", "C003", "C004"],
        "planned_date": [None, date(2025, 3, 1), date(2025, 3, 10), date(2025, 7, 15), date(2025, 6, 1)],
        "actual_date": [None, date(2025, 3, 1), date(2025, 3, 20), None, date(2025, 7, 5)],
    })
    plan = procedure_plan(steps, AS_OF).set_index("step_code")
    assert list(plan.index) == ["C001", "C002", "C003", "C004", "C005"]
    assert plan["done"].tolist() == [True, True, False, False, False]      # C004 done only after as_of
    assert plan["overdue"].tolist() == [False, False, False, True, False]  # C005 has no planned date
    assert plan["days_behind"].tolist() == [0, 10, 0, 29, 0]


def test_register_progress_counts_households_and_area_per_stage_by_as_of():
    from milestones.people import register_progress

    homes = pd.DataFrame({
        "project_id": ["P", "P", "P", "P", "Q"],
        "household_id": ["H1", "H2", "H3", "H4", "H1"],
        "stage": ["handed_over", "paid", "handed_over", None, "notice"],
        "stage_date": [date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1), None, None],
        "area_m2": [100.0, 300.0, 50.0, 999.0, 10.0],
    })
    out = register_progress(homes, AS_OF)   # H3's handover is after as_of; H4 has no stage
    assert out[["project_id", "stage", "households"]].values.tolist() == [
        ["P", "paid", 1], ["P", "handed_over", 1], ["Q", "notice", 1]]   # stage order, not text order
    assert out["area_m2"].tolist() == [300.0, 100.0, 10.0]
    assert out["percent_area"].tolist() == [75.0, 25.0, 100.0]
