"""Milestone codes and the one rule for "the current milestone" (used by risk flags, tables and exports).

A milestone (``milestones`` table, DATA_MODEL.md) has a ``metric``, a ``target_percent`` and a
``due_date`` within a ``scope`` (``project`` or a commune). Its status at an as-of date is computed in
``milestones.status``; this module only holds codes and the selection rule, so every view picks the
same milestone.
"""
from __future__ import annotations

import pandas as pd

#: Milestone metrics: what a milestone's ``target_percent`` is a percentage of.
METRICS: tuple[str, ...] = ("percent_area_handed_over", "percent_households_paid", "percent_sites_handed_over")

#: Milestone status codes (``milestones.status.classify``).
STATUSES: tuple[str, ...] = ("met", "missed", "on_track", "at_risk", "behind")

#: Statuses that call for action: the milestone is not (or will not be) reached on time.
LATE_STATUSES: frozenset[str] = frozenset({"at_risk", "behind", "missed"})

#: Columns that identify one series of milestones (one metric in one scope of one project).
SERIES_KEYS: tuple[str, ...] = ("project_id", "scope", "metric")


def current_milestones(milestones: pd.DataFrame, *, keys: tuple[str, ...] = SERIES_KEYS) -> pd.DataFrame:
    """The current milestone of each series: the earliest-due one not yet ``met``, else the last one.

    A missed milestone stays current until its target is reached, so a late target is never hidden by
    a later one: when ``actual_percent`` and ``target_percent`` are present, a milestone whose actual
    value has reached its target is not pending even if it was ``missed`` at its due date. Ties on
    ``due_date`` are broken by ``milestone_id``.

    Parameters
    ----------
    milestones : DataFrame
        Milestone statuses at one as-of date (``milestones.status.milestone_status``): at least
        ``due_date``, ``status`` and the ``keys`` columns present in the frame (a missing ``scope``
        means ``project``; a missing ``metric`` or ``project_id`` is not grouped on).
    keys : tuple of str
        Columns that identify a series; pass ``("project_id",)`` for one milestone per project.

    Returns
    -------
    DataFrame
        One row per series, the same columns as ``milestones``, in ``keys`` then due-date order; empty
        (same columns) when ``milestones`` is empty.
    """
    if milestones.empty:
        return milestones.iloc[0:0]
    group_keys = [k for k in keys if k in milestones.columns]
    order = ["_due", "milestone_id"] if "milestone_id" in milestones.columns else ["_due"]
    ordered = milestones.assign(
        _due=pd.to_datetime(milestones["due_date"], errors="coerce"),
        _pending=_pending(milestones),
    ).sort_values(order, kind="stable")
    if not group_keys:
        ordered = ordered.assign(_series=0)
        group_keys = ["_series"]
    pending_first = ordered[ordered["_pending"]].groupby(group_keys, sort=False, dropna=False).head(1)
    last = ordered.groupby(group_keys, sort=False, dropna=False).tail(1)
    done = last[~last.set_index(group_keys).index.isin(pending_first.set_index(group_keys).index)]
    chosen = pd.concat([pending_first, done]).sort_values([*group_keys, *order], kind="stable")
    return chosen.drop(columns=[c for c in ("_due", "_pending", "_series") if c in chosen.columns])


def _pending(milestones: pd.DataFrame) -> pd.Series:
    """True for milestones whose target is not reached: status not ``met`` and, when known, actual < target."""
    pending = milestones["status"].astype(str) != "met"
    if {"actual_percent", "target_percent"} <= set(milestones.columns):
        actual = pd.to_numeric(milestones["actual_percent"], errors="coerce")
        target = pd.to_numeric(milestones["target_percent"], errors="coerce")
        pending &= ~(actual >= target - 1e-9)
    return pending
