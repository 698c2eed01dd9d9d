"""milestones.resettlement: eligibility from approved plans, drawable lots, allocation from the latest draw."""
from __future__ import annotations

from datetime import date

import pandas as pd

from milestones.resettlement import drawable_lots, eligible_households, latest_assignments, lot_allocation

PLANS = pd.DataFrame({
    "household_id": ["H1", "H2", "H3", "H4", "H5"], "project_id": ["P", "P", "P", "P", "Q"],
    "decision_number": ["1/QĐ", None, "3/QĐ", "4/QĐ", "5/QĐ"],
    "effective_date": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 6, 1), date(2025, 1, 1), date(2025, 1, 1)],
    "resettlement_entitlement": ["A", "A", "A", "none", "A"],
})


def test_eligible_needs_decision_effective_entitlement_and_project():
    assert list(eligible_households(PLANS, "P", date(2025, 3, 1))["household_id"]) == ["H1"]
    assert list(eligible_households(PLANS, "P", date(2025, 6, 1))["household_id"]) == ["H1", "H3"]
    assert eligible_households(PLANS, "P", date(2025, 6, 1), exclude={"H1"})["household_id"].tolist() == ["H3"]


def test_drawable_lots_and_allocation():
    lots = pd.DataFrame({"area_id": ["K", "K", "K", "L"], "lot_number": ["1", "2", "3", "1"],
                         "lot_class": "A", "area_m2": 100.0, "price_vnd": 1.0,
                         "status": ["available", "planned", "available", "available"]})
    assert list(drawable_lots(lots, "K")["lot_id"]) == ["K/1", "K/3"]
    draws = pd.DataFrame({"draw_id": [1, 2], "area_id": ["K", "K"], "result": [
        {"assignments": [{"household_id": "H1", "lot_id": "K/1", "lot_class": "A"}]},
        {"assignments": [{"household_id": "H1", "lot_id": "K/3", "lot_class": "A"}]}]})
    assert latest_assignments(draws)[["draw_id", "lot_id"]].values.tolist() == [[2, "K/3"]]
    allocation = lot_allocation(lots, draws).set_index("lot_id")
    assert allocation["allocated"].to_dict() == {"K/1": False, "K/2": False, "K/3": True, "L/1": False}
    assert allocation.loc["K/3", "allocated_to"] == "H1"
