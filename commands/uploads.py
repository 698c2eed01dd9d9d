"""``python cli.py uploads [--json] [--as USER]``: list the uploads of the store, oldest first.

With ``--as USER`` only those the account may see (:mod:`store.visibility`: its own, and for a commune officer
or a unit's account those of its communes and units only, with their reverts).

Each line: upload number, time (Vietnam time, UTC+7), who, file, rows read / committed, source, kind (field
counts, or the register import's kind: «Bảng theo dõi hộ × bước thủ tục» for a matrix) and, when reverted, by
which revert and when. ``--json`` prints the rows of ``store.uploads()`` with ISO timestamps in UTC and
``import_kind`` (``counts``, a register import kind, None for a revert). Exit code 0, or 1 when the store
cannot be opened.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta, timezone

import pandas as pd

from commands._auth import acting_in, add_as_argument
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
    add_as_argument(parser)
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


#: ``import_kind`` of a field-count upload (a register import has its ``register_imports.kind``).
COUNTS_KIND = "counts"


def with_import_kind(frame: pd.DataFrame, register_imports: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus ``import_kind``: the register import's kind (``domain.people.IMPORT_KINDS`` or ``unknown``),
    :data:`COUNTS_KIND` for a field-count upload, None for a revert."""
    kinds = dict(zip(register_imports["upload_id"].astype(int), register_imports["kind"], strict=True))
    return frame.assign(import_kind=[None if source == "revert" else kinds.get(int(u), COUNTS_KIND)
                                     for u, source in zip(frame["upload_id"], frame["source"], strict=True)])


def _kind_text(kind) -> str:
    from exports.register_import_tables import kind_label

    if kind is None or (isinstance(kind, float) and kind != kind):
        return ""
    return "Số liệu kiểm đếm" if kind == COUNTS_KIND else kind_label(kind)


def format_table(frame: pd.DataFrame) -> str:
    """Plain-text list of uploads, one line each, Vietnamese headings (the kind when ``import_kind`` is given)."""
    if frame.empty:
        return "Chưa có lần tải lên nào."
    kinds = frame["import_kind"] if "import_kind" in frame.columns else [None] * len(frame)
    lines = [(f"{'Số':<4} | {'Thời điểm (giờ VN)':<18} | {'Người tải':<24} | {'Tệp':<32} | {'Đọc/Ghi':<15} | "
              f"{'Nguồn':<14} | {'Loại':<30} | Trạng thái")]
    for row, kind in zip(frame.itertuples(index=False), kinds, strict=True):
        if row.source == "revert":
            status = f"hoàn tác lần số {row.reverts_upload_id}" if not pd.isna(row.reverts_upload_id) else ""
        elif not pd.isna(row.reverted_by_upload_id):
            status = f"ĐÃ HOÀN TÁC (lần số {row.reverted_by_upload_id}, {_when(row.reverted_at)})"
        else:
            status = "đang tính"
        counts = f"{fmt_number(row.rows_read)}/{fmt_number(row.rows_committed)}"
        lines.append(f"{row.upload_id:<4} | {_when(row.uploaded_at):<18} | {terminal_text(row.uploaded_by)[:24]:<24} | "
                     f"{terminal_text(row.file_name)[:32]:<32} | {counts:<15} | "
                     f"{SOURCE_LABELS_VI.get(row.source, row.source):<14} | {_kind_text(kind)[:30]:<30} | {status}")
    return "\n".join(lines)


def run(args) -> int:
    from store import open_store

    store = open_store(args.database_url)  # a GpmbError reaches cli.py
    try:
        account = acting_in(store, args) if args.as_user else None
        frame = with_import_kind(store.uploads_for(account), store.register_imports())
    finally:
        store.close()
    if args.json:
        print(terminal_json(json.dumps(to_records(frame), ensure_ascii=False, indent=2)))
    else:
        print(format_table(frame))
    return 0
