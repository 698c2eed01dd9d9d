"""The blocking set (milestones.blockers): ranking and each tie-break, the shortest covering prefix, the
redefined risk flag, truthful milestone fields (met_on, forecast range) and the site-count metric."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.blockers import minimal_prefix, rank_candidates
from milestones.snapshot import compute_snapshot_from_frames
from tests.milestones.conftest import ten_parcels

AS_OF = date(2024, 6, 30)


def _projects(kind="area"):
    return pd.DataFrame({"project_id": ["R"], "name": ["R"], "short_name": ["R"], "kind": [kind]})


def _milestones(*rows):
    return pd.DataFrame([dict(milestone_id=m, project_id="R", due_date=due, metric=metric, target_percent=t,
                              scope="project", label=m) for m, due, metric, t in rows])


def _snapshot(parcels, ledger, milestones, as_of=AS_OF, kind="area", rules=None):
    return compute_snapshot_from_frames(projects=_projects(kind), parcels=parcels, events=ledger.frame(),
                                        milestones=milestones, rules=rules, as_of=as_of)


def test_rank_candidates_each_tie_break():
    frame = pd.DataFrame({
        "unit_id": ["b", "a", "late", "small", "soon", "paid"],
        "stage_rank": [4, 4, 4, 4, 4, 5],
        "expected_days": [20.0, 20.0, 50.0, 20.0, 10.0, 90.0],
        "area_to_recover_m2": [100.0, 100.0, 500.0, 50.0, 10.0, 1.0],
    })
    ranked = rank_candidates(frame)
    # paid first (readiness), then fewer expected days, then larger area, then the id.
    assert list(ranked["unit_id"]) == ["paid", "soon", "a", "b", "small", "late"]
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(("sizes", "shortfall", "expected"), [
    ([100, 100, 100], 250, 3), ([100, 100, 100], 200, 2), ([300, 10], 150, 1), ([100], 500, 1), ([5, 5], 0, 0),
])
def test_minimal_prefix(sizes, shortfall, expected):
    assert minimal_prefix(np.array(sizes, dtype=float), shortfall) == expected


def test_blocking_set_ranks_by_stage_then_expected_days_then_obstacles(ledger):
    parcels = ten_parcels()
    for i in (0, 1):
        ledger.parcel(f"R/{i}", "handed_over", "2024-01-10", project="R")
    ledger.parcel("R/2", "paid", "2024-06-20", project="R")           # readiest
    ledger.parcel("R/3", "approved", "2024-06-01", project="R")       # approved earlier: fewer days left
    ledger.parcel("R/4", "approved", "2024-06-25", project="R")
    ledger.parcel("R/5", "approved", "2024-06-01", project="R").parcel("R/5", "complaint", "2024-06-02", project="R")
    for i in (6, 7, 8, 9):
        ledger.parcel(f"R/{i}", "notice", "2024-06-01", project="R")
    s = _snapshot(parcels, ledger, _milestones(("M50", "31/12/2024", "percent_area_handed_over", 50)))
    b = s.blockers[s.blockers["milestone_id"] == "M50"]
    # 20 % handed over, 50 % needed: 300 m² short → three parcels of 100 m².
    summary = s.blocking_summary.set_index("milestone_id").loc["M50"]
    assert summary["shortfall"] == pytest.approx(300.0) and summary["covers_shortfall"]
    assert list(b["parcel_id"]) == ["R/2", "R/3", "R/4"]
    assert list(b["cumulative_area_m2"]) == [100.0, 200.0, 300.0]
    # The whole ranking (100 %): the complaint puts R/5 after both other approved parcels, notices last.
    s100 = _snapshot(parcels, ledger, _milestones(("M100", "31/12/2024", "percent_area_handed_over", 100)))
    b100 = s100.blockers
    assert list(b100["parcel_id"][:4]) == ["R/2", "R/3", "R/4", "R/5"]
    assert set(b100["parcel_id"][4:]) == {"R/6", "R/7", "R/8", "R/9"}
    row5 = b100.set_index("parcel_id").loc["R/5"]
    assert row5["obstacles"] == ["complaint_open"] and row5["next_action"] == "pay_compensation"
    assert row5["next_deadline"] == date(2024, 7, 1)          # approved 01/06 + 30 days (art. 94(1))
    e = b100.set_index("parcel_id")["expected_days"]
    assert e["R/3"] < e["R/4"] < e["R/5"]


def test_risk_flag_only_for_the_blocking_set_of_a_late_milestone(ledger):
    parcels = ten_parcels()
    ledger.parcel("R/0", "handed_over", "2024-01-10", project="R")
    ledger.parcel("R/1", "paid", "2024-06-20", project="R")
    for i in range(2, 10):
        ledger.parcel(f"R/{i}", "inventory", "2024-06-01", project="R")
    # 10 % now, 30 % by 15/07 with no recent progress: behind; 200 m² short → R/1 and one inventory parcel.
    s = _snapshot(parcels, ledger, _milestones(("M30", "15/07/2024", "percent_area_handed_over", 30)))
    assert s.milestones.loc[0, "status"] == "behind"
    flagged = s.parcels.set_index("parcel_id")["risk_flags"]
    blocking = list(s.blockers["parcel_id"])
    assert len(blocking) == 2 and blocking[0] == "R/1"
    assert [p for p in flagged.index if "milestone_at_risk" in flagged[p]] == sorted(blocking)
    assert int(s.parcels["at_risk"].sum()) == 2


def test_met_on_and_reached_late(ledger):
    parcels = ten_parcels()
    for i, day in enumerate(["2024-02-01", "2024-03-01", "2024-04-10"]):
        ledger.parcel(f"R/{i}", "handed_over", day, project="R")
    s = _snapshot(parcels, ledger, _milestones(("M30", "31/03/2024", "percent_area_handed_over", 30),
                                               ("M20", "31/03/2024", "percent_area_handed_over", 20)),
                  as_of=date(2024, 4, 30))
    m = s.milestones.set_index("milestone_id")
    assert m.loc["M30", "status"] == "missed" and m.loc["M30", "actual_at_due_percent"] == pytest.approx(20.0)
    assert m.loc["M30", "met_on"] == date(2024, 4, 10) and bool(m.loc["M30", "reached_late"])
    assert m.loc["M20", "met_on"] == date(2024, 3, 1) and not m.loc["M20", "reached_late"]
    assert m.loc["M30", "forecast_earliest"] is None and m.loc["M30", "shortfall_m2"] == 0.0
    assert s.blockers.empty


def test_met_on_after_a_correction_is_the_day_it_was_reached_again(ledger):
    parcels = ten_parcels()
    ledger.parcel("R/0", "handed_over", "2024-02-01", project="R")
    ledger.parcel("R/0", "paid", "2024-02-10", project="R", correction=True)
    ledger.parcel("R/0", "handed_over", "2024-03-05", project="R")
    s = _snapshot(parcels, ledger, _milestones(("M10", "31/12/2024", "percent_area_handed_over", 10)),
                  as_of=date(2024, 4, 1))
    assert s.milestones.loc[0, "met_on"] == date(2024, 3, 5)


def test_forecast_range_from_the_30_60_90_day_windows_and_rates(ledger):
    parcels = ten_parcels()
    # 10 % on 15/04 (in the 90-day window only), 10 % more on 15/06 (in all three).
    ledger.parcel("R/0", "handed_over", "2024-04-15", project="R").parcel("R/1", "handed_over", "2024-06-15", project="R")
    s = _snapshot(parcels, ledger, _milestones(("M", "31/12/2024", "percent_area_handed_over", 50)))
    m = s.milestones.iloc[0]
    # 30 points to go: 30-day rate 10/30 → 90 days; 60-day rate 10/60 → 180; 90-day rate 20/90 → 135.
    assert m["forecast_earliest"] == date(2024, 9, 28)
    assert m["forecast_latest"] == date(2024, 12, 27)
    # Required: 30 points of 1 000 m² in 184 days = 300 m² → 300/184*7 m²/week in ha.
    assert m["required_rate_ha_per_week"] == pytest.approx(300 / 184 * 7 / 10_000)
    assert m["shortfall_m2"] == pytest.approx(300.0)


def test_site_count_metric(ledger):
    parcels = ten_parcels().head(4).assign(commune_former=["Xã Một", "Xã Một", "Xã Hai", "Xã Ba"])
    ledger.parcel("R/0", "handed_over", "2024-03-01", project="R")     # site Một: one of its two parcels
    ledger.parcel("R/2", "handed_over", "2024-04-01", project="R")     # site Hai: done
    ledger.parcel("R/1", "paid", "2024-04-01", project="R")
    s = _snapshot(parcels, ledger, _milestones(("S", "31/12/2024", "percent_sites_handed_over", 100)), kind="sites")
    m = s.milestones.iloc[0]
    assert m["actual_percent"] == pytest.approx(100 / 3) and m["shortfall_count"] == 2
    b = s.blockers
    assert list(b["unit"]) == ["site", "site"] and list(b["unit_id"]) == ["Xã Một", "Xã Ba"]   # paid before not started
    assert b.iloc[0]["parcel_ids"] == ["R/1"] and list(b["cumulative_units"]) == [1, 2]
    ledger.parcel("R/1", "handed_over", "2024-05-02", project="R")
    s = _snapshot(parcels, ledger, _milestones(("S", "31/12/2024", "percent_sites_handed_over", 100)), kind="sites")
    assert s.milestones.iloc[0]["actual_percent"] == pytest.approx(200 / 3)


def test_households_blocking_set_counts_households(ledger):
    parcels = ten_parcels().assign(household_id=["H0", "H0", "H1", "H1", "H2", "H3", "H4", "H5", "H6", "H7"])
    ledger.parcel("R/0", "paid", "2024-05-01", project="R")            # H0 not yet: R/1 is still at notice
    ledger.parcel("R/1", "notice", "2024-05-01", project="R")
    ledger.parcel("R/2", "paid", "2024-05-01", project="R").parcel("R/3", "approved", "2024-06-01", project="R")
    s = _snapshot(parcels, ledger, _milestones(("H", "31/12/2024", "percent_households_paid", 25)))
    # 0 of 8 households paid; 25 % → 2 households: H1 (approved) then H0 (notice), before the not-started ones.
    assert s.milestones.iloc[0]["shortfall_count"] == 2
    b = s.blockers
    assert list(b["unit_id"]) == ["H1", "H0"] and b.iloc[1]["parcel_ids"] == ["R/1"]
    assert b.iloc[0]["stage"] == "approved"


# ------------------------------------------------------------------ grouping households / sites, vectorised
def _group_reference(lagging, key, unit):
    """The rule read plainly, one group at a time (what ``_group_units`` computes column by column)."""
    from domain.blockers import OBSTACLES

    rows = []
    ordered = lagging.sort_values(["stage_rank", "expected_days"], ascending=[True, False])
    for _, group in ordered.groupby(key, sort=False):
        first = group.iloc[0]
        hh = first["household_id"] if isinstance(first["household_id"], str) and first["household_id"].strip() \
            else first["parcel_id"]
        rows.append({**first.to_dict(), "unit": unit, "unit_id": str(hh if unit == "household" else first["site_id"]),
                     "parcel_ids": list(group["parcel_id"]), "area_to_recover_m2": float(group["area_to_recover_m2"].sum()),
                     "expected_days": float(group["expected_days"].max()),
                     "obstacles": [o for o in OBSTACLES if any(o in obs for obs in group["obstacles"])]})
    return pd.DataFrame(rows, columns=[*lagging.columns, "unit", "unit_id", "parcel_ids"])


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 40), seed=st.integers(0, 10_000), unit=st.sampled_from(["household", "site"]))
def test_group_units_equals_the_group_by_group_rule(n, seed, unit):
    import numpy as np

    from domain.blockers import OBSTACLES
    from milestones.blockers import _group_units

    rng = np.random.default_rng(seed)
    keys = np.array(["A", "B", "C", None, "D"], dtype=object)
    lagging = pd.DataFrame({
        "parcel_id": [f"P/{i}" for i in range(n)],
        "household_code": keys[rng.integers(0, 5, n)], "site_id": keys[rng.integers(0, 5, n)],
        "household_id": np.array(["H1", "", None, "H2"], dtype=object)[rng.integers(0, 4, n)],
        "stage_rank": rng.integers(0, 4, n), "expected_days": rng.integers(0, 5, n).astype(float),
        "area_to_recover_m2": rng.uniform(1, 100, n).round(1),
        "obstacles": [list(rng.choice(list(OBSTACLES), rng.integers(0, 3), replace=False)) for _ in range(n)],
    })
    key = "household_code" if unit == "household" else "site_id"
    got, expected = _group_units(lagging, key, unit), _group_reference(lagging, key, unit)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)
