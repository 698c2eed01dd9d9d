"""The progress-table helpers: main obstacles from flags, the milestone a row reports on."""
from __future__ import annotations

from datetime import date

import pandas as pd

from exports.report_table import current_milestone, obstacles_text


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


def test_current_milestone_is_the_first_not_met():
    ms = pd.DataFrame({"milestone_id": ["a", "b", "c"], "due_date": [date(2024, 6, 30), date(2024, 3, 31), date(2024, 12, 31)],
                       "status": ["on_track", "met", "behind"]})
    assert current_milestone(ms)["milestone_id"] == "a"
    assert current_milestone(ms.assign(status="met"))["milestone_id"] == "c"  # all met: the last one
    assert current_milestone(ms.iloc[0:0]) is None
