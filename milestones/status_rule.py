"""The milestone status rule of :mod:`milestones.status`, in plain Python (no pandas, no numpy).

One implementation serves both the dashboard's snapshot (:func:`milestones.status.milestone_status`,
the metric read from a :class:`milestones.history.ProgressHistory`) and the command line's fast path
(:mod:`milestones.status_fast`, the metric read from step functions stored once per data version), so
``python cli.py status`` at a new date needs neither pandas nor the store's layers (issue 13).

The rule itself is stated in :mod:`milestones.status`. A metric is reached through a
:class:`MetricSeries`: its value (%) at days, the days it may change on, and what 100 % of it is.
Days are ``datetime.date``; a Timestamp or datetime is taken as its calendar day.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

#: A target counts as reached when ``actual >= target - EPS``.
EPS = 1e-9

#: The rule values this module reads (``rules.yaml``, resolved by :func:`milestones.rules.resolve_rules`).
RULE_KEYS = ("forecast_window_days", "forecast_windows_days", "at_risk_rate_factor", "at_risk_grace_days")

#: Windows of the forecast range when the rules name none (days).
DEFAULT_WINDOWS = (30, 60, 90)


class MetricSeries(Protocol):
    """One milestone's metric (``metric``, ``project_id``, ``scope``) over time."""

    def values(self, days: Sequence[date]) -> Sequence[float]:
        """The metric (%) at each day (NaN when the scope has nothing to count)."""

    def days_upto(self, as_of: date) -> tuple[Sequence[date], Sequence[float]]:
        """The ledger days up to ``as_of`` on which the metric may change (ascending), and its values there."""

    def size(self) -> float:
        """What 100 % is: m² to recover, households or sites of the scope."""


def as_day(value: date | datetime) -> date:
    """The calendar day of a ``date``, ``datetime`` or ``pd.Timestamp``."""
    return value.date() if isinstance(value, datetime) else value


def days_before(day: date, days: float) -> date:
    """The calendar day of midnight of ``day`` minus ``days`` (a fractional window reaches into the day before)."""
    return (datetime.combine(day, datetime.min.time()) - timedelta(days=float(days))).date()


def recent_rate_pct_per_day(actual_now: float, actual_window_start: float, window_days: float) -> float:
    """Recent progress rate in percentage points per day over the window; never negative.

    ``(actual_now − actual_window_start) / window_days``, 0 when negative or not a number.

    Raises
    ------
    ValueError
        If ``window_days`` is not positive.
    """
    if not window_days or window_days <= 0:
        raise ValueError("Cửa sổ tính tốc độ (forecast_window_days) phải lớn hơn 0")
    rate = (float(actual_now) - float(actual_window_start)) / float(window_days)
    return rate if rate > 0 else 0.0


def required_rate_pct_per_day(actual: float, target: float, as_of: date, due: date) -> float:
    """Rate (percentage points per day) needed from ``as_of`` to reach ``target`` on ``due``.

    0.0 when the target is already reached; NaN when the due date is not after ``as_of``.
    """
    remaining = float(target) - float(actual)
    if remaining <= EPS:
        return 0.0
    days = (as_day(due) - as_day(as_of)).days
    return remaining / days if days > 0 else float("nan")


def forecast_date(actual: float, target: float, as_of: date, rate_pct_per_day: float) -> date | None:
    """Date the target is reached at ``rate_pct_per_day``: ``as_of`` + ⌈remaining ÷ rate⌉ days.

    None when the target is already reached, the rate is 0 / not a number (no progress), or the date
    is more than 200 years away.
    """
    remaining = float(target) - float(actual)
    if remaining <= EPS or not rate_pct_per_day or not math.isfinite(rate_pct_per_day) or rate_pct_per_day <= 0:
        return None
    days = math.ceil(remaining / rate_pct_per_day - 1e-9)
    if days > 365 * 200:
        return None
    return as_day(as_of) + timedelta(days=days)


def classify(*, actual: float, actual_at_due: float | None, target: float, as_of: date, due: date,
             recent_rate: float, rules: Mapping[str, Any]) -> str:
    """Status of one milestone (rule in :mod:`milestones.status`); ``rules`` already resolved.

    Returns
    -------
    str
        One of :data:`domain.milestones.STATUSES`.
    """
    as_of, due = as_day(as_of), as_day(due)
    if as_of >= due:
        return "met" if actual_at_due is not None and actual_at_due >= target - EPS else "missed"
    if actual >= target - EPS:
        return "met"
    if not recent_rate or recent_rate <= 0:
        return "behind"
    forecast = forecast_date(actual, target, as_of, recent_rate)
    if forecast is not None and forecast <= due:
        return "on_track"
    required = required_rate_pct_per_day(actual, target, as_of, due)
    grace_end = due + timedelta(days=int(rules["at_risk_grace_days"]))
    if required <= rules["at_risk_rate_factor"] * recent_rate + EPS or (forecast is not None and forecast <= grace_end):
        return "at_risk"
    return "behind"


def first_day_of_run(days: Sequence[date], values: Sequence[float], target: float, as_of: date) -> date:
    """First day of the current run of ledger days at or above ``target`` (NaN counts as 0); ``as_of``
    when there is no ledger day or the last one is below the target."""
    if not len(days):
        return as_day(as_of)
    first = 0
    for i, value in enumerate(values):
        value = float(value)
        if not (0.0 if math.isnan(value) else value) >= float(target) - EPS:
            first = i + 1
    return as_day(days[first]) if first < len(days) else as_day(as_of)


def evaluate_milestone(rec: Mapping[str, Any], series: MetricSeries, as_of: date,
                       rules: Mapping[str, Any]) -> dict[str, Any]:
    """Status, forecast, rates and the truthful fields of one valid milestone at ``as_of``.

    Parameters
    ----------
    rec : mapping
        A row of :func:`milestones.status.validate_milestones`: ``milestone_id``, ``project_id``,
        ``label``, ``due_date`` (date), ``metric``, ``target_percent`` (float), ``scope``.
    series : MetricSeries
        The milestone's metric.
    as_of : date
    rules : mapping
        Resolved rules (:data:`RULE_KEYS` are read).

    Returns
    -------
    dict
        The columns of :data:`domain.tables.MILESTONE_STATUS_COLUMNS`, in that order.
    """
    window = float(rules["forecast_window_days"])
    due = as_day(rec["due_date"])
    target = rec["target_percent"]
    actual, before, at_due = (float(v) for v in series.values([as_of, days_before(as_of, window), min(due, as_of)]))
    actual = 0.0 if math.isnan(actual) else actual
    before = 0.0 if math.isnan(before) else before
    recent = recent_rate_pct_per_day(actual, before, window)
    due_passed = as_of >= due
    status = classify(actual=actual, actual_at_due=at_due if due_passed else None, target=target, as_of=as_of,
                      due=due, recent_rate=recent, rules=rules)
    row = {
        **{k: rec.get(k) for k in ("milestone_id", "project_id", "label", "due_date", "metric", "target_percent",
                                   "scope")},
        "actual_percent": actual,
        "actual_at_due_percent": at_due if due_passed else float("nan"),
        "status": status,
        "forecast_date": None if status == "met" else forecast_date(actual, target, as_of, recent),
        "required_rate_pct_per_day": (float("nan") if due_passed and status == "missed" else
                                      0.0 if status == "met" else
                                      required_rate_pct_per_day(actual, target, as_of, due)),
        "recent_rate_pct_per_day": recent,
    }
    return {**row, **milestone_details(row, series, as_of, rules)}


def milestone_details(row: Mapping[str, Any], series: MetricSeries, as_of: date,
                      rules: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that tell a milestone truthfully (issue 11), from its row so far.

    ``met_on`` (:func:`first_day_of_run`, None while not reached), ``reached_late`` (``met_on`` after the
    due date), ``forecast_earliest`` / ``forecast_latest`` (forecasts at the rates over each window of
    ``forecast_windows_days``; None when reached), ``required_rate_ha_per_week`` (area metric, else NaN),
    ``shortfall_m2`` (m² still to hand over; area metric, else NaN) and ``shortfall_count`` (households or
    sites still needed; NaN for the area metric, whose parcels the blocking set counts).
    """
    target, actual = float(row["target_percent"]), float(row["actual_percent"])
    reached = actual >= target - EPS
    met_on = first_day_of_run(*series.days_upto(as_of), target, as_of) if reached else None
    forecasts = [] if reached else _window_forecasts(series, actual, target, as_of, rules)
    size = series.size()
    gap = 0.0 if reached else (target - actual) / 100.0 * size
    area = row["metric"] == "percent_area_handed_over"
    required = float(row["required_rate_pct_per_day"])
    return {
        "met_on": met_on,
        "reached_late": bool(met_on is not None and met_on > as_day(row["due_date"])),
        "forecast_earliest": min(forecasts) if forecasts else None,
        "forecast_latest": max(forecasts) if forecasts else None,
        "required_rate_ha_per_week": required / 100.0 * size / 10_000 * 7 if area else float("nan"),
        "shortfall_m2": gap if area else float("nan"),
        "shortfall_count": float("nan") if area else float(math.ceil(gap - 1e-6)),
    }


def _window_forecasts(series: MetricSeries, actual: float, target: float, as_of: date,
                      rules: Mapping[str, Any]) -> list[date]:
    """Forecast dates at the recent rate over each window of ``forecast_windows_days``."""
    windows = [float(w) for w in rules.get("forecast_windows_days") or DEFAULT_WINDOWS]
    before = series.values([days_before(as_of, w) for w in windows])
    out = []
    for w, b in zip(windows, before, strict=True):
        b = float(b)
        rate = recent_rate_pct_per_day(actual, 0.0 if math.isnan(b) else b, w)
        when = forecast_date(actual, target, as_of, rate)
        if when is not None:
            out.append(when)
    return out
