"""Schedule-risk flags per parcel at an as-of date.

Flags (codes in data, Vietnamese labels in the UI)
--------------------------------------------------
``milestone_at_risk``
    The parcel has not reached the stage a milestone counts (``handed_over`` for
    ``percent_area_handed_over``, ``paid`` for ``percent_households_paid``) and lies in the scope of
    a *current* milestone whose status is ``at_risk``, ``behind`` or ``missed``. The current
    milestone of a (project, scope, metric) is the earliest-due one whose target is not yet reached
    at the as-of date (a missed milestone stays current until its target is reached).
``stuck_<stage>``
    The parcel has been in ``<stage>`` longer than ``stage_limits_days`` of ``rules.yaml``
    (days from ``stage_date`` to the as-of date, strictly more than the limit). Defaults and their
    legal sources are in :mod:`milestones.rules`: notice 90 days for agricultural land / 180 days
    for non-agricultural land (Land Law 2013 art. 67(1), Land Law 2024 art. 85(1)); plan posted
    30 days (Land Law 2024 art. 87); approved → paid 30 days (Land Law 2013 art. 93(1), Land Law
    2024 art. 94(1)); inventory 60 and paid → handover 30 days are product defaults.
    ``not_started`` and ``handed_over`` are never stuck.
``complaint_open``
    A complaint recorded and not yet resolved.
``enforced``
    Enforced recovery (cưỡng chế) recorded.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from milestones.progress import HANDED_OVER_RANK, PAID_RANK, resolve_scope, to_timestamp
from milestones.rules import AGRICULTURAL_LAND_USE, resolve_rules
from vocab.labels import STAGE_LABELS_VI

#: Risk-flag codes in display order (``stuck_<stage>`` for each stage that can be stuck).
STUCK_STAGES: tuple[str, ...] = ("notice", "inventory", "plan_posted", "approved", "paid")
RISK_CODES: tuple[str, ...] = ("milestone_at_risk",) + tuple(f"stuck_{s}" for s in STUCK_STAGES) + (
    "complaint_open", "enforced")

RISK_LABELS_VI: dict[str, str] = {
    "milestone_at_risk": "Thuộc mốc tiến độ có nguy cơ / chậm / không đạt",
    **{f"stuck_{s}": f"Quá thời hạn ở giai đoạn «{STAGE_LABELS_VI[s]}»" for s in STUCK_STAGES},
    "complaint_open": "Khiếu nại chưa giải quyết",
    "enforced": "Cưỡng chế thu hồi đất",
}

_BAD = ("at_risk", "behind", "missed")


def stage_limit_days(stage: np.ndarray, land_use: np.ndarray, rules: Mapping[str, Any] | None = None) -> np.ndarray:
    """Stuck-in-stage limit in days per parcel (NaN where no limit applies).

    ``notice`` uses the agricultural limit for the land-use codes of
    :data:`milestones.rules.AGRICULTURAL_LAND_USE`, the non-agricultural one otherwise.
    """
    limits = resolve_rules(rules)["stage_limits_days"]
    stage = np.asarray(stage, dtype=object)
    land_use = np.asarray(land_use, dtype=object)
    out = np.full(len(stage), np.nan)
    for s in STUCK_STAGES[1:]:
        if s in limits:
            out[stage == s] = float(limits[s])
    agri = np.array([str(v).strip().upper() in AGRICULTURAL_LAND_USE for v in land_use], dtype=bool)
    notice = stage == "notice"
    out[notice & agri] = float(limits["notice_agricultural"])
    out[notice & ~agri] = float(limits["notice_non_agricultural"])
    return out


def parcel_risk_flags(state: pd.DataFrame, milestones: pd.DataFrame, as_of: date,
                      rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        Same rows and order as ``state``: ``parcel_id``, ``days_in_stage`` (float, NaN when not
        started), ``risk_flags`` (list of codes from :data:`RISK_CODES`), ``risk_labels`` (list of
        Vietnamese labels), ``at_risk`` (bool: any flag).
    """
    ts = to_timestamp(as_of)
    n = len(state)
    rank = state["stage_rank"].to_numpy()
    flags = {code: np.zeros(n, dtype=bool) for code in RISK_CODES}

    for (project_id, scope, metric), group in milestones.groupby(["project_id", "scope", "metric"], sort=False):
        pending = group[group["actual_percent"] < group["target_percent"] - 1e-9].sort_values("due_date")
        if pending.empty or pending.iloc[0]["status"] not in _BAD:
            continue
        try:
            mask = resolve_scope(state, project_id, scope)[2]
        except ValueError:
            continue
        needed = HANDED_OVER_RANK if metric == "percent_area_handed_over" else PAID_RANK
        flags["milestone_at_risk"] |= mask & (rank < needed)

    stage_date = pd.to_datetime(state["stage_date"]).astype("datetime64[ns]").to_numpy()
    days = (np.datetime64(ts.to_datetime64(), "ns") - stage_date).astype("timedelta64[D]").astype(float)
    days[np.isnat(stage_date)] = np.nan
    limit = stage_limit_days(state["stage"].to_numpy(), state["land_use"].to_numpy() if "land_use" in state
                             else np.full(n, None), rules)
    stuck = ~np.isnan(limit) & ~np.isnan(days) & (days > limit)
    stage = state["stage"].to_numpy(dtype=object)
    for s in STUCK_STAGES:
        flags[f"stuck_{s}"] = stuck & (stage == s)
    flags["complaint_open"] = state["complaint_open"].to_numpy(dtype=bool)
    flags["enforced"] = state["enforced"].to_numpy(dtype=bool)

    matrix = np.column_stack([flags[c] for c in RISK_CODES]) if n else np.zeros((0, len(RISK_CODES)), bool)
    # Few distinct flag combinations: build each list once, then copy it per parcel.
    bits = matrix.astype("int64") @ (1 << np.arange(len(RISK_CODES), dtype="int64"))
    patterns, inverse = np.unique(bits, return_inverse=True)
    codes_of = [[c for i, c in enumerate(RISK_CODES) if p >> i & 1] for p in patterns]
    labels_of = [[RISK_LABELS_VI[c] for c in codes] for codes in codes_of]
    inverse = inverse.ravel()
    return pd.DataFrame({
        "parcel_id": state["parcel_id"].to_numpy(),
        "days_in_stage": days,
        "risk_flags": [list(codes_of[i]) for i in inverse],
        "risk_labels": [list(labels_of[i]) for i in inverse],
        "at_risk": matrix.any(axis=1),
    })
