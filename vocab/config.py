"""Vietnamese words for the recorded changes of milestones, rules and project attributes (issue 10).

Codes come from :mod:`domain.config_history` and ``store.config``; the CLI (``milestones history``,
``rules history``) and the dashboard page «Mốc tiến độ» show a change as "field: before → after" with
:func:`change_text`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vocab.format import MISSING, fmt_number, is_missing

#: ``config_changes.kind`` → Vietnamese.
CONFIG_KIND_LABELS_VI: dict[str, str] = {"milestone": "Mốc tiến độ", "rules": "Quy tắc tính toán",
                                         "project": "Thông tin dự án"}

#: ``config_changes.source`` → Vietnamese.
CONFIG_SOURCE_LABELS_VI: dict[str, str] = {"seed": "khởi tạo từ data/sources", "migration": "chuyển từ kho cũ",
                                           "edit": "sửa", "import": "nhập tệp"}

#: Field of a milestone or a project → Vietnamese header.
CONFIG_FIELD_LABELS_VI: dict[str, str] = {
    "milestone_id": "Mã mốc", "project_id": "Dự án", "due_date": "Hạn", "metric": "Chỉ số",
    "target_percent": "Chỉ tiêu (%)", "scope": "Phạm vi", "label": "Tên mốc",
    "name": "Tên dự án", "short_name": "Tên ngắn", "start_date": "Ngày bắt đầu",
    "section_from_m": "Lý trình đầu (m)", "section_to_m": "Lý trình cuối (m)", "kind": "Loại dự án",
    "yaml": "Nội dung quy tắc",
}


def value_text(value: Any) -> str:
    """A stored value in words: numbers ``1.234,5``, missing ``—``, text as it is."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        return fmt_number(value, 0 if float(value).is_integer() else 2)
    return str(value)


def change_text(before: Mapping | None, after: Mapping | None) -> str:
    """What a change did, in words: ``Chỉ tiêu (%): 70 → 95; Hạn: 30/06/2024 → 31/08/2024``.

    A record added reads ``Thêm mới``, one removed ``Xoá``; the rules text reads ``Nội dung quy tắc:
    N → M ký tự`` (the text itself is shown apart).
    """
    if before is None and after is None:
        return MISSING
    if before is None:
        return "Thêm mới"
    if after is None:
        return "Xoá"
    if "yaml" in after or "yaml" in before:
        return f"{CONFIG_FIELD_LABELS_VI['yaml']}: {len(before.get('yaml') or '')} → {len(after.get('yaml') or '')} ký tự"
    parts = [f"{CONFIG_FIELD_LABELS_VI.get(k, k)}: {value_text(before.get(k))} → {value_text(after.get(k))}"
             for k in after if before.get(k) != after.get(k)]
    return "; ".join(parts) or "Không đổi"
