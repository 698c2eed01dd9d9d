"""Data for the ingest tests: a small, hand-written parcels/projects set (independent of the demo data).

Communes follow the real 2025 merger of Cao Lộc: former xã Hợp Thành and TT Cao Lộc are both in
phường Kỳ Lừa (the sheet numbering is per former commune, so tờ 12 thửa 5 exists in both); former
xã Gia Cát stays xã Gia Cát (illustrative values chosen by hand for the tests).
"""
from __future__ import annotations

import sys
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


