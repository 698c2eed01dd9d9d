"""Planned vs actual S-curve of area handed over, per project.

Planned % is piecewise-linear through (``start_date``, 0 %) and each project-scoped
``percent_area_handed_over`` milestone (``due_date``, ``target_percent``) in due-date order; flat at
the last target after the last milestone and 0 before the start. A project without ``start_date``
starts its planned line at the first milestone. Actual % is the area handed over (parcels and
aggregate reports combined, :mod:`milestones.progress`) on each date up to the as-of date, NaN after.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from milestones.events import to_timestamp
from milestones.history import ProgressHistory

CURVE_COLUMNS = ("project_id", "date", "planned_percent", "actual_percent")


def planned_percent(start_date, milestones: pd.DataFrame, dates: pd.DatetimeIndex) -> np.ndarray:
    """Planned % at ``dates`` through (start, 0) and the milestones' (due_date, target_percent).

    Parameters
    ----------
    start_date : date or None
        Planned start of clearance (0 %); None/NaT when unknown.
    milestones : DataFrame
        ``due_date`` (date), ``target_percent`` (0–100) of one project, area metric, project scope.
    dates : DatetimeIndex

    Returns
    -------
    ndarray of float
        NaN everywhere when there is no milestone.
    """
    if milestones.empty:
        return np.full(len(dates), np.nan)
    ms = milestones.assign(_d=pd.to_datetime(milestones["due_date"])).sort_values("_d")
    xs = list(ms["_d"].to_numpy(dtype="datetime64[ns]").astype("int64"))
    ys = list(ms["target_percent"].astype(float))
    left = np.nan
    if start_date is not None and not pd.isna(start_date):
        start = to_timestamp(start_date).to_datetime64().astype("datetime64[ns]").astype("int64")
        if start < xs[0]:
            xs, ys, left = [start] + xs, [0.0] + ys, 0.0
    x = dates.to_numpy(dtype="datetime64[ns]").astype("int64")
    return np.interp(x, xs, ys, left=left, right=ys[-1])


def s_curve(projects: pd.DataFrame, milestones: pd.DataFrame, history: ProgressHistory, as_of: date,
            every_days: int = 7) -> pd.DataFrame:
    """Planned and actual % of area handed over per project on a regular calendar.

    Parameters
    ----------
    projects : DataFrame
        ``project_id``, ``start_date`` (date, optional).
    milestones : DataFrame
        Valid milestones (:func:`milestones.status.validate_milestones` or the status table):
        ``project_id``, ``due_date``, ``metric``, ``target_percent``, ``scope``.
    history : milestones.history.ProgressHistory
        Up to ``as_of``.
    as_of : date
    every_days : int
        Spacing of the calendar; the start date, each due date and ``as_of`` are always included.

    Returns
    -------
    DataFrame
        ``project_id``, ``date`` (Timestamp), ``planned_percent``, ``actual_percent`` (NaN after
        ``as_of``), from the planned start (or the first event) to max(``as_of``, last due date).
    """
    ts = to_timestamp(as_of)
    ms = milestones[(milestones["metric"] == "percent_area_handed_over") & (milestones["scope"] == "project")]
    rows = []
    for rec in pd.DataFrame(projects).to_dict("records"):
        pid = rec["project_id"]
        pms = ms[ms["project_id"] == pid]
        start = rec.get("start_date")
        start = None if start is None or pd.isna(start) else to_timestamp(start)
        anchors = [d for d in [start] + [to_timestamp(d) for d in pms["due_date"]] if d is not None]
        first_change = history.first_change_day(pid)        # the first change up to as_of (kept per project)
        if first_change is not None and first_change <= ts.to_datetime64():
            anchors.append(pd.Timestamp(first_change))
        begin = min(anchors + [ts])
        end = max(anchors + [ts])
        dates = pd.date_range(begin, end, freq=f"{int(every_days)}D")
        extra = [d for d in [start, ts, end] + [to_timestamp(d) for d in pms["due_date"]] if d is not None]
        dates = pd.DatetimeIndex(np.union1d(dates.to_numpy(dtype="datetime64[ns]"),
                                            np.array([d.to_datetime64() for d in extra], dtype="datetime64[ns]")))
        planned = planned_percent(start, pms, dates)
        actual = np.full(len(dates), np.nan)
        upto = dates <= ts
        if upto.any() and history.has_parcels(pid):
            actual[upto] = history.percent("percent_area_handed_over", pid, None, dates[upto])
        rows.append(pd.DataFrame({"project_id": pid, "date": dates, "planned_percent": planned,
                                  "actual_percent": actual}))
    if not rows:
        return pd.DataFrame(columns=list(CURVE_COLUMNS))
    return pd.concat(rows, ignore_index=True)[list(CURVE_COLUMNS)]
