"""Aggregate reports (cumulative m² handed over per scope) and their combination with parcel figures.

The combination rule is stated in :mod:`milestones.progress` ("Aggregate reports").
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from milestones.events import parcel_frame, prepare_events, to_timestamp
from parsing.text import fold_vi

log = logging.getLogger(__name__)


def aggregate_reports(parcels: pd.DataFrame, events: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Aggregate ``handed_over`` reports up to ``as_of`` with their scope resolved.

    Returns
    -------
    DataFrame
        ``project_id``, ``level`` (``project`` | ``commune`` | ``former``), ``commune`` (2025 unit,
        for levels commune and former), ``commune_former`` (level former), ``event_date``,
        ``event_id``, ``area_m2`` (cumulative m² handed over). The commune named in a report is
        matched, ignoring case and diacritics, against the parcels' ``commune`` first, then
        ``commune_former``; unmatched reports are dropped with a logged warning.
    """
    ev = prepare_events(events, as_of)
    ag = ev[(ev["kind"] == "aggregate") & (ev["event"] == "handed_over") & ev["area_m2"].notna()].copy()
    cols = ["project_id", "level", "commune", "commune_former", "event_date", "event_id", "area_m2"]
    if ag.empty:
        return pd.DataFrame(columns=cols).astype({"event_date": "datetime64[ns]", "area_m2": float})
    scopes = _report_scopes(parcel_frame(parcels))
    resolved = [_resolve_report_scope(scopes, pid, name) for pid, name in zip(ag["project_id"], ag["commune"])]
    level, commune, former = zip(*resolved)
    ag["level"], ag["commune"], ag["commune_former"] = list(level), list(commune), list(former)
    ag = ag[ag["level"].notna()].sort_values(["event_date", "event_id"], kind="stable")
    return ag[cols].reset_index(drop=True)



def _report_scopes(p: pd.DataFrame) -> tuple[dict, dict]:
    """Folded (project, commune name) → 2025 commune, and → (2025 commune, former commune)."""
    new_names, former_names = {}, {}
    for row in p[["project_id", "commune", "commune_former"]].drop_duplicates().itertuples(index=False):
        if isinstance(row.commune, str):
            new_names[(row.project_id, fold_vi(row.commune))] = row.commune
        if isinstance(row.commune_former, str):
            former_names[(row.project_id, fold_vi(row.commune_former))] = (row.commune, row.commune_former)
    return new_names, former_names


def _resolve_report_scope(scopes: tuple[dict, dict], project_id, name) -> tuple[str | None, str | None, str | None]:
    """(level, 2025 commune, former commune) of one report; level None when the commune is unknown."""
    new_names, former_names = scopes
    if not isinstance(name, str) or not name.strip():
        return "project", None, None
    key = (project_id, fold_vi(name))
    if key in new_names:
        return "commune", new_names[key], None
    if key in former_names:
        return ("former", *former_names[key])
    log.warning("aggregate report for unknown commune %r of project %r ignored", name, project_id)
    return None, None, None

def latest_values(reports: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """Value of the latest report dated on or before each date (0 before the first report).

    ``reports`` must be sorted by (``event_date``, ``event_id``), as :func:`aggregate_reports` returns.
    """
    if reports.empty:
        return np.zeros(len(dates))
    return latest_at(reports["event_date"].to_numpy(dtype="datetime64[ns]"),
                      reports["area_m2"].to_numpy(dtype=float), np.asarray(dates, dtype="datetime64[ns]"))


def latest_at(rdates: np.ndarray, rvalues: np.ndarray, dates: np.ndarray) -> np.ndarray:
    if len(rdates) == 0:
        return np.zeros(len(dates))
    pos = np.searchsorted(rdates, dates, side="right") - 1
    return np.where(pos >= 0, rvalues[np.maximum(pos, 0)], 0.0)


def combine_project(communes, parcel_area: np.ndarray, to_recover: np.ndarray, reports: pd.DataFrame,
                    dates) -> dict[str, np.ndarray]:
    """Combine one project's parcel-derived handed-over area with its aggregate reports.

    The rule is in the module docstring: per commune max(parcels, report naming it, Σ reports of its
    former communes), capped at its area to recover; project = max(Σ communes, project report),
    capped at the project's area to recover.

    Parameters
    ----------
    communes : sequence of str
        The project's 2025 communes (C of them; a missing name never matches a report).
    parcel_area : ndarray, shape (C, D)
        m² handed over by the parcel rules, per commune and date.
    to_recover : ndarray, shape (C,)
        m² to recover per commune.
    reports : DataFrame
        :func:`aggregate_reports` rows of this project.
    dates : array of datetime64, shape (D,)

    Returns
    -------
    dict
        ``commune_reported_m2``, ``commune_handed_over_m2`` (C, D); ``project_parcels_m2``,
        ``project_reported_m2``, ``project_handed_over_m2`` (D,); ``project_to_recover_m2`` (scalar).
    """
    return combine_steps(report_steps(communes, reports), parcel_area, to_recover, dates)


@dataclass(frozen=True)
class ReportSteps:
    """One project's aggregate reports split into the step functions :func:`combine_project` reads, so that
    a caller evaluating the same project at many as-of dates splits them once (:func:`report_steps`).

    ``communes``: per commune of the project (in the given order) None when no report names it, else
    ``(commune report steps, [steps of each former commune's reports])``; ``project``: the project-level
    report steps. A step function is ``(dates datetime64[ns], m²)`` in report order.
    """

    communes: tuple
    project: tuple[np.ndarray, np.ndarray] | None


def report_steps(communes, reports: pd.DataFrame) -> ReportSteps:
    """The :class:`ReportSteps` of one project's ``reports`` (:func:`aggregate_reports` rows) for ``communes``."""
    if not len(reports):
        return ReportSteps(tuple(None for _ in communes), None)
    level = reports["level"].to_numpy(dtype=object)
    commune = reports["commune"].to_numpy(dtype=object)
    former = reports["commune_former"].to_numpy(dtype=object)
    rdates = reports["event_date"].to_numpy(dtype="datetime64[ns]")
    rarea = reports["area_m2"].to_numpy(dtype=float)
    per_commune = []
    for name in communes:
        mine = commune == name
        if not mine.any():
            per_commune.append(None)
            continue
        new = mine & (level == "commune")
        former_rows = mine & (level == "former")
        units = [(rdates[sel], rarea[sel]) for sel in
                 (former_rows & (former == unit) for unit in pd.unique(former[former_rows]))]
        per_commune.append(((rdates[new], rarea[new]), units))
    proj = level == "project"
    return ReportSteps(tuple(per_commune), (rdates[proj], rarea[proj]))


def combine_steps(steps: ReportSteps, parcel_area: np.ndarray, to_recover: np.ndarray,
                  dates) -> dict[str, np.ndarray]:
    """:func:`combine_project` from the project's :class:`ReportSteps` (same shapes, same result)."""
    if not (isinstance(dates, np.ndarray) and dates.dtype == "datetime64[ns]"):    # else already the values
        dates = np.asarray(pd.to_datetime(dates), dtype="datetime64[ns]")
    parcel_area = np.asarray(parcel_area, dtype=float).reshape(len(steps.communes), len(dates))
    to_recover = np.asarray(to_recover, dtype=float)
    reported = np.zeros_like(parcel_area)
    project_reported = np.zeros(len(dates))
    for i, commune_steps in enumerate(steps.communes):
        if commune_steps is None:
            continue
        (new_dates, new_area), units = commune_steps
        from_former = np.zeros(len(dates))
        for unit_dates, unit_area in units:
            from_former += latest_at(unit_dates, unit_area, dates)
        reported[i] = np.fmax(latest_at(new_dates, new_area, dates), from_former)
    if steps.project is not None:
        project_reported = latest_at(*steps.project, dates)
    handed = np.minimum(np.fmax(parcel_area, reported), to_recover[:, None])
    total = float(to_recover.sum())
    return {
        "commune_reported_m2": reported,
        "commune_handed_over_m2": handed,
        "project_parcels_m2": parcel_area.sum(axis=0),
        "project_reported_m2": project_reported,
        "project_handed_over_m2": np.minimum(np.fmax(handed.sum(axis=0), project_reported), total),
        "project_to_recover_m2": total,
    }


def combine_area(parcel_area: pd.DataFrame, reports: pd.DataFrame, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine parcel-derived handed-over area with aggregate reports at ``as_of`` (module rule).

    Parameters
    ----------
    parcel_area : DataFrame
        One row per (``project_id``, ``commune``): ``area_parcels_m2`` (handed over by the parcel
        rules) and ``area_to_recover_m2`` (m²).
    reports : DataFrame
        :func:`aggregate_reports`.
    as_of : date

    Returns
    -------
    (communes, projects) : tuple of DataFrame
        ``communes``: ``project_id``, ``commune``, ``area_parcels_m2``, ``area_reported_m2``,
        ``area_handed_over_m2`` (capped at ``area_to_recover_m2``); ``projects``: ``project_id``,
        ``area_parcels_m2``, ``area_reported_m2``, ``area_handed_over_m2``, ``area_to_recover_m2``.
    """
    dates = np.array([to_timestamp(as_of).to_datetime64()], dtype="datetime64[ns]")
    c_rows, p_rows = [], []
    for project_id, group in parcel_area.groupby("project_id", sort=False):
        names = list(group["commune"])
        out = combine_project(names, group["area_parcels_m2"].to_numpy()[:, None],
                              group["area_to_recover_m2"].to_numpy(),
                              reports[reports["project_id"] == project_id], dates)
        c_rows.append(group[["project_id", "commune", "area_parcels_m2", "area_to_recover_m2"]].assign(
            area_reported_m2=out["commune_reported_m2"][:, 0], area_handed_over_m2=out["commune_handed_over_m2"][:, 0]))
        p_rows.append(dict(project_id=project_id, area_parcels_m2=out["project_parcels_m2"][0],
                           area_reported_m2=out["project_reported_m2"][0],
                           area_handed_over_m2=out["project_handed_over_m2"][0],
                           area_to_recover_m2=out["project_to_recover_m2"]))
    c_cols = ["project_id", "commune", "area_parcels_m2", "area_to_recover_m2", "area_reported_m2", "area_handed_over_m2"]
    communes = pd.concat(c_rows, ignore_index=True) if c_rows else pd.DataFrame(columns=c_cols)
    projects = pd.DataFrame(p_rows, columns=["project_id", "area_parcels_m2", "area_reported_m2",
                                             "area_handed_over_m2", "area_to_recover_m2"])
    return communes, projects


def percent_of(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)
