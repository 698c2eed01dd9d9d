"""``python cli.py blockers --project ID [--milestone ID] --as-of DATE [--json|--csv]``: what blocks each milestone.

For each milestone of the project not reached at the as-of date (or the one given): the shortfall and the
blocking set in rank order (:mod:`milestones.blockers`), from ``compute_snapshot``: the figures of the
dashboard. ``--json`` prints ``{"as_of", "project_id", "milestones": [{milestone_id, status, unit,
shortfall, shortfall_m2, covers_shortfall, parcels: [{rank, parcel_id, unit_id, area_to_recover_m2, stage,
next_action, responsible, next_deadline, days_overdue, planned_date, days_behind_plan, obstacles,
cumulative_area_m2}]}]}`` (codes, ISO dates); ``--csv`` writes the list with Vietnamese headers through
``exports.table_files.csv_bytes``. With a procedure plan (``milestones.procedure_plan``) ``responsible`` is the
plan's lead body of the next stage, and the text and CSV show its planned date and the days behind it.
Exit 0; 1 on an unknown project or milestone; 2 on a usage error.
"""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from commands._common import add_as_of_argument, add_database_url_argument
from commands.status import emit, json_value
from domain import office_time
from domain.errors import GpmbError

NAME = "blockers"
HELP = "Nhóm thửa quyết định từng mốc chưa đạt: thiếu bao nhiêu, thửa nào, ai làm, hạn nào"

PARCEL_KEYS = ("rank", "parcel_id", "unit_id", "area_to_recover_m2", "stage", "next_action", "responsible",
               "next_deadline", "days_overdue", "planned_date", "days_behind_plan", "obstacles", "cumulative_area_m2")


def add_arguments(parser) -> None:
    parser.add_argument("--project", required=True, help="mã dự án, ví dụ CT_HNCL")
    parser.add_argument("--milestone", help="mã mốc (mặc định: mọi mốc chưa đạt của dự án)")
    add_as_of_argument(parser)
    add_database_url_argument(parser)
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="in dạng JSON (mã, ngày ISO)")
    fmt.add_argument("--csv", action="store_true", help="in CSV tiếng Việt (UTF-8 BOM, dấu ;)")


def blocker_records(snapshot, project_id: str, milestone_id: str | None = None) -> list[dict]:
    """Milestones of ``project_id`` not reached, each with its blocking parcels, JSON-ready.

    Raises
    ------
    GpmbError
        Unknown project, or a milestone not of the project (Vietnamese message, exit code 1).
    """
    if project_id not in set(snapshot.projects["project_id"]):
        raise GpmbError(f"Không có dự án {project_id!r} (có: {', '.join(snapshot.projects['project_id'])})")
    summary = snapshot.blocking_summary[snapshot.blocking_summary["project_id"] == project_id]
    if milestone_id is not None:
        ours = set(snapshot.milestones.loc[snapshot.milestones["project_id"] == project_id, "milestone_id"])
        if milestone_id not in ours:
            raise GpmbError(f"Dự án {project_id} không có mốc {milestone_id!r} (có: {', '.join(sorted(ours))})")
        summary = summary[summary["milestone_id"] == milestone_id]
    out = []
    for ms in summary.to_dict("records"):
        rows = snapshot.blockers[snapshot.blockers["milestone_id"] == ms["milestone_id"]]
        out.append({**{k: json_value(ms[k]) for k in ("milestone_id", "status", "unit", "shortfall", "shortfall_m2",
                                                      "covers_shortfall")},
                    "parcels": [{k: json_value(r.get(k)) for k in PARCEL_KEYS} for r in rows.to_dict("records")]})
    return out


def csv_table(records: list[dict]) -> pd.DataFrame:
    """The blocking lists as one table with Vietnamese headers and words (``vocab.labels``); the procedure plan's
    columns (``vocab.labels.PLAN_HEADERS_VI``) after ``Số ngày quá hạn`` when some parcel has a planned date."""
    from vocab.labels import PLAN_HEADERS_VI, body_label, next_action_label, obstacles_text, stage_label

    planned = any(p.get("planned_date") for m in records for p in m["parcels"])
    rows = [{"Mốc": m["milestone_id"], "Thứ tự": p["rank"], "Thửa đất": p["parcel_id"], "Hộ/trụ sở": p["unit_id"],
             "Diện tích thu hồi (m²)": p["area_to_recover_m2"], "Giai đoạn": stage_label(p["stage"]),
             "Việc tiếp theo": next_action_label(p["next_action"]), "Cơ quan chịu trách nhiệm": body_label(p["responsible"]),
             "Hạn": date.fromisoformat(p["next_deadline"]) if p["next_deadline"] else None,
             "Số ngày quá hạn": p["days_overdue"],
             **({PLAN_HEADERS_VI["planned_date"]: date.fromisoformat(p["planned_date"]) if p["planned_date"] else None,
                 PLAN_HEADERS_VI["days_behind_plan"]: p["days_behind_plan"]} if planned else {}),
             "Vướng mắc": obstacles_text(p["obstacles"]), "Diện tích cộng dồn (m²)": p["cumulative_area_m2"]}
            for m in records for p in m["parcels"]]
    return pd.DataFrame(rows)


def format_text(records: list[dict], project_id: str, as_of: date) -> str:
    """Plain Vietnamese text: per milestone the shortfall, then the ranked parcels."""
    from vocab.format import fmt_date, fmt_m2, fmt_number
    from vocab.labels import SHORTFALL_UNIT_LABELS_VI, body_label, next_action_label, obstacles_text, stage_label

    lines = [f"Nhóm thửa quyết định mốc – dự án {project_id}, ngày {fmt_date(as_of)}", ""]
    if not records:
        lines.append("Mọi mốc của dự án đã đạt.")
    for m in records:
        unit = SHORTFALL_UNIT_LABELS_VI.get(m["unit"], m["unit"])
        decimals = 1 if m["unit"] == "m2" else 0  # households and sites are counted whole
        lines.append(f"Mốc {m['milestone_id']}: còn thiếu {fmt_number(m['shortfall'], decimals)} {unit}; "
                     f"{len(m['parcels'])} đơn vị cần hoàn thành")
        for p in m["parcels"]:
            late = f", quá hạn {p['days_overdue']} ngày" if p["days_overdue"] else ""
            if p.get("planned_date"):
                behind = p.get("days_behind_plan") or 0
                late += f"; kế hoạch {fmt_date(p['planned_date'])}" + (f", chậm {behind} ngày" if behind else "")
            obstacles = f"; vướng: {obstacles_text(p['obstacles'])}" if p["obstacles"] else ""
            deadline = fmt_date(p["next_deadline"]) if p["next_deadline"] else "không có hạn luật định"
            lines.append(f"  {p['rank']:>3}. {p['unit_id']} – {fmt_m2(p['area_to_recover_m2'])} – "
                         f"{stage_label(p['stage'])} → {next_action_label(p['next_action'])} "
                         f"({body_label(p['responsible'])}, hạn {deadline}{late}){obstacles}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def run(args) -> int:
    from milestones.snapshot import compute_snapshot
    from store import open_store

    as_of = args.as_of or office_time.today()
    snapshot = compute_snapshot(open_store(args.database_url), as_of)
    records = blocker_records(snapshot, args.project, args.milestone)
    if args.json:
        doc = {"as_of": as_of.isoformat(), "project_id": args.project, "milestones": records}
        emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif args.csv:
        from exports.table_files import csv_bytes
        emit(csv_bytes(csv_table(records)).decode("utf-8"))  # keeps the BOM as U+FEFF
    else:
        emit(format_text(records, args.project, as_of))
    return 0
