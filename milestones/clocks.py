"""Legal clocks: the deadline of each parcel's current step, counted as the law counts days.

Rules (``legal_clocks`` of ``rules.yaml``; defaults in :data:`milestones.rules.DEFAULT_RULES`, each with
its article). A clock has:

``starts_at``
    the stage (or ``complaint``) whose date starts it, or ``after``: the clock it follows (its end);
``days``
    the period (``{agricultural: …, non_agricultural: …}`` when it depends on the land-use group);
``day_type``
    ``calendar`` or ``working`` (Monday–Friday minus the Vietnamese public holidays of the
    ``holidays`` package's VN calendar and the configured ``extra_holidays``, e.g. the lunar-calendar
    days or bridge days a decision adds);
``kind``
    ``deadline`` (the action must be done by the end; a late one is overdue) or ``earliest`` (a minimum
    period: the next step may not come before its end, e.g. the 90/180-day notice, Land Law 2024 art. 85);
``paused_by``
    events whose open period is not counted (``complaint``: from the open complaint's date to the as-of
    date);
``article``
    the legal source, shown beside the deadline.

Counting follows the Civil Code 2015: the first day of a period in days is not counted (art. 147), and
a deadline whose last day is a weekend day or a holiday ends on the next working day (art. 148).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays
import numpy as np
import pandas as pd

from domain.blockers import DEFAULT_RESPONSIBLE, NEXT_ACTION_BY_STAGE, RESOLVE_COMPLAINT
from milestones.events import to_timestamp
from milestones.procedure_plan import stage_plan, with_plan
from milestones.rules import AGRICULTURAL_LAND_USE, is_agricultural, resolve_rules
from parsing.dates import parse_date

#: Columns of :func:`parcel_clocks`.
CLOCK_COLUMNS: tuple[str, ...] = (
    "parcel_id", "project_id", "commune", "stage", "clock", "kind", "action", "responsible", "started_on",
    "due_on", "paused_days", "days_overdue", "article", "planned_date", "days_behind_plan",
)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday–Friday minus Vietnamese public holidays and ``extra_holidays``.

    Public holidays come from ``holidays.VN`` (Labour Code 2019 art. 112: New Year, Tết, Hùng Kings,
    30/4, 1/5, National Day); ``extra_holidays`` adds the days it lacks (lunar-calendar or bridge days
    announced each year).
    """

    extra_holidays: frozenset[date] = frozenset()

    def holidays_between(self, first: date, last: date) -> np.ndarray:
        """Holidays from ``first`` to ``last`` as sorted ``datetime64[D]``."""
        days = set(_vn_holidays(first.year, last.year)) | set(self.extra_holidays)
        return np.array(sorted(d for d in days if first <= d <= last), dtype="datetime64[D]")

    def is_working_day(self, day: date) -> bool:
        """True for a Monday–Friday that is not a holiday."""
        return day.weekday() < 5 and day not in _vn_holidays(day.year, day.year) and day not in self.extra_holidays


@lru_cache(maxsize=64)
def _vn_holidays(first_year: int, last_year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=range(first_year, last_year + 1)))


def calendar_from_rules(rules: Mapping[str, Any] | None) -> WorkCalendar:
    """The :class:`WorkCalendar` of ``rules.yaml`` (``extra_holidays``: dates as the clerk writes them).

    Raises
    ------
    ValueError
        If an extra holiday is not a date (Vietnamese message).
    """
    extra = resolve_rules(rules).get("extra_holidays") or []
    try:
        return WorkCalendar(frozenset(parse_date(d) for d in extra))
    except ValueError as exc:
        raise ValueError(f"rules.yaml: extra_holidays có ngày không hợp lệ ({exc})") from None


def period_end(start: date, days: int, *, day_type: str = "calendar", calendar: WorkCalendar | None = None,
               pauses: Iterable[tuple[date, date]] = (), roll_to_working_day: bool = False) -> date:
    """Last day of a period of ``days`` days counted from the day after ``start``.

    Parameters
    ----------
    start : date
        The day of the event that starts the period (not counted, Civil Code 2015 art. 147).
    days : int
        Length (≥ 0).
    day_type : ``calendar`` | ``working``
        Count every day, or only working days of ``calendar``.
    pauses : iterable of (first, last)
        Closed date intervals not counted (a suspended step).
    roll_to_working_day : bool
        Move a last day that is not a working day to the next working day (Civil Code 2015 art. 148).

    Raises
    ------
    ValueError
        If ``day_type`` is unknown or ``days`` negative.
    """
    if day_type not in ("calendar", "working"):
        raise ValueError(f"Cách tính ngày {day_type!r} không hợp lệ (cần calendar hoặc working)")
    if days < 0:
        raise ValueError("Số ngày của thời hạn không được âm")
    calendar = calendar or WorkCalendar()
    paused = [(a, b) for a, b in pauses if b >= a]
    if days == 0 or (day_type == "calendar" and not paused):
        day = start + timedelta(days=int(days))
    else:
        day = _counted_day(start, int(days), calendar, day_type, paused)
    while roll_to_working_day and not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _counted_day(start: date, days: int, calendar: WorkCalendar, day_type: str,
                 paused: list[tuple[date, date]]) -> date:
    """The ``days``-th counted day after ``start``: numpy's business-day offset, with paused days as extra
    holidays and every weekday open for calendar days. Rolling back a start that is not counted makes the
    count begin at the first counted day after it, as a day-by-day walk would."""
    pause_days = sum((b - a).days + 1 for a, b in paused)
    end = start + timedelta(days=3 * days + 60 + pause_days)
    closed = [np.arange(np.datetime64(a, "D"), np.datetime64(b, "D") + 1) for a, b in paused]
    if day_type == "working":
        closed.append(np.asarray(calendar.holidays_between(start, end), dtype="datetime64[D]"))
        weekmask = "1111100"
    else:
        weekmask = "1111111"
    holidays = np.concatenate(closed) if closed else np.array([], dtype="datetime64[D]")
    return np.busday_offset(np.datetime64(start, "D"), days, roll="backward", weekmask=weekmask,
                            holidays=holidays).item()


def clock_days(clock: Mapping[str, Any], land_use: Any) -> int:
    """Days of ``clock`` for a parcel's land-use code (agricultural group: Land Law 2024 art. 9(2))."""
    days = clock["days"]
    if isinstance(days, Mapping):
        agri = str(land_use).strip().upper() in AGRICULTURAL_LAND_USE
        return int(days["agricultural" if agri else "non_agricultural"])
    return int(days)


def clock_chains(rules: Mapping[str, Any] | None) -> dict[str, list[tuple[str, dict]]]:
    """Per starting event (a stage code or ``complaint``): the clocks in order, following ``after`` links."""
    clocks = resolve_rules(rules)["legal_clocks"]
    chains: dict[str, list[tuple[str, dict]]] = {}
    for name, clock in clocks.items():
        if "starts_at" in clock:
            chain, current = [(name, clock)], name
            while (nxt := next(((n, c) for n, c in clocks.items() if c.get("after") == current), None)):
                chain.append(nxt)
                current = nxt[0]
            chains.setdefault(str(clock["starts_at"]), []).extend(chain)
    return chains


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
    state = state.reset_index(drop=True)
    starts = _chain_starts(state, ts, chains)
    if not len(starts["pidx"]):
        return pd.DataFrame(columns=list(CLOCK_COLUMNS))
    table = [(name, clock) for chain in chains.values() for name, clock in chain]    # every clock, numbered
    first_no = np.cumsum([0] + [len(chain) for chain in chains.values()])[:-1]
    parts = []
    for k, chain in enumerate(chains.values()):
        mine = starts["event_no"] == k
        if mine.any():
            parts.append(_chain_positions({c: v[mine] for c, v in starts.items()}, chain, int(first_no[k]),
                                          calendar, ts))
    rows = {c: np.concatenate([part[c] for part in parts]) for c in parts[0]}
    rows = {c: v[np.lexsort((rows["position"], rows["start_no"], rows["pidx"]))] for c, v in rows.items()}
    # Every column built once for all rows (text from a few values by integer codes), not carried through
    # each chain position as frames: the values and dtypes of the frames it replaced.
    frame = pd.DataFrame({c: _state_column(state, c, rows["pidx"]) for c in ("parcel_id", "project_id", "commune", "stage")})
    frame["clock"] = _text([name for name, _ in table], rows["clock_no"])
    frame["kind"] = _text(["deadline" if c.get("kind", "deadline") == "deadline" else "earliest" for _, c in table],
                          rows["clock_no"])
    present, action_codes = np.unique(rows["action_no"], return_inverse=True)
    actions = pd.Series(pd.array([_ACTIONS[i] for i in present], dtype="str"))
    frame["action"] = actions.take(action_codes).reset_index(drop=True)
    frame["responsible"] = actions.map(responsible).take(action_codes).reset_index(drop=True)
    frame["started_on"] = rows["started_on"].astype(object)      # datetime64[D] → date in C
    frame["due_on"] = rows["due_on"].astype(object)
    frame["paused_days"] = rows["paused_days"]
    frame["days_overdue"] = rows["days_overdue"]
    frame["article"] = _text([c.get("article", "") for _, c in table], rows["clock_no"])
    frame = with_plan(frame, plan if plan is not None else stage_plan(None), ts)
    return frame[list(CLOCK_COLUMNS)]


#: The actions a clock row can have, numbered (``action_no`` of :func:`_chain_starts`).
_ACTIONS: tuple[str, ...] = tuple(dict.fromkeys([*NEXT_ACTION_BY_STAGE.values(), RESOLVE_COMPLAINT]))
#: The dtype a frame infers for a column of text values (``str``).
_TEXT = pd.Series(np.array(["x"], dtype=object)).dtype


def _text(values: list, codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a text column (as a frame infers a column of those strings)."""
    return pd.Series(pd.array(values, dtype="str").take(np.asarray(codes, dtype="int64")))


def _state_column(state: pd.DataFrame, column: str, rows: np.ndarray) -> pd.Series:
    """``state[column]`` at ``rows``, with the dtype a frame built from the column's values infers (None
    throughout when absent): a text column is taken as it is, anything else goes through its values."""
    if column not in state.columns:
        return pd.Series(np.full(len(rows), None, dtype=object))
    col = state[column]
    if col.dtype == _TEXT and col.notna().any():
        return col.take(rows).reset_index(drop=True)
    return pd.Series(col.to_numpy()).take(rows).reset_index(drop=True)


def _chain_positions(starts: dict, chain: list[tuple[str, dict]], first_no: int, calendar: WorkCalendar,
                     as_of: date) -> dict[str, np.ndarray]:
    """The rows of one chain for all its parcels, position after position (arrays, positions joined; ``clock_no``
    = ``first_no`` + position): each clock starts where the previous one ends (rule of :func:`period_end`,
    counted over arrays)."""
    started = starts["started_on"]
    agricultural = starts["agricultural"]
    pause_from = starts["paused_from"]
    end = np.datetime64(as_of, "D")
    has_pause = ~np.isnat(pause_from) & (pause_from <= end)
    n = len(started)
    out: dict[str, list] = {k: [] for k in ("pidx", "start_no", "action_no", "position", "clock_no", "started_on",
                                            "due_on", "paused_days", "days_overdue")}
    for position, (_, clock) in enumerate(chain):
        days = np.where(agricultural, clock_days(clock, next(iter(AGRICULTURAL_LAND_USE))), clock_days(clock, None))
        paused = has_pause & ("complaint" in (clock.get("paused_by") or ()))
        deadline = clock.get("kind", "deadline") == "deadline"
        due = _period_ends(started, days, clock.get("day_type", "calendar"), calendar, pause_from, end, paused)
        if deadline:
            due = _roll_to_working_day(due, calendar)
        lo, hi = np.maximum(pause_from, started), np.minimum(end, due)
        overlap = np.where(paused, np.maximum(0, (hi - lo).astype("int64") + 1), 0)
        overdue = np.maximum(0, (end - due).astype("int64")) if deadline else np.zeros(n, dtype="int64")
        for key, value in (("pidx", starts["pidx"]), ("start_no", starts["start_no"]),
                           ("action_no", starts["action_no"]), ("position", np.full(n, position)),
                           ("clock_no", np.full(n, first_no + position)), ("started_on", started), ("due_on", due),
                           ("paused_days", overlap.astype("int64")), ("days_overdue", overdue.astype("int64"))):
            out[key].append(value)
        started = due
    return {k: np.concatenate(v) for k, v in out.items()}


def _period_ends(started: np.ndarray, days: np.ndarray, day_type: str, calendar: WorkCalendar,
                 pause_from: np.ndarray, pause_to: np.datetime64, paused: np.ndarray) -> np.ndarray:
    """:func:`period_end` (without the roll) for arrays of start days (``datetime64[D]``) and lengths."""
    if day_type not in ("calendar", "working"):
        raise ValueError(f"Cách tính ngày {day_type!r} không hợp lệ (cần calendar hoặc working)")
    if (days < 0).any():
        raise ValueError("Số ngày của thời hạn không được âm")
    due = started + days.astype("timedelta64[D]")
    if day_type == "working":
        plain = ~paused & (days > 0)
        if plain.any():
            holidays = _holidays_over(calendar, started[plain].min(), started[plain].max(), int(days.max()))
            due[plain] = np.busday_offset(started[plain], days[plain], roll="backward", weekmask="1111100",
                                          holidays=holidays)
        for i in np.flatnonzero(paused & (days > 0)):     # a pause in working days: one at a time
            due[i] = np.datetime64(period_end(started[i].item(), int(days[i]), day_type="working", calendar=calendar,
                                              pauses=[(pause_from[i].item(), pause_to.item())]), "D")
        return due
    # Calendar days skipping the closed pause [a, b]: a start inside it counts from a − 1 (the roll back of
    # numpy's offset); a period reaching a is lengthened by the pause.
    sel = paused & (days > 0)
    a, b = pause_from[sel], np.full(int(sel.sum()), pause_to)
    start = np.where((a <= started[sel]) & (started[sel] <= b), a - np.timedelta64(1, "D"), started[sel])
    end = start + days[sel].astype("timedelta64[D]")
    due[sel] = np.where((start < a) & (end >= a), end + (b - a) + np.timedelta64(1, "D"), end)
    return due


def _holidays_over(calendar: WorkCalendar, first: np.datetime64, last: np.datetime64, days: int) -> np.ndarray:
    """Every holiday a period of ``days`` working days starting between ``first`` and ``last`` may meet (the
    window of :func:`_counted_day`, for all starts at once)."""
    lo = first.item()
    hi = (last + np.timedelta64(3 * days + 60, "D")).item()
    return calendar.holidays_between(lo, hi)


def _roll_to_working_day(due: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Each day, or the next working day when it is not one (Civil Code 2015 art. 148)."""
    if not len(due):
        return due
    holidays = calendar.holidays_between(due.min().item(), (due.max() + np.timedelta64(30, "D")).item())
    return np.busday_offset(due, 0, roll="forward", weekmask="1111100", holidays=holidays)


def _chain_starts(state: pd.DataFrame, as_of: date, chains: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """One entry per parcel × chain it runs (arrays: ``pidx``, ``start_no`` 0 stage / 1 complaint, ``event_no``
    (position of its chain in ``chains``), ``action_no`` (in :data:`_ACTIONS`), ``started_on`` and
    ``paused_from`` (``datetime64[D]``), ``agricultural``): its stage chain and, with a complaint open, the
    complaint chain."""
    n = len(state)
    land_use = state["land_use"] if "land_use" in state.columns else pd.Series([None] * n)
    agricultural = np.asarray(is_agricultural(land_use), dtype=bool)
    no_day = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    since = _days(state["complaint_since"]) if "complaint_since" in state.columns else no_day
    open_ = state["complaint_open"].fillna(False).astype(bool).to_numpy() if "complaint_open" in state.columns \
        else np.zeros(n, dtype=bool)
    open_ = open_ & ~np.isnat(since)
    paused_from = np.where(open_, since, np.datetime64("NaT"))
    names = list(chains)
    # Per distinct stage: its chain and its next action (-1: none), then gathered by the stage's code.
    codes, stages = pd.factorize(state["stage"].to_numpy(dtype=object))
    event_of = np.array([names.index(s) if s in names else -1 for s in stages] + [-1], dtype="int64")
    action_of = np.array([_ACTIONS.index(NEXT_ACTION_BY_STAGE[s]) if s in NEXT_ACTION_BY_STAGE else -1
                          for s in stages] + [-1], dtype="int64")
    stage_day = _days(state["stage_date"]) if "stage_date" in state.columns else no_day
    c = np.flatnonzero(open_)
    pidx = np.r_[np.arange(n), c]
    complaint_event = names.index("complaint") if "complaint" in names else -1
    starts = {"pidx": pidx, "start_no": np.r_[np.zeros(n, dtype="int64"), np.ones(len(c), dtype="int64")],
              "event_no": np.r_[event_of[codes], np.full(len(c), complaint_event, dtype="int64")],
              "action_no": np.r_[action_of[codes], np.full(len(c), _ACTIONS.index(RESOLVE_COMPLAINT), dtype="int64")],
              "started_on": np.r_[stage_day, since[c]], "agricultural": agricultural[pidx],
              "paused_from": paused_from[pidx]}
    keep = (starts["action_no"] >= 0) & ~np.isnat(starts["started_on"]) & (starts["event_no"] >= 0)
    return {k: v[keep] for k, v in starts.items()}


def _days(column: pd.Series) -> np.ndarray:
    """Days (``datetime64[D]``, NaT when missing) from dates, timestamps or text: :func:`_dates` as an array."""
    return _dates(column).to_numpy(dtype="datetime64[D]")


def _dates(column: pd.Series) -> pd.Series:
    """Days (``datetime64[s]`` at midnight, NaT when missing), from dates, timestamps or text the ledger holds."""
    ts = pd.to_datetime(column, errors="coerce")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return pd.Series(ts.to_numpy(dtype="datetime64[D]").astype("datetime64[s]"), index=column.index)


def _chain_template(key, chains: Mapping[str, Any], calendar: WorkCalendar, as_of: date) -> list[tuple]:
    """The rows of one chain for one (event, start date, agricultural, complaint opened on), each clock
    starting where the previous one ends."""
    event, started, agricultural, paused_from = key
    pauses = [(paused_from, as_of)] if paused_from is not None and not pd.isna(paused_from) else []
    land_use = next(iter(AGRICULTURAL_LAND_USE)) if agricultural else None
    rows = []
    for position, (name, clock) in enumerate(chains[event]):
        paused = pauses if "complaint" in (clock.get("paused_by") or ()) else []
        deadline = clock.get("kind", "deadline") == "deadline"
        due = period_end(started, clock_days(clock, land_use), day_type=clock.get("day_type", "calendar"),
                         calendar=calendar, pauses=paused, roll_to_working_day=deadline)
        overlap = sum(max(0, (min(b, due) - max(a, started)).days + 1) for a, b in paused)
        rows.append((event, key[1], agricultural, paused_from, position, name, "deadline" if deadline else "earliest",
                     due, overlap, max(0, (as_of - due).days) if deadline else 0, clock.get("article", "")))
        started = due
    return rows


def _chain_started_on(rows: pd.DataFrame) -> pd.Series:
    """Each clock starts where the previous clock of its chain ended (the chain's start for the first)."""
    previous_due = rows.groupby(["pidx", "start_no"], sort=False)["due_on"].shift(1)
    return previous_due.where(rows["position"] > 0, rows["started_on"])


def _open_complaint(rec: Mapping[str, Any], as_of: date) -> list[tuple[date, date]]:
    if not bool(rec.get("complaint_open")) or pd.isna(rec.get("complaint_since")):
        return []
    return [(to_timestamp(rec["complaint_since"]).date(), as_of)]


def _chain_rows(rec, chain, started: date, action: str, body, as_of: date, calendar: WorkCalendar,
                pauses: list[tuple[date, date]]) -> list[dict]:
    """The rows of one chain of clocks: each starts where the previous one ends."""
    rows = []
    for name, clock in chain:
        paused = pauses if "complaint" in (clock.get("paused_by") or ()) else []
        deadline = clock.get("kind", "deadline") == "deadline"
        due = period_end(started, clock_days(clock, rec.get("land_use")), day_type=clock.get("day_type", "calendar"),
                         calendar=calendar, pauses=paused, roll_to_working_day=deadline)
        overlap = sum(max(0, (min(b, due) - max(a, started)).days + 1) for a, b in paused)
        rows.append({
            "parcel_id": rec["parcel_id"], "project_id": rec.get("project_id"), "commune": rec.get("commune"),
            "stage": rec["stage"], "clock": name, "kind": "deadline" if deadline else "earliest",
            "action": action, "responsible": body, "started_on": started, "due_on": due, "paused_days": overlap,
            "days_overdue": max(0, (as_of - due).days) if deadline else 0, "article": clock.get("article", ""),
        })
        started = due
    return rows


def next_deadlines(clocks: pd.DataFrame) -> pd.DataFrame:
    """Per parcel, the stage action's deadline: the last ``deadline`` clock of its stage chain.

    Returns ``parcel_id``, ``action``, ``responsible``, ``next_deadline`` (date), ``days_overdue``.
    """
    stage = clocks[(clocks["kind"] == "deadline") & (clocks["action"] != RESOLVE_COMPLAINT)]
    last = stage.groupby("parcel_id", sort=False).tail(1)
    return last.rename(columns={"due_on": "next_deadline"})[
        ["parcel_id", "action", "responsible", "next_deadline", "days_overdue"]].reset_index(drop=True)


def overdue_by_body(clocks: pd.DataFrame) -> pd.DataFrame:
    """The overdue actions ("việc quá hạn theo cơ quan"), most overdue first within each body.

    Returns the rows of ``clocks`` with ``days_overdue > 0``, sorted by ``responsible``, then
    ``days_overdue`` descending, then ``parcel_id``.
    """
    late = clocks[clocks["days_overdue"] > 0]
    return late.sort_values(["responsible", "days_overdue", "parcel_id"], ascending=[True, False, True],
                            kind="stable").reset_index(drop=True)


def next_quarterly_report_due(as_of: date, *, day: int = 20) -> date:
    """Due date of the next quarterly report: ``day`` of the last month of the quarter (seed 002: before
    the 20th of the last month of each quarter, to UBND huyện via Phòng Tài chính – Kế hoạch).

    The due date of the current quarter when ``as_of`` is on or before it, else that of the next quarter.

    Raises
    ------
    ValueError
        If ``day`` is not between 1 and 28 (a day every quarter-end month has).
    """
    if not 1 <= int(day) <= 28:
        raise ValueError("Ngày báo cáo quý phải từ 1 đến 28")
    as_of = to_timestamp(as_of).date()
    due = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 3, int(day))
    if as_of <= due:
        return due
    month = due.month + 3
    return date(as_of.year + (month > 12), (month - 1) % 12 + 1, int(day))
