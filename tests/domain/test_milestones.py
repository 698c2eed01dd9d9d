import pandas as pd

from domain.milestones import current_milestones


def _ms(rows):
    return pd.DataFrame(rows, columns=["milestone_id", "project_id", "scope", "metric", "due_date", "status"]).assign(
        due_date=lambda f: pd.to_datetime(f["due_date"]))


def test_current_is_earliest_not_met_and_missed_stays_current():
    m = _ms([("late", "P", "project", "area", "2024-03-31", "missed"),
             ("next", "P", "project", "area", "2024-06-30", "on_track"),
             ("done", "P", "project", "area", "2024-01-31", "met")])
    assert current_milestones(m)["milestone_id"].tolist() == ["late"]


def test_all_met_gives_the_last_and_series_are_separate():
    m = _ms([("a1", "P", "project", "area", "2024-06-30", "met"),
             ("a2", "P", "project", "area", "2024-12-31", "met"),
             ("h1", "P", "project", "households", "2024-06-30", "behind"),
             ("c1", "P", "Xã Hợp Thành", "area", "2024-09-30", "at_risk")])
    got = current_milestones(m).set_index("milestone_id")
    assert sorted(got.index) == ["a2", "c1", "h1"]
    assert current_milestones(m, keys=("project_id",))["milestone_id"].tolist() == ["h1"]


def test_empty_keeps_columns():
    m = _ms([])
    assert list(current_milestones(m).columns) == list(m.columns)
