"""``milestones.aggregates.combine_project`` as it was before issue 13's report steps (the reference).

The fast path splits a project's reports once (``report_steps``) and evaluates them at each as-of date
(``combine_steps``); this is the one-call formulation it replaced, checked equal in
``tests/milestones/test_snapshot_keys.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from milestones.aggregates import latest_at


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
    dates = np.asarray(pd.to_datetime(dates), dtype="datetime64[ns]")
    parcel_area = np.asarray(parcel_area, dtype=float).reshape(len(communes), len(dates))
    to_recover = np.asarray(to_recover, dtype=float)
    reported = np.zeros_like(parcel_area)
    project_reported = np.zeros(len(dates))
    if len(reports):
        level = reports["level"].to_numpy(dtype=object)
        commune = reports["commune"].to_numpy(dtype=object)
        former = reports["commune_former"].to_numpy(dtype=object)
        rdates = reports["event_date"].to_numpy(dtype="datetime64[ns]")
        rarea = reports["area_m2"].to_numpy(dtype=float)
        for i, name in enumerate(communes):
            mine = commune == name
            if not mine.any():
                continue
            new = mine & (level == "commune")
            from_former = np.zeros(len(dates))
            former_rows = mine & (level == "former")
            for unit in pd.unique(former[former_rows]):
                sel = former_rows & (former == unit)
                from_former += latest_at(rdates[sel], rarea[sel], dates)
            reported[i] = np.fmax(latest_at(rdates[new], rarea[new], dates), from_former)
        proj = level == "project"
        project_reported = latest_at(rdates[proj], rarea[proj], dates)
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
