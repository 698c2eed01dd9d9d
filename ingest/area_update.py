"""A new construction percent (and actual completion date) of one resettlement area, typed on the page «Tái định cư».

It is recorded exactly as a one-row ``areas`` import (:meth:`store.people.PeopleStore.commit_register`): the
area's current row with the new values, checked by the same validators as a file
(:func:`ingest.register_rows.validate_areas`, :func:`ingest.area_rows.area_checks`), one upload, one audit row
``register_imported``, the earlier version kept (a revert of the upload brings it back). The store checks the
account (``upload_counts``; a commune officer never writes an area).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd

from domain import office_time
from domain.crs import STORE_EPSG
from domain.people import REGISTER_COLUMNS
from domain.roles import Account
from ingest.area_rows import area_checks, area_geometries, lower_percent_notes
from ingest.register_import import RegisterImportResult
from ingest.register_rows import REGISTERS, validate_register


def _raw_row(current: dict, construction_percent, actual_completion_date) -> pd.DataFrame:
    """The area's row as a file would carry it (Vietnamese headers), with the new values."""
    values = {**current, "construction_percent": construction_percent,
              "actual_completion_date": actual_completion_date}
    row = {f.header_vi: values.get(f.column) for f in REGISTERS["areas"]}
    return pd.DataFrame([row], index=pd.Index([1], name="row"))


def record_area_progress(store, area_id: str, *, construction_percent, actual_completion_date: date | None = None,
                         actor: Account, today: date | None = None, source: str = "upload",
                         client_address: str | None = None) -> RegisterImportResult:
    """Record a new ``construction_percent`` (0–100) and, once built, ``actual_completion_date`` of ``area_id``.

    Returns
    -------
    RegisterImportResult
        ``committed`` (a new version), ``nothing_new`` (the values are those recorded), ``rejected`` (the
        problems name the column: percent out of range, an actual date after today or below 100 %), or
        ``refused`` (no such area).

    Raises
    ------
    domain.roles.PermissionDeniedError, AccountDisabledError
        From the store: the account may not record areas (nothing written).
    """
    today = today or office_time.today()
    name = f"cap-nhat-tien-do-{area_id}"
    current = store.register("areas")
    hit = current[current["area_id"] == area_id]
    result = RegisterImportResult("refused", "", "areas", name)
    if hit.empty:
        result.message_vi = f"Không có khu tái định cư «{area_id}» trong kho dữ liệu."
        return result
    raw = _raw_row(hit.iloc[0].to_dict(), construction_percent, actual_completion_date)
    valid, problems = validate_register("areas", raw)
    problems += area_checks(valid, today)
    valid, geo_problems, _, _ = area_geometries(valid[~valid.index.isin({p.row for p in problems})], epsg=STORE_EPSG)
    result.project_id, result.rows = hit.iloc[0]["project_id"], 1
    result.problems = problems + geo_problems
    if result.problems:
        result.status = "rejected"
        result.message_vi = "Chưa ghi: " + "; ".join(f"{p.column}: {p.message_vi}" for p in result.problems) + "."
        return result
    result.notes = lower_percent_notes(valid, current)
    rows = valid.reindex(columns=list(REGISTER_COLUMNS["areas"]))
    content = json.dumps(rows.astype(str).to_dict("records"), ensure_ascii=False, sort_keys=True)
    result.file_sha256, result.rows_valid = hashlib.sha256(content.encode("utf-8")).hexdigest(), 1
    written = store.commit_register("areas", rows, actor=actor, file_name=name, file_sha256=result.file_sha256,
                                    rows_read=1, project_id=result.project_id, source=source,
                                    client_address=client_address)
    result.upload_id, result.rows_changed, result.rows_unchanged = written.upload_id, written.rows_changed, \
        written.rows_unchanged
    if not written.created:
        result.status, result.message_vi = "nothing_new", "Tiến độ này đã được ghi: không ghi thêm gì."
        return result
    result.status = "committed"
    result.message_vi = (f"Đã ghi tiến độ {float(rows.iloc[0]['construction_percent']):g}% của khu {area_id} "
                         f"(lần tải {written.upload_id}).")
    return result
