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
    A chain's dates depend only on (starting event, start date, agricultural or not, complaint opened on):
    each distinct combination is counted once (:func:`period_end`) and joined back to its parcels, so
    100 000 parcels cost a few thousand calendar walks, not 100 000.
    """
    ts = to_timestamp(as_of).date()
    resolved = resolve_rules(rules)
    chains, calendar = clock_chains(resolved), calendar_from_rules(resolved)
    responsible = {**DEFAULT_RESPONSIBLE, **(resolved.get("responsible") or {})}
    starts = _chain_starts(state.reset_index(drop=True), ts, chains)
    if starts.empty:
        return pd.DataFrame(columns=list(CLOCK_COLUMNS))
    keys = ["event", "started_on", "agricultural", "paused_from"]
    templates = pd.DataFrame(
        [row for key in starts[keys].drop_duplicates().itertuples(index=False)
         for row in _chain_template(key, chains, calendar, ts)],
        columns=[*keys, "position", "clock", "kind", "due_on", "paused_days", "days_overdue", "article"])
    rows = starts.merge(templates, on=keys, how="inner", sort=False)
    rows = rows.sort_values(["pidx", "start_no", "position"], kind="stable")
    rows["responsible"] = rows["action"].map(responsible)
    rows["started_on"] = _chain_started_on(rows)
    rows = with_plan(rows, plan if plan is not None else stage_plan(None), ts)
    return rows[list(CLOCK_COLUMNS)].reset_index(drop=True)


def _chain_starts(state: pd.DataFrame, as_of: date, chains: Mapping[str, Any]) -> pd.DataFrame:
    """One row per parcel × chain it runs: its stage chain and, with a complaint open, the complaint chain."""
    land_use = state["land_use"] if "land_use" in state.columns else pd.Series([None] * len(state))
    agricultural = is_agricultural(land_use)
    complaint_since = _dates(state["complaint_since"]) if "complaint_since" in state.columns else \
        pd.Series([None] * len(state), dtype=object)
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
                              started_on=_dates(state["stage_date"]).to_numpy()
                              if "stage_date" in state.columns else None)
    complaint_start = base[open_].assign(start_no=1, event="complaint", action=RESOLVE_COMPLAINT,
                                         started_on=complaint_since[open_].to_numpy())
    starts = pd.concat([stage_start, complaint_start], ignore_index=True)
    keep = starts["action"].notna() & starts["started_on"].notna() & starts["event"].isin(list(chains))
    return starts[keep].astype({"paused_from": object, "started_on": object})


def _dates(column: pd.Series) -> pd.Series:
    """Dates (``datetime.date``) or None, from dates, timestamps or text the ledger holds."""
    ts = pd.to_datetime(column, errors="coerce")
    return pd.Series([d.date() if not pd.isna(d) else None for d in ts], index=column.index, dtype=object)


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
