"""Schedule-risk flags per parcel at an as-of date.

The rule (issue 11): a parcel is **at risk** when it holds back a late milestone, is stuck in its stage,
or is obstructed. One code per reason (:data:`domain.risk.RISK_CODES`; labels ``vocab.labels.risk_flag_label``):

``milestone_at_risk``
    The parcel (or its household, or its site) is in the **blocking set** (:mod:`milestones.blockers`:
    the shortest prefix of the ranked candidates that covers the shortfall) of a *current* milestone
    whose status is ``at_risk``, ``behind`` or ``missed`` (:func:`domain.milestones.current_milestones`:
    per (project, scope, metric) the earliest-due one whose target is not yet reached at the as-of date).
    Parcels outside the blocking set do not decide the milestone and are not flagged for it.
``stuck_<stage>``
    The parcel has been in ``<stage>`` longer than ``stage_limits_days`` of ``rules.yaml``
    (days from ``stage_date`` to the as-of date, strictly more than the limit). Defaults and their
    legal sources are in :mod:`milestones.rules`: notice 90 days for agricultural land / 180 days
    for non-agricultural land (Land Law 2013 art. 67(1), Land Law 2024 art. 85(1)); plan posted
    30 days (Land Law 2024 art. 87); approved → paid 30 days (Land Law 2013 art. 93(1), Land Law
    2024 art. 94(1)); inventory 60 and paid → handover 30 days are product defaults.
    ``not_started`` and ``handed_over`` are never stuck.
``complaint_open``, ``enforced``, ``compulsory_inventory`` (obstructed)
    A complaint recorded and not yet resolved; enforced recovery (cưỡng chế) or compulsory inventory
    (kiểm đếm bắt buộc) recorded — on a parcel not yet handed over.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.milestones import LATE_STATUSES, current_milestones
from domain.risk import RISK_CODES, STUCK_STAGES
from domain.stages import HANDED_OVER_RANK
from milestones.blockers import blocking_sets
from milestones.clocks import parcel_clocks
from milestones.events import to_timestamp
from milestones.rules import is_agricultural, resolve_rules

__all__ = ["RISK_CODES", "STUCK_STAGES", "parcel_risk_flags", "stage_limit_days"]


def stage_limit_days(stage: np.ndarray, land_use: np.ndarray, rules: Mapping[str, Any] | None = None) -> np.ndarray:
    """Stuck-in-stage limit in days per parcel (NaN where no limit applies).

    ``notice`` uses the agricultural limit for the land-use codes of
    :data:`milestones.rules.AGRICULTURAL_LAND_USE`, the non-agricultural one otherwise.
    """
    limits = resolve_rules(rules)["stage_limits_days"]
    # Per distinct stage value, then gathered by its code: a hash table, not one text comparison per stage.
    codes, stages = pd.factorize(np.asarray(stage, dtype=object))
    land_use = np.asarray(land_use, dtype=object)
    per_stage = np.full(len(stages) + 1, np.nan)                  # the last: a missing stage (code -1)
    for k, s in enumerate(stages):
        if s in STUCK_STAGES[1:] and s in limits:
            per_stage[k] = float(limits[s])
    out = per_stage[codes]
    notice = codes == (list(stages).index("notice") if "notice" in set(stages) else -2)
    agri = is_agricultural(land_use)
    out[notice & agri] = float(limits["notice_agricultural"])
    out[notice & ~agri] = float(limits["notice_non_agricultural"])
    return out


def parcel_risk_flags(state: pd.DataFrame, milestones: pd.DataFrame, as_of: date,
                      rules: Mapping[str, Any] | None = None, blockers: pd.DataFrame | None = None,
                      blocking_rows: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Risk flags of every parcel at ``as_of`` (rules in the module docstring).

    Parameters
    ----------
    state : DataFrame
        :func:`milestones.progress.parcel_stages` at ``as_of`` (``parcel_id``, ``project_id``,
        ``commune``, ``commune_former``, ``land_use``, ``stage``, ``stage_rank``, ``stage_date``,
        ``complaint_open``, ``enforced``).
    milestones : DataFrame
        :func:`milestones.status.milestone_status` at ``as_of``.
    as_of : date
    rules : mapping, optional
        ``rules.yaml`` content.
    blockers : DataFrame, optional
        :func:`milestones.blockers.blocking_sets` at ``as_of`` (the snapshot passes its own); when
        omitted it is computed from ``state`` with the legal and default stage durations only.
    blocking_rows : mapping, optional
        Per milestone id, the row positions in ``state`` of the parcels of its blocking set
        (:func:`milestones.blockers.blocking_sets_and_rows`, computed from this same ``state``): then the
        parcels are marked by position instead of looking their ids up (same flags, less work).

    Returns
    -------
    DataFrame
        Same rows and order as ``state``: ``parcel_id``, ``days_in_stage`` (float, NaN when not
        started), ``risk_flags`` (list of codes from :data:`RISK_CODES`; rows with the same flags share
        one list object, read-only like the rest of a snapshot), ``at_risk`` (bool: any flag).
    """
    days = _days_in_stage(state, to_timestamp(as_of))
    if blockers is None:
        blockers = _blockers_without_history(state, milestones, as_of, rules)
    flags = {"milestone_at_risk": _blocking_late_milestone(state, milestones, blockers, blocking_rows)}
    flags.update(_stuck(state, days, rules))
    open_ = state["stage_rank"].to_numpy() < HANDED_OVER_RANK
    for code in ("complaint_open", "enforced", "compulsory_inventory"):
        flags[code] = state[code].to_numpy(dtype=bool) & open_ if code in state else np.zeros(len(state), bool)
    matrix = np.column_stack([flags[c] for c in RISK_CODES]) if len(state) else np.zeros((0, len(RISK_CODES)), bool)
    return pd.DataFrame({
        "parcel_id": state["parcel_id"].to_numpy(),
        "days_in_stage": days,
        "risk_flags": _code_lists(matrix),
        "at_risk": matrix.any(axis=1),
    })


def _blocking_late_milestone(state: pd.DataFrame, milestones: pd.DataFrame, blockers: pd.DataFrame,
                             blocking_rows: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Parcels in the blocking set of a current late milestone (every parcel of a household or site)."""
    if milestones.empty or blockers.empty:
        return np.zeros(len(state), dtype=bool)
    current = current_milestones(milestones)
    late = set(current.loc[current["status"].isin(LATE_STATUSES), "milestone_id"])
    if blocking_rows is not None:
        out = np.zeros(len(state), dtype=bool)
        for milestone_id in late & set(blocking_rows):
            out[blocking_rows[milestone_id]] = True
        return out
    chosen = blockers[blockers["milestone_id"].isin(late)]
    ids = list({p for group in chosen["parcel_ids"] for p in group})
    return pd.Index(state["parcel_id"].to_numpy(dtype=object)).isin(ids)     # hash look-ups


def _blockers_without_history(state: pd.DataFrame, milestones: pd.DataFrame, as_of: date,
                              rules: Mapping[str, Any] | None) -> pd.DataFrame:
    """Blocking sets from the state alone (no observed stage durations): for callers without a snapshot."""
    if milestones.empty or "shortfall_m2" not in milestones.columns:
        return pd.DataFrame(columns=["milestone_id", "parcel_ids"])
    todo = state[state["stage_rank"].to_numpy() < HANDED_OVER_RANK]
    observed = pd.DataFrame(columns=["project_id", "stage", "median_days", "parcels"])
    return blocking_sets(state, milestones, parcel_clocks(todo, as_of, rules), observed, as_of, rules)


def _days_in_stage(state: pd.DataFrame, ts: pd.Timestamp) -> np.ndarray:
    """Days from ``stage_date`` to ``ts`` per parcel (float, NaN when not started)."""
    stage_date = pd.to_datetime(state["stage_date"]).astype("datetime64[ns]").to_numpy()
    days = (np.datetime64(ts.to_datetime64(), "ns") - stage_date).astype("timedelta64[D]").astype(float)
    days[np.isnat(stage_date)] = np.nan
    return days


def _stuck(state: pd.DataFrame, days: np.ndarray, rules: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """``stuck_<stage>`` flags: days in the stage strictly more than its limit."""
    n = len(state)
    land_use = state["land_use"].to_numpy() if "land_use" in state else np.full(n, None)
    stage = state["stage"].to_numpy(dtype=object)
    limit = stage_limit_days(stage, land_use, rules)
    stuck = ~np.isnan(limit) & ~np.isnan(days) & (days > limit)
    codes, stages = pd.factorize(stage)
    position = {s: k for k, s in enumerate(stages)}
    return {f"stuck_{s}": stuck & (codes == position.get(s, -2)) for s in STUCK_STAGES}


def _code_lists(matrix: np.ndarray) -> np.ndarray:
    """The list of flag codes of each row of a (parcels × RISK_CODES) boolean matrix (object array of lists)."""
    # Few distinct flag combinations: build each list once and give it to every parcel that has it
    # (one object per combination, not one per parcel: 100 000 list copies cost more than the flags).
    bits = matrix.astype("int64") @ (1 << np.arange(len(RISK_CODES), dtype="int64"))
    patterns, inverse = np.unique(bits, return_inverse=True)
    codes_of = np.empty(len(patterns), dtype=object)
    for k, p in enumerate(patterns):             # one by one: numpy would make equal-length lists a 2-D array
        codes_of[k] = [c for i, c in enumerate(RISK_CODES) if p >> i & 1]
    return codes_of[inverse.ravel()]
