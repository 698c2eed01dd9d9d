"""Parcel risk flags and the planned-vs-actual S-curve."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from milestones.curve import planned_percent, s_curve
from milestones.progress import ProgressHistory, parcel_stages
from milestones.risk import parcel_risk_flags, stage_limit_days
from milestones.rules import resolve_rules
from milestones.status import milestone_status
from vocab.labels import risk_flag_label


def flags_at(parcels, events, milestones, as_of, rules=None):
    state = parcel_stages(parcels, events, as_of)
    ms = milestone_status(milestones, ProgressHistory.build(parcels, events, as_of), as_of, rules)
    return parcel_risk_flags(state, ms, as_of, rules).set_index("parcel_id"), ms


def ms_row(mid, due, target, scope="project", metric="percent_area_handed_over", project="QL"):
    return dict(milestone_id=mid, project_id=project, due_date=due, metric=metric, target_percent=target,
                scope=scope, label=mid)


def test_stuck_limits_follow_land_use_and_rules(parcels, ledger):
    # QL/AN/1/1 is LUC (agricultural: 90 days), QL/AN/1/2 is ONT (non-agricultural: 180 days).
    ev = (ledger.parcel("QL/AN/1/1", "notice", "2024-01-01").parcel("QL/AN/1/2", "notice", "2024-01-01")
          .parcel("QL/BC/2/1", "approved", "2024-03-01")).frame()
    empty = pd.DataFrame(columns=list(ms_row("M", "", 0)))
    f, _ = flags_at(parcels, ev, empty, date(2024, 3, 31))           # 90 days after 01/01; 30 after 01/03
    assert f.loc["QL/AN/1/1", "risk_flags"] == [] and f.loc["QL/BC/2/1", "risk_flags"] == []
    assert f.loc["QL/AN/1/1", "days_in_stage"] == 90
    f, _ = flags_at(parcels, ev, empty, date(2024, 4, 1))            # 91 and 31 days: over the limits
    assert f.loc["QL/AN/1/1", "risk_flags"] == ["stuck_notice"]
    assert f.loc["QL/AN/1/2", "risk_flags"] == []                    # 180-day limit
    assert f.loc["QL/BC/2/1", "risk_flags"] == ["stuck_approved"]
    assert "risk_labels" not in f.columns                             # codes only; words from vocab
    assert "Phê duyệt" in risk_flag_label(f.loc["QL/BC/2/1", "risk_flags"][0])
    assert not f.loc["QL/HO/3/1", "at_risk"] and f.loc["QL/BC/2/1", "at_risk"]
    f, _ = flags_at(parcels, ev, empty, date(2024, 4, 1), rules={"stage_limits_days": {"approved": 45}})
    assert f.loc["QL/BC/2/1", "risk_flags"] == []
    f, _ = flags_at(parcels, ev, empty, date(2024, 6, 30))           # 181 days for ONT
    assert f.loc["QL/AN/1/2", "risk_flags"] == ["stuck_notice"]


def test_limits_table():
    limits = stage_limit_days(np.array(["notice", "notice", "handed_over", "not_started", "plan_posted"], dtype=object),
                              np.array(["RSX", "ODT", "LUC", "LUC", "LUC"], dtype=object))
    assert list(limits[:2]) == [90.0, 180.0] and np.isnan(limits[2]) and np.isnan(limits[3]) and limits[4] == 30.0
    assert resolve_rules({"stage_limits": {"notice": 120}})["stage_limits_days"]["notice_non_agricultural"] == 120
    with pytest.raises(ValueError):
        resolve_rules({"forecast_window_days": "abc"})


def test_complaint_and_enforced_flags(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/2", "complaint", "2024-02-01").parcel("QL/BC/2/1", "enforced", "2024-02-01")
          .parcel("QL/HO/3/1", "complaint", "2024-02-01").parcel("QL/HO/3/1", "complaint_resolved", "2024-02-20")).frame()
    f, _ = flags_at(parcels, ev, pd.DataFrame(columns=list(ms_row("M", "", 0))), date(2024, 3, 1))
    assert f.loc["QL/AN/1/2", "risk_flags"] == ["complaint_open"]
    assert f.loc["QL/BC/2/1", "risk_flags"] == ["enforced"]
    assert f.loc["QL/HO/3/1", "risk_flags"] == []


def test_milestone_at_risk_flags_unhanded_parcels_of_the_current_milestone(parcels, ledger):
    # Only QL/AN/1/1 (20 %) handed over, no progress lately → 100 % by 30/06 is behind.
    ev = ledger.parcel("QL/AN/1/1", "handed_over", "2024-01-05").frame()
    ms = pd.DataFrame([ms_row("M1", "31/01/2024", 10), ms_row("M2", "30/06/2024", 100)])
    f, table = flags_at(parcels, ev, ms, date(2024, 4, 1))
    assert dict(zip(table["milestone_id"], table["status"])) == {"M1": "met", "M2": "behind"}
    assert f.loc["QL/AN/1/1", "risk_flags"] == []
    for pid in ("QL/AN/1/2", "QL/BC/2/1", "QL/HO/3/1"):
        assert "milestone_at_risk" in f.loc[pid, "risk_flags"]
    # A commune-scoped milestone flags only its commune's parcels.
    ms = pd.DataFrame([ms_row("C", "30/06/2024", 100, scope="Xã An")])
    f, table = flags_at(parcels, ev, ms, date(2024, 4, 1))
    assert table.loc[0, "status"] == "behind"
    assert "milestone_at_risk" in f.loc["QL/AN/1/2", "risk_flags"]
    assert "milestone_at_risk" not in f.loc["QL/BC/2/1", "risk_flags"]
    # An on-track milestone flags nobody.
    ev2 = (ledger.parcel("QL/AN/1/2", "handed_over", "2024-03-20")).frame()
    f, table = flags_at(parcels, ev2, pd.DataFrame([ms_row("C", "30/06/2024", 100, scope="Xã An")]), date(2024, 3, 20))
    assert table.loc[0, "status"] == "met"
    assert not any("milestone_at_risk" in fl for fl in f["risk_flags"])


def test_planned_curve_is_piecewise_linear():
    ms = pd.DataFrame({"due_date": [date(2024, 6, 30), date(2024, 12, 31)], "target_percent": [70.0, 100.0]})
    dates = pd.to_datetime(["2023-12-01", "2024-01-01", "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31", "2025-06-01"])
    got = planned_percent(date(2024, 1, 1), ms, pd.DatetimeIndex(dates))
    # 01/01 → 30/06 is 181 days; 31/03 is day 90 → 70 × 90/181; 30/09 is day 92 of 184 after 30/06.
    assert got == pytest.approx([0, 0, 70 * 90 / 181, 70, 70 + 30 * 92 / 184, 100, 100])


def test_s_curve_actual_follows_events(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .parcel("QL/BC/2/1", "handed_over", "2024-05-01")).frame()
    projects = pd.DataFrame({"project_id": ["QL"], "start_date": [date(2024, 1, 1)]})
    ms = pd.DataFrame([ms_row("M", "31/12/2024", 100)])
    as_of = date(2024, 6, 1)
    table = milestone_status(ms, ProgressHistory.build(parcels, ev, as_of), as_of)
    curve = s_curve(projects, table, ProgressHistory.build(parcels, ev, as_of), as_of).set_index("date")
    assert curve.index.min() == pd.Timestamp("2024-01-01") and curve.index.max() == pd.Timestamp("2024-12-31")
    assert curve.loc[pd.Timestamp("2024-01-01"), "actual_percent"] == 0
    assert curve.loc[pd.Timestamp("2024-06-01"), "actual_percent"] == 60.0          # 3 000 of 5 000 m²
    after = curve[curve.index > pd.Timestamp("2024-06-01")]["actual_percent"]
    assert after.isna().all() and len(after) > 0
    assert curve.loc[pd.Timestamp("2024-12-31"), "planned_percent"] == 100.0
    assert curve["actual_percent"].dropna().is_monotonic_increasing
