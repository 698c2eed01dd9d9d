"""Stage, stage date, flags and amounts of every parcel at an as-of date (rules: :mod:`milestones.progress`).

The stage rule itself is :mod:`domain.stage_history` (one rule for validation and progress); this
module applies its vectorised form to :func:`milestones.events.parcel_events`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from domain.stage_history import running_stage, stage_since, voided
from domain.stages import COMPLAINT_RESOLVED, FLAGS, HANDED_OVER_RANK, STAGES
from domain.tables import PARCEL_STATE_COLUMNS
from milestones.events import parcel_events

#: Columns added to the parcels by :func:`parcel_stages` (the one definition is :mod:`domain.tables`).
STATE_COLUMNS = PARCEL_STATE_COLUMNS


def parcel_stages(parcels: pd.DataFrame, events: pd.DataFrame | None, as_of: date,
                  events_by_parcel: pd.DataFrame | None = None, steps: StateSteps | None = None) -> pd.DataFrame:
    """Stage, stage date, flags and amounts of every parcel at ``as_of`` (rules in the module doc).

    Parameters
    ----------
    parcels : GeoDataFrame or DataFrame
        The parcels table (DATA_MODEL.md): ``parcel_id``, ``project_id``, ``area_to_recover_m2`` (m²),
        ``chainage_m`` (m, NaN for areas), ``household_id``, ``land_use`` …; CRS is kept as given
        (EPSG:9215 from the store).
    events : DataFrame or None
        The ledger (DATA_MODEL.md "events"; reverted uploads already excluded); not read when
        ``events_by_parcel`` is given (None then allowed).
    as_of : date
        Events dated after it are ignored.
    events_by_parcel : DataFrame, optional
        :func:`parcel_events` of the same inputs, when the caller already has it.
    steps : StateSteps, optional
        :func:`state_steps` of the whole ledger's :func:`parcel_events` (kept per data version): the stage,
        stage date, complaint and flags are then read at ``as_of`` from it (same values) instead of being
        recomputed from ``events_by_parcel``, which still gives the amounts.

    Returns
    -------
    GeoDataFrame or DataFrame
        A copy of ``parcels`` (same type, same row order) with: ``stage`` (code of
        :data:`domain.stages.STAGES`), ``stage_rank`` (0–6), ``stage_date`` (Timestamp the parcel
        entered its current stage; NaT for ``not_started``), ``handed_over_on`` (= ``stage_date`` when handed over, else NaT), ``area_handed_over_m2``
        (m²), ``complaint_open`` (bool), ``complaint_since`` (date of the open complaint, else NaT),
        ``enforced``, ``compulsory_inventory`` (bool), ``amount_approved_vnd``,
        ``amount_paid_vnd`` (VND, 0 when none).

    Raises
    ------
    KeyError
        If ``parcels`` lacks ``parcel_id``.
    """
    pe = parcel_events(parcels, events, as_of) if events_by_parcel is None else events_by_parcel
    n = len(parcels)
    if steps is not None and steps.n == n:
        rank, stage_date, complaint_open, complaint_since, flags = steps.at(as_of)
    else:
        rank, stage_date = _stages(pe, n)
        complaint_open, complaint_since = _complaints(pe, n)
        flags = {flag: _has_event(pe, flag, n) for flag in FLAGS[1:]}
    approved, paid = _amounts(pe, n)
    area = pd.to_numeric(parcels["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    handed = rank == HANDED_OVER_RANK
    out = parcels.copy()
    out["stage"] = pd.array(list(STAGES), dtype="str").take(rank)    # a take, not 100 000 strings converted
    out["stage_rank"] = rank
    out["stage_date"] = stage_date
    out["handed_over_on"] = np.where(handed, stage_date, np.datetime64("NaT"))
    out["area_handed_over_m2"] = np.where(handed, area, 0.0)
    out["complaint_open"] = complaint_open
    out["complaint_since"] = complaint_since
    for flag in FLAGS[1:]:                 # enforced, compulsory_inventory: set once recorded
        out[flag] = flags[flag]
    out["amount_approved_vnd"] = approved
    out["amount_paid_vnd"] = paid
    return out


def _stage_events(pe: pd.DataFrame) -> pd.DataFrame:
    """The stage events (rank ≥ 1) of :func:`parcel_events`, in its (parcel, date, event_id) order."""
    return pe[pe["rank"] >= 1]


def _stages(pe: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stage rank (int64) and stage date (datetime64, NaT for rank 0) of each of ``n`` parcels."""
    rank = np.zeros(n, dtype="int64")
    stage_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    st = _stage_events(pe)
    if len(st):
        pidx = st["pidx"].to_numpy()
        running = running_stage(pidx, st["rank"].to_numpy(), st["is_correction"].to_numpy(dtype=bool))
        since = stage_since(pidx, running, st["event_date"].to_numpy(dtype="datetime64[ns]"))
        last = np.r_[pidx[1:] != pidx[:-1], True]          # last event of each parcel
        rank[pidx[last]] = running[last]
        stage_date[pidx[last]] = since[last]
    return rank, stage_date


def _amounts(pe: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Amount approved (latest valid ``approved``) and paid (sum of valid ``paid``) per parcel, VND."""
    approved, paid = np.zeros(n), np.zeros(n)
    st = _stage_events(pe)
    if len(st):
        valid = st[~voided(st["pidx"].to_numpy(), st["rank"].to_numpy(), st["is_correction"].to_numpy(dtype=bool))]
        appr = valid[(valid["event"] == "approved") & valid["amount_vnd"].notna()]
        latest = appr.groupby("pidx")["amount_vnd"].last()
        approved[latest.index.to_numpy()] = latest.to_numpy()
        pay = valid[valid["event"] == "paid"].groupby("pidx")["amount_vnd"].sum(min_count=1).dropna()
        paid[pay.index.to_numpy()] = pay.to_numpy()
    return approved, paid


def _complaints(pe: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per parcel: is a complaint open (no later ``complaint_resolved``), and since when (else NaT)."""
    complaint_open = np.zeros(n, dtype=bool)
    complaint_since = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    comp = pe[pe["event"].isin(["complaint", COMPLAINT_RESOLVED])]
    if comp.empty:
        return complaint_open, complaint_since
    last = comp.groupby("pidx").tail(1)
    open_rows = last[last["event"] == "complaint"]
    complaint_open[open_rows["pidx"].to_numpy()] = True
    # The open complaint dates from the first complaint after the last resolution.
    resolved_at = comp[comp["event"] == COMPLAINT_RESOLVED].groupby("pidx")["event_date"].max()
    c = comp[comp["event"] == "complaint"].join(resolved_at.rename("resolved_at"), on="pidx")
    c = c[c["resolved_at"].isna() | (c["event_date"] > c["resolved_at"])]
    since = c.groupby("pidx")["event_date"].min()
    since = since[since.index.isin(open_rows["pidx"])]
    complaint_since[since.index.to_numpy()] = since.to_numpy()
    return complaint_open, complaint_since


def _has_event(pe: pd.DataFrame, code: str, n: int) -> np.ndarray:
    """True for each of ``n`` parcels with at least one ``code`` event."""
    has = np.zeros(n, dtype=bool)
    has[pe.loc[pe["event"] == code, "pidx"].to_numpy()] = True
    return has


_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class StateSteps:
    """Each parcel's stage, complaint and flags after each of its events, from the whole ledger: made once per
    data version (:func:`state_steps`), read at any as-of date by :meth:`at`.

    Each of these is a prefix rule (the value after an event depends on that parcel's earlier events only:
    running maximum restarted at corrections, last complaint or resolution, first flag), so the value at a
    date is the value after the parcel's last event on or before it: one ``searchsorted`` of all parcels on
    the events' (parcel, day) keys and a gather, not the rule recomputed over every event up to the date.

    Attributes
    ----------
    n : int
        Number of parcels (``pidx`` 0 … n−1).
    span : int
        Days from the first to the last event day + 2: key = ``pidx × span + day − first day + 1``.
    first_day : int
        Day number (days since 1970-01-01) of the earliest event.
    stage_key, stage_rank, stage_since : ndarray
        The stage events (rank ≥ 1) in (parcel, date, event_id) order: key (int64), running stage (int64)
        and the day it was entered (datetime64[ns]) after each.
    complaint_key, complaint_open, complaint_since : ndarray
        The ``complaint`` and ``complaint_resolved`` events likewise: key, open after it (bool), since when
        (datetime64[ns], NaT when none).
    flag_day : dict
        Per flag of ``FLAGS[1:]``: each parcel's first day with that event (int64 day number, max int when none).
    """

    n: int
    span: int
    first_day: int
    stage_key: np.ndarray
    stage_rank: np.ndarray
    stage_since: np.ndarray
    complaint_key: np.ndarray
    complaint_open: np.ndarray
    complaint_since: np.ndarray
    flag_day: dict

    def _last(self, keys: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Per parcel, the position in ``keys`` of its last event on or before ``day`` and whether it has one."""
        offset = int(np.clip(day - self.first_day + 1, 0, self.span - 1))
        query = np.arange(self.n, dtype="int64") * self.span + offset
        pos = np.searchsorted(keys, query, side="right") - 1
        found = pos >= 0
        found[found] = keys[pos[found]] >= query[found] - offset      # the event is the parcel's own
        return pos, found

    def at(self, as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """(stage rank, stage date, complaint open, complaint since, flags) of every parcel at ``as_of``,
        as :func:`parcel_stages` computes them from the events up to that date."""
        day = int(pd.Timestamp(as_of).normalize().value // _NS_PER_DAY)
        rank = np.zeros(self.n, dtype="int64")
        stage_date = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[ns]")
        pos, found = self._last(self.stage_key, day)
        rank[found] = self.stage_rank[pos[found]]
        stage_date[found] = self.stage_since[pos[found]]
        complaint_open = np.zeros(self.n, dtype=bool)
        complaint_since = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[ns]")
        pos, found = self._last(self.complaint_key, day)
        complaint_open[found] = self.complaint_open[pos[found]]
        complaint_since[found] = self.complaint_since[pos[found]]
        flags = {flag: first <= day for flag, first in self.flag_day.items()}
        return rank, stage_date, complaint_open, complaint_since, flags


def state_steps(by_parcel: pd.DataFrame, n: int) -> StateSteps:
    """The :class:`StateSteps` of :func:`parcel_events` over all dates for ``n`` parcels."""
    pidx = by_parcel["pidx"].to_numpy(dtype="int64")
    days = by_parcel["event_date"].to_numpy(dtype="datetime64[ns]").astype("int64") // _NS_PER_DAY
    first = int(days.min()) if len(days) else 0
    span = (int(days.max()) - first + 2 if len(days) else 1) + 1
    key = pidx * span + (days - first + 1)               # ≥ 1 within each parcel's block
    st = (by_parcel["rank"] >= 1).to_numpy()
    st_pidx = pidx[st]
    running = running_stage(st_pidx, by_parcel["rank"].to_numpy()[st], by_parcel["is_correction"].to_numpy(dtype=bool)[st])
    since = stage_since(st_pidx, running, by_parcel["event_date"].to_numpy(dtype="datetime64[ns]")[st])
    event = by_parcel["event"]
    comp = event.isin(["complaint", COMPLAINT_RESOLVED]).to_numpy()
    is_open, c_since = _complaint_steps(key[comp], (event[comp] == "complaint").to_numpy(),
                                        by_parcel["event_date"].to_numpy(dtype="datetime64[ns]")[comp], span)
    none = np.iinfo("int64").max
    flag_day = {}
    for flag in FLAGS[1:]:
        first_day = np.full(n, none, dtype="int64")
        mine = (event == flag).to_numpy()
        np.minimum.at(first_day, pidx[mine], days[mine])
        flag_day[flag] = first_day
    return StateSteps(n=n, span=span, first_day=first, stage_key=key[st], stage_rank=running, stage_since=since,
                      complaint_key=key[comp], complaint_open=is_open, complaint_since=c_since, flag_day=flag_day)


def _complaint_steps(key: np.ndarray, is_complaint: np.ndarray, dates: np.ndarray,
                     span: int) -> tuple[np.ndarray, np.ndarray]:
    """After each complaint or resolution event (sorted keys): is a complaint open, and since when — the
    first complaint dated after the parcel's last resolution so far (the rule of :func:`_complaints`)."""
    since = np.full(len(key), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not len(key):
        return is_complaint, since
    base = key - key % span                                # pidx × span
    # Latest resolution so far (key offset, 0 when none): one running maximum, parcels in increasing blocks.
    resolved = np.maximum.accumulate(np.where(is_complaint, base, key))
    c_pos = np.flatnonzero(is_complaint)
    first_after = np.searchsorted(key[c_pos], resolved, side="right")     # first complaint dated after it
    ok = first_after < len(c_pos)
    ok[ok] = c_pos[first_after[ok]] <= np.arange(len(key))[ok]       # among the events so far
    open_ = is_complaint & ok
    since[open_] = dates[c_pos[first_after[open_]]]
    return is_complaint, since
