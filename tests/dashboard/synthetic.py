"""A small, hand-made store and snapshot for dashboard and map tests (no database, no real data).

Two projects near Lạng Sơn city, built in EPSG:9215 (metres):

* ``RD`` – a road, centreline 6 000 m long running east from (E 440 000, N 2 420 000), clearance
  boundary = 40 m buffer, geometry_status ``approximate``; 12 parcels of 30 m × 35 m = 1 050 m² each,
  centred at chainage 250, 750, …, 5 750 m, alternately north and south of the line, fully inside the
  boundary (area_to_recover_m2 = 1 050).
* ``AR`` – an area (600 m × 400 m, ``surveyed``) with 6 parcels of 100 m × 100 m = 10 000 m² each.

Every parcel moves one stage every 20 days from its notice date; parcel ``i`` (0-based within its
project) gets its notice on 01/01/2024 + 10·i days, so by construction at 30/06/2024 (day 181 of 2024)
the stage of parcel i is ``min(6, 1 + (181 - 10 i) // 20)``. The fake :func:`compute_snapshot` applies
exactly that rule to the events, independently of the real ``milestones`` package.
"""
from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, box

from domain.stages import STAGES
from milestones.blockers import BLOCKER_COLUMNS, SUMMARY_COLUMNS
from milestones.snapshot import Snapshot

CRS = "EPSG:9215"
E0, N0 = 440_000.0, 2_420_000.0
ROAD_LENGTH_M = 6_000.0
RD_PARCELS = 12
AR_PARCELS = 6
STEP_DAYS = 20
NOTICE_START = date(2024, 1, 1)


def stage_index_at(i: int, as_of: date) -> int:
    """Rank of the stage of parcel ``i`` at ``as_of`` by the construction rule above (0 = not started)."""
    notice = NOTICE_START + timedelta(days=10 * i)
    if as_of < notice:
        return 0
    return min(len(STAGES) - 1, 1 + (as_of - notice).days // STEP_DAYS)


class FakeStore:
    """The part of the store interface the dashboard and map use."""

    def __init__(self) -> None:
        line = LineString([(E0, N0), (E0 + ROAD_LENGTH_M, N0)])
        rd_boundary = MultiPolygon([line.buffer(40.0, cap_style="flat")])
        ar_poly = box(E0 + 1_000, N0 + 1_000, E0 + 1_600, N0 + 1_400)
        self._projects = gpd.GeoDataFrame(
            {
                "project_id": ["RD", "AR"],
                "name": ["Đường thử nghiệm RD", "Cụm công nghiệp thử nghiệm AR"],
                "short_name": ["Đường RD", "CCN AR"],
                "kind": ["road", "area"],
                "province": ["Lạng Sơn", "Lạng Sơn"],
                "start_date": [date(2024, 1, 1), date(2024, 1, 1)],
                "section_from_m": [0.0, float("nan")],
                "section_to_m": [ROAD_LENGTH_M, float("nan")],
                "geometry_status": ["approximate", "surveyed"],
                "geometry_note": ["Tuyến gần đúng (thử nghiệm)", "Đo đạc"],
            },
            geometry=[rd_boundary, MultiPolygon([ar_poly])],
            crs=CRS,
        )
        self._centrelines = gpd.GeoDataFrame(
            {"project_id": ["RD"], "chainage_start_m": [0.0], "geometry_status": ["approximate"],
             "geometry_note": ["Tuyến gần đúng (thử nghiệm)"]},
            geometry=[line], crs=CRS,
        )
        rows, geoms = [], []
        for i in range(RD_PARCELS):
            c = 250.0 + 500.0 * i
            north = i % 2 == 0
            geoms.append(box(E0 + c - 15, N0 if north else N0 - 35, E0 + c + 15, N0 + 35 if north else N0))
            rows.append(("RD", i, c, "Phường Kỳ Lừa" if c < 3_000 else "Xã Đồng Đăng",
                         "Xã Hợp Thành" if c < 3_000 else "Xã Thụy Hùng", 1 + i // 6, 100 + i,
                         ["LUC", "BHK", "ONT", "CLN"][i % 4]))
        for i in range(AR_PARCELS):
            x = E0 + 1_000 + 100 * (i % 3) * 2
            y = N0 + 1_000 + 100 * (i // 3) * 2
            geoms.append(box(x, y, x + 100, y + 100))
            rows.append(("AR", i, float("nan"), "Phường Kỳ Lừa", "Xã Hợp Thành", 7, 200 + i, "RSX"))
        self._parcels = gpd.GeoDataFrame(
            {
                "parcel_id": [f"{p}/{'HT' if old == 'Xã Hợp Thành' else 'TH'}/{sheet}/{num}"
                              for p, _, _, _, old, sheet, num, _ in rows],
                "project_id": [r[0] for r in rows],
                "commune_code": ["06187" if r[3] == "Phường Kỳ Lừa" else "06184" for r in rows],
                "commune": [r[3] for r in rows],
                "commune_former": [r[4] for r in rows],
                "map_sheet": [r[5] for r in rows],
                "parcel_number": [r[6] for r in rows],
                "land_use": [r[7] for r in rows],
                "owner_name": [f"Hộ {k:03d}" for k in range(len(rows))],
                "household_id": [f"H{k:03d}" for k in range(len(rows))],
                "chainage_m": [r[2] for r in rows],
                "illustrative": [True] * len(rows),
                "_i": [r[1] for r in rows],
            },
            geometry=geoms,
            crs=CRS,
        )
        self._parcels["parcel_area_m2"] = self._parcels.geometry.area
        self._parcels["area_to_recover_m2"] = self._parcels.geometry.area
        half = box(E0 - 2_000, N0 - 3_000, E0 + 3_000, N0 + 3_000)
        other = box(E0 + 3_000, N0 - 3_000, E0 + 8_000, N0 + 3_000)
        self._communes = gpd.GeoDataFrame(
            {"name": ["Kỳ Lừa", "Đồng Đăng"], "full_name": ["Phường Kỳ Lừa", "Xã Đồng Đăng"],
             "code": ["06187", "06184"],
             "former_units": ["TT Cao Lộc, X. Hợp Thành", "TT Đồng Đăng, X. Thụy Hùng"]},
            geometry=[half, other], crs=CRS,
        )
        self._roads = gpd.GeoDataFrame(
            {"name": ["Quốc lộ 4B", "Hà Nội - Lạng Sơn"], "ref": ["QL4B", ""], "kind": ["road", "railway"]},
            geometry=[LineString([(E0 - 1_000, N0 + 500), (E0 + 7_000, N0 + 2_500)]),
                      LineString([(E0 - 1_000, N0 - 1_500), (E0 + 7_000, N0 - 800)])],
            crs=CRS,
        )
        self.version = 1

    # --- store interface used by views -----------------------------------------------------------
    def projects(self) -> gpd.GeoDataFrame:
        return self._projects.copy()

    def centrelines(self) -> gpd.GeoDataFrame:
        return self._centrelines.copy()

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        p = self._parcels.drop(columns="_i")
        return p if project_id is None else p[p["project_id"] == project_id].copy()

    def communes(self) -> gpd.GeoDataFrame:
        return self._communes.copy()

    def roads(self) -> gpd.GeoDataFrame:
        return self._roads.copy()

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        """The stage events of the construction rule: parcel ``i`` moves one stage every 20 days."""
        rows = []
        for rec in self._parcels.to_dict("records"):
            notice = NOTICE_START + timedelta(days=10 * int(rec["_i"]))
            rows += [{"kind": "parcel", "parcel_id": rec["parcel_id"], "project_id": rec["project_id"],
                      "commune": None, "stage": STAGES[k], "event_date": notice + timedelta(days=STEP_DAYS * (k - 1))}
                     for k in range(1, len(STAGES))]
        return pd.DataFrame(rows)

    def data_version(self) -> dict:
        return {"last_upload_id": self.version, "last_change_at": f"2024-07-0{self.version}T00:00:00"}


def _stage_date(i: int, rank: int) -> date | None:
    if rank == 0:
        return None
    return NOTICE_START + timedelta(days=10 * i + STEP_DAYS * (rank - 1))


def compute_snapshot(store: FakeStore, as_of: date) -> Snapshot:
    """The real :class:`milestones.snapshot.Snapshot`, filled by the construction rule in the module
    docstring (not by ``milestones.snapshot.compute_snapshot``)."""
    parcels = store._parcels.copy()
    ranks = [stage_index_at(int(i), as_of) for i in parcels["_i"]]
    parcels["stage"] = [STAGES[r] for r in ranks]
    parcels["stage_date"] = [_stage_date(int(i), r) for i, r in zip(parcels["_i"], ranks)]
    parcels["complaint_open"] = parcels["_i"] == 3
    parcels["enforced"] = False
    parcels["compulsory_inventory"] = False
    parcels["amount_approved_vnd"] = [1.0e8 if r >= 4 else 0.0 for r in ranks]
    parcels["amount_paid_vnd"] = [1.0e8 if r >= 5 else 0.0 for r in ranks]
    parcels["risk_flags"] = [["complaint_open"] if c else [] for c in parcels["complaint_open"]]
    parcels["at_risk"] = parcels["complaint_open"]
    parcels["stage_rank"] = ranks
    parcels["area_handed_over_m2"] = parcels["area_to_recover_m2"].where(parcels["stage"] == "handed_over", 0.0)
    order = parcels["_i"].copy()
    rows = []
    for pid, name in zip(store._projects["project_id"], store._projects["name"]):
        p = parcels[parcels["project_id"] == pid]
        total = float(p["area_to_recover_m2"].sum())
        done = float(p.loc[p["stage"] == "handed_over", "area_to_recover_m2"].sum())
        row = {"project_id": pid, "name": name, "area_to_recover_m2": total, "area_handed_over_m2": done,
               "percent_handed_over": 100.0 * done / total, "households_total": len(p),
               "amount_approved_vnd": float(p["amount_approved_vnd"].sum()),
               "amount_paid_vnd": float(p["amount_paid_vnd"].sum())}
        for s in STAGES:
            row[f"parcels_{s}"] = int((p["stage"] == s).sum())
            row[f"households_{s}"] = int((p["stage"] == s).sum())
        rows.append(row)
    projects = pd.DataFrame(rows).merge(
        store._projects[["project_id", "short_name", "kind", "section_from_m", "section_to_m"]], on="project_id")
    ms = []
    for pid, pct in zip(projects["project_id"], projects["percent_handed_over"]):
        due = date(2024, 6, 30)
        if as_of >= due:
            status = "met" if pct >= 70 else "missed"
        else:
            status = "on_track" if pct >= 35 else ("at_risk" if pct > 0 else "behind")
        met_on = _reached_70_on(pid) if pct >= 70 else None
        total = float(projects.loc[projects["project_id"] == pid, "area_to_recover_m2"].item())
        ms.append({"milestone_id": f"{pid}-1", "project_id": pid, "label": f"{pid}: 70% trước 30/6/2024",
                   "due_date": due, "metric": "percent_area_handed_over", "target_percent": 70.0, "scope": "project",
                   "actual_percent": pct, "actual_at_due_percent": pct if as_of >= due else None, "status": status,
                   "forecast_date": None if pct == 0 or met_on else date(2024, 8, 15),
                   "forecast_earliest": None if pct == 0 or met_on else date(2024, 8, 1),
                   "forecast_latest": None if pct == 0 or met_on else date(2024, 8, 15),
                   "met_on": met_on, "reached_late": False,
                   "required_rate_pct_per_day": 0.5, "recent_rate_pct_per_day": 0.3,
                   "required_rate_ha_per_week": 0.05, "shortfall_m2": max(0.0, (70.0 - pct) / 100 * total)})
    milestones = pd.DataFrame(ms)
    blockers = _blockers(parcels.assign(_i=order), milestones)
    curve = []
    for pid in projects["project_id"]:
        d = date(2024, 1, 1)
        while d <= as_of:
            p = parcels[parcels["project_id"] == pid]
            ranks_d = [stage_index_at(int(i), d) for i in store._parcels.loc[p.index, "_i"]]
            done = float(p["area_to_recover_m2"][[r == 6 for r in ranks_d]].sum())
            curve.append({"project_id": pid, "date": d,
                          "planned_percent": min(100.0, 70.0 * (d - date(2024, 1, 1)).days / 181),
                          "actual_percent": 100.0 * done / float(p["area_to_recover_m2"].sum())})
            d += timedelta(days=15)
    parcels = parcels.drop(columns="_i")
    communes = (parcels.groupby(["project_id", "commune"], as_index=False)["area_to_recover_m2"].sum())
    return Snapshot(as_of=as_of, parcels=parcels, projects=projects, communes=communes,
                    segments=pd.DataFrame(), milestones=milestones, s_curve=pd.DataFrame(curve),
                    blockers=blockers, blocking_summary=blockers.attrs["summary"], clocks=_clocks(parcels, as_of),
                    data_version=store.data_version())


def _reached_70_on(project_id: str) -> date:
    """The day the 9th of 12 RD parcels (i = 8) or the 5th of 6 AR parcels (i = 4) is handed over:
    notice + 5 × 20 days (70 % of the count, every parcel of a project having the same area)."""
    i = 8 if project_id == "RD" else 4
    return NOTICE_START + timedelta(days=10 * i + STEP_DAYS * 5)


def _blockers(parcels: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    """Blocking sets by the ranking rule: most advanced stage first, then the earlier notice (smaller ``i``);
    the shortest prefix covering the shortfall (every parcel of a project has the same area)."""
    frames, summary = [], []
    for ms in milestones[milestones["actual_percent"] < milestones["target_percent"]].to_dict("records"):
        todo = parcels[(parcels["project_id"] == ms["project_id"]) & (parcels["stage"] != "handed_over")]
        todo = todo.sort_values(["stage_rank", "_i"], ascending=[False, True])
        cum = todo["area_to_recover_m2"].cumsum()
        chosen = todo[(cum - todo["area_to_recover_m2"]) < ms["shortfall_m2"] - 1e-6]
        frames.append(pd.DataFrame({
            "milestone_id": ms["milestone_id"], "project_id": ms["project_id"], "rank": range(1, len(chosen) + 1),
            "unit": "parcel", "unit_id": chosen["parcel_id"], "parcel_id": chosen["parcel_id"],
            "parcel_ids": [[p] for p in chosen["parcel_id"]], "commune": chosen["commune"],
            "commune_former": chosen["commune_former"], "chainage_m": chosen["chainage_m"],
            "area_to_recover_m2": chosen["area_to_recover_m2"], "stage": chosen["stage"], "expected_days": 20.0,
            "next_action": "hand_over_site", "responsible": "ttptqd", "next_deadline": None, "days_overdue": 0,
            "obstacles": [["complaint_open"] if c else [] for c in chosen["complaint_open"]],
            "cumulative_area_m2": chosen["area_to_recover_m2"].cumsum(), "cumulative_units": range(1, len(chosen) + 1)}))
        summary.append({"milestone_id": ms["milestone_id"], "project_id": ms["project_id"], "status": ms["status"],
                        "unit": "m2", "shortfall": ms["shortfall_m2"], "shortfall_m2": ms["shortfall_m2"],
                        "blocking_units": len(chosen), "blocking_area_m2": float(chosen["area_to_recover_m2"].sum()),
                        "covers_shortfall": True})
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(BLOCKER_COLUMNS))
    out.attrs["summary"] = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS))
    return out


def _clocks(parcels: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One legal clock: the open complaint of parcel i = 3 (RD and AR), 30 days from its notice, overdue since."""
    late = parcels[parcels["complaint_open"] & (parcels["stage"] != "handed_over")]
    due = NOTICE_START + timedelta(days=10 * 3 + 30)
    return pd.DataFrame({"parcel_id": late["parcel_id"], "kind": "deadline", "action": "resolve_complaint",
                         "responsible": "ubnd_xa", "due_on": due, "days_overdue": max(0, (as_of - due).days)})
