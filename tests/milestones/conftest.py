"""Small hand-made parcels and ledgers for the milestones tests (figures computed by hand)."""
from __future__ import annotations

import itertools
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from domain.config_history import CHANGE_COLUMNS
from domain.crs import STORE_EPSG


@pytest.fixture
def parcels() -> pd.DataFrame:
    """One road project QL (total area to recover 5 000 m²) over two 2025 communes.

    ``Phường Bình`` was formed from the former communes ``Xã Bình Cũ`` and ``Xã Hòa``.
    """
    return pd.DataFrame({
        "parcel_id": ["QL/AN/1/1", "QL/AN/1/2", "QL/BC/2/1", "QL/HO/3/1"],
        "project_id": "QL",
        "commune": ["Xã An", "Xã An", "Phường Bình", "Phường Bình"],
        "commune_former": ["Xã An", "Xã An", "Xã Bình Cũ", "Xã Hòa"],
        "map_sheet": [1, 1, 2, 3],
        "parcel_number": [1, 2, 1, 1],
        "land_use": ["LUC", "ONT", "BHK", "ODT"],
        "household_id": ["H1", "H1", "H2", None],
        "area_to_recover_m2": [1000.0, 500.0, 2000.0, 1500.0],
        "chainage_m": [100.0, 400.0, 700.0, 1200.0],
    })


class Ledger:
    """Builds an events DataFrame with increasing event_id (the store's ledger order)."""

    def __init__(self):
        self.rows = []
        self._ids = itertools.count(1)

    def parcel(self, parcel_id, event, day, *, correction=False, amount=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="parcel", project_id=project,
                              parcel_id=parcel_id, event=event, event_date=day, is_correction=correction,
                              amount_vnd=amount))
        return self

    def chainage(self, from_m, to_m, event, day, *, amount=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="chainage_range", project_id=project,
                              chainage_from_m=from_m, chainage_to_m=to_m, event=event, event_date=day,
                              amount_vnd=amount))
        return self

    def aggregate(self, area_m2, day, *, commune=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="aggregate", project_id=project,
                              commune=commune, event="handed_over", event_date=day, area_m2=area_m2))
        return self

    def frame(self) -> pd.DataFrame:
        cols = ["event_id", "upload_id", "kind", "project_id", "parcel_id", "commune", "chainage_from_m",
                "chainage_to_m", "event", "event_date", "area_m2", "households", "amount_vnd",
                "is_correction", "note"]
        df = pd.DataFrame(self.rows)
        for c in cols:
            if c not in df.columns:
                df[c] = None
        df["is_correction"] = df["is_correction"].fillna(False).astype(bool)
        return df[cols]


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def ten_parcels() -> pd.DataFrame:
    """Project R: ten parcels of 100 m² (1 000 m²), five in Xã Đông, five in Xã Tây, one household each."""
    return pd.DataFrame({
        "parcel_id": [f"R/{i}" for i in range(10)],
        "project_id": "R",
        "commune": ["Xã Đông"] * 5 + ["Xã Tây"] * 5,
        "commune_former": ["Xã Đông"] * 5 + ["Xã Tây"] * 5,
        "land_use": "LUC",
        "household_id": [f"H{i}" for i in range(10)],
        "area_to_recover_m2": 100.0,
        "chainage_m": [float("nan")] * 10,
    })


@pytest.fixture
def r_parcels() -> pd.DataFrame:
    return ten_parcels()


@pytest.fixture
def new_ledger():
    """Factory of fresh ledgers (when a test needs more than one)."""
    return Ledger


# ------------------------------------------------------------------------------------------------
# A tiny data/sources/ folder for tests through the real store (GeoPackage file in tmp_path).
# ------------------------------------------------------------------------------------------------
X0, Y0 = 449_000.0, 2_417_000.0   # EPSG:9215, near Lạng Sơn city

#: Hand-checked figures of the store fixture at 30/06/2024:
#: ROAD: 4 parcels 1 000 + 1 000 + 2 000 + 1 000 = 5 000 m²; handed over R1 (own event) and R1–R2 by a
#: chainage range Km0+000–Km0+250 → 2 000 m² = 40 %; milestone 100 % by 31/03/2024 missed.
#: AREA: 2 parcels of 1 000 m²; an aggregate report 1 500 m² on 01/06/2024 → 75 %.
STORE_AS_OF = "2024-06-30"


def write_store_sources(folder):
    import geopandas as gpd
    from shapely.geometry import LineString, MultiPolygon, box

    folder.mkdir(parents=True, exist_ok=True)
    projects = gpd.GeoDataFrame({
        "project_id": ["ROAD", "AREA"], "name": ["Đường thử nghiệm", "Khu thử nghiệm"],
        "short_name": ["Đường", "Khu"], "kind": ["road", "area"], "province": "Lạng Sơn",
        "start_date": pd.to_datetime(["2024-01-01", "2024-01-01"]).date,
        "section_from_m": [0.0, float("nan")], "section_to_m": [1000.0, float("nan")],
        "geometry_status": "approximate", "geometry_note": "thử nghiệm"},
        geometry=[MultiPolygon([box(X0, Y0 - 50, X0 + 1000, Y0 + 50)]),
                  MultiPolygon([box(X0 + 2000, Y0, X0 + 2100, Y0 + 20)])], crs=9215)
    centrelines = gpd.GeoDataFrame({"project_id": ["ROAD"], "chainage_start_m": [0.0],
                                    "geometry_status": ["approximate"], "geometry_note": ["thẳng"]},
                                   geometry=[LineString([(X0, Y0), (X0 + 1000, Y0)])], crs=9215)
    rows, geoms = [], []
    spec = [("ROAD", "R1", 1000.0, 100.0, "LUC"), ("ROAD", "R2", 1000.0, 200.0, "ONT"),
            ("ROAD", "R3", 2000.0, 600.0, "BHK"), ("ROAD", "R4", 1000.0, 900.0, "CLN"),
            ("AREA", "A1", 1000.0, float("nan"), "LUC"), ("AREA", "A2", 1000.0, float("nan"), "LUC")]
    for i, (project, name, area, chainage, land_use) in enumerate(spec):
        pid = f"{project}/Xã Thử/1/{i + 1}"
        rows.append(dict(parcel_id=pid, project_id=project, commune_code="05980", commune="Phường Kỳ Lừa",
                         commune_former="Xã Thử", map_sheet=1, parcel_number=i + 1, land_use=land_use,
                         owner_name=f"Hộ {name}", household_id=f"H{name}", parcel_area_m2=area,
                         area_to_recover_m2=area, chainage_m=chainage, illustrative=True))
        geoms.append(box(X0 + 100 * i, Y0, X0 + 100 * i + area / 50, Y0 + 50))
    parcels = gpd.GeoDataFrame(rows, geometry=geoms, crs=9215)
    communes = gpd.GeoDataFrame({"name": ["Kỳ Lừa"], "full_name": ["Phường Kỳ Lừa"], "code": ["05980"],
                                 "former_units": ["Xã Thử"]},
                                geometry=[MultiPolygon([box(106.74, 21.83, 106.80, 21.88)])], crs=4326)
    roads = gpd.GeoDataFrame({"name": ["QL4B"], "kind": ["road"]},
                             geometry=[LineString([(106.75, 21.84), (106.80, 21.82)])], crs=4326)
    projects.to_file(folder / "projects.gpkg", layer="projects", driver="GPKG")
    centrelines.to_file(folder / "projects.gpkg", layer="centrelines", driver="GPKG")
    parcels.to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    communes.to_file(folder / "communes.geojson", driver="GeoJSON")
    roads.to_file(folder / "roads.geojson", driver="GeoJSON")
    r1 = "ROAD/Xã Thử/1/1"
    events = pd.DataFrame([
        dict(kind="parcel", project_id="ROAD", parcel_id=r1, event="notice", event_date="2024-01-10"),
        dict(kind="parcel", project_id="ROAD", parcel_id=r1, event="handed_over", event_date="2024-02-01"),
        dict(kind="chainage_range", project_id="ROAD", chainage_from_m=0.0, chainage_to_m=250.0,
             event="handed_over", event_date="2024-05-01"),
        dict(kind="parcel", project_id="ROAD", parcel_id="ROAD/Xã Thử/1/3", event="complaint", event_date="2024-03-01"),
        dict(kind="aggregate", project_id="AREA", event="handed_over", event_date="2024-06-01", area_m2=1500.0),
        dict(kind="parcel", project_id="AREA", parcel_id="AREA/Xã Thử/1/5", event="handed_over", event_date="2024-07-15"),
    ])
    events.to_csv(folder / "events.csv", index=False, encoding="utf-8-sig")
    (folder / "milestones.csv").write_text(
        "milestone_id,project_id,due_date,metric,target_percent,scope,label\n"
        "ROAD_100,ROAD,31/03/2024,percent_area_handed_over,100,project,Đường: 100% trước 31/3/2024\n"
        "AREA_100,AREA,31/12/2024,percent_area_handed_over,100,project,Khu: 100% trước 31/12/2024\n",
        encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("forecast_window_days: 60\nstage_limits_days:\n  approved: 30\n", encoding="utf-8")
    return folder


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    """A GeoPackage store in tmp_path filled from the fixture sources; DATABASE_URL points at it."""
    sources = write_store_sources(tmp_path / "sources")
    url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    monkeypatch.setenv("DATABASE_URL", url)
    from tests.support.stores import demo_store_url

    return demo_store_url(url, sources)


class FrameStore:
    """In-memory test double of :class:`store.protocol.StoreReader` over DataFrames (no database).

    Checked against the Protocol by ``tests/store/test_protocol.py``; the layers it was not given are
    empty GeoDataFrames in EPSG:9215.
    """

    def __init__(self, *, projects: pd.DataFrame, parcels: pd.DataFrame, events: pd.DataFrame,
                 milestones: pd.DataFrame | None = None, rules: dict | None = None,
                 data_version: dict | None = None) -> None:
        self._layers = {"projects": projects, "parcels": parcels}
        self._events = events
        self._milestones = milestones if milestones is not None else pd.DataFrame()
        self._rules = dict(rules or {})
        self._version = dict(data_version or {"last_upload_id": 1, "last_change_at": None, "layers": {}})

    def _layer(self, name: str) -> gpd.GeoDataFrame:
        frame = self._layers.get(name)
        if frame is None:
            return gpd.GeoDataFrame(geometry=[], crs=STORE_EPSG)
        return frame.copy()

    def projects(self) -> gpd.GeoDataFrame:
        return self._layer("projects")

    def centrelines(self) -> gpd.GeoDataFrame:
        return self._layer("centrelines")

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        parcels = self._layer("parcels")
        return parcels if project_id is None else parcels[parcels["project_id"] == project_id]

    def communes(self) -> gpd.GeoDataFrame:
        return self._layer("communes")

    def roads(self) -> gpd.GeoDataFrame:
        return self._layer("roads")

    def data_version(self) -> dict:
        return dict(self._version)

    def milestones(self, as_of: date | None = None) -> pd.DataFrame:
        return self._milestones.copy()

    def rules(self, as_of: date | None = None) -> dict:
        return dict(self._rules)

    def config_history(self, kind: str | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))  # no recorded history: milestones() is in force

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        return self._events.copy()

    def uploads(self) -> pd.DataFrame:
        return pd.DataFrame({"upload_id": sorted(set(self._events.get("upload_id", [])))})
