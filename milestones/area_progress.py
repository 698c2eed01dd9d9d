"""Construction of resettlement areas (khu tái định cư, the centre as investor): planned vs actual completion and
the progress history of each area.

An area is complete at ``as_of`` when its actual completion date is on or before ``as_of``. Not complete and past
its planned completion date, it is ``late`` by ``as_of − planned`` days (chậm N ngày); complete after the planned
date, ``done_late`` by ``actual − planned`` days. Codes: :data:`domain.people.AREA_PROGRESS_STATUSES`; words in
:mod:`vocab.people`. The history is the register's versions (:meth:`store.people.PeopleStore.register_versions`):
each import that changed an area's row is one version, dated by its upload in Vietnam time.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from domain import office_time

#: Dates of versions are the upload's day in Vietnam (UTC+7).
LOCAL_TZ = office_time.LOCAL_TZ

#: Columns of :func:`area_progress`.
AREA_PROGRESS_COLUMNS: tuple[str, ...] = (
    "area_id", "project_id", "name", "planned_completion_date", "actual_completion_date", "construction_percent",
    "complete", "status", "days_late",
)
#: Columns of :func:`progress_history`.
HISTORY_COLUMNS: tuple[str, ...] = ("area_id", "recorded_on", "upload_id", "construction_percent",
                                    "actual_completion_date")


def _day(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def _status(planned: date | None, actual: date | None, as_of: date) -> tuple[bool, str, int | None]:
    complete = actual is not None and actual <= as_of
    if planned is None:
        return complete, "no_plan", None
    if complete:
        late = (actual - planned).days
        return True, ("done_late" if late > 0 else "done"), max(late, 0)
    late = (as_of - planned).days
    return False, ("late" if late > 0 else "on_schedule"), max(late, 0)


def area_progress(areas: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Planned vs actual completion of each area at ``as_of`` (module docstring).

    Parameters
    ----------
    areas : DataFrame
        The current ``areas`` register rows (``store.register("areas")`` or ``store.resettlement_areas()``):
        ``area_id``, ``project_id``, ``name``, ``planned_completion_date``, ``actual_completion_date`` (dates or
        None), ``construction_percent`` (0–100).
    as_of : date

    Returns
    -------
    DataFrame
        :data:`AREA_PROGRESS_COLUMNS`: ``complete`` (bool), ``status`` (a code of
        :data:`domain.people.AREA_PROGRESS_STATUSES`), ``days_late`` (Int64 days, 0 when not late, NA without a
        planned date); one row per area in ``area_id`` order.
    """
    rows = []
    for r in areas.to_dict("records"):
        planned, actual = _day(r.get("planned_completion_date")), _day(r.get("actual_completion_date"))
        complete, status, days = _status(planned, actual, as_of)
        rows.append({"area_id": r["area_id"], "project_id": r.get("project_id"), "name": r.get("name"),
                     "planned_completion_date": planned, "actual_completion_date": actual,
                     "construction_percent": r.get("construction_percent"), "complete": complete,
                     "status": status, "days_late": days})
    out = pd.DataFrame(rows, columns=list(AREA_PROGRESS_COLUMNS))
    out["days_late"] = out["days_late"].astype("Int64")
    return out.sort_values("area_id", ignore_index=True)


def progress_history(versions: pd.DataFrame) -> pd.DataFrame:
    """The construction progress of each area over its register versions, oldest first.

    Parameters
    ----------
    versions : DataFrame
        ``store.register_versions("areas")``: ``area_id``, ``upload_id``, ``uploaded_at`` (UTC),
        ``construction_percent``, ``actual_completion_date``.

    Returns
    -------
    DataFrame
        :data:`HISTORY_COLUMNS`; ``recorded_on`` is the upload's date in Vietnam time. A version that changed
        only other columns (name, boundary) is kept: it is a dated statement of the percent too.
    """
    if versions.empty:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    stamps = pd.to_datetime(versions["uploaded_at"], utc=True).dt.tz_convert(LOCAL_TZ)
    out = versions.assign(recorded_on=stamps.dt.date, _at=stamps)
    out = out.sort_values(["area_id", "_at", "upload_id"], kind="stable", ignore_index=True)
    return out.reindex(columns=list(HISTORY_COLUMNS))
