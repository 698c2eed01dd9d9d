"""The one rule for the stage of a parcel (or of a chainage range) at a date (DATA_MODEL.md, "events").

Events of one key with ``event_date <= D`` are read in (``event_date``, order) order, where order is
the ledger's ``event_id`` (or a row's position in an upload). A stage event raises the stage to
max(current, event); an event with ``is_correction`` sets the stage exactly, so it may go backwards.
The stage date is the day the current stage was entered: an event that leaves the stage unchanged
keeps it. A stage event above a *later* correction of the same key is void: the correction says it
was wrong, so its amount does not count (it still raised the stage until the correction).

Two forms of the same rule, tested to agree (``tests/domain/test_stage_history.py``):

* :func:`stage_at` — one key, a list of events; used by upload validation (``ingest.history``);
* :func:`running_stage`, :func:`stage_since`, :func:`voided` — numpy arrays over many keys sorted by
  (key, date, order); used by progress (``milestones.parcel_state``).

Ranks are positions in :data:`domain.stages.STAGES` (0 = ``not_started``, 6 = ``handed_over``);
only stage events (rank ≥ 1) take part, flags never move a stage.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

import numpy as np

from domain.stages import STAGES

#: Larger than any rank: used to make one accumulate restart per run or per key.
_RANK_SPAN = len(STAGES) + 1


class StageEvent(NamedTuple):
    """One stage event of a key: its day, its order among events of that day, its rank, correction."""

    day: date
    order: int
    rank: int
    is_correction: bool


def stage_at(events: Iterable[StageEvent | tuple], day: date) -> tuple[int, date | None]:
    """Stage rank of one key at ``day`` and the day it was entered (module rule).

    Parameters
    ----------
    events : iterable of (day, order, rank, is_correction)
        The key's stage events, in any order; those after ``day`` are ignored.
    day : date

    Returns
    -------
    (rank, since)
        ``rank`` 0–6 (0 when no event up to ``day``); ``since`` the day that stage was entered, None
        for rank 0.
    """
    rank, since = 0, None
    for d, _order, r, correction in sorted(tuple(e) for e in events if e[0] <= day):
        new = r if correction else max(rank, r)
        if new != rank:
            rank, since = new, d
    return rank, (since if rank else None)


def _starts(key: np.ndarray) -> np.ndarray:
    """True at the first element of each key (``key`` sorted)."""
    return np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, dtype=bool)


def running_stage(key: np.ndarray, rank: np.ndarray, is_correction: np.ndarray) -> np.ndarray:
    """Stage rank after each event, for events sorted by (key, date, order).

    A run starts at each new key and at each correction; within a run the stage is the running
    maximum. Adding ``run × span`` (span > every rank) makes one ``maximum.accumulate`` restart at
    every run.

    Parameters
    ----------
    key : array, shape (N,)
        Key of each event (parcel position); equal keys are contiguous.
    rank : int array, shape (N,)
        Stage rank of each event (≥ 1).
    is_correction : bool array, shape (N,)

    Returns
    -------
    int64 array, shape (N,)
    """
    key = np.asarray(key)
    starts = _starts(key) | np.asarray(is_correction, dtype=bool)
    offset = np.cumsum(starts) * _RANK_SPAN
    return np.maximum.accumulate(np.asarray(rank, dtype="int64") + offset) - offset


def stage_since(key: np.ndarray, running: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Day each event's running stage was entered: the date of the first event of its unchanged run.

    Parameters
    ----------
    key, dates : arrays, shape (N,)
        As in :func:`running_stage` (``dates`` datetime64).
    running : int array, shape (N,)
        :func:`running_stage` of the same events.

    Returns
    -------
    datetime64 array, shape (N,)
    """
    key = np.asarray(key)
    running = np.asarray(running)
    changed = _starts(key) | np.r_[True, running[1:] != running[:-1]][: len(key)]
    start_pos = np.maximum.accumulate(np.where(changed, np.arange(len(key)), 0)) if len(key) else changed
    return np.asarray(dates)[start_pos.astype("int64")]


def voided(key: np.ndarray, rank: np.ndarray, is_correction: np.ndarray) -> np.ndarray:
    """True for stage events above a *later* correction of the same key (events sorted as above).

    Parameters
    ----------
    key, rank, is_correction : arrays, shape (N,)
        As in :func:`running_stage`.

    Returns
    -------
    bool array, shape (N,)
    """
    key = np.asarray(key)
    rank = np.asarray(rank, dtype="int64")
    if len(key) == 0:
        return np.zeros(0, dtype=bool)
    never = _RANK_SPAN
    corr = np.where(np.asarray(is_correction, dtype=bool), rank, never)
    # Suffix minimum of correction ranks within each key: walk backwards, giving each key met a lower
    # offset so that one minimum.accumulate restarts at every key.
    rev_key, rev_corr = key[::-1], corr[::-1]
    group = np.cumsum(_starts(rev_key)) * (2 * _RANK_SPAN)
    suffix = (np.minimum.accumulate(rev_corr - group) + group)[::-1]
    later = np.where(np.r_[key[1:] == key[:-1], False], np.r_[suffix[1:], never], never)
    return rank > later


def voided_events(events: Iterable[StageEvent | tuple]) -> list[bool]:
    """Scalar form of :func:`voided` for one key: per event (in the given order), is it void?"""
    items = [tuple(e) for e in events]
    order = sorted(range(len(items)), key=lambda i: items[i][:2])
    out = [False] * len(items)
    lowest_later = _RANK_SPAN
    for i in reversed(order):
        _day, _order, rank, correction = items[i]
        out[i] = rank > lowest_later
        if correction:
            lowest_later = min(lowest_later, rank)
    return out
