"""``python cli.py parcels [--project ID] [--as-of YYYY-MM-DD] [--as USER] [--json|--csv|--csv-plain|--xlsx FILE]``.

The parcel table: project, commune, former commune, map sheet, parcel number, land use, area to recover
(m²), chainage, stage and its date, risk flags, household and parcel ids. From
``milestones.snapshot.compute_snapshot`` on ``store.open_store()`` (same figures as the dashboard). No
personal data (owner names) is printed. ``--as USER``: only the parcels of that account's units (``store.scoped``).

Output forms
------------
text (default)
    Vietnamese headers (``vocab.headers``), numbers ``1.234,5``, dates ``dd/mm/yyyy``, labels for codes.
``--csv``
    The dashboard's parcel download, byte for byte the same convention (``exports.table_files``):
    UTF-8 with BOM, ``;``, decimal comma, ``dd/mm/yyyy``, Vietnamese headers and labels, formula-like
    text neutralised. Opens in Excel with Vietnamese regional settings by double-click.
``--xlsx FILE``
    The same rows written to an .xlsx file.
``--csv-plain``
    For scripts: ``,``, decimal point, ISO dates, codes, the column names of DATA_MODEL.md
    (:data:`COLUMNS`; ``risk_flags`` codes joined by ``;``), UTF-8 without BOM.
``--json``
    A list of objects with the :data:`COLUMNS` fields.

Exit code 0; 1 when the store cannot be opened, the project is unknown or the file cannot be written;
2 on a usage error.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from commands._auth import add_as_argument, reader_for
from commands.status import add_common, emit, json_value
from domain import office_time
from domain.errors import GpmbError
from parsing.parcel_keys import parcel_sort_column
from vocab.escape import terminal_block, terminal_json, terminal_text

NAME = "parcels"
HELP = "Bảng thửa đất: giai đoạn GPMB, ngày và cờ rủi ro tại một ngày"

log = logging.getLogger(__name__)

#: Columns of ``--json`` and ``--csv-plain`` (names as in DATA_MODEL.md).
COLUMNS = ("parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "land_use",
           "area_to_recover_m2", "chainage_m", "stage", "stage_date", "risk_flags")

#: Columns of the text table (a terminal is narrow); headers from ``vocab.headers``.
TEXT_COLUMNS = ("project_id", "commune", "map_sheet", "parcel_number", "land_use", "area_to_recover_m2", "stage",
                "stage_date", "risk_flags")


def add_arguments(parser) -> None:
    add_common(parser)
    add_as_argument(parser)
    parser.add_argument("--project", default=None, metavar="ID", help="chỉ một dự án (ví dụ QL4B)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="in dạng JSON")
    out.add_argument("--csv", action="store_true",
                     help="in dạng CSV cho Excel tiếng Việt (UTF-8 có BOM, dấu ;, dấu phẩy thập phân, dd/mm/yyyy)")
    out.add_argument("--csv-plain", action="store_true",
                     help="in dạng CSV cho chương trình (dấu ',', số thập phân '.', ngày ISO, mã thay vì nhãn)")
    out.add_argument("--xlsx", default=None, metavar="FILE", help="ghi bảng thửa đất ra tệp Excel (.xlsx)")


def parcel_rows(snapshot, project_id: str | None = None) -> pd.DataFrame:
    """The parcel rows of a snapshot (columns :data:`COLUMNS`), sorted by project, commune, sheet, parcel.

    Raises
    ------
    KeyError
        If ``project_id`` has no parcel (message in Vietnamese).
    """
    p = pd.DataFrame(snapshot.parcels.drop(columns="geometry", errors="ignore"))
    if project_id is not None:
        p = p[p["project_id"] == project_id]
        if p.empty:
            known = ", ".join(sorted(snapshot.projects["project_id"].astype(str)))
            raise KeyError(f"Dự án {project_id!r} không có thửa đất nào (các dự án: {known})")
    for col in COLUMNS:
        if col not in p.columns:
            p[col] = None
    p = p.sort_values(["project_id", "commune", "map_sheet", "parcel_number"], kind="stable", key=parcel_sort_column)
    return p[list(COLUMNS)].reset_index(drop=True)


def plain_table(frame: pd.DataFrame, right: set[str] = frozenset()) -> str:
    """Columns separated by two spaces; text left-aligned, the ``right`` columns right-aligned."""
    cells = {c: [str(c)] + ["" if v is None else str(v) for v in frame[c]] for c in frame.columns}
    widths = {c: max(len(v) for v in vals) for c, vals in cells.items()}
    lines = []
    for i in range(len(frame) + 1):
        parts = [cells[c][i].rjust(widths[c]) if c in right else cells[c][i].ljust(widths[c]) for c in frame.columns]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _project_order(snapshot) -> dict[str, str]:
    """``project_id`` → itself, in the snapshot's project order: the CLI shows ids, not long names."""
    return {str(pid): str(pid) for pid in snapshot.projects["project_id"]}


def _text_output(rows: pd.DataFrame, snapshot, as_of: date) -> str:
    from exports.report_table import parcel_table
    from vocab.format import fmt_date, fmt_number, is_missing
    from vocab.headers import PARCEL_HEADERS_VI

    table = parcel_table(rows, columns=TEXT_COLUMNS, project_names=_project_order(snapshot))
    area = PARCEL_HEADERS_VI["area_to_recover_m2"]
    numeric = {PARCEL_HEADERS_VI[c] for c in ("map_sheet", "parcel_number")} | {area}
    for header in table.columns:
        if header == PARCEL_HEADERS_VI["parcel_number"]:
            table[header] = ["" if is_missing(v) else str(v) for v in table[header]]
        elif header in numeric:
            table[header] = [fmt_number(v, 1 if header == area else 0) for v in table[header]]
        elif header == PARCEL_HEADERS_VI["stage_date"]:
            table[header] = [fmt_date(v) for v in table[header]]
        else:
            table[header] = ["" if is_missing(v) else str(v) for v in table[header]]
    body = plain_table(table, right=numeric) if len(table) else "(không có thửa nào)"
    return f"Bảng thửa đất tại ngày {fmt_date(as_of)}: {len(table)} thửa\n{body}\n"


def _csv_output(rows: pd.DataFrame, snapshot, *, plain: bool) -> str:
    """The Vietnamese CSV of the parcel list (BOM included), or with ``plain`` the machine form of ``rows``."""
    from exports.report_table import parcel_table
    from exports.table_files import csv_bytes, plain_csv_bytes
    from vocab.headers import PARCEL_LIST_COLUMNS

    if plain:
        return plain_csv_bytes(rows).decode("utf-8")
    table = parcel_table(rows, columns=PARCEL_LIST_COLUMNS, project_names=_project_order(snapshot))
    return csv_bytes(table).decode("utf-8")  # keeps the BOM as U+FEFF


def _write_xlsx(path: str, rows: pd.DataFrame, snapshot, as_of: date) -> int:
    from exports.report_table import parcel_table
    from exports.table_files import xlsx_bytes
    from vocab.format import fmt_date
    from vocab.headers import PARCEL_LIST_COLUMNS

    table = parcel_table(rows, columns=PARCEL_LIST_COLUMNS, project_names=_project_order(snapshot))
    data = xlsx_bytes(table, sheet_name="Thửa đất", title=f"Danh sách thửa đất tại ngày {fmt_date(as_of)}")
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        print(terminal_text(f"Lỗi: không ghi được tệp {path}: {exc}"), file=sys.stderr)
        return 1
    print(f"Đã ghi {path}: {len(table)} thửa")
    return 0


def run(args) -> int:
    from milestones.snapshot import compute_snapshot
    from store import open_store

    as_of = args.as_of or office_time.today()
    try:
        store = open_store(args.database_url)
        snapshot = compute_snapshot(reader_for(store, args), as_of)  # --as: that account's units only
        rows = parcel_rows(snapshot, args.project)
    except KeyError as exc:  # an unknown --project
        raise GpmbError(f"Lỗi: {exc.args[0]}") from None
    if args.json:
        records = [{k: json_value(v) for k, v in row.items()} for row in rows.to_dict("records")]
        emit(terminal_json(json.dumps({"as_of": as_of.isoformat(), "parcels": records}, ensure_ascii=False, indent=1)) + "\n")
        return 0
    if args.xlsx:
        return _write_xlsx(args.xlsx, rows, snapshot, as_of)
    if args.csv or args.csv_plain:
        emit(_csv_output(rows, snapshot, plain=args.csv_plain))
        return 0
    emit(terminal_block(_text_output(rows, snapshot, as_of)))
    return 0
