"""Invariants of the snapshot on the bundled data (data/sources/), through a fresh GeoPackage store."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from domain.milestones import STATUSES
from domain.schemas import SnapshotParcels
from domain.stages import STAGES
from milestones.risk import RISK_CODES
from milestones.rules import resolve_rules

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
pytestmark = pytest.mark.skipif(not (SOURCES / "events.csv").is_file(), reason="bundled data not built")


def test_bundled_rules_file_is_understood():
    rules = resolve_rules(yaml.safe_load((SOURCES / "rules.yaml").read_text(encoding="utf-8-sig")))
    limits = rules["stage_limits_days"]
    assert {"notice_agricultural", "notice_non_agricultural", "plan_posted", "approved"} <= set(limits)
    assert all(isinstance(v, float) and v > 0 for v in limits.values())
    assert rules["forecast_window_days"] > 0


@pytest.mark.slow
def test_bundled_snapshot_invariants(tmp_path, monkeypatch):
    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    monkeypatch.delenv("GPMB_SOURCES_DIR", raising=False)
    store = demo_store(f"sqlite:///{tmp_path / 'gpmb.gpkg'}")
    snaps = {d: compute_snapshot(store, d) for d in (date(2024, 3, 31), date(2024, 6, 30), date(2024, 12, 31))}
    for s in snaps.values():
        assert s.problems == [], s.problems
        p = s.projects
        assert p["percent_handed_over"].between(0, 100).all()
        assert (p["parcels_total"] == p[[f"parcels_{st}" for st in STAGES]].sum(axis=1)).all()
        assert (p["area_handed_over_m2"] <= p["area_to_recover_m2"] + 1e-6).all()
        # Communes partition each project's parcels (area to recover adds up).
        by_commune = s.communes.groupby("project_id")["area_to_recover_m2"].sum()
        assert np.allclose(by_commune.reindex(p["project_id"]).fillna(0).to_numpy(), p["area_to_recover_m2"].to_numpy())
        assert set(s.milestones["status"]) <= set(STATUSES)
        assert len(s.milestones) == len(store.milestones())
        flags = {f for fl in s.parcels["risk_flags"] for f in fl}
        assert flags <= set(RISK_CODES)
        assert (s.parcels["at_risk"] == s.parcels["risk_flags"].map(bool)).all()
        assert s.parcels.crs.to_epsg() == 9215 and len(s.parcels) == len(store.parcels())
        SnapshotParcels.validate(pd.DataFrame(s.parcels.drop(columns="geometry")), lazy=True)
    # The project table equals the S-curve at the as-of date.
    s = snaps[date(2024, 6, 30)]
    at = s.s_curve[s.s_curve["date"] == "2024-06-30"].set_index("project_id")["actual_percent"]
    assert np.allclose(at.reindex(s.projects["project_id"]).to_numpy(), s.projects["percent_handed_over"].to_numpy())
    # The plan's milestones exist and got a status (DOMAIN.md: 70 % by 30/06/2024, QL4B 100 % by 31/03/2024).
    ms = s.milestones
    plan = {(r.project_id, r.due_date, r.target_percent) for r in ms.itertuples() if r.scope == "project"
            and r.metric == "percent_area_handed_over"}
    assert {("CT_HNCL", date(2024, 6, 30), 70.0), ("QL4B", date(2024, 3, 31), 100.0)} <= plan
    store.close()
