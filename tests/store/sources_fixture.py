"""A tiny, hand-made data/sources/ folder for the store tests (independent of the bundled data).

Numbers here are chosen by hand so tests can check them: two projects, one centreline, six parcels
(each a 20 m × 25 m = 500 m² square near Lạng Sơn city in EPSG:9215), two communes and two roads in
EPSG:4326, ten seed events, two milestones and a rules file.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiLineString, MultiPolygon, box

X0, Y0 = 449_000.0, 2_417_000.0  # EPSG:9215, near Lạng Sơn city

PARCEL_IDS = [f"QL4B/Xã Gia Cát/12/{n}" for n in (101, 102, 103)] + [
    f"CCN_HT1/Xã Hợp Thành/7/{n}" for n in (1, 2, 3)]

SEED_EVENT_COUNT = 10


def make_projects() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "project_id": ["QL4B", "CCN_HT1"],
            "name": ["Cải tạo, nâng cấp quốc lộ 4B đoạn Km3+700 – Km18", "Cụm công nghiệp Hợp Thành 1"],
            "short_name": ["QL4B", "CCN Hợp Thành 1"],
            "kind": ["road", "area"],
            "province": ["Lạng Sơn", "Lạng Sơn"],
            "unit": ["183", "183"],
            "start_date": [date(2021, 3, 1), date(2023, 6, 15)],
            "section_from_m": [3700.0, float("nan")],
            "section_to_m": [18000.0, float("nan")],
            "geometry_status": ["approximate", "approximate"],
            "geometry_note": ["vùng đệm 30 m quanh tim tuyến", "đa giác vẽ tay"],
        },
        geometry=[MultiPolygon([box(X0, Y0 - 30, X0 + 1000, Y0 + 30)]),
                  MultiPolygon([box(X0 + 2000, Y0, X0 + 2100, Y0 + 100)])],
        crs=9215,
    )


def make_centrelines() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"project_id": ["QL4B"], "chainage_start_m": [3500.0], "geometry_status": ["approximate"],
         "geometry_note": ["thẳng, dài 1 000 m"]},
        geometry=[LineString([(X0, Y0), (X0 + 1000, Y0)])], crs=9215,
    )


def make_parcels() -> gpd.GeoDataFrame:
    geoms, rows = [], []
    for i, pid in enumerate(PARCEL_IDS):
        project, former, sheet, number = pid.split("/")
        x = X0 + (100 * i if project == "QL4B" else 2000 + 25 * (i - 3))
        geoms.append(box(x, Y0, x + 20, Y0 + 25))
        rows.append(dict(parcel_id=pid, project_id=project, commune_code="05980", commune="Phường Kỳ Lừa",
                         commune_former=former, map_sheet=int(sheet), parcel_number=int(number),
                         land_use=["LUC", "ONT", "CLN"][i % 3], owner_name=f"Nguyễn Văn {chr(65 + i)}",
                         household_id=f"HO{i:03d}", parcel_area_m2=500.0, area_to_recover_m2=500.0 - 10 * i,
                         chainage_m=3500.0 + 100 * i + 10 if project == "QL4B" else float("nan"),
                         illustrative=True))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=9215)


def make_communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Kỳ Lừa", "Đồng Đăng"], "full_name": ["Phường Kỳ Lừa", "Xã Đồng Đăng"],
         "code": ["05980", "06001"], "former_units": ["Xã Hợp Thành, Xã Gia Cát", "Thị trấn Đồng Đăng"]},
        geometry=[MultiPolygon([box(106.74, 21.83, 106.80, 21.88)]), MultiPolygon([box(106.70, 21.95, 106.75, 21.99)])],
        crs=4326,
    )


def make_roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["QL4B", "Hà Nội - Lạng Sơn"], "kind": ["road", "railway"]},
        geometry=[LineString([(106.75, 21.84), (106.80, 21.82)]),
                  MultiLineString([[(106.70, 21.90), (106.72, 21.86)], [(106.72, 21.86), (106.74, 21.83)]])],
        crs=4326,
    )


def make_events() -> pd.DataFrame:
    q1, q2, q3, c1 = PARCEL_IDS[0], PARCEL_IDS[1], PARCEL_IDS[2], PARCEL_IDS[3]
    rows = [
        ("parcel", "QL4B", q1, "notice", "2023-01-10", None, 1, None, False, ""),
        ("parcel", "QL4B", q1, "inventory", "2023-04-20", None, 1, None, False, ""),
        ("parcel", "QL4B", q1, "approved", "2023-09-01", None, 1, 250000000, False, ""),
        ("parcel", "QL4B", q1, "paid", "2023-09-25", None, 1, 250000000, False, ""),
        ("parcel", "QL4B", q1, "handed_over", "2023-10-05", 500.0, 1, None, False, ""),
        ("parcel", "QL4B", q2, "notice", "2023-01-10", None, 1, None, False, ""),
        ("parcel", "QL4B", q2, "complaint", "2023-05-02", None, 1, None, False, "khiếu nại giá đất"),
        ("parcel", "QL4B", q3, "notice", "2023-02-01", None, 2, None, False, ""),
        ("parcel", "CCN_HT1", c1, "notice", "2023-07-01", None, 1, None, False, ""),
        ("parcel", "CCN_HT1", c1, "inventory", "2023-08-15", None, 1, None, False, ""),
    ]
    return pd.DataFrame(rows, columns=["kind", "project_id", "parcel_id", "event", "event_date", "area_m2",
                                       "households", "amount_vnd", "is_correction", "note"])


MILESTONES_CSV = (
    "milestone_id,project_id,due_date,metric,target_percent,scope,label\n"
    "QL4B_100,QL4B,31/03/2024,percent_area_handed_over,100,project,QL4B: bàn giao 100% trước 31/3/2024\n"
    "CCN_HT1_50,CCN_HT1,30/06/2024,percent_area_handed_over,50,Phường Kỳ Lừa,CCN Hợp Thành 1: 50% (giả định)\n"
)

RULES_YAML = """\
# Giới hạn thời gian ở mỗi giai đoạn (ngày)
stage_limits_days:
  notice: 90
  plan_posted: 30
  approved: 30
forecast_window_days: 60
"""


def write_sources(folder: Path) -> Path:
    """Write the fixture sources into ``folder`` (created) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    make_projects().to_file(folder / "projects.gpkg", layer="projects", driver="GPKG")
    make_centrelines().to_file(folder / "projects.gpkg", layer="centrelines", driver="GPKG")
    make_parcels().to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    make_communes().to_file(folder / "communes.geojson", driver="GeoJSON")
    make_roads().to_file(folder / "roads.geojson", driver="GeoJSON")
    make_events().to_csv(folder / "events.csv", index=False, encoding="utf-8-sig")
    (folder / "milestones.csv").write_text(MILESTONES_CSV, encoding="utf-8-sig")
    (folder / "rules.yaml").write_text(RULES_YAML, encoding="utf-8")
    return folder
