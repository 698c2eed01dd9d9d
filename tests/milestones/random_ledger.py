"""Random parcels, ledgers and milestones for the tests that compare a fast formulation with its reference.

Small (tens to hundreds of parcels) but with every case the rules distinguish: ties in area and stage,
households shared, missing or blank, land uses agricultural or not, corrections, complaints opened and
resolved, flags, chainage ranges, aggregate reports, milestones of the three metrics at project and commune
scope.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.stages import STAGES

COMMUNES = np.array(["Xã An", "Xã Bình", "Phường Hòa"], dtype=object)
FORMER = np.array(["Xã An", "Xã Bình Cũ", "Xã Hòa"], dtype=object)
EVENTS = np.array([*STAGES[1:], "complaint", "complaint_resolved", "compulsory_inventory", "enforced"], dtype=object)


def random_case(seed: int, n_parcels: int = 60, n_events: int = 400) -> dict:
    """``projects``, ``parcels``, ``events``, ``milestones`` frames (DATA_MODEL.md columns), deterministic."""
    rng = np.random.default_rng(seed)
    n = max(int(n_parcels), 1)
    project = np.array(["A", "B"], dtype=object)[rng.integers(0, 2, n)]
    commune = rng.integers(0, 3, n)
    households = np.array(["H1", "H2", "H3", "", None, "H4", "H5"], dtype=object)
    parcels = pd.DataFrame({
        "parcel_id": [f"{p}/{c}/{i}" for i, (p, c) in enumerate(zip(project, commune))],
        "project_id": project, "commune": COMMUNES[commune], "commune_former": FORMER[commune],
        "land_use": np.array(["LUC", "ONT", "BHK", "ODT", None], dtype=object)[rng.integers(0, 5, n)],
        "household_id": households[rng.integers(0, len(households), n)],
        "area_to_recover_m2": rng.choice([100.0, 250.0, 250.0, 800.5, 1200.0], n),   # ties on purpose
        "chainage_m": rng.choice([np.nan, *range(0, 3000, 150)], n),
    })
    m = max(int(n_events), 1)
    days = pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 500, m), unit="D")
    kind = rng.choice(np.array(["parcel"] * 18 + ["chainage_range", "aggregate"], dtype=object), m)
    lo = rng.uniform(0, 2800, m)
    events = pd.DataFrame({
        "event_id": np.arange(1, m + 1), "kind": kind,
        "parcel_id": np.where(kind == "parcel", parcels["parcel_id"].to_numpy()[rng.integers(0, n, m)], None),
        "project_id": np.array(["A", "B"], dtype=object)[rng.integers(0, 2, m)],
        "commune": np.where(rng.random(m) < 0.5, None, COMMUNES[rng.integers(0, 3, m)]),
        "event": np.where(kind == "parcel", EVENTS[rng.integers(0, len(EVENTS), m)], "handed_over"),
        "event_date": days, "is_correction": (rng.random(m) < 0.06) & (kind == "parcel"),
        "chainage_from_m": np.where(kind == "chainage_range", lo, np.nan),
        "chainage_to_m": np.where(kind == "chainage_range", lo + rng.uniform(50, 400, m), np.nan),
        "area_m2": np.where(kind == "aggregate", rng.uniform(0, 3000, m), np.nan),
    })
    events["amount_vnd"] = np.where(events["event"].isin(["approved", "paid"]), 1e7 * rng.integers(1, 9, m), np.nan)
    milestones = pd.DataFrame([
        dict(milestone_id=f"{p}{i}", project_id=p, due_date=due, metric=metric, target_percent=t, scope=scope,
             label=f"{p}{i}")
        for p in ("A", "B")
        for i, (due, t, metric, scope) in enumerate([
            ("31/12/2023", 30, "percent_area_handed_over", "project"),
            ("30/06/2024", 70, "percent_area_handed_over", "project"),
            ("31/12/2024", 100, "percent_area_handed_over", "Xã Bình"),
            ("30/09/2024", 60, "percent_households_paid", "project"),
            ("31/10/2024", 90, "percent_sites_handed_over", "project"),
            ("31/03/2024", 40, "percent_area_handed_over", "Xã Hòa")])])
    projects = pd.DataFrame({"project_id": ["A", "B"], "name": ["Dự án A", "Dự án B"],
                             "start_date": [date(2023, 5, 1), None]})
    return dict(projects=projects, parcels=parcels, events=events, milestones=milestones)


def case_dates(events: pd.DataFrame, rng_seed: int, k: int = 4) -> list[date]:
    """Dates to evaluate at: some event dates, the day before one, and before/after the ledger."""
    rng = np.random.default_rng(rng_seed)
    dates = pd.to_datetime(events["event_date"]).dt.date.to_numpy()
    picked = list(rng.choice(dates, min(k, len(dates)), replace=False)) if len(dates) else []
    extra = [min(dates) - pd.Timedelta(days=1), max(dates) + pd.Timedelta(days=30)] if len(dates) else []
    return [pd.Timestamp(d).date() for d in picked + extra]
