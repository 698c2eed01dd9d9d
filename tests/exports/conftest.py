"""A small synthetic store + snapshot (EPSG:9215, around Kỳ Lừa) for the export tests.

The figures are made up but consistent: each project's area_to_recover_m2 is the sum of its parcels'
area_to_recover_m2, so the tests can recompute expectations independently of the exports code.
"""
from __future__ import annotations

from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiPolygon, box

from domain.stages import STAGES
from milestones.snapshot import Snapshot

CRS = "EPSG:9215"
E0, N0 = 449_000.0, 2_418_000.0  # near Lạng Sơn city in VN-2000 / TM-3 107°15′


class FakeStore:
    """The read side of the store interface (DATA_MODEL.md), over in-memory frames."""

    def __init__(self, projects, centrelines, communes, roads, parcels, data_version):
        self._projects, self._centrelines = projects, centrelines
        self._communes, self._roads, self._parcels = communes, roads, parcels
        self._dv = data_version

    def projects(self):
        return self._projects.copy()

    def centrelines(self):
        return self._centrelines.copy()

    def communes(self):
        return self._communes.copy()

    def roads(self):
        return self._roads.copy()

    def parcels(self, project_id=None):
        p = self._parcels
        return (p if project_id is None else p[p.project_id == project_id]).copy()

    def data_version(self):
        return dict(self._dv)


def _synthetic():
    communes = gpd.GeoDataFrame(
        {
            "name": ["Kỳ Lừa", "Gia Cát"],
            "full_name": ["Phường Kỳ Lừa", "Xã Gia Cát"],
            "code": ["06004", "06040"],
            "former_units": ["Xã Hợp Thành, Thị trấn Cao Lộc", "Xã Gia Cát"],
        },
        geometry=[box(E0 - 3000, N0 - 4000, E0 + 3500, N0 + 3000), box(E0 + 3500, N0 - 4000, E0 + 9000, N0 + 3000)],
        crs=CRS,
    )
    centre = LineString([(E0 - 1000, N0 + 500), (E0 + 3000, N0 - 500), (E0 + 7000, N0 - 1500)])
    centrelines = gpd.GeoDataFrame(
        {"project_id": ["QL4B"], "chainage_start_m": [3000.0], "geometry_status": ["approximate"],
         "geometry_note": ["Tim tuyến nối từ các đoạn QL4B (gần đúng)"]},
        geometry=[centre], crs=CRS)
    road_boundary = centre.buffer(40, cap_style="flat")
    ccn = box(E0 - 2500, N0 + 1000, E0 - 1000, N0 + 2200)
    sites = MultiPolygon([box(E0 + 500, N0 - 3000, E0 + 540, N0 - 2970), box(E0 + 6000, N0 + 1500, E0 + 1 + 6040, N0 + 1530)])
    projects = gpd.GeoDataFrame(
        {
            "project_id": ["QL4B", "CCN_HT1", "CA_XA"],
            "name": ["Cải tạo, nâng cấp Quốc lộ 4B (Km3+700 – Km18)", "Cụm công nghiệp Hợp Thành 1",
                     "Trụ sở công an xã"],
            "short_name": ["QL4B", "CCN Hợp Thành 1", "Công an xã"],
            "kind": ["road", "area", "sites"],
            "province": ["Lạng Sơn"] * 3,
            "start_date": [date(2021, 1, 1), date(2023, 1, 1), date(2024, 1, 1)],
            "section_from_m": [3700.0, np.nan, np.nan],
            "section_to_m": [13000.0, np.nan, np.nan],
            "geometry_status": ["approximate", "approximate", "surveyed"],
            "geometry_note": ["buffer 40 m", "ranh giới gần đúng", "đo đạc"],
        },
        geometry=[MultiPolygon([road_boundary]), MultiPolygon([ccn]), sites],
        crs=CRS,
    )
    roads = gpd.GeoDataFrame({"ref": ["QL1A"], "name": ["Quốc lộ 1A"], "kind": ["road"]},
                             geometry=[LineString([(E0 - 3000, N0 - 3500), (E0 + 9000, N0 + 2500)])], crs=CRS)

    rows = []
    # Road parcels: strips across the corridor, 300 m long, alternating sides.
    for i in range(16):
        s0, s1 = i * 500.0, i * 500.0 + 480.0
        from shapely.ops import substring
        seg = substring(centre, s0, s1)
        for _side, off in (("L", 1), ("R", -1)):
            strip = seg.buffer(60 * off, single_sided=True)
            commune = "Phường Kỳ Lừa" if strip.centroid.x < E0 + 3500 else "Xã Gia Cát"
            rows.append(dict(project_id="QL4B", geometry=strip, commune=commune,
                             chainage_m=3000.0 + (s0 + s1) / 2, land_use="LUC" if i % 3 else "ONT"))
    rows.extend(dict(project_id="CCN_HT1", geometry=box(E0 - 2500 + i * 500, N0 + 1000 + j * 600,
                                                        E0 - 2000 + i * 500, N0 + 1600 + j * 600),
                     commune="Phường Kỳ Lừa", chainage_m=np.nan, land_use="RSX") for i in range(3) for j in range(2))
    for k, g in enumerate(sites.geoms):
        rows.append(dict(project_id="CA_XA", geometry=g, commune="Phường Kỳ Lừa" if k == 0 else "Xã Gia Cát",
                         chainage_m=np.nan, land_use="ONT"))
    parcels = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    n = len(parcels)
    parcels["commune_code"] = parcels["commune"].map({"Phường Kỳ Lừa": "06004", "Xã Gia Cát": "06040"})
    parcels["commune_former"] = parcels["commune"].map({"Phường Kỳ Lừa": "Xã Hợp Thành", "Xã Gia Cát": "Xã Gia Cát"})
    parcels["map_sheet"] = (np.arange(n) // 10 + 1).astype(int)
    parcels["parcel_number"] = (np.arange(n) + 1).astype(int)
    parcels["parcel_id"] = [f"{p}/{f}/{s}/{q}" for p, f, s, q in zip(parcels.project_id, parcels.commune_former,
                                                                      parcels.map_sheet, parcels.parcel_number)]
    parcels["owner_name"] = [f"Nguyễn Văn Thử {i}" for i in range(n)]
    parcels.loc[0, "owner_name"] = "=HYPERLINK(\"http://evil.example\",\"x\")"
    parcels["household_id"] = [f"HH{i // 2:04d}" for i in range(n)]
    parcels["parcel_area_m2"] = parcels.geometry.area.round(1) + 50.0
    parcels["area_to_recover_m2"] = parcels.geometry.area.round(1)
    parcels["illustrative"] = True
    stages = [STAGES[(i * 3) % len(STAGES)] for i in range(n)]
    stages[-6:] = ["handed_over"] * 6
    parcels["stage"] = stages
    parcels["stage_date"] = [pd.NaT if s == "not_started" else pd.Timestamp(2024, 1 + i % 6, 1 + i % 27)
                             for i, s in enumerate(stages)]
    parcels["complaint_open"] = [i % 5 == 1 for i in range(n)]
    parcels["enforced"] = [i == 5 for i in range(n)]
    parcels["compulsory_inventory"] = [i == 9 for i in range(n)]
    ranks = parcels["stage"].map({s: k for k, s in enumerate(STAGES)})
    parcels["stage_rank"] = ranks
    parcels["area_handed_over_m2"] = parcels["area_to_recover_m2"].where(parcels["stage"] == "handed_over", 0.0)
    parcels["amount_approved_vnd"] = np.where(ranks >= 4, parcels["area_to_recover_m2"] * 150_000.0, 0.0)
    parcels["amount_paid_vnd"] = np.where(ranks >= 5, parcels["area_to_recover_m2"] * 150_000.0, 0.0)
    flags = []
    for i, row in parcels.iterrows():
        f = []
        if row.complaint_open:
            f.append("complaint_open")
        if row.enforced:
            f.append("enforced")
        if i % 11 == 3 and row.stage not in ("handed_over", "not_started"):
            f.append(f"stuck_{row.stage}")
        if row.project_id == "QL4B" and row.stage != "handed_over" and i % 2 == 0:
            f.append("milestone_at_risk")
        flags.append(f)
    parcels["risk_flags"] = flags
    parcels["at_risk"] = parcels["risk_flags"].map(bool)
    parcels["formula_note"] = ["+1-1", "-2", "@SUM(A1)"] + [""] * (n - 3)

    def agg(keys):
        g = parcels.groupby(keys, sort=True)
        out = g.agg(area_to_recover_m2=("area_to_recover_m2", "sum"),
                    amount_approved_vnd=("amount_approved_vnd", "sum"),
                    amount_paid_vnd=("amount_paid_vnd", "sum")).reset_index()
        ho = parcels.assign(h=np.where(parcels.stage == "handed_over", parcels.area_to_recover_m2, 0.0))
        out["area_handed_over_m2"] = ho.groupby(keys, sort=True)["h"].sum().values
        out["percent_handed_over"] = 100.0 * out.area_handed_over_m2 / out.area_to_recover_m2
        for s in STAGES:
            c = parcels.assign(x=(parcels.stage == s)).groupby(keys, sort=True)["x"].sum().values
            out[f"parcels_{s}"] = c
            out[f"households_{s}"] = c  # one household per parcel in this fixture
        out["households_total"] = out[[f"households_{s}" for s in STAGES]].sum(axis=1)
        return out

    proj = agg(["project_id"]).merge(projects[["project_id", "name", "kind", "section_from_m", "section_to_m"]],
                                     on="project_id")
    comm = agg(["project_id", "commune"])
    milestones = pd.DataFrame({
        "milestone_id": ["M1", "M2", "M3", "M4"],
        "project_id": ["QL4B", "QL4B", "CCN_HT1", "CA_XA"],
        "label": ["QL4B: 100% diện tích trước 31/03/2024", "QL4B Gia Cát: 100% trước 30/06/2024",
                  "CCN HT1: 50% trước 31/12/2024", "Công an xã: 100% trong năm 2024"],
        "due_date": [date(2024, 3, 31), date(2024, 6, 30), date(2024, 12, 31), date(2024, 12, 31)],
        "metric": ["percent_area_handed_over"] * 4,
        "target_percent": [100.0, 100.0, 50.0, 100.0],
        "scope": ["project", "Xã Gia Cát", "project", "project"],
        "actual_percent": [40.0, 35.0, 30.0, 60.0],
        "status": ["missed", "behind", "on_track", "at_risk"],
        "forecast_date": [date(2025, 2, 1), None, date(2024, 11, 15), date(2025, 1, 20)],
        "required_rate_pct_per_day": [np.nan, 2.5, 0.1, 0.3],
        "recent_rate_pct_per_day": [0.2, 0.0, 0.15, 0.2],
    })
    dv = {"last_upload_id": 7, "last_change_at": datetime(2024, 6, 29, 8, 15)}
    snap = Snapshot(as_of=date(2024, 6, 30), parcels=parcels, projects=proj, communes=comm,
                        segments=pd.DataFrame(), milestones=milestones, s_curve=pd.DataFrame(), data_version=dv)
    store = FakeStore(projects, centrelines, communes, roads,
                      parcels[[c for c in parcels.columns if c not in ("stage",)]], dv)
    return snap, store


@pytest.fixture(scope="session")
def synthetic():
    """(snapshot, store) of the synthetic case: a real :class:`milestones.snapshot.Snapshot` holding the
    made-up figures, and a :class:`FakeStore`."""
    return _synthetic()


@pytest.fixture(scope="session")
def snap(synthetic):
    return synthetic[0]


@pytest.fixture(scope="session")
def fake_store(synthetic):
    return synthetic[1]


# ---------------------------------------------------------------- the real store on the bundled data
REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_sources(tmp_path_factory):
    """A frozen copy of data/sources: the store reconciles changed sources on open, so the tests and
    their CLI subprocesses must all read the same files (``GPMB_SOURCES_DIR``)."""
    import shutil

    src = REPO / "data" / "sources"
    if not (src / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    dst = tmp_path_factory.mktemp("exports_sources") / "sources"
    shutil.copytree(src, dst)
    return dst


@pytest.fixture(scope="session")
def real_db_url(tmp_path_factory, real_sources):
    """A SQLite/GeoPackage demo store made from :func:`real_sources` (``init --demo``); its URL."""
    from tests.support.stores import demo_store_url

    return demo_store_url(f"sqlite:///{tmp_path_factory.mktemp('exports_store') / 'gpmb.gpkg'}", real_sources)


@pytest.fixture(scope="session")
def real(real_db_url, real_sources):
    """(snapshot at 30/06/2024, store) on the bundled data, through the same calls as the CLI."""
    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    store = demo_store(real_db_url, sources_dir=real_sources)
    return compute_snapshot(store, date(2024, 6, 30)), store


@pytest.fixture
def browser_page():
    """A headless Chromium page that refuses every request that is not a file:// URL (or data:/about:).

    Yields (page, blocked) where ``blocked`` lists the refused URLs; skipped without Chromium
    (see :mod:`tests.support.browser`).
    """
    from tests.support.browser import offline_page

    with offline_page(allow_localhost=False, viewport={"width": 1400, "height": 900}) as (page, blocked):
        yield page, blocked
