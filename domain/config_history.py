"""The one rule for "the milestones and rules in force at a date" (DATA_MODEL.md, "config_changes").

Milestones, rules and project attributes are changed in the store, each change an append-only row
of ``config_changes`` (``change_id`` increasing, ``recorded_at`` in UTC, ``kind``, ``item``, the
record ``after`` the change, ``None`` for a removal). A report as of day D uses, per item, the
latest change (highest ``change_id``) whose ``recorded_at``, read as a local date in Vietnam
(Asia/Ho_Chi_Minh, UTC+7), is on or before D. Changes written when the store was filled from
``data/sources/`` or migrated from an older release (``source`` in :data:`FROM_THE_BEGINNING`)
count as in force from the beginning, whatever their time: they are the plan the office started
with. So a target changed in August does not rewrite a report as of 30 June, and a report as of a
day in August after the change uses the new target.

Pure functions of frames; the store (``store.config``) and the computations (``milestones.prepared``)
both call them, so the CLI, the dashboard and the exports pick the same records.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from domain import office_time

#: Time zone of the office: a change's local day decides from when it is in force.
LOCAL_TZ = office_time.LOCAL_TZ

#: ``config_changes.kind`` values.
KINDS: tuple[str, ...] = ("milestone", "rules", "project")

#: ``config_changes.source`` values whose changes are in force from the beginning.
FROM_THE_BEGINNING: frozenset[str] = frozenset({"seed", "migration"})

#: The one ``item`` of the ``rules`` kind (the whole rules text is one record).
RULES_ITEM = "rules"

#: Columns of a change frame (``store.Store.config_history``).
CHANGE_COLUMNS: tuple[str, ...] = ("change_id", "recorded_at", "kind", "item", "before", "after", "account",
                                   "reason", "source", "proposal_id")

#: Fields of a milestone record (the columns of ``milestones.csv`` and of ``Store.milestones``).
MILESTONE_FIELDS: tuple[str, ...] = ("milestone_id", "project_id", "due_date", "metric", "target_percent",
                                     "scope", "label")


def local_day(recorded_at) -> date:
    """The Vietnam-time calendar day of a UTC moment (a naive value is taken as UTC)."""
    moment = pd.Timestamp(recorded_at)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment
    return moment.tz_convert(LOCAL_TZ).date()


def in_force(changes: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Per item, the change in force at ``as_of`` (rule in the module docstring); removed items left out.

    Parameters
    ----------
    changes : DataFrame
        Changes of ONE kind, columns at least ``change_id``, ``recorded_at`` (UTC), ``item``,
        ``after`` (dict, or None for a removal) and ``source``.
    as_of : date, optional
        The report day; None = every change (the current state).

    Returns
    -------
    DataFrame
        One row per item still present, the same columns, ordered by the item's first change
        (the order the items were first written in, e.g. the seed file's order).
    """
    if changes.empty:
        return changes.iloc[0:0]
    ordered = changes.sort_values("change_id", kind="stable")
    if as_of is not None:
        as_of = pd.Timestamp(as_of).date()
        from_start = ordered["source"].isin(FROM_THE_BEGINNING)
        days = pd.to_datetime(ordered["recorded_at"], utc=True).dt.tz_convert(LOCAL_TZ).dt.date
        ordered = ordered[from_start | (days <= as_of)]
    if ordered.empty:
        return changes.iloc[0:0]
    first = ordered.groupby("item", sort=False)["change_id"].transform("min")
    latest = ordered.assign(_first=first).groupby("item", sort=False).tail(1)
    present = latest[latest["after"].map(lambda a: a is not None)]
    return present.sort_values("_first", kind="stable").drop(columns="_first").reset_index(drop=True)


def records_in_force(changes: pd.DataFrame, as_of: date | None = None) -> list[dict]:
    """The ``after`` records of :func:`in_force`, in the same order."""
    return list(in_force(changes, as_of)["after"]) if len(changes) else []


def milestones_frame(records) -> pd.DataFrame:
    """Milestone records (mappings) as a frame: :data:`MILESTONE_FIELDS`, ``target_percent`` float."""
    frame = pd.DataFrame([{f: rec.get(f) for f in MILESTONE_FIELDS} for rec in records], columns=list(MILESTONE_FIELDS))
    frame["target_percent"] = pd.to_numeric(frame["target_percent"], errors="coerce")
    return frame
