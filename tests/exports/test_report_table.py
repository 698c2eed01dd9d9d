"""The report-table helpers: main obstacles from flags, the milestone a row reports on, the parcel list."""
from __future__ import annotations

from datetime import date

import pandas as pd

from domain.milestones import current_milestones
from exports.report_table import REPORT_PARCEL_COLUMNS, obstacles_text, parcel_table
from vocab.headers import PARCEL_HEADERS_VI


def _parcels(rows):
    return pd.DataFrame(rows, columns=["stage", "complaint_open", "enforced", "compulsory_inventory", "risk_flags"])


def test_obstacles_count_only_parcels_not_handed_over_most_frequent_first():
    parcels = _parcels([
        ("paid", True, False, False, ["complaint_open"]),
        ("approved", True, True, False, ["complaint_open", "enforced", "stuck_approved"]),
        ("inventory", False, False, True, ["stuck_inventory"]),
        ("inventory", False, False, False, ["stuck_inventory"]),
        ("handed_over", True, True, True, ["complaint_open", "enforced"]),  # done: no longer an obstacle
    ])
    assert obstacles_text(parcels) == (
        "2 thửa khiếu nại chưa giải quyết; 2 thửa tồn đọng ở bước Kiểm đếm quá thời hạn; "
        "1 thửa phải cưỡng chế thu hồi; 1 thửa kiểm đếm bắt buộc; và 1 loại vướng mắc khác")
    assert obstacles_text(parcels, max_items=10).endswith("1 thửa tồn đọng ở bước Phê duyệt phương án / QĐ thu hồi quá thời hạn")
    assert obstacles_text(parcels.iloc[4:]) == ""


def test_current_milestone_of_a_report_row_is_the_first_not_met():
    # A report row takes one milestone from the rows of its scope: the domain rule with no series keys.
    ms = pd.DataFrame({"milestone_id": ["a", "b", "c"], "due_date": [date(2024, 6, 30), date(2024, 3, 31), date(2024, 12, 31)],
                       "status": ["on_track", "met", "behind"]})
    assert current_milestones(ms, keys=())["milestone_id"].tolist() == ["a"]
    assert current_milestones(ms.assign(status="met"), keys=())["milestone_id"].tolist() == ["c"]  # all met: the last
    assert current_milestones(ms.iloc[0:0], keys=()).empty


def test_parcel_table_words_come_from_codes_without_label_columns():
    parcels = pd.DataFrame({
        "project_id": ["B", "A"], "commune": ["Xã X", "Xã Y"], "commune_former": ["Xã X", None],
        "map_sheet": [3, 1], "parcel_number": [12, 7], "land_use": ["LUC", "ONT"], "parcel_area_m2": [500.0, 80.0],
        "area_to_recover_m2": [250.5, 80.0], "chainage_m": [3700.0, float("nan")], "stage": ["inventory", "handed_over"],
        "stage_date": [pd.Timestamp("2024-05-02"), pd.NaT], "amount_approved_vnd": [1e9, None],
        "amount_paid_vnd": [None, None], "risk_flags": [["stuck_inventory", "complaint_open"], []],
        "illustrative": [True, False],
    })
    table = parcel_table(parcels, project_names={"B": "Dự án B", "A": "Dự án A"})
    assert list(table.columns) == [PARCEL_HEADERS_VI[c] for c in REPORT_PARCEL_COLUMNS]
    first = table.iloc[0]                               # project order of the names given: B first
    assert first["Dự án"] == "Dự án B" and first["Giai đoạn"] == "Kiểm đếm"
    assert first["Cờ rủi ro / vướng mắc"] == "Tồn đọng ở bước Kiểm đếm quá thời hạn; Khiếu nại chưa giải quyết"
    assert first["Ngày của giai đoạn"] == date(2024, 5, 2) and first["Lý trình"] == "Km3+700"
    assert first["Diện tích thu hồi (m²)"] == 250.5 and first["Thửa đất số"] == 12
    assert first["Dữ liệu minh họa"] == "Có"
    second = table.iloc[1]
    assert second["Giai đoạn"] == "Bàn giao mặt bằng" and second["Ngày của giai đoạn"] is None
    assert pd.isna(second["Lý trình"]) and second["Cờ rủi ro / vướng mắc"] == ""
