"""``cli.py status`` at any as-of date from a status document prepared once per data version (issue 13).

The document (:func:`milestones.status_prepared.status_document` builds it; the store keeps it as JSON in
``cli_cache``) holds what the status report reads, as step functions of the day:

``projects``
    In the projects table's order: ``project_id``, ``name``, ``area_to_recover_m2`` (m²) and, on the
    days the project's handed-over area may change (``days``, proleptic ordinals, ascending), the area
    handed over (``handed``, m²) and its percentage (``percent``); ``before`` = both before the first day.
``series``
    One per (metric, project, scope) of any milestone ever in force: ``days`` (ordinals), ``values`` (%)
    on those days, ``before`` (% before the first day) and ``size`` (what 100 % is).
``epochs``
    The milestones and rules in force from a day (``from``: ordinal, None for the beginning): the valid
    milestones in the snapshot's order (``due_date`` as an ordinal, ``series`` an index), the rule values
    of :data:`milestones.status_rule.RULE_KEYS` and the problems of the rows left out.

Evaluating it at a date is a binary search per step function and the one milestone rule,
:func:`milestones.status_rule.evaluate_milestone`: no pandas, no numpy, no layer read. A document is
trusted only when its ``format`` is :data:`FORMAT`; the caller checks that it was made from the data
version it reads now (:func:`document_from_text`).
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import Any

from milestones.status_rule import evaluate_milestone

#: Format of the document (a new one when its shape changes: an older document is then ignored).
FORMAT = "gpmb-status-steps-v1"


class StepSeries:
    """A :class:`milestones.status_rule.MetricSeries` read from one ``series`` entry of the document."""

    def __init__(self, entry: dict):
        self.days: list[int] = entry["days"]
        self.steps: list[float] = entry["values"]
        self.before = float(entry["before"])
        self._size = float(entry["size"])

    def value_at(self, day: date) -> float:
        i = bisect_right(self.days, day.toordinal())
        return float(self.steps[i - 1]) if i else self.before

    def values(self, days: Sequence[date]) -> list[float]:
        return [self.value_at(d) for d in days]

    def days_upto(self, as_of: date) -> tuple[list[date], list[float]]:
        i = bisect_right(self.days, as_of.toordinal())
        return [date.fromordinal(d) for d in self.days[:i]], [float(v) for v in self.steps[:i]]

    def size(self) -> float:
        return self._size


def document_from_text(text: str, version: list, code: str) -> dict | None:
    """The status document stored as ``text``, or None when it is not one of :data:`FORMAT` made from data
    ``version`` (:func:`store.output_cache.data_version`) by program ``code``: never trusted otherwise."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != version \
            or doc.get("code") != code:
        return None
    if not all(isinstance(doc.get(k), list) for k in ("projects", "series", "epochs")) or not doc["epochs"]:
        return None
    return doc


def status_at(doc: dict, as_of: date) -> tuple[list[dict], list[dict], list[str]]:
    """Projects, milestones and problems of the status report at ``as_of``.

    Returns
    -------
    (projects, milestones, problems)
        ``projects``: per project ``project_id``, ``name``, ``area_to_recover_m2``, ``area_handed_over_m2``
        (m²), ``percent_handed_over`` (0–100, NaN when nothing to recover), in the table's order;
        ``milestones``: the rows of :func:`milestones.status_rule.evaluate_milestone` in the snapshot's
        order (``Snapshot.milestones``); ``problems``: Vietnamese messages of the milestone rows left out.

    Raises
    ------
    KeyError, TypeError, ValueError, IndexError
        A malformed document (the caller then takes the full path).
    """
    day = as_of.toordinal()
    projects = []
    for p in doc["projects"]:
        i = bisect_right(p["days"], day)
        handed, percent = (p["handed"][i - 1], p["percent"][i - 1]) if i else p["before"]
        projects.append({"project_id": p["project_id"], "name": p["name"],
                         "area_to_recover_m2": float(p["area_to_recover_m2"]),
                         "area_handed_over_m2": float(handed), "percent_handed_over": float(percent)})
    epoch = doc["epochs"][0]
    for e in doc["epochs"][1:]:
        if e["from"] <= day:
            epoch = e
    series = doc["series"]
    milestones = []
    for rec in epoch["milestones"]:
        row: dict[str, Any] = {**rec, "due_date": date.fromordinal(rec["due_date"])}
        milestones.append(evaluate_milestone(row, StepSeries(series[rec["series"]]), as_of, epoch["rules"]))
    return projects, milestones, list(epoch["problems"])
