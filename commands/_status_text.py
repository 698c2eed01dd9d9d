"""The text and JSON that ``python cli.py status`` prints, from plain rows (no pandas, no numpy here).

Both paths of the command end here, so they print the same bytes: the full path
(:mod:`commands.status`, rows of a :class:`milestones.snapshot.Snapshot`, numpy/pandas values made plain
first) and the fast path of a new as-of date (:func:`cli.fast_status`, rows of
:func:`milestones.status_fast.status_at`).
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from vocab.escape import terminal_block, terminal_json

#: The request the status document of :mod:`milestones.status_fast` is stored under (``cli_cache``).
PREPARED_REQUEST = {"command": "status", "prepared": True}

MILESTONE_KEYS = ("milestone_id", "label", "metric", "scope", "due_date", "target_percent", "status",
                  "forecast_date", "actual_percent", "met_on", "reached_late", "forecast_earliest", "forecast_latest",
                  "required_rate_pct_per_day", "required_rate_ha_per_week", "shortfall_m2", "shortfall_count")
#: JSON key → snapshot column where they differ.
RENAMED = {"actual_percent_at_due": "actual_at_due_percent"}
PROJECT_KEYS = ("project_id", "name", "area_to_recover_m2", "area_handed_over_m2", "percent_handed_over")


def plain_json_value(value):
    """A plain Python scalar as JSON: dates ISO ``YYYY-MM-DD``, NaN/None → null; lists element-wise."""
    if isinstance(value, (list, tuple)):
        return [plain_json_value(v) for v in value]
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def status_records(projects: Iterable[Mapping], milestones: list[Mapping], value=plain_json_value) -> list[dict]:
    """Projects (in order) with their milestones (in order), JSON-ready through ``value``."""
    out = []
    for project in projects:
        mine = [m for m in milestones if m.get("project_id") == project.get("project_id")]
        out.append({**{k: value(project.get(k)) for k in PROJECT_KEYS},
                    "milestones": [_milestone_record(m, value) for m in mine]})
    return out


def _milestone_record(m: Mapping, value) -> dict:
    record = {k: value(m.get(k)) for k in MILESTONE_KEYS}
    record.update({key: value(m.get(col)) for key, col in RENAMED.items()})
    return record


def status_output(as_of: date, records: list[dict], problems: list[str], *, as_json: bool) -> str:
    """What the command prints: the Vietnamese report or the JSON document (module :mod:`commands.status`)."""
    if as_json:
        doc = {"as_of": as_of.isoformat(), "projects": records, "problems": problems}
        return terminal_json(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"
    return terminal_block(format_text(as_of, records, problems))


def format_text(as_of: date, records: list[dict], problems: list[str]) -> str:
    """Plain-text report in Vietnamese (numbers 1.234,5; dates dd/mm/yyyy)."""
    from vocab.format import MISSING, fmt_date, fmt_m2, fmt_pct
    from vocab.labels import EMPTY_STORE_VI, status_label

    lines = [f"Tiến độ GPMB tại ngày {fmt_date(as_of)}", ""]
    if not records:  # a store made by ``init`` without --demo
        lines.append(EMPTY_STORE_VI)
    for p in records:
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
    lines.extend(f"Lưu ý: {problem}" for problem in problems)
    return "\n".join(lines).rstrip() + "\n"


def _reached_or_forecast(m: dict, fmt_date, missing: str) -> str:
    """'đạt ngày …' (muộn when after the due date) for a reached target, else the forecast range."""
    if m["met_on"]:
        return f"{'đạt muộn' if m['reached_late'] else 'đạt'} ngày {fmt_date(m['met_on'])}"
    if m["forecast_earliest"] and m["forecast_latest"] != m["forecast_earliest"]:
        return f"dự báo đạt: {fmt_date(m['forecast_earliest'])} – {fmt_date(m['forecast_latest'])}"
    return f"dự báo đạt: {fmt_date(m['forecast_date']) if m['forecast_date'] else missing}"
