"""Milestone status at an as-of date: met, missed, on_track, at_risk, behind; forecast and rates.

The rule (also in the README)
-----------------------------
For a milestone (``due_date``, ``metric``, ``target_percent``, ``scope``) at date ``as_of``, with
``actual`` = value of the metric at ``as_of`` (:class:`milestones.history.ProgressHistory`):

1. Due date reached (``as_of >= due_date``): **met** if the value at the due date (events dated on
   or before it) reached the target, else **missed**.
2. Before the due date, **met** if ``actual`` already reached the target.
3. Otherwise, with the window W = ``forecast_window_days`` of ``rules.yaml`` (default 60 days):

   - recent rate r = (actual − value at ``as_of`` − W) ÷ W, in percentage points per day
     (negative values, after corrections, count as 0);
   - remaining = target − actual; required rate q = remaining ÷ (days from ``as_of`` to due);
   - forecast date = ``as_of`` + ⌈remaining ÷ r⌉ days (None when r = 0);
   - **on_track** if forecast ≤ due; **at_risk** if q ≤ ``at_risk_rate_factor`` × r (default 2)
     or forecast ≤ due + ``at_risk_grace_days`` (default 0); **behind** if q is larger than that
     or r = 0.

After a missed due date the forecast still says when the target would be reached at the recent rate
(None when reached or no progress); a met milestone has no forecast date. A target counts as reached when ``actual ≥ target − 1e-9``.
Metrics: ``percent_area_handed_over`` (area handed over ÷ area to recover, parcels and aggregates
combined), ``percent_households_paid`` (households whose least advanced parcel is paid or handed
over ÷ households) and ``percent_sites_handed_over`` (sites whose every parcel is handed over ÷ sites,
for projects of kind ``sites``: :mod:`milestones.sites`); scope: the project or one commune (2025 unit or former commune).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.milestones import METRICS
from domain.tables import MILESTONE_STATUS_COLUMNS
from milestones import status_rule as rule
from milestones.events import to_timestamp
from milestones.history import ProgressHistory
from milestones.rules import resolve_rules
from milestones.scope import is_project_scope, resolve_scope
from parsing.dates import parse_date
from parsing.numbers import parse_small_number
from parsing.text import is_blank

#: Columns of :func:`milestone_status` (``Snapshot.milestones``; the one definition is :mod:`domain.tables`).
MILESTONE_COLUMNS = MILESTONE_STATUS_COLUMNS


# --------------------------------------------------------------------------------------------
# Parsing the clerk-edited milestones file
# --------------------------------------------------------------------------------------------


def parse_due_date(value: Any) -> date:
    """Parse a due date as a clerk writes it, by the one date rule (:func:`parsing.dates.parse_date`):
    ``30/06/2024``, ``30/6/24``, ``30.06.2024``, ISO ``2024-06-30``, a ``date``/``Timestamp``, or an Excel
    serial day number (:data:`parsing.dates.EXCEL_SERIAL_RANGE`).

    Day first, always (Vietnamese usage): ``01/02/2024`` is 1 February 2024.

    Raises
    ------
    ValueError
        If the value is empty or not a valid calendar date (Vietnamese message).
    """
    if is_blank(value):
        raise ValueError("Ngày đến hạn trống")
    return parse_date(value)


def parse_percent(value: Any) -> float:
    """Parse a target percentage (``70``, ``70,5``, ``"70%"``) into a float in [0, 100].

    Numbers by :func:`parsing.numbers.parse_small_number` (a percentage is below 1000, so ``"70.500"``
    is 70,5).

    Raises
    ------
    ValueError
        If not a number between 0 and 100 (Vietnamese message).
    """
    if is_blank(value):
        raise ValueError("Chỉ tiêu (%) trống")
    text = value.strip().removesuffix("%") if isinstance(value, str) else value
    try:
        number = parse_small_number(text)
    except ValueError:
        raise ValueError(f"{value!r} không phải số phần trăm (cần số từ 0 đến 100)") from None
    if not 0 <= number <= 100:
        raise ValueError(f"{value!r} nằm ngoài khoảng 0–100 %")
    return number


def validate_milestones(milestones: pd.DataFrame, parcels: pd.DataFrame | None = None
                        ) -> tuple[pd.DataFrame, list[str]]:
    """Parse and check the milestones table; return the valid rows and the problems.

    Parameters
    ----------
    milestones : DataFrame
        As read from ``milestones.csv`` (DATA_MODEL.md): ``milestone_id``, ``project_id``,
        ``due_date`` (dd/mm/yyyy text or date), ``metric``, ``target_percent``, ``scope``, ``label``.
    parcels : DataFrame, optional
        When given, ``project_id`` must have parcels and a commune ``scope`` must name a commune
        (2025 or former) with parcels of the project.

    Returns
    -------
    (valid, problems)
        ``valid``: the rows that passed, with ``due_date`` as ``datetime.date``, ``target_percent``
        float, ``scope`` defaulting to ``project``, ``label`` defaulting to a generated Vietnamese
        text; ``problems``: one Vietnamese message per bad cell naming the file line (header = line 1),
        the milestone, the column and what was expected.

    Raises
    ------
    ValueError
        If a required column is missing (message lists the missing columns).
    """
    required = ["milestone_id", "project_id", "due_date", "metric", "target_percent"]
    missing = [c for c in required if c not in milestones.columns]
    if missing:
        raise ValueError("Tệp mốc tiến độ thiếu cột: " + ", ".join(missing))
    rows, problems = [], []
    known_projects = None if parcels is None else {str(p) for p in pd.unique(parcels["project_id"]) if isinstance(p, str)}
    for line, rec in enumerate(milestones.to_dict("records"), start=2):
        where = f"Mốc tiến độ dòng {line} (mã {rec.get('milestone_id')!s})"
        row = _valid_row(rec, where, parcels, known_projects, problems)
        if row is not None:
            rows.append(row)
    cols = list(dict.fromkeys(list(milestones.columns) + ["scope", "label"]))
    return pd.DataFrame(rows, columns=cols), problems


def _valid_row(rec: dict, where: str, parcels: pd.DataFrame | None, known_projects: set[str] | None,
               problems: list[str]) -> dict | None:
    """One milestone row parsed (due date, target, metric, scope, label), or None after adding its problems."""
    count = len(problems)
    try:
        due = parse_due_date(rec.get("due_date"))
    except ValueError as exc:
        problems.append(f"{where}, cột due_date: {exc}")
    try:
        target = parse_percent(rec.get("target_percent"))
    except ValueError as exc:
        problems.append(f"{where}, cột target_percent: {exc}")
    metric = str(rec.get("metric") or "").strip()
    if metric not in METRICS:
        problems.append(f"{where}, cột metric: {metric!r} không hợp lệ (cần một trong: {', '.join(METRICS)})")
    scope = rec.get("scope")
    scope = "project" if is_project_scope(scope) else str(scope).strip()
    if len(problems) == count and parcels is not None:
        _check_project_and_scope(rec["project_id"], scope, where, parcels, known_projects, problems)
    if len(problems) > count:
        return None
    label = rec.get("label")
    if not isinstance(label, str) or not label.strip():
        what = {"percent_area_handed_over": "diện tích bàn giao",
                "percent_sites_handed_over": "số trụ sở bàn giao"}.get(metric, "số hộ đã chi trả")
        label = f"{target:g}% {what} trước {due:%d/%m/%Y}"
    return {**rec, "milestone_id": str(rec["milestone_id"]), "due_date": due, "metric": metric,
            "target_percent": target, "scope": scope, "label": label}


def _check_project_and_scope(project_id, scope: str, where: str, parcels: pd.DataFrame, known_projects: set[str],
                             problems: list[str]) -> None:
    """The project must have parcels, and a commune scope must name a commune with parcels of it."""
    if project_id not in known_projects:
        problems.append(f"{where}, cột project_id: dự án {project_id!r} không có thửa đất nào "
                        f"(các dự án có thửa: {', '.join(sorted(known_projects))})")
        return
    if scope != "project":
        try:
            resolve_scope(parcels, project_id, scope)
        except ValueError as exc:
            problems.append(f"{where}, cột scope: {exc}")


# --------------------------------------------------------------------------------------------
# Rates and forecast: the rule is :mod:`milestones.status_rule` (plain Python, shared with the CLI's fast
# path); these take any date form :func:`milestones.events.to_timestamp` reads.
# --------------------------------------------------------------------------------------------
def recent_rate_pct_per_day(actual_now: float, actual_window_start: float, window_days: float) -> float:
    """Recent progress rate in percentage points per day over the window; never negative.

    ``(actual_now − actual_window_start) / window_days``, 0 when negative or not a number.

    Raises
    ------
    ValueError
        If ``window_days`` is not positive.
    """
    return rule.recent_rate_pct_per_day(actual_now, actual_window_start, window_days)


def required_rate_pct_per_day(actual: float, target: float, as_of: date, due: date) -> float:
    """Rate (percentage points per day) needed from ``as_of`` to reach ``target`` on ``due``.

    0.0 when the target is already reached; NaN when the due date is not after ``as_of``.
    """
    return rule.required_rate_pct_per_day(actual, target, to_timestamp(as_of), to_timestamp(due))


def forecast_date(actual: float, target: float, as_of: date, rate_pct_per_day: float) -> date | None:
    """Date the target is reached at ``rate_pct_per_day``: ``as_of`` + ⌈remaining ÷ rate⌉ days.

    None when the target is already reached or the rate is 0 / not a number (no progress).
    """
    return rule.forecast_date(actual, target, to_timestamp(as_of), rate_pct_per_day)


def classify(*, actual: float, actual_at_due: float | None, target: float, as_of: date, due: date,
             recent_rate: float, rules: Mapping[str, Any] | None = None) -> str:
    """Status of one milestone by the rule in the module docstring.

    Parameters
    ----------
    actual : float
        Value of the metric (%) at ``as_of``.
    actual_at_due : float or None
        Value at the due date (needed when ``as_of >= due``).
    target : float
        Target (%).
    recent_rate : float
        :func:`recent_rate_pct_per_day`.
    rules : mapping, optional
        ``at_risk_rate_factor``, ``at_risk_grace_days`` (:func:`milestones.rules.resolve_rules`).

    Returns
    -------
    str
        One of :data:`STATUSES`.
    """
    return rule.classify(actual=actual, actual_at_due=actual_at_due, target=target, as_of=to_timestamp(as_of),
                         due=to_timestamp(due), recent_rate=recent_rate, rules=resolve_rules(rules))


# --------------------------------------------------------------------------------------------
# All milestones
# --------------------------------------------------------------------------------------------
def milestone_status(milestones: pd.DataFrame, history: ProgressHistory, as_of: date,
                     rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Status, forecast and rates of every milestone at ``as_of``.

    Parameters
    ----------
    milestones : DataFrame
        As from the store (``due_date`` dd/mm/yyyy text or date); parsed with
        :func:`validate_milestones`. Invalid rows are left out and their Vietnamese messages are put
        in ``result.attrs["problems"]``.
    history : milestones.history.ProgressHistory
        Built from the parcels and the ledger up to (at least) ``as_of``.
    as_of : date
    rules : mapping, optional
        ``rules.yaml`` content; defaults in :mod:`milestones.rules`.

    Returns
    -------
    DataFrame
        One row per valid milestone, sorted by project and due date: ``milestone_id``,
        ``project_id``, ``label``, ``due_date`` (date), ``metric``, ``target_percent``, ``scope``,
        ``actual_percent`` (at ``as_of``), ``actual_at_due_percent`` (NaN before the due date),
        ``status`` (:data:`domain.milestones.STATUSES`), ``forecast_date`` (date or
        None), ``required_rate_pct_per_day``, ``recent_rate_pct_per_day`` (percentage points/day), and
        the truthful-milestone fields of :func:`milestone_details` (one rule: :mod:`milestones.status_rule`).
    """
    r = resolve_rules(rules)
    day = to_timestamp(as_of).date()
    valid, problems = validate_milestones(milestones, history.parcels)
    out = [rule.evaluate_milestone(rec, HistorySeries(history, rec["metric"], rec["project_id"], rec["scope"]),
                                   day, r) for rec in valid.to_dict("records")]
    result = pd.DataFrame(out, columns=list(MILESTONE_COLUMNS))
    if len(result):
        result = result.sort_values(["project_id", "due_date", "milestone_id"], kind="stable").reset_index(drop=True)
    result.attrs["problems"] = problems
    return result


class HistorySeries:
    """A milestone's metric read from a :class:`milestones.history.ProgressHistory` (or ``HistoryAt``):
    the :class:`milestones.status_rule.MetricSeries` of the dashboard's snapshot."""

    def __init__(self, history: ProgressHistory, metric: str, project_id: str, scope):
        self.history, self.metric, self.project_id, self.scope = history, metric, project_id, scope

    def values(self, days) -> np.ndarray:
        if all(type(d) is date for d in days):      # plain days (the rule's): numpy's midnights, the same values
            stamps = np.array(days, dtype="datetime64[D]").astype("datetime64[ns]")
        else:
            stamps = pd.DatetimeIndex([pd.Timestamp(d) for d in days])
        return metric_percent(self.history, self.metric, self.project_id, self.scope, stamps)

    def days_upto(self, as_of: date) -> tuple[list[date], np.ndarray]:
        """The days of the scope's state changes and of the project's aggregate reports up to ``as_of``."""
        days = ledger_days(self.history, self.project_id, self.scope)
        days = pd.DatetimeIndex(days[days <= to_timestamp(as_of).to_datetime64()])
        if not len(days):
            return [], np.zeros(0)
        # datetime64[D] → datetime.date in C (= Timestamp.date() of each midnight), not one Timestamp per day
        return days.to_numpy(dtype="datetime64[D]").astype(object).tolist(), metric_percent(self.history, self.metric, self.project_id, self.scope, days)

    def size(self) -> float:
        return scope_size(self.history, self.metric, self.project_id, self.scope)


def ledger_days(history: ProgressHistory, project_id: str, scope) -> np.ndarray:
    """Sorted days (datetime64[ns]) on which a metric of the scope may change: the state changes of its
    parcels and the project's aggregate reports (between them every metric is constant)."""
    mask = history.scope_mask(project_id, scope)
    pidx = history.changes["pidx"].to_numpy(dtype="int64")
    return np.union1d(history.changes["date"].to_numpy(dtype="datetime64[ns]")[mask[pidx]],
                      history.reports.loc[history.reports["project_id"] == project_id,
                                          "event_date"].to_numpy(dtype="datetime64[ns]"))


def metric_percent(history: ProgressHistory, metric: str, project_id: str, scope, dates) -> np.ndarray:
    """Value (%) of any metric of :data:`domain.milestones.METRICS` at ``dates``."""
    if metric == "percent_sites_handed_over":
        from milestones.sites import sites_handed_over_percent
        return sites_handed_over_percent(history, project_id, scope, dates)
    return history.percent(metric, project_id, scope, dates)


def milestone_details(row: Mapping[str, Any], history: ProgressHistory, as_of: pd.Timestamp,
                      rules: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that tell a milestone truthfully (issue 11): :func:`milestones.status_rule.milestone_details`
    with the metric read from ``history``.

    ``met_on``
        First day of the current run of days at or above the target, from the ledger (None while the
        target is not reached at ``as_of``; after a correction took it back below, the day it was
        reached again).
    ``reached_late``
        ``met_on`` after ``due_date`` (the view says "Đạt muộn ngày …").
    ``forecast_earliest``, ``forecast_latest``
        Forecast dates at the rates over each window of ``forecast_windows_days`` (default 30, 60, 90
        days), earliest and latest; windows without progress give none; None when reached.
    ``required_rate_ha_per_week``
        The required rate in hectares per week (area metric; NaN otherwise).
    ``shortfall_m2``
        m² still to hand over to reach the target (area metric; 0 when reached, NaN otherwise).
    ``shortfall_count``
        Households (``percent_households_paid``) or sites (``percent_sites_handed_over``) still needed;
        for the area metric, parcels are counted by the blocking set instead (NaN here).
    """
    series = HistorySeries(history, row["metric"], row["project_id"], row["scope"])
    return rule.milestone_details(row, series, to_timestamp(as_of).date(), rules)


def scope_size(history: ProgressHistory, metric: str, project_id: str, scope) -> float:
    """What 100 % of a metric is in a scope: m² to recover, households, or sites."""
    mask = history.scope_mask(project_id, scope)
    if metric == "percent_households_paid":
        return float(pd.unique(history.parcels["household_code"].to_numpy()[mask]).size)
    if metric == "percent_sites_handed_over":
        from milestones.sites import site_keys
        return float(pd.unique(site_keys(history.parcels)[mask]).size)
    return float(history.parcels["area_to_recover_m2"].to_numpy()[mask].sum())
