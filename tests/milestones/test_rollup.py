"""Province roll-up (milestones.rollup): per-unit sums of project figures, milestones counted by status."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.rollup import ROLLUP_COLUMNS, province_total, unit_rollup

UNITS = pd.DataFrame({"unit_code": ["183", "184", "185"], "name": ["Huyện Cao Lộc", "Huyện Văn Quan", "Huyện Bắc Sơn"],
                      "province": ["Lạng Sơn"] * 3})


def snapshot(projects, milestones=None):
    return SimpleNamespace(projects=pd.DataFrame(projects),
                           milestones=pd.DataFrame(milestones or [], columns=["project_id", "status"]))


def test_sums_per_unit_and_a_unit_without_projects():
    snap = snapshot(
        {"project_id": ["A", "B", "C"], "unit": ["183", "183", "184"],
         "area_to_recover_m2": [1000.0, 3000.0, 500.0], "area_handed_over_m2": [1000.0, 1000.0, 0.0]},
        [{"project_id": "A", "status": "met"}, {"project_id": "B", "status": "at_risk"},
         {"project_id": "B", "status": "missed"}, {"project_id": "C", "status": "on_track"}])
    table = unit_rollup(snap, UNITS)
    assert list(table.columns) == list(ROLLUP_COLUMNS)
    rows = table.set_index("unit")
    assert rows.loc["183", ["projects", "area_to_recover_m2", "area_handed_over_m2"]].tolist() == [2, 4000.0, 2000.0]
    assert rows.loc["183", "percent_handed_over"] == pytest.approx(50.0)  # 2000 / 4000, not the mean of 100 % and 33 %
    assert rows.loc["183", ["milestones", "milestones_met", "milestones_at_risk"]].tolist() == [3, 1, 2]
    assert rows.loc["184", "percent_handed_over"] == 0.0
    assert rows.loc["185", "projects"] == 0 and math.isnan(rows.loc["185", "percent_handed_over"])
    assert rows.loc["184", "unit_name"] == "Huyện Văn Quan"
    total = province_total(table)
    assert total["area_to_recover_m2"] == 4500.0 and total["projects"] == 3 and total["milestones"] == 4
    assert total["percent_handed_over"] == pytest.approx(2000 / 4500 * 100)
    assert total["province"] == "Lạng Sơn"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["183", "184", "185"]), st.floats(0, 1e7), st.floats(0, 1)),
                min_size=1, max_size=12))
def test_rollup_rows_sum_to_the_projects(rows):
    projects = {"project_id": [f"P{i}" for i in range(len(rows))], "unit": [r[0] for r in rows],
                "area_to_recover_m2": [r[1] for r in rows], "area_handed_over_m2": [r[1] * r[2] for r in rows]}
    table = unit_rollup(snapshot(projects), UNITS)
    assert table["projects"].sum() == len(rows)
    assert table["area_to_recover_m2"].sum() == pytest.approx(sum(r[1] for r in rows))
    for code, group in pd.DataFrame(projects).groupby("unit"):
        row = table.set_index("unit").loc[code]
        assert row["area_handed_over_m2"] == pytest.approx(group["area_handed_over_m2"].sum())
        assert row["projects"] == len(group)
