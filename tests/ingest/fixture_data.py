"""Data for the ingest tests: a small, hand-written parcels/projects set (independent of the demo data).

Communes follow the real 2025 merger of Cao Lộc: former xã Hợp Thành and TT Cao Lộc are both in
phường Kỳ Lừa (the sheet numbering is per former commune, so tờ 12 thửa 5 exists in both); former
xã Gia Cát stays xã Gia Cát (illustrative values chosen by hand for the tests).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TODAY = date(2024, 7, 1)


def make_projects() -> pd.DataFrame:
    return pd.DataFrame([
        {"project_id": "QL4B", "name": "Cải tạo, nâng cấp quốc lộ 4B đoạn Km3+700 – Km18",
         "short_name": "QL4B", "kind": "road", "province": "Lạng Sơn", "start_date": date(2021, 3, 1),
         "section_from_m": 3700.0, "section_to_m": 18000.0},
        {"project_id": "CT_HNCL", "name": "Cao tốc Hữu Nghị – Chi Lăng", "short_name": "Cao tốc HN–CL",
         "kind": "road", "province": "Lạng Sơn", "start_date": date(2023, 6, 1),
         "section_from_m": 0.0, "section_to_m": 43430.0},
        {"project_id": "CCN_HT1", "name": "Cụm công nghiệp Hợp Thành 1", "short_name": "CCN Hợp Thành 1",
         "kind": "area", "province": "Lạng Sơn", "start_date": date(2022, 1, 1),
         "section_from_m": np.nan, "section_to_m": np.nan},
    ])


def make_parcels() -> pd.DataFrame:
    rows = []
    # (project, former commune, 2025 unit, sheet, parcel, area to recover m²)
    spec = [
        ("QL4B", "Xã Hợp Thành", "Phường Kỳ Lừa", 12, 5, 350.0),
        ("QL4B", "Xã Hợp Thành", "Phường Kỳ Lừa", 12, 6, 820.5),
        ("QL4B", "Xã Hợp Thành", "Phường Kỳ Lừa", 12, 7, 1200.0),
        ("QL4B", "Thị trấn Cao Lộc", "Phường Kỳ Lừa", 12, 5, 95.0),
        ("QL4B", "Xã Gia Cát", "Xã Gia Cát", 3, 15, 640.0),
        ("QL4B", "Xã Gia Cát", "Xã Gia Cát", 3, 16, 410.0),
        ("QL4B", "Xã Gia Cát", "Xã Gia Cát", 4, 101, 2300.0),
        ("CT_HNCL", "Xã Thụy Hùng", "Xã Đồng Đăng", 8, 44, 5100.0),
        ("CT_HNCL", "Xã Thụy Hùng", "Xã Đồng Đăng", 8, 45, 3900.0),
        ("CCN_HT1", "Xã Hợp Thành", "Phường Kỳ Lừa", 20, 1, 15000.0),
        ("CCN_HT1", "Xã Hợp Thành", "Phường Kỳ Lừa", 20, 2, 9000.0),
    ]
    codes = {"Xã Hợp Thành": "06112", "Thị trấn Cao Lộc": "06106", "Xã Gia Cát": "06136", "Xã Thụy Hùng": "06115"}
    for i, (pid, former, current, sheet, num, area) in enumerate(spec):
        rows.append({
            "parcel_id": f"{pid}/{codes[former]}/{sheet}/{num}", "project_id": pid, "commune_code": "00000",
            "commune": current, "commune_former": former, "map_sheet": sheet, "parcel_number": num,
            "land_use": "LUC", "owner_name": f"Hộ {i}", "household_id": f"H{i:03d}",
            "parcel_area_m2": area * 1.2, "area_to_recover_m2": area, "chainage_m": 4000.0 + 100 * i,
            "illustrative": True,
        })
    return pd.DataFrame(rows)


EVENT_LEDGER_COLUMNS = ["event_id", "upload_id", "kind", "project_id", "parcel_id", "commune", "chainage_from_m",
                        "chainage_to_m", "event", "event_date", "area_m2", "households", "amount_vnd",
                        "is_correction", "note"]


def make_ledger() -> pd.DataFrame:
    """Existing events: QL4B/06136/3/15 already paid on 10/05/2024; an aggregate of 12 ha for CCN_HT1."""
    return pd.DataFrame([
        {"event_id": 1, "upload_id": 1, "kind": "parcel", "project_id": "QL4B", "parcel_id": "QL4B/06136/3/15",
         "commune": None, "chainage_from_m": np.nan, "chainage_to_m": np.nan, "event": "paid",
         "event_date": date(2024, 5, 10), "area_m2": np.nan, "households": pd.NA, "amount_vnd": 250_000_000.0,
         "is_correction": False, "note": ""},
        {"event_id": 2, "upload_id": 1, "kind": "aggregate", "project_id": "CCN_HT1", "parcel_id": None,
         "commune": None, "chainage_from_m": np.nan, "chainage_to_m": np.nan, "event": "handed_over",
         "event_date": date(2024, 3, 31), "area_m2": 120_000.0, "households": pd.NA, "amount_vnd": np.nan,
         "is_correction": False, "note": ""},
    ], columns=EVENT_LEDGER_COLUMNS)




# ------------------------------------------------------------------ a sources folder for a real store
X0, Y0 = 452_000.0, 2_414_000.0  # EPSG:9215, near Kỳ Lừa (Lạng Sơn)


def write_sources(folder: Path) -> Path:
    """Write a ``data/sources``-shaped folder from the tables above (for ``demo_store(sources_dir=…)``).

    Parcels are squares of ``parcel_area_m2`` laid along a line; projects are boxes around them;
    the seed events are :func:`make_ledger`'s rows.
    """
    import geopandas as gpd
    from shapely.geometry import LineString, MultiPolygon, box

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    parcels = make_parcels()
    geoms = []
    for i, area in enumerate(parcels["parcel_area_m2"]):
        side = float(np.sqrt(area))
        x = X0 + 120.0 * i
        geoms.append(box(x, Y0, x + side, Y0 + side))
    gpd.GeoDataFrame(parcels, geometry=geoms, crs=9215).to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    projects = make_projects()
    projects["geometry_status"] = "approximate"
    projects["geometry_note"] = "hình chữ nhật dựng tay cho kiểm thử"
    boxes = [MultiPolygon([box(X0 - 50, Y0 - 50, X0 + 120 * 12, Y0 + 200)]) for _ in range(len(projects))]
    gpd.GeoDataFrame(projects, geometry=boxes, crs=9215).to_file(folder / "projects.gpkg", layer="projects", driver="GPKG")
    gpd.GeoDataFrame({"project_id": ["QL4B", "CT_HNCL"], "chainage_start_m": [3700.0, 0.0],
                      "geometry_status": ["approximate"] * 2, "geometry_note": ["thẳng"] * 2},
                     geometry=[LineString([(X0, Y0), (X0 + 14300, Y0)]), LineString([(X0, Y0 + 500), (X0 + 43430, Y0 + 500)])],
                     crs=9215).to_file(folder / "projects.gpkg", layer="centrelines", driver="GPKG")
    gpd.GeoDataFrame({"name": ["Kỳ Lừa", "Gia Cát", "Đồng Đăng"], "full_name": ["Phường Kỳ Lừa", "Xã Gia Cát", "Xã Đồng Đăng"],
                      "code": ["05980", "06136", "06001"],
                      "former_units": ["Xã Hợp Thành, Thị trấn Cao Lộc", "Xã Gia Cát", "Xã Thụy Hùng"]},
                     geometry=[MultiPolygon([box(106.74 + 0.05 * i, 21.83, 106.78 + 0.05 * i, 21.87)]) for i in range(3)],
                     crs=4326).to_file(folder / "communes.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"name": ["QL4B"], "kind": ["road"]}, geometry=[LineString([(106.75, 21.84), (106.80, 21.82)])],
                     crs=4326).to_file(folder / "roads.geojson", driver="GeoJSON")
    ledger = make_ledger().drop(columns=["event_id", "upload_id"])
    ledger["event_date"] = [d.isoformat() for d in ledger["event_date"]]
    ledger.to_csv(folder / "events.csv", index=False, encoding="utf-8-sig")
    (folder / "milestones.csv").write_text(
        "milestone_id,project_id,due_date,metric,target_percent,scope,label\n"
        "QL4B_100,QL4B,31/03/2024,percent_area_handed_over,100,project,QL4B: bàn giao 100% trước 31/3/2024\n",
        encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("stage_limits_days:\n  notice: 90\nforecast_window_days: 60\n", encoding="utf-8")
    return folder
