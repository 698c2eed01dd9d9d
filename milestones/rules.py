"""Configurable rules of the computations (``data/sources/rules.yaml``) with their defaults.

The file is edited by the land-fund centre; any key it leaves out takes the default below.
Durations are in days.

Defaults and their sources
--------------------------
forecast_window_days : 60
    Window of the "recent clearance rate" used for forecasts (product choice).
forecast_windows_days : [30, 60, 90]
    Windows whose rates give the forecast range (product choice).
at_risk_rate_factor : 2.0
    A milestone is ``at_risk`` (not ``behind``) while the rate it requires is at most this
    multiple of the recent rate (product choice).
at_risk_grace_days : 0
    … or while the forecast date is at most this many days after the due date.
stage_limits_days : dict
    "Stuck in stage" limits, days a parcel may stay in a stage before the risk flag
    ``stuck_<stage>`` is raised:

    - ``notice`` 90 days for agricultural land, 180 days for non-agricultural land: the notice of
      recovery must be given at least 90 / 180 days before recovery (Land Law 2013 art. 67(1);
      Land Law 2024 art. 85(1)), so a parcel still at the notice stage after that period is late.
    - ``inventory`` 60 days: no statutory term; product default.
    - ``plan_posted`` 30 days: the compensation, support and resettlement plan is posted publicly
      for 30 days, then dialogue (DOMAIN.md; Land Law 2024 art. 87).
    - ``approved`` 30 days: compensation is paid within 30 days of the approval / recovery decision
      taking effect (Land Law 2013 art. 93(1); Land Law 2024 art. 94(1)).
    - ``paid`` 30 days: no statutory term for handing over after payment; product default.
legal_clocks : dict
    The legal clocks of :mod:`milestones.clocks`, one entry per clock (``starts_at`` or ``after``,
    ``days``, ``day_type``, ``kind``, ``paused_by``, ``article``): notice ≥ 90/180 days before the
    recovery decision (Land Law 2024 art. 85(1)); plan posted 30 days, then dialogue (art. 87; 15 days
    of dialogue is a product default); payment within 30 days (art. 94(1)); inventory 60 and handover
    30 days (product defaults); complaint accepted within 10 and settled within 30 working days (Law on
    Complaints 2011 arts. 27, 28). A file entry is merged over the default entry of the same name.
extra_holidays : list
    Days off beside the ``holidays`` package's VN calendar (dd/mm/yyyy).
responsible : dict
    Next action → body code (defaults :data:`domain.blockers.DEFAULT_RESPONSIBLE`, from seed 002).
obstacle_delay_days : dict
    Days an obstacle adds to the expected days to handover (product defaults).
stale_counts_days : 30
    A commune whose last field count is older is flagged stale (product choice).
quarterly_report_day : 20
    Day of the last month of the quarter the quarterly report is due (seed 002).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from parsing.numbers import parse_number

#: Land-use codes of the agricultural land group (Land Law 2024 art. 9(2)); others are non-agricultural.
AGRICULTURAL_LAND_USE: frozenset[str] = frozenset(
    {"LUC", "LUK", "LUN", "BHK", "NHK", "CLN", "RSX", "RPH", "RDD", "NTS", "LMU", "NKH"}
)


def is_agricultural(land_use) -> np.ndarray:
    """Per parcel, whether its land-use code (any case, spaces around) is in :data:`AGRICULTURAL_LAND_USE`
    (Land Law 2024 art. 9(2)); a missing code is not agricultural. Vectorised over a sequence."""
    values = land_use if isinstance(land_use, pd.Series) else pd.Series(list(land_use), dtype=object)
    codes, uniques = pd.factorize(values)           # few distinct codes: test each once
    agri = np.array([isinstance(u, str) and u.strip().upper() in AGRICULTURAL_LAND_USE for u in uniques] + [False],
                    dtype=bool)
    return agri[codes]                               # code -1 (missing) takes the trailing False

DEFAULT_RULES: dict[str, Any] = {
    "forecast_window_days": 60,
    # Windows of the forecast range (milestones.status: forecast_earliest / forecast_latest).
    "forecast_windows_days": [30, 60, 90],
    "at_risk_rate_factor": 2.0,
    "at_risk_grace_days": 0,
    "stage_limits_days": {
        "notice_agricultural": 90,
        "notice_non_agricultural": 180,
        "inventory": 60,
        "plan_posted": 30,
        "approved": 30,
        "paid": 30,
    },
    # Legal clocks (milestones.clocks): one per step, each citing its source.
    "legal_clocks": {
        "notice_period": {"starts_at": "notice", "days": {"agricultural": 90, "non_agricultural": 180},
                          "day_type": "calendar", "kind": "earliest",
                          "article": "Luật Đất đai 2024 điều 85 khoản 1"},
        "inventory": {"starts_at": "inventory", "days": 60, "day_type": "calendar", "kind": "deadline",
                      "paused_by": ["complaint"], "article": "Không quy định; mặc định của sản phẩm"},
        "plan_posting": {"starts_at": "plan_posted", "days": 30, "day_type": "calendar", "kind": "earliest",
                         "article": "Luật Đất đai 2024 điều 87"},
        "dialogue": {"after": "plan_posting", "days": 15, "day_type": "calendar", "kind": "deadline",
                     "paused_by": ["complaint"], "article": "Luật Đất đai 2024 điều 87; số ngày: mặc định của sản phẩm"},
        "payment": {"starts_at": "approved", "days": 30, "day_type": "calendar", "kind": "deadline",
                    "article": "Luật Đất đai 2024 điều 94 khoản 1"},
        "handover": {"starts_at": "paid", "days": 30, "day_type": "calendar", "kind": "deadline",
                     "article": "Không quy định; mặc định của sản phẩm"},
        "complaint_acceptance": {"starts_at": "complaint", "days": 10, "day_type": "working", "kind": "deadline",
                                 "article": "Luật Khiếu nại 2011 điều 27"},
        "complaint_resolution": {"after": "complaint_acceptance", "days": 30, "day_type": "working",
                                 "kind": "deadline", "article": "Luật Khiếu nại 2011 điều 28"},
    },
    # Holidays beside holidays.VN (dd/mm/yyyy), e.g. bridge days the government announces.
    "extra_holidays": [],
    # Responsible body per next action (codes of domain.blockers.BODIES; defaults domain.blockers).
    "responsible": {},
    # Days an obstacle adds to a parcel's expected days to handover (ranking of the blocking set).
    "obstacle_delay_days": {"complaint_open": 45, "compulsory_inventory": 30, "enforced": 60, "payment_overdue": 30},
    # Days after which a commune's field counts are stale (communes league).
    "stale_counts_days": 30,
    # Day of the last month of each quarter the quarterly report is due (seed 002: before the 20th).
    "quarterly_report_day": 20,
}

#: Keys whose mapping is merged entry by entry over the default (a clock entry as a whole).
_MERGED_MAPPINGS = ("legal_clocks", "responsible", "obstacle_delay_days")

# Spellings accepted for the top-level keys (the YAML file is edited by hand).
_ALIASES = {
    "forecast_window": "forecast_window_days",
    "recent_rate_window_days": "forecast_window_days",
    "rate_window_days": "forecast_window_days",
    "window_days": "forecast_window_days",
    "at_risk_factor": "at_risk_rate_factor",
    "grace_days": "at_risk_grace_days",
    "stage_limits": "stage_limits_days",
    "stuck_days": "stage_limits_days",
    "stage_duration_limits_days": "stage_limits_days",
    "stage_max_days": "stage_limits_days",
}


def _number(value: Any, key: str) -> float:
    if isinstance(value, Mapping):
        for inner in ("days", "value", "limit", "default"):
            if inner in value:
                return _number(value[inner], key)
        raise ValueError(f"rules.yaml: khóa {key!r} phải là một số ngày, nhận được {value!r}")
    try:
        number = parse_number(value)
    except ValueError as exc:
        raise ValueError(f"rules.yaml: khóa {key!r} phải là một số, nhận được {value!r} ({exc})") from None
    if number < 0:
        raise ValueError(f"rules.yaml: khóa {key!r} không được âm, nhận được {value!r}")
    return number


def resolve_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge ``rules`` (as read from ``rules.yaml``, possibly partial) over :data:`DEFAULT_RULES`.

    Parameters
    ----------
    rules : mapping or None
        Top-level keys as in :data:`DEFAULT_RULES` (a few hand-written variants such as
        ``forecast_window`` or ``stage_limits`` are accepted). ``stage_limits_days`` maps a stage
        code to days; ``notice`` may be one number or ``{agricultural: …, non_agricultural: …}``.
        Unknown keys are kept unchanged.

    Returns
    -------
    dict
        A new dict with every default key present and numbers as ``float``.

    Raises
    ------
    ValueError
        If a duration is not a non-negative number (Vietnamese message naming the key).
    """
    out = copy.deepcopy(DEFAULT_RULES)
    for key, value in dict(rules or {}).items():
        key = _ALIASES.get(str(key), str(key))
        if key == "stage_limits_days" and isinstance(value, Mapping):
            limits = out["stage_limits_days"]
            for stage, days in value.items():
                stage = str(stage)
                if stage == "notice" and isinstance(days, Mapping):
                    for sub, sub_days in days.items():
                        sub = str(sub).replace("-", "_")
                        if sub in ("agricultural", "non_agricultural"):
                            limits[f"notice_{sub}"] = _number(sub_days, f"notice.{sub}")
                elif stage == "notice":
                    limits["notice_agricultural"] = limits["notice_non_agricultural"] = _number(days, stage)
                else:
                    limits[stage] = _number(days, stage)
        elif key in _MERGED_MAPPINGS and isinstance(value, Mapping):
            for name, entry in value.items():
                base = out[key].get(str(name))
                out[key][str(name)] = {**base, **entry} if isinstance(base, Mapping) and isinstance(entry, Mapping) else entry
        elif key in ("forecast_window_days", "at_risk_rate_factor", "at_risk_grace_days", "stale_counts_days",
                     "quarterly_report_day"):
            out[key] = _number(value, key)
        else:
            out[key] = value
    if out["forecast_window_days"] <= 0:
        raise ValueError("rules.yaml: forecast_window_days phải lớn hơn 0")
    return out
