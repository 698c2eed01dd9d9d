"""``python cli.py uploads [--json]``: list the field-count uploads of the store, oldest first.

Each line: upload number, time (Vietnam time, UTC+7), who, file, rows read / committed, source and,
when reverted, by which revert and when. ``--json`` prints the rows of ``store.uploads()`` with ISO
timestamps in UTC. Exit code 0, or 1 when the store cannot be opened.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta, timezone

import pandas as pd

from commands._common import add_database_url_argument
from vocab.escape import terminal_json, terminal_text
from vocab.format import fmt_number

NAME = "uploads"
HELP = "Liệt kê các lần tải lên số liệu kiểm đếm"

log = logging.getLogger(__name__)

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
SOURCE_LABELS_VI = {"seed": "khởi tạo", "upload": "tải lên (web)", "cli": "dòng lệnh", "revert": "hoàn tác"}


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    add_database_url_argument(parser)


def _when(ts) -> str:
    if ts is None or pd.isna(ts):
        return ""
    return ts.tz_convert(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


def _json_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_records(frame: pd.DataFrame) -> list[dict]:
    """``store.uploads()`` rows as JSON-ready dicts (NULL → None, timestamps ISO 8601 UTC)."""
    return [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def format_table(frame: pd.DataFrame) -> str:
    """Plain-text list of uploads, one line each, Vietnamese headings."""
    if frame.empty:
        return "Chưa có lần tải lên nào."
    lines = [(f"{'Số':<4} | {'Thời điểm (giờ VN)':<18} | {'Người tải':<24} | {'Tệp':<32} | {'Đọc/Ghi':<15} | "
              f"{'Nguồn':<14} | Trạng thái")]
    for row in frame.itertuples(index=False):
        if row.source == "revert":
            status = f"hoàn tác lần số {row.reverts_upload_id}" if not pd.isna(row.reverts_upload_id) else ""
        elif not pd.isna(row.reverted_by_upload_id):
            status = f"ĐÃ HOÀN TÁC (lần số {row.reverted_by_upload_id}, {_when(row.reverted_at)})"
        else:
            status = "đang tính"
        counts = f"{fmt_number(row.rows_read)}/{fmt_number(row.rows_committed)}"
        lines.append(f"{row.upload_id:<4} | {_when(row.uploaded_at):<18} | {terminal_text(row.uploaded_by)[:24]:<24} | "
                     f"{terminal_text(row.file_name)[:32]:<32} | {counts:<15} | "
                     f"{SOURCE_LABELS_VI.get(row.source, row.source):<14} | {status}")
    return "\n".join(lines)


def run(args) -> int:
    from store import open_store

    frame = open_store(args.database_url).uploads()  # a GpmbError reaches cli.py
    if args.json:
        print(terminal_json(json.dumps(to_records(frame), ensure_ascii=False, indent=2)))
    else:
        print(format_table(frame))
    return 0
