"""Milestone status: every status reached by a constructed case; forecast and rates by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from milestones.progress import ProgressHistory
from milestones.status import (
    classify,
    forecast_date,
    milestone_status,
    parse_due_date,
    recent_rate_pct_per_day,
    required_rate_pct_per_day,
    validate_milestones,
)
from vocab.labels import status_label

AS_OF = date(2024, 6, 1)   # window 60 days → window start 2024-04-02


@pytest.fixture
def r_history(r_parcels, new_ledger):
    """Project R (10 × 100 m²): 20 % handed over on 01/03, 30 % on 15/04, 40 % on 10/05, 50 % on 20/05.

    At the window start (02/04/2024) 20 %, at the as-of date (01/06/2024) 50 %:
    recent rate = (50 − 20) / 60 = 0.5 percentage points per day.
    """
    led = new_ledger()
    for pid, day in [("R/0", "2024-03-01"), ("R/1", "2024-03-01"), ("R/5", "2024-04-15"),
                     ("R/6", "2024-05-10"), ("R/7", "2024-05-20")]:
        led.parcel(pid, "handed_over", day, project="R")
    return ProgressHistory.build(r_parcels, led.frame(), AS_OF)


def milestones(*rows):
    return pd.DataFrame([dict(milestone_id=f"M{i}", project_id="R", due_date=due, metric=metric,
                              target_percent=target, scope=scope, label=f"mốc {i}")
                         for i, (due, target, metric, scope) in enumerate(rows, start=1)])


def status_table(history, rows, as_of=AS_OF, rules=None):
    t = milestone_status(milestones(*rows), history, as_of, rules).set_index("milestone_id")
    return t.loc[[m for m in milestones(*rows)["milestone_id"] if m in t.index]]   # input order


AREA = "percent_area_handed_over"


def test_every_status_and_hand_computed_forecast(r_history):
    t = status_table(r_history, [
        ("01/07/2024", 60, AREA, "project"),   # remaining 10 → 20 days → 21/06 ≤ 01/07: on_track
        ("01/07/2024", 70, AREA, "project"),   # remaining 20 → 40 days → 11/07; need 20/30=0.667 ≤ 2×0.5: at_risk
        ("01/07/2024", 100, AREA, "project"),  # remaining 50 → 100 days → 09/09; need 50/30=1.667 > 1: behind
        ("31/12/2024", 40, AREA, "project"),   # already reached before the due date: met
        ("01/05/2024", 30, AREA, "project"),   # 30 % at the due date: met
        ("01/05/2024", 40, AREA, "project"),   # 30 % at the due date, 50 % today: missed
    ])
    assert list(t["status"]) == ["on_track", "at_risk", "behind", "met", "met", "missed"]
    assert "status_label" not in t.columns                            # codes only; words from vocab
    assert [status_label(s) for s in t["status"]] == ["Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ", "Đạt", "Đạt",
                                                      "Không đạt"]
    assert (t["actual_percent"] == 50.0).all()
    assert list(t["recent_rate_pct_per_day"]) == pytest.approx([0.5] * 6)
    assert t.loc["M1", "forecast_date"] == date(2024, 6, 21)
    assert t.loc["M2", "forecast_date"] == date(2024, 7, 11)
    assert t.loc["M3", "forecast_date"] == date(2024, 9, 9)
    assert t.loc["M1", "required_rate_pct_per_day"] == pytest.approx(10 / 30)
    assert t.loc["M2", "required_rate_pct_per_day"] == pytest.approx(20 / 30)
    assert t.loc["M3", "required_rate_pct_per_day"] == pytest.approx(50 / 30)
    assert t.loc["M4", "forecast_date"] is None and t.loc["M4", "required_rate_pct_per_day"] == 0.0
    assert t.loc["M5", "actual_at_due_percent"] == 30.0
    assert t.loc["M6", "actual_at_due_percent"] == 30.0
    assert pd.isna(t.loc["M1", "actual_at_due_percent"])
    assert t.loc["M4", "due_date"] == date(2024, 12, 31)


def test_no_recent_progress_is_behind_without_forecast(r_history):
    # 10/05 → window 11/03–10/05... use an as-of date with no handover in the last 60 days.
    t = status_table(r_history, [("31/12/2024", 100, AREA, "project")], as_of=date(2024, 9, 1))
    row = t.loc["M1"]
    assert row["status"] == "behind"
    assert row["recent_rate_pct_per_day"] == 0.0 and row["forecast_date"] is None
    assert row["required_rate_pct_per_day"] == pytest.approx(50 / 121)


def test_factor_and_grace_from_rules(r_history):
    rows = [("01/07/2024", 70, AREA, "project")]
    strict = {"at_risk_rate_factor": 1.0}
    assert status_table(r_history, rows, rules=strict).loc["M1", "status"] == "behind"
    # Forecast 11/07 is 10 days after the due date: at risk within a 10-day grace, not within 9.
    assert status_table(r_history, rows, rules={**strict, "at_risk_grace_days": 10}).loc["M1", "status"] == "at_risk"
    assert status_table(r_history, rows, rules={**strict, "at_risk_grace_days": 9}).loc["M1", "status"] == "behind"
    # A 30-day window (from 02/05, when 30 % was handed over) sees 20 points: 2/3 per day → 30 days
    # for the remaining 20 points → 01/07/2024, on the due date: on track.
    t = status_table(r_history, rows, rules={"forecast_window_days": 30})
    assert t.loc["M1", "recent_rate_pct_per_day"] == pytest.approx(20 / 30)
    assert t.loc["M1", "forecast_date"] == date(2024, 7, 1)
    assert t.loc["M1", "status"] == "on_track"


def test_commune_scoped_milestone(r_history):
    # Xã Đông (R/0–R/4): 2 of 5 parcels; Xã Tây (R/5–R/9): 3 of 5 parcels.
    t = status_table(r_history, [("31/12/2024", 60, AREA, "xa tay"),
                                 ("31/12/2024", 60, AREA, "Xã Đông"),
                                 ("31/12/2024", 60, AREA, "Xã Không Có")])
    assert t.loc["M1", "actual_percent"] == 60.0 and t.loc["M1", "status"] == "met"
    assert t.loc["M2", "actual_percent"] == 40.0 and t.loc["M2", "status"] != "met"
    assert "M3" not in t.index
    problems = milestone_status(milestones(("31/12/2024", 60, AREA, "Xã Không Có")), r_history, AS_OF).attrs["problems"]
    assert len(problems) == 1 and "scope" in problems[0] and "dòng 2" in problems[0]
    unknown = milestones(("31/12/2024", 60, AREA, "project")).assign(project_id="KHONG_CO")
    result = milestone_status(unknown, r_history, AS_OF)
    assert result.empty and "project_id" in result.attrs["problems"][0] and "KHONG_CO" in result.attrs["problems"][0]


def test_households_paid_metric(new_ledger):
    parcels = pd.DataFrame({
        "parcel_id": ["A1", "A2", "B1", "C1"], "project_id": "H", "commune": "Xã X", "commune_former": "Xã X",
        "land_use": "LUC", "household_id": ["A", "A", "B", "C"], "area_to_recover_m2": 100.0,
        "chainage_m": float("nan")})
    ev = (new_ledger().parcel("A1", "paid", "2024-01-10", project="H")
          .parcel("B1", "handed_over", "2024-02-01", project="H")
          .parcel("A2", "paid", "2024-03-01", project="H")).frame()
    h = ProgressHistory.build(parcels, ev, date(2024, 3, 31))
    dates = pd.to_datetime(["2024-01-15", "2024-02-15", "2024-03-01"])
    # A counts only when both its parcels are paid; B is handed over (paid or beyond); C never.
    assert list(h.percent("percent_households_paid", "H", None, dates)) == pytest.approx([0, 100 / 3, 200 / 3])
    t = milestone_status(pd.DataFrame([dict(milestone_id="P1", project_id="H", due_date="15/02/2024",
                                            metric="percent_households_paid", target_percent="50", scope="project",
                                            label="50% hộ đã chi trả")]), h, date(2024, 3, 31))
    assert t.loc[0, "status"] == "missed" and t.loc[0, "actual_at_due_percent"] == pytest.approx(100 / 3)
    assert t.loc[0, "actual_percent"] == pytest.approx(200 / 3)


def test_rate_functions_by_hand():
    assert recent_rate_pct_per_day(50, 20, 60) == 0.5
    assert recent_rate_pct_per_day(20, 50, 60) == 0.0          # a correction backwards is not negative progress
    with pytest.raises(ValueError):
        recent_rate_pct_per_day(1, 0, 0)
    assert required_rate_pct_per_day(40, 70, date(2024, 6, 1), date(2024, 7, 1)) == 1.0
    assert required_rate_pct_per_day(70, 70, date(2024, 6, 1), date(2024, 7, 1)) == 0.0
    assert pd.isna(required_rate_pct_per_day(40, 70, date(2024, 7, 1), date(2024, 7, 1)))
    assert forecast_date(40, 70, date(2024, 6, 1), 0.7) == date(2024, 7, 14)   # 30/0.7 = 42.9 → 43 days
    assert forecast_date(40, 70, date(2024, 6, 1), 0.0) is None
    assert forecast_date(70, 70, date(2024, 6, 1), 1.0) is None
    assert classify(actual=80, actual_at_due=None, target=70, as_of=date(2024, 6, 1), due=date(2024, 7, 1),
                    recent_rate=0) == "met"
    assert classify(actual=80, actual_at_due=69.9, target=70, as_of=date(2024, 7, 1), due=date(2024, 7, 1),
                    recent_rate=1) == "missed"


@pytest.mark.parametrize("text,expected", [
    ("30/06/2024", date(2024, 6, 30)), ("1/2/2024", date(2024, 2, 1)), ("30/6/24", date(2024, 6, 30)),
    ("30.06.2024", date(2024, 6, 30)), ("2024-06-30", date(2024, 6, 30)), (" 31/12/2024 ", date(2024, 12, 31)),
    (pd.Timestamp("2024-03-31"), date(2024, 3, 31)), (date(2024, 3, 31), date(2024, 3, 31)),
    (45473, date(2024, 6, 30)),   # Excel serial day number
])
def test_parse_due_date(text, expected):
    assert parse_due_date(text) == expected


@pytest.mark.parametrize("bad", ["31/02/2024", "2024/13/01", "", None, "ngày mai", float("nan")])
def test_parse_due_date_rejects(bad):
    with pytest.raises(ValueError):
        parse_due_date(bad)


def test_validate_milestones_reports_row_and_column():
    df = pd.DataFrame([
        dict(milestone_id="ok", project_id="R", due_date="30/06/2024", metric=AREA, target_percent="70,5", scope="", label=""),
        dict(milestone_id="bad", project_id="R", due_date="31/06/2024", metric="percent_x", target_percent="170", scope="project", label="x"),
    ])
    valid, problems = validate_milestones(df)
    assert list(valid["milestone_id"]) == ["ok"]
    assert valid.loc[0, "target_percent"] == 70.5 and valid.loc[0, "scope"] == "project"
    assert valid.loc[0, "label"] == "70.5% diện tích bàn giao trước 30/06/2024"
    assert len(problems) == 3
    assert all("dòng 3" in p and "bad" in p for p in problems)
    assert any("due_date" in p for p in problems) and any("metric" in p for p in problems)
    assert any("target_percent" in p for p in problems)
    with pytest.raises(ValueError, match="thiếu cột"):
        validate_milestones(df.drop(columns=["metric"]))
