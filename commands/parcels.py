"""``python cli.py parcels [--project ID] [--as-of YYYY-MM-DD] [--json|--csv]``: the parcel table.

Columns: project, commune, former commune, map sheet, parcel number, land use, area to recover (m²),
stage (code and Vietnamese label) and its date, flags (risk-flag codes, ``;``-separated in CSV;
Vietnamese labels in the text table). From ``milestones.snapshot.compute_snapshot`` on ``store.open_store()`` (same figures as the
dashboard). No personal data (owner names) is printed. Text output uses Vietnamese number and date
formats; ``--csv`` is UTF-8 with BOM (opens in Excel) with plain numbers and ISO dates; ``--json`` a
list of objects. Exit code 0; 1 when the store cannot be opened or the project is unknown; 2 on a
usage error.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import date

import pandas as pd

from commands.status import add_common, emit, json_value
from vocab.labels import STAGE_LABELS_VI, risk_flag_label

NAME = "parcels"
HELP = "Bảng thửa đất: giai đoạn GPMB, ngày và cờ rủi ro tại một ngày"

log = logging.getLogger(__name__)

COLUMNS = ("parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "land_use",
           "area_to_recover_m2", "stage", "stage_label", "stage_date", "risk_flags")

HEADERS_VI = {
    "project_id": "Dự án", "commune": "Xã/phường", "map_sheet": "Tờ", "parcel_number": "Thửa",
    "land_use": "Loại đất", "area_to_recover_m2": "DT thu hồi (m²)", "stage_label": "Giai đoạn",
    "stage_date": "Ngày", "risk_flags": "Cờ rủi ro",
}


def add_arguments(parser) -> None:
    add_common(parser)
    parser.add_argument("--project", default=None, metavar="ID", help="chỉ một dự án (ví dụ QL4B)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="in dạng JSON")
    out.add_argument("--csv", action="store_true", help="in dạng CSV (UTF-8 có BOM)")


def parcel_table(snapshot, project_id: str | None = None) -> pd.DataFrame:
    """The parcel rows of a snapshot (columns :data:`COLUMNS`), sorted by project, commune, sheet, parcel.

    Raises
    ------
    KeyError
        If ``project_id`` has no parcel (message in Vietnamese).
    """
    p = pd.DataFrame(snapshot.parcels.drop(columns="geometry", errors="ignore"))
    p["stage_label"] = [STAGE_LABELS_VI.get(s, s) for s in p["stage"]]   # the snapshot carries codes only
    if project_id is not None:
        p = p[p["project_id"] == project_id]
        if p.empty:
            known = ", ".join(sorted(snapshot.projects["project_id"].astype(str)))
            raise KeyError(f"Dự án {project_id!r} không có thửa đất nào (các dự án: {known})")
    for col in COLUMNS:
        if col not in p.columns:
            p[col] = None
    p = p.sort_values(["project_id", "commune", "map_sheet", "parcel_number"], kind="stable")
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


def run(args) -> int:
    from milestones.snapshot import compute_snapshot
    from store import open_store

    as_of = args.as_of or date.today()
    try:
        snapshot = compute_snapshot(open_store(args.database_url), as_of)
        table = parcel_table(snapshot, args.project)
    except KeyError as exc:
        print(f"Lỗi: {exc.args[0]}", file=sys.stderr)
        return 1
    except Exception as exc:  # a clear message, never a traceback; detail in the log
        log.exception("parcels failed")
        print(f"Lỗi: không tính được bảng thửa đất ({exc}).", file=sys.stderr)
        return 1
    if args.json:
        rows = [{k: json_value(v) for k, v in row.items()} for row in table.to_dict("records")]
        emit(json.dumps({"as_of": as_of.isoformat(), "parcels": rows}, ensure_ascii=False, indent=1) + "\n")
        return 0
    if args.csv:
        out = table.copy()
        out["stage_date"] = [json_value(v) for v in out["stage_date"]]
        out["risk_flags"] = [";".join(v) if isinstance(v, list) else "" for v in out["risk_flags"]]
        emit("\ufeff" + out.to_csv(index=False, lineterminator="\n"))
        return 0
    from vocab.format import fmt_date, fmt_number

    text = pd.DataFrame({
        HEADERS_VI["project_id"]: table["project_id"],
        HEADERS_VI["commune"]: table["commune"],
        HEADERS_VI["map_sheet"]: table["map_sheet"],
        HEADERS_VI["parcel_number"]: table["parcel_number"],
        HEADERS_VI["land_use"]: table["land_use"],
        HEADERS_VI["area_to_recover_m2"]: [fmt_number(v, 1) for v in table["area_to_recover_m2"]],
        HEADERS_VI["stage_label"]: table["stage_label"],
        HEADERS_VI["stage_date"]: [fmt_date(v) for v in table["stage_date"]],
        HEADERS_VI["risk_flags"]: [", ".join(risk_flag_label(c) for c in v) if isinstance(v, list) else ""
                                   for v in table["risk_flags"]],
    })
    emit(f"Bảng thửa đất tại ngày {fmt_date(as_of)}: {len(text)} thửa\n"
         + (plain_table(text, right={HEADERS_VI["map_sheet"], HEADERS_VI["parcel_number"],
                                     HEADERS_VI["area_to_recover_m2"]}) if len(text) else "(không có thửa nào)") + "\n")
    return 0
