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
A plain call (text or ``--json``) at a date not answered before is answered by ``cli.fast_status`` from the
status document stored for the data version (:mod:`milestones.status_fast`; DATA_MODEL.md "CLI"); this module is
the full path, which stores that document when it is missing. Both print through :mod:`commands._status_text`.
Exit code 0; 1 when the store cannot be opened or computed; 2 on a usage error (e.g. a bad date).
"""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date

import numpy as np
import pandas as pd

from commands import _status_text
from commands._auth import add_as_argument, reader_for
from commands._common import add_as_of_argument, add_database_url_argument
from commands._status_text import plain_json_value
from domain import office_time
from vocab.escape import terminal_block, terminal_json

NAME = "status"
HELP = "Tiến độ GPMB theo dự án và trạng thái các mốc tại một ngày"

log = logging.getLogger(__name__)

def add_common(parser) -> None:
    add_as_of_argument(parser)
    add_database_url_argument(parser)


def json_value(value):
    """A scalar as JSON: dates ISO ``YYYY-MM-DD``, NaN/NaT/None → null, numpy → Python
    (:func:`commands._status_text.plain_json_value` once numpy and pandas values are made plain)."""
    if isinstance(value, np.ndarray):
        value = list(value)
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    return plain_json_value(value)


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
    return _status_text.status_records(snapshot.projects.to_dict("records"), snapshot.milestones.to_dict("records"),
                                       json_value)


def format_text(snapshot) -> str:
    """Plain-text report in Vietnamese (numbers 1.234,5; dates dd/mm/yyyy)."""
    return _status_text.format_text(snapshot.as_of, status_records(snapshot), snapshot.problems)


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
    version = store.output_data_version() if request else None     # what the answer below is computed on
    if request and not request["rollup"] and _wants_document(store):
        output = _output_preparing(store, args, as_of)
    else:
        output = _output(store, args, as_of)
    if request:
        store.save_output(request, output, computed_on=version)
    emit(output)
    return 0


def _wants_document(store) -> bool:
    """True for a GeoPackage store without a usable status document of its present data and program (the
    fast path of :func:`cli.fast_status` reads GeoPackage files only)."""
    from milestones.status_fast import document_from_text
    from store.output_cache import code_version

    if store.engine.dialect.name != "sqlite":
        return False
    text = store.cached_output(_status_text.PREPARED_REQUEST)
    return text is None or document_from_text(text, store.output_data_version(), code_version()) is None


def _output_preparing(store, args, as_of: date) -> str:
    """The full path's output through the data prepared once per data version
    (:func:`milestones.prepared.snapshot_at`, equal to ``compute_snapshot``), and the status document made
    from the same data stored for the next new date. The document is stored only when its own answer at
    ``as_of`` is the same text and JSON as the snapshot's and the data did not change meanwhile."""
    from milestones.prepared import prepare, snapshot_at
    from milestones.status_fast import status_at
    from milestones.status_prepared import status_document
    from store.output_cache import code_version

    version = store.output_data_version()
    prepared = prepare(store)
    snapshot = snapshot_at(prepared, as_of)   # a GpmbError reaches cli.py
    records = status_records(snapshot)
    output = _status_text.status_output(as_of, records, snapshot.problems, as_json=args.json)
    try:
        doc = {**status_document(prepared), "version": version, "code": code_version()}
        projects, milestones, problems = status_at(json.loads(json.dumps(doc)), as_of)
        fast = _status_text.status_records(projects, milestones)
        same = all(_status_text.status_output(as_of, fast, problems, as_json=j) ==
                   _status_text.status_output(as_of, records, snapshot.problems, as_json=j) for j in (False, True))
        if same:
            store.save_output(_status_text.PREPARED_REQUEST, json.dumps(doc, ensure_ascii=False), computed_on=version)
        else:
            log.warning("status document differs from the snapshot at %s: not stored", as_of)
    except Exception:          # the document is an optimisation: the answer above stands without it
        log.warning("status document not made", exc_info=True)
    return output


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
    return _status_text.status_output(as_of, status_records(snapshot), snapshot.problems, as_json=args.json)
