"""``milestones.clocks.parcel_clocks`` before issue 13's last round: each chain position carried as a frame
of the state's text columns (assigned, joined, taken), the next action and responsible body mapped per row.
Kept as the reference the array-built clocks must equal (``tests/milestones/test_fast_equals_reference.py``)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.blockers import DEFAULT_RESPONSIBLE, NEXT_ACTION_BY_STAGE, RESOLVE_COMPLAINT
from milestones.clocks import (
    CLOCK_COLUMNS,
    WorkCalendar,
    _period_ends,
    _roll_to_working_day,
    calendar_from_rules,
    clock_chains,
    clock_days,
)
from milestones.events import to_timestamp
from milestones.procedure_plan import stage_plan, with_plan
from milestones.rules import AGRICULTURAL_LAND_USE, is_agricultural, resolve_rules


def parcel_clocks(state: pd.DataFrame, as_of: date, rules: Mapping[str, Any] | None = None,
                  plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every running legal clock of every parcel at ``as_of``.

    Parameters
    ----------
    state : DataFrame
        :func:`milestones.parcel_state.parcel_stages` at ``as_of`` (``parcel_id``, ``project_id``,
        ``commune``, ``land_use``, ``stage``, ``stage_date``, ``complaint_open``, ``complaint_since``).
    as_of : date
    rules : mapping, optional
        ``rules.yaml`` (``legal_clocks``, ``extra_holidays``, ``responsible``).
    plan : DataFrame, optional
        :func:`milestones.procedure_plan.stage_plan`: the project's procedure plan (rule in that module).

    Returns
    -------
    DataFrame
        :data:`CLOCK_COLUMNS`, one row per parcel × clock of the chain started by its current stage and,
        when a complaint is open, of the complaint chain: ``action`` (code of
        :data:`domain.blockers.NEXT_ACTIONS`), ``responsible`` (body code), ``started_on``, ``due_on``
        (dates), ``paused_days`` (calendar days of open complaint inside the clock), ``days_overdue``
        (calendar days after ``due_on``, 0 when not late or when ``kind`` is ``earliest``), ``article``;
        ``planned_date`` (date or None) and ``days_behind_plan`` (calendar days past it, 0 when not past) of
        the stage the action leads to, from the plan, beside the legal deadline; with a plan, ``responsible``
        of a stage action is the plan's lead body (the ``responsible`` table when it names none).

    Notes
    -----
    Vectorised: every chain position is counted for all its parcels at once (:func:`numpy.busday_offset`
    over arrays; an open complaint's pause in calendar days in closed form); only a pause inside a
    working-day clock, which the default rules do not have, is counted one combination at a time by
    :func:`period_end`.
    """
    ts = to_timestamp(as_of).date()
    resolved = resolve_rules(rules)
    chains, calendar = clock_chains(resolved), calendar_from_rules(resolved)
    responsible = {**DEFAULT_RESPONSIBLE, **(resolved.get("responsible") or {})}
    starts = _chain_starts(state.reset_index(drop=True), ts, chains)
    if starts.empty:
        return pd.DataFrame(columns=list(CLOCK_COLUMNS))
    parts = [_chain_positions(starts[starts["event"] == event], chain, calendar, ts)
             for event, chain in chains.items() if (starts["event"] == event).any()]
    rows = pd.concat([p for part in parts for p in part], ignore_index=True)
    rows = rows.iloc[np.lexsort((rows["position"].to_numpy(), rows["start_no"].to_numpy(),
                                 rows["pidx"].to_numpy()))]
    rows["responsible"] = rows["action"].map(responsible)
    for col in ("started_on", "due_on"):
        rows[col] = rows[col].to_numpy(dtype="datetime64[D]").astype(object)
    rows = with_plan(rows, plan if plan is not None else stage_plan(None), ts)
    return rows[list(CLOCK_COLUMNS)].reset_index(drop=True)


def _chain_positions(starts: pd.DataFrame, chain: list[tuple[str, dict]], calendar: WorkCalendar,
                     as_of: date) -> list[pd.DataFrame]:
    """The rows of one chain for all its parcels, one frame per position: each clock starts where the
    previous one ends (rule of :func:`period_end`, counted over arrays)."""
    started = starts["started_on"].to_numpy(dtype="datetime64[D]")
    agricultural = starts["agricultural"].to_numpy(dtype=bool)
    pause_from = starts["paused_from"].to_numpy(dtype="datetime64[D]")
    end = np.datetime64(as_of, "D")
    has_pause = ~np.isnat(pause_from) & (pause_from <= end)
    out = []
    for position, (name, clock) in enumerate(chain):
        days = np.where(agricultural, clock_days(clock, next(iter(AGRICULTURAL_LAND_USE))), clock_days(clock, None))
        paused = has_pause & ("complaint" in (clock.get("paused_by") or ()))
        deadline = clock.get("kind", "deadline") == "deadline"
        due = _period_ends(started, days, clock.get("day_type", "calendar"), calendar, pause_from, end, paused)
        if deadline:
            due = _roll_to_working_day(due, calendar)
        lo, hi = np.maximum(pause_from, started), np.minimum(end, due)
        overlap = np.where(paused, np.maximum(0, (hi - lo).astype("int64") + 1), 0)
        overdue = np.maximum(0, (end - due).astype("int64")) if deadline else np.zeros(len(due), dtype="int64")
        out.append(starts.assign(position=position, clock=name, kind="deadline" if deadline else "earliest",
                                 started_on=started, due_on=due, paused_days=overlap.astype("int64"),
                                 days_overdue=overdue.astype("int64"), article=clock.get("article", "")))
        started = due
    return out


def _chain_starts(state: pd.DataFrame, as_of: date, chains: Mapping[str, Any]) -> pd.DataFrame:
    """One row per parcel × chain it runs: its stage chain and, with a complaint open, the complaint chain."""
    land_use = state["land_use"] if "land_use" in state.columns else pd.Series([None] * len(state))
    agricultural = is_agricultural(land_use)
    no_day = pd.Series(np.full(len(state), np.datetime64("NaT"), dtype="datetime64[s]"))
    complaint_since = _dates(state["complaint_since"]) if "complaint_since" in state.columns else no_day
    open_ = state["complaint_open"].fillna(False).astype(bool).to_numpy() if "complaint_open" in state.columns \
        else np.zeros(len(state), dtype=bool)
    open_ = open_ & complaint_since.notna().to_numpy()
    paused_from = complaint_since.where(open_, None)
    base = pd.DataFrame({"pidx": np.arange(len(state)), "parcel_id": state["parcel_id"].to_numpy(),
                         "project_id": state.get("project_id", pd.Series([None] * len(state))).to_numpy(),
                         "commune": state.get("commune", pd.Series([None] * len(state))).to_numpy(),
                         "stage": state["stage"].to_numpy(), "agricultural": agricultural,
                         "paused_from": paused_from.to_numpy()})
    stage_start = base.assign(start_no=0, event=base["stage"], action=base["stage"].map(NEXT_ACTION_BY_STAGE),
                              started_on=(_dates(state["stage_date"]) if "stage_date" in state.columns
                                          else no_day).to_numpy())
    complaint_start = base[open_].assign(start_no=1, event="complaint", action=RESOLVE_COMPLAINT,
                                         started_on=complaint_since[open_].to_numpy())
    starts = pd.concat([stage_start, complaint_start], ignore_index=True)
    keep = starts["action"].notna() & starts["started_on"].notna() & starts["event"].isin(list(chains))
    return starts[keep].reset_index(drop=True)


def _dates(column: pd.Series) -> pd.Series:
    """Days (``datetime64[s]`` at midnight, NaT when missing), from dates, timestamps or text the ledger holds."""
    ts = pd.to_datetime(column, errors="coerce")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return pd.Series(ts.to_numpy(dtype="datetime64[D]").astype("datetime64[s]"), index=column.index)
