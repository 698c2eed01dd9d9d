"""Dated stage history per key (parcel, chainage range, aggregate scope) from the ledger and the file.

The stage rule is :func:`domain.stage_history.stage_at` (the one rule, shared with progress):
events of a key with ``event_date <= D`` in (date, order) order; a stage event raises the stage to
max(current, event); a correction sets it exactly.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from domain.stage_history import stage_at
from domain.stages import STAGE_RANK
from ingest.lookups import full_commune_key


@dataclass
class LedgerHistory:
    """Dated events per key, from the ledger and the valid rows seen so far (upload validation).

    ``stages[key]`` holds (day, order, rank, is_correction) stage events
    (:class:`domain.stage_history.StageEvent`); ``areas[key]`` (day, order, area_m2, is_correction)
    cumulative aggregate reports. Keys: a ``parcel_id``, :func:`range_key` or :func:`aggregate_key`.
    """

    stages: dict[Any, list[tuple[date, int, int, bool]]] = field(default_factory=lambda: defaultdict(list))
    areas: dict[Any, list[tuple[date, int, float, bool]]] = field(default_factory=lambda: defaultdict(list))

    def stage_at(self, key: Any, day: date) -> tuple[int, date | None]:
        """Stage rank at ``day`` and the day it was entered (:func:`domain.stage_history.stage_at`)."""
        return stage_at(self.stages.get(key, ()), day)

    def area_at(self, key: Any, day: date) -> tuple[float, date] | None:
        """Latest cumulative aggregate area reported on or before ``day``."""
        earlier = sorted(e for e in self.areas.get(key, ()) if e[0] <= day)
        return (earlier[-1][2], earlier[-1][0]) if earlier else None


def range_key(project_id: str, a: float, b: float) -> tuple:
    """Key of a chainage range (metres rounded to 0,1 m) in :class:`LedgerHistory`."""
    return ("range", project_id, round(float(a), 1), round(float(b), 1))


def aggregate_key(project_id: str, commune: str | None, event: str) -> tuple:
    """Key of an aggregate report's scope (project, commune or whole project, event) in :class:`LedgerHistory`."""
    return ("aggregate", project_id, full_commune_key(commune) if commune else "", event)


def as_date(value: Any) -> date | None:
    """A date from a ``date``/``datetime``/``Timestamp``/ISO text; None when missing or unreadable."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date() if hasattr(value, "date") else value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def history_from_ledger(events: pd.DataFrame | None) -> LedgerHistory:
    """History of the ledger (``store.events()`` columns); its events order before any row of the file."""
    hist = LedgerHistory()
    if events is None or len(events) == 0:
        return hist
    seq = -len(events) - 1  # ledger events come before every row of the file
    for rec in events.to_dict("records"):
        seq += 1
        day = as_date(rec.get("event_date"))
        code = rec.get("event")
        if day is None or code is None:
            continue
        corr = bool(rec.get("is_correction")) if not pd.isna(rec.get("is_correction", False)) else False
        kind = rec.get("kind")
        if kind == "parcel" and code in STAGE_RANK:
            hist.stages[rec.get("parcel_id")].append((day, seq, STAGE_RANK[code], corr))
        elif kind == "chainage_range" and code in STAGE_RANK:
            try:
                key = range_key(rec["project_id"], rec["chainage_from_m"], rec["chainage_to_m"])
            except (TypeError, ValueError):
                continue
            hist.stages[key].append((day, seq, STAGE_RANK[code], corr))
        elif kind == "aggregate":
            area = rec.get("area_m2")
            if area is not None and not pd.isna(area):
                commune = rec.get("commune") if isinstance(rec.get("commune"), str) else None
                hist.areas[aggregate_key(rec["project_id"], commune, code)].append((day, seq, float(area), corr))
    return hist
