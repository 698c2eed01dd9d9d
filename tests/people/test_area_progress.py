"""milestones.area_progress: planned vs actual completion (chậm N ngày) and the progress history of each area."""
from __future__ import annotations

from datetime import date

import pandas as pd

from milestones.area_progress import area_progress, progress_history
from vocab.people import area_delay_text

AREAS = pd.DataFrame({
    "area_id": ["K-LATE", "K-OK", "K-DONE", "K-DLATE", "K-NOPLAN", "K-FUTDONE"],
    "project_id": "P", "name": "khu",
    "planned_completion_date": [date(2025, 6, 1), date(2025, 7, 1), date(2025, 6, 1), date(2025, 6, 1), None,
                                date(2025, 6, 1)],
    "actual_completion_date": [None, None, date(2025, 5, 20), date(2025, 6, 11), None, date(2025, 7, 15)],
    "construction_percent": [80.0, 50.0, 100.0, 100.0, 10.0, 100.0],
})


def test_delay_against_the_planned_date():
    out = area_progress(AREAS, date(2025, 6, 30)).set_index("area_id")
    assert out.loc["K-LATE", ["status", "days_late", "complete"]].tolist() == ["late", 29, False]
    assert out.loc["K-OK", ["status", "days_late"]].tolist() == ["on_schedule", 0]
    assert out.loc["K-DONE", ["status", "days_late", "complete"]].tolist() == ["done", 0, True]
    assert out.loc["K-DLATE", ["status", "days_late"]].tolist() == ["done_late", 10]
    assert out.loc["K-NOPLAN", "status"] == "no_plan" and pd.isna(out.loc["K-NOPLAN", "days_late"])
    # completed after the as-of date: still under construction (and late) at that date
    assert out.loc["K-FUTDONE", ["status", "days_late", "complete"]].tolist() == ["late", 29, False]
    assert area_delay_text("late", 29) == "chậm 29 ngày"
    assert area_delay_text("done_late", 10) == "hoàn thành chậm 10 ngày"
    assert area_delay_text("on_schedule", 0) == "Đang xây dựng, trong hạn"


def test_the_planned_day_itself_is_not_late():
    out = area_progress(AREAS.iloc[[0]], date(2025, 6, 1))
    assert out.loc[0, "status"] == "on_schedule" and out.loc[0, "days_late"] == 0


def test_history_dates_are_vietnam_days_oldest_first():
    versions = pd.DataFrame({
        "area_id": ["K", "K", "L"], "upload_id": [7, 3, 5],
        "uploaded_at": pd.to_datetime(["2025-06-10 18:30", "2025-05-01 01:00", "2025-05-02 00:00"], utc=True),
        "construction_percent": [60.0, 40.0, 5.0], "actual_completion_date": [None, None, None]})
    out = progress_history(versions)
    assert out[["area_id", "upload_id", "construction_percent"]].values.tolist() == [
        ["K", 3, 40.0], ["K", 7, 60.0], ["L", 5, 5.0]]
    assert out["recorded_on"].tolist() == [date(2025, 5, 1), date(2025, 6, 11), date(2025, 5, 2)]  # 18:30 UTC = 01:30 +7
