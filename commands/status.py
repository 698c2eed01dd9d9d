"""``python cli.py status [--as-of YYYY-MM-DD] [--json]``: clearance progress and milestone status.

Per project: id, name, area to recover, area handed over (m²), % handed over, and each milestone
with due date, target, status and forecast date, all from ``milestones.snapshot.compute_snapshot``
on ``store.open_store()``: the same code path, hence the same figures, as the dashboard.
``--json`` prints ``{"as_of", "projects": [{project_id, name, area_to_recover_m2,
area_handed_over_m2, percent_handed_over, milestones: [{milestone_id, label, metric, scope,
due_date, target_percent, status, forecast_date, actual_percent, actual_percent_at_due, met_on, reached_late,
forecast_earliest, forecast_latest, required_rate_pct_per_day, required_rate_ha_per_week, shortfall_m2,
shortfall_count}]}], "problems"}`` (dates ISO, null when none; ``milestones.status.milestone_details``).

``--as USER`` limits the figures to the units of that account (``store.scoped``: a unit's officer sees
his units' projects only); without it the whole store is reported. ``--rollup`` prints the province
roll-up instead (``milestones.rollup.unit_rollup``: per unit projects, area to recover, handed over, %,
milestones met and at risk, then the total); with ``--json``: ``{"as_of", "units": [{unit, unit_name,
province, projects, area_to_recover_m2, area_handed_over_m2, percent_handed_over, milestones,
milestones_met, milestones_at_risk}], "total": {…same keys…}}``.
Exit code 0; 1 when the store cannot be opened or computed; 2 on a usage error (e.g. a bad date).
"""
from __future__ import annotations

import json
import logging
import math
import os
import sys
from datetime import date, datetime

import numpy as np
import pandas as pd

from commands._auth import add_as_argument, reader_for
from commands._common import add_as_of_argument, add_database_url_argument
from domain import office_time
from vocab.escape import terminal_block, terminal_json

NAME = "status"
HELP = "Tiến độ GPMB theo dự án và trạng thái các mốc tại một ngày"

log = logging.getLogger(__name__)

MILESTONE_KEYS = ("milestone_id", "label", "metric", "scope", "due_date", "target_percent", "status",
                  "forecast_date", "actual_percent", "met_on", "reached_late", "forecast_earliest", "forecast_latest",
                  "required_rate_pct_per_day", "required_rate_ha_per_week", "shortfall_m2", "shortfall_count")
#: JSON key → snapshot column where they differ.
_RENAMED = {"actual_percent_at_due": "actual_at_due_percent"}
PROJECT_KEYS = ("project_id", "name", "area_to_recover_m2", "area_handed_over_m2", "percent_handed_over")


def add_common(parser) -> None:
    add_as_of_argument(parser)
    add_database_url_argument(parser)


def json_value(value):
    """A scalar as JSON: dates ISO ``YYYY-MM-DD``, NaN/NaT/None → null, numpy → Python."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def emit(text: str) -> None:
    """Write ``text`` to stdout; a closed pipe (``… | head``) ends the output quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def add_arguments(parser) -> None:
    add_common(parser)
    parser.add_argument("--json", action="store_true", help="in dạng JSON (ngày ISO, số không định dạng)")
    parser.add_argument("--rollup", action="store_true",
                        help="tổng hợp toàn tỉnh: tiến độ từng đơn vị (huyện/xã chủ đầu tư) và tổng")
    add_as_argument(parser)


def status_records(snapshot) -> list[dict]:
    """Projects of a :class:`milestones.snapshot.Snapshot` with their milestones, JSON-ready."""
    out = []
    for project in snapshot.projects.to_dict("records"):
        ms = snapshot.milestones[snapshot.milestones["project_id"] == project["project_id"]]
        out.append({**{k: json_value(project.get(k)) for k in PROJECT_KEYS},
                    "milestones": [_milestone_record(m) for m in ms.to_dict("records")]})
    return out


def _milestone_record(m: dict) -> dict:
    record = {k: json_value(m.get(k)) for k in MILESTONE_KEYS}
    record.update({key: json_value(m.get(col)) for key, col in _RENAMED.items()})
    return record


def format_text(snapshot) -> str:
    """Plain-text report in Vietnamese (numbers 1.234,5; dates dd/mm/yyyy)."""
    from vocab.format import MISSING, fmt_date, fmt_m2, fmt_pct
    from vocab.labels import EMPTY_STORE_VI, status_label

    lines = [f"Tiến độ GPMB tại ngày {fmt_date(snapshot.as_of)}", ""]
    if len(snapshot.projects) == 0:  # a store made by ``init`` without --demo
        lines.append(EMPTY_STORE_VI)
    for p in status_records(snapshot):
        lines.append(f"{p['project_id']} – {p['name'] or ''}")
        lines.append(f"  Diện tích thu hồi: {fmt_m2(p['area_to_recover_m2'])}; đã bàn giao: "
                     f"{fmt_m2(p['area_handed_over_m2'])} ({fmt_pct(p['percent_handed_over'])})")
        if not p["milestones"]:
            lines.append("  (chưa có mốc tiến độ)")
        for m in p["milestones"]:
            scope = "" if m["scope"] in (None, "project") else f" [{m['scope']}]"
            what = {"percent_households_paid": "hộ đã chi trả", "percent_sites_handed_over": "trụ sở"}.get(m["metric"], "diện tích")
            lines.append(f"  - Mốc {fmt_date(m['due_date'])}: {fmt_pct(m['target_percent'], 0)} {what}{scope} → "
                         f"{status_label(m['status'])}; {_reached_or_forecast(m, fmt_date, MISSING)}")
        lines.append("")
    lines.extend(f"Lưu ý: {problem}" for problem in snapshot.problems)
    return "\n".join(lines).rstrip() + "\n"


def _reached_or_forecast(m: dict, fmt_date, missing: str) -> str:
    """'đạt ngày …' (muộn when after the due date) for a reached target, else the forecast range."""
    if m["met_on"]:
        return f"{'đạt muộn' if m['reached_late'] else 'đạt'} ngày {fmt_date(m['met_on'])}"
    if m["forecast_earliest"] and m["forecast_latest"] != m["forecast_earliest"]:
        return f"dự báo đạt: {fmt_date(m['forecast_earliest'])} – {fmt_date(m['forecast_latest'])}"
    return f"dự báo đạt: {fmt_date(m['forecast_date']) if m['forecast_date'] else missing}"


ROLLUP_KEYS = ("unit", "unit_name", "province", "projects", "area_to_recover_m2", "area_handed_over_m2",
               "percent_handed_over", "milestones", "milestones_met", "milestones_at_risk")


def rollup_document(snapshot, units) -> dict:
    """``{"as_of", "units": [...], "total": {...}}`` of :func:`milestones.rollup.unit_rollup`, JSON-ready."""
    from milestones.rollup import province_total, unit_rollup

    table = unit_rollup(snapshot, units)
    rows = [{k: json_value(r.get(k)) for k in ROLLUP_KEYS} for r in table.to_dict("records")]
    total = province_total(table)
    return {"as_of": snapshot.as_of.isoformat(), "units": rows, "total": {k: json_value(total.get(k)) for k in ROLLUP_KEYS}}


def format_rollup(doc: dict) -> str:
    """The roll-up as Vietnamese text (one line per unit, then the total)."""
    from vocab.format import fmt_date, fmt_m2, fmt_pct

    lines = [f"Tổng hợp tiến độ GPMB theo đơn vị tại ngày {fmt_date(date.fromisoformat(doc['as_of']))}", ""]
    for r in [*doc["units"], {**doc["total"], "unit": None, "unit_name": "Tổng cộng"}]:
        head = r["unit_name"] or r["unit"] or "(chưa gán đơn vị)"
        code = f" [{r['unit']}]" if r["unit"] else ""
        lines.append(f"{head}{code}: {r['projects']} dự án; diện tích thu hồi {fmt_m2(r['area_to_recover_m2'])}, "
                     f"đã bàn giao {fmt_m2(r['area_handed_over_m2'])} ({fmt_pct(r['percent_handed_over'])}); "
                     f"mốc: {r['milestones_met']}/{r['milestones']} đạt, {r['milestones_at_risk']} có nguy cơ/chậm")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from store import open_store

    as_of = args.as_of or office_time.today()
    store = open_store(args.database_url)
    request = cache_request(args, as_of)
    cached = store.cached_output(request) if request else None
    if cached is not None:
        emit(cached)
        return 0
    output = _output(store, args, as_of)
    if request:
        store.save_output(request, output)
    emit(output)
    return 0


def cache_request(args, as_of: date) -> dict | None:
    """The request a ``status`` call's output is cached under (:mod:`store.output_cache`); None with
    ``--as`` (the answer depends on an account, which the cached path does not check)."""
    if getattr(args, "as_user", None):
        return None
    return {"command": NAME, "as_of": as_of.isoformat(), "json": bool(args.json),
            "rollup": bool(getattr(args, "rollup", False))}


def _output(store, args, as_of: date) -> str:
    from milestones.snapshot import compute_snapshot

    reader = reader_for(store, args)
    snapshot = compute_snapshot(reader, as_of)  # a GpmbError reaches cli.py
    if getattr(args, "rollup", False):
        doc = rollup_document(snapshot, reader.units())
        return (terminal_json(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n" if args.json
                else terminal_block(format_rollup(doc)))
    if args.json:
        doc = {"as_of": as_of.isoformat(), "projects": status_records(snapshot), "problems": snapshot.problems}
        return terminal_json(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"
    return terminal_block(format_text(snapshot))
