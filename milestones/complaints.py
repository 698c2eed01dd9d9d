"""The complaint clock (đơn thư): time limits, overdue letters, escalation and monthly counts.

Time limits (calendar days, configurable in the ``complaints`` section of ``data/sources/rules.yaml``;
defaults :data:`DEFAULT_COMPLAINT_LIMITS`):

- khiếu nại (Law on Complaints 2011): accept (thụ lý) within 10 days of receipt (art. 27); resolve a first
  complaint within 30 days of acceptance, 45 for a complicated case, 45 / 60 in remote areas (art. 28); a
  second complaint within 45 days, 60 complicated, 60 / 70 remote (art. 37). A complainant may complain a
  second time within 30 days (45 remote) after the first limit expired or the first decision was received
  (art. 33(1)): the escalation window;
- tố cáo (Law on Denunciations 2018 art. 30(1)): 30 days from acceptance, 60 for a complicated case;
- kiến nghị, phản ánh: no statutory limit (no clock unless the file gives one).

A letter's clock stops when its status becomes ``resolved``, ``withdrawn`` or ``escalated`` (on
``closed_date``): a stopped letter is never overdue.

Letters frame (one row per letter): ``letter_id``, ``project_id``, ``commune``, ``body`` (competent body
code, ``domain.people.COMPETENT_BODIES``), ``kind`` (``domain.people.COMPLAINT_KINDS``), ``status``
(``domain.people.COMPLAINT_STATUSES``), ``received_date``, ``accepted_date`` (NaT until accepted),
``closed_date`` (the day the status became closed; NaT while open), ``round`` (1 or 2), ``complicated``
(bool), ``remote_area`` (bool).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.people import CLOSED_COMPLAINT_STATUSES
from parsing.parcel_keys import try_parcel_key

_CASES = ("normal", "complicated", "remote", "remote_complicated")

DEFAULT_COMPLAINT_LIMITS: dict[str, dict[str, Any]] = {
    "complaint": {
        "acceptance_days": 10,
        "round_1": {"normal": 30, "complicated": 45, "remote": 45, "remote_complicated": 60},
        "round_2": {"normal": 45, "complicated": 60, "remote": 60, "remote_complicated": 70},
        "escalation_days": {"normal": 30, "remote": 45},
    },
    "denunciation": {
        "round_1": {"normal": 30, "complicated": 60, "remote": 30, "remote_complicated": 60},
    },
}

#: The article each limit follows, per kind and clock (shown beside an overdue letter).
ARTICLES: dict[tuple[str, str], str] = {
    ("complaint", "acceptance"): "Luật Khiếu nại 2011, điều 27",
    ("complaint", "round_1"): "Luật Khiếu nại 2011, điều 28",
    ("complaint", "round_2"): "Luật Khiếu nại 2011, điều 37",
    ("complaint", "escalation"): "Luật Khiếu nại 2011, điều 33",
    ("denunciation", "round_1"): "Luật Tố cáo 2018, điều 30",
}


def _days(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or value != int(value):
        raise ValueError(f"rules.yaml: complaints.{key} phải là số ngày nguyên dương, nhận được {value!r}")
    return int(value)


def complaint_limits(rules: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The ``complaints`` section of ``rules`` merged over :data:`DEFAULT_COMPLAINT_LIMITS`.

    A kind may give ``acceptance_days``, ``round_1`` / ``round_2`` (a mapping of ``normal``,
    ``complicated``, ``remote``, ``remote_complicated``, or one number for all four) and
    ``escalation_days`` (``normal``, ``remote``).

    Raises
    ------
    ValueError
        A limit that is not a positive whole number of days (Vietnamese message naming the key).
    """
    out = copy.deepcopy(DEFAULT_COMPLAINT_LIMITS)
    for kind, section in dict((rules or {}).get("complaints") or {}).items():
        target = out.setdefault(str(kind), {})
        for key, value in dict(section or {}).items():
            path = f"{kind}.{key}"
            if key == "acceptance_days":
                target[key] = _days(value, path)
            elif isinstance(value, Mapping):
                target[key] = {**target.get(key, {}), **{str(c): _days(v, f"{path}.{c}") for c, v in value.items()}}
            else:
                target[key] = dict.fromkeys(_CASES if key != "escalation_days" else ("normal", "remote"),
                                            _days(value, path))
    return out


def _case(complicated: bool, remote: bool) -> str:
    return {(False, False): "normal", (True, False): "complicated",
            (False, True): "remote", (True, True): "remote_complicated"}[(complicated, remote)]


def _limit(limits: Mapping[str, Any], kind: str, clock: str, case: str) -> float:
    table = limits.get(kind, {})
    if clock == "acceptance":
        return float(table.get("acceptance_days", np.nan))
    rounds = table.get(clock, {})
    return float(rounds.get(case, rounds.get("normal", np.nan)))


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce").dt.normalize()


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(False).astype(bool)


def complaint_clock(letters: pd.DataFrame, as_of: date, limits: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Each letter received by ``as_of`` with its running clock, due date and lateness.

    Returns
    -------
    DataFrame
        The letter columns plus ``open`` (bool: not closed by ``as_of``), ``clock`` (``acceptance`` before
        the accepted date, then ``round_1`` / ``round_2``; None when closed or the kind has no limit),
        ``limit_days``, ``due_date`` (Timestamp), ``days_left`` (negative when late), ``overdue`` (bool),
        ``days_overdue`` (int ≥ 0), ``article`` (the legal source of the limit), ``may_escalate_until``
        (complaints in round 1: end of the art. 33 window after the first limit expired unresolved or
        the letter was resolved; NaT otherwise).
    """
    limits = DEFAULT_COMPLAINT_LIMITS if limits is None else limits
    now = pd.Timestamp(as_of)
    received = _dates(letters, "received_date")
    out = letters[received <= now].copy()
    received, accepted, closed = received[out.index], _dates(out, "accepted_date"), _dates(out, "closed_date")
    accepted = accepted.where(accepted <= now)
    closed_by_now = out["status"].isin(CLOSED_COMPLAINT_STATUSES) & (closed.isna() | (closed <= now))
    out["open"] = ~closed_by_now
    rounds = out["round"].fillna(1).astype(int) if "round" in out.columns else pd.Series(1, index=out.index)
    cases = [_case(c, r) for c, r in zip(_flag(out, "complicated"), _flag(out, "remote_area"), strict=True)]
    clocks = np.where(accepted.isna(), "acceptance", "round_" + rounds.astype(str))
    out["limit_days"] = [_limit(limits, k, c, case) for k, c, case in zip(out["kind"], clocks, cases, strict=True)]
    start = accepted.fillna(received)
    out["due_date"] = start + pd.to_timedelta(out["limit_days"], unit="D")
    running = out["open"] & out["limit_days"].notna()
    out["clock"] = pd.Series([c if run else None for c, run in zip(clocks, running, strict=True)],
                             index=out.index, dtype=object)
    out["days_left"] = (out["due_date"] - now).dt.days.where(running)
    out["days_overdue"] = (-out["days_left"]).clip(lower=0).fillna(0).astype(int)
    out["overdue"] = out["days_overdue"] > 0
    out["article"] = [ARTICLES.get((k, c)) if run else None
                      for k, c, run in zip(out["kind"], clocks, running, strict=True)]
    out["may_escalate_until"] = _escalation_window(out, limits, rounds, closed, cases)
    return out.reset_index(drop=True)


def _escalation_window(out: pd.DataFrame, limits: Mapping[str, Any], rounds: pd.Series, closed: pd.Series,
                       cases: Sequence[str]) -> pd.Series:
    """Art. 33(1): from the first decision (``resolved``) or the expiry of the first limit, 30 / 45 days."""
    window = limits.get("complaint", {}).get("escalation_days", {})
    days = pd.Series([window.get("remote" if c.startswith("remote") else "normal", np.nan) for c in cases],
                     index=out.index, dtype=float)
    first = (out["kind"] == "complaint") & (rounds == 1) & (out["clock"].eq("round_1") | out["status"].eq("resolved"))
    start = closed.where(out["status"].eq("resolved"), out["due_date"].where(out["clock"].eq("round_1")))
    return (start + pd.to_timedelta(days, unit="D")).where(first)


def overdue_by_body(clock: pd.DataFrame) -> pd.DataFrame:
    """Per competent body: ``letters_open``, ``letters_overdue``, ``max_days_overdue`` (from :func:`complaint_clock`),
    most overdue first."""
    open_letters = clock[clock["open"]]
    out = open_letters.groupby("body").agg(letters_open=("letter_id", "count"), letters_overdue=("overdue", "sum"),
                                          max_days_overdue=("days_overdue", "max")).reset_index()
    return out.sort_values(["letters_overdue", "max_days_overdue", "body"], ascending=[False, False, True],
                           ignore_index=True)


def overdue_letters(clock: pd.DataFrame, body: str | None = None) -> pd.DataFrame:
    """The overdue letters of :func:`complaint_clock` (of one ``body`` when given), most overdue first."""
    late = clock[clock["overdue"] & (clock["body"] == body if body is not None else True)]
    return late.sort_values(["days_overdue", "letter_id"], ascending=[False, True], ignore_index=True)


def monthly_counts(letters: pd.DataFrame, as_of: date, by: Sequence[str] = ("project_id", "commune")) -> pd.DataFrame:
    """Letters received, resolved and open at the end of each month up to ``as_of``, per ``by``.

    Returns
    -------
    DataFrame
        ``by`` columns, ``month`` (Period[M]), ``received``, ``resolved`` (status ``resolved`` with its
        ``closed_date`` in the month), ``closed`` (any closed status), ``open_at_month_end`` (received by
        the month's end, or ``as_of`` for the current month, and not closed by then); one row per group of
        ``by`` (sorted, a missing key last) and month, from the first month a letter was received.
    """
    by = list(by)
    now = pd.Timestamp(as_of)
    frame = letters.assign(received_date=_dates(letters, "received_date"), closed_date=_dates(letters, "closed_date"))
    frame = frame[frame["received_date"] <= now]
    if frame.empty:
        return pd.DataFrame(columns=[*by, "month", "received", "resolved", "closed", "open_at_month_end"])
    closing = (frame["status"].isin(CLOSED_COMPLAINT_STATUSES) & (frame["closed_date"] <= now)).to_numpy()
    # Month numbers (year × 12 + month): a normalised date is on or before a month's end (or ``as_of``,
    # itself after every kept date) exactly when its month is on or before that month.
    received = _month_number(frame["received_date"])
    closed = np.where(closing, _month_number(frame["closed_date"].fillna(now)), -1)
    first, last = int(received.min()), _month_number(pd.Series([now]))[0]
    groups = frame.groupby(by, dropna=False, sort=True)
    codes, shape = groups.ngroup().to_numpy(), (groups.ngroups, int(last - first + 1))
    # received / resolved / closed in each month; a letter closed before the first month counts in none
    counted = closing & (closed >= first)
    resolved = counted & (frame["status"] == "resolved").to_numpy()
    # open at a month's end: received by then, less those received and closed by then
    gone = np.maximum(received, closed)[closing]
    open_end = _per_month(codes, received - first, shape).cumsum(axis=1) \
        - _per_month(codes[closing], gone - first, shape).cumsum(axis=1)
    tables = (_per_month(codes, received - first, shape), _per_month(codes[resolved], closed[resolved] - first, shape),
              _per_month(codes[counted], closed[counted] - first, shape), open_end)
    months = pd.period_range(pd.Period(frame["received_date"].min(), "M"), now.to_period("M"), freq="M")
    rows = [(*(key if isinstance(key, tuple) else (key,)), month, *(int(t[g, m]) for t in tables))
            for g, key in enumerate(groups.size().index) for m, month in enumerate(months)]
    return pd.DataFrame(rows, columns=[*by, "month", "received", "resolved", "closed", "open_at_month_end"])


def _month_number(dates: pd.Series) -> np.ndarray:
    """year × 12 + month − 1 of each (normalised, not missing) Timestamp."""
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


def _per_month(codes: np.ndarray, months: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """How many of the (group code, month offset) pairs fall in each cell of a groups × months table."""
    out = np.zeros(shape, dtype=np.int64)
    np.add.at(out, (codes, months), 1)
    return out


def open_letter_parcels(letters: pd.DataFrame, parcels: pd.DataFrame, as_of: date,
                        keys: pd.DataFrame | None = None) -> frozenset[str]:
    """The ``parcel_id`` of every parcel named by a letter open at ``as_of`` (an obstacle of the schedule).

    A letter is open at ``as_of`` when it was received on or before it and is not closed by then
    (``closed_date`` missing or later). Its ``parcels`` (text keys ``17;175``) are matched against the
    cadastral ``parcel_number`` of the letter's project; when the letter names its sender household and the
    parcels carry ``household_id``, only that household's parcels (a number repeats across map sheets).

    Parameters
    ----------
    letters : DataFrame
        The complaints register (``project_id``, ``parcels``, ``household_id``, ``received_date``, ``closed_date``).
    parcels : DataFrame
        ``parcel_id``, ``project_id``, ``parcel_number`` and optionally ``household_id``.
    keys : DataFrame, optional
        :func:`letter_keys` of ``parcels`` (they do not change with the date: the dashboard keeps them per data
        version); made here when None.
    """
    if letters is None or len(letters) == 0 or len(parcels) == 0:
        return frozenset()
    day = pd.Timestamp(as_of)
    received, closed = _dates(letters, "received_date"), _dates(letters, "closed_date")
    live = letters[(received <= day) & (closed.isna() | (closed > day)) & letters["parcels"].notna()]
    if live.empty:
        return frozenset()
    named = _letter_keys(live)
    projects = named["project_id"].unique()
    # without kept keys: the four columns, and of them only the rows a letter may name (not 500 000 parcels,
    # geometry and all)
    columns = [c for c in ("parcel_id", "project_id", "parcel_number", "household_id") if c in parcels]
    candidates = _parcel_keys(parcels[columns], named) if keys is None else keys[keys["project_id"].isin(projects)]
    hits = named.merge(candidates, on=["project_id", "key"], how="inner", sort=False)
    if hits.empty:
        return frozenset()
    # a letter that names its sender household keeps only that household's parcels, when it has any there
    hits["own"] = hits["sender"].map(lambda v: isinstance(v, str)) & (hits["home"] == hits["sender"])
    has_own = hits.groupby(["letter", "key"], sort=False)["own"].transform("any")
    return frozenset(hits.loc[hits["own"] | ~has_own, "parcel_id"])


def _letter_keys(live: pd.DataFrame) -> pd.DataFrame:
    """One row per (letter, parcel key it names): ``letter`` (position), ``project_id``, ``key``, ``sender``."""
    senders = live["household_id"] if "household_id" in live else pd.Series(None, index=live.index)
    named = pd.DataFrame({"letter": np.arange(len(live)), "project_id": live["project_id"].to_numpy(),
                          "key": live["parcels"].astype(str).str.split(";").to_numpy(),
                          "sender": senders.to_numpy(dtype=object)}).explode("key")
    named["key"] = named["key"].map(try_parcel_key)        # the one key rule: 263a is 263A
    return named.dropna(subset=["key"])


def letter_keys(parcels: pd.DataFrame) -> pd.DataFrame:
    """What :func:`open_letter_parcels` matches letters against (``keys=``): ``parcel_id``, ``project_id``, ``key``
    (canonical parcel number), ``home`` (``household_id`` or None) of the parcels with a valid parcel number."""
    return _parcel_keys(parcels)


def _parcel_keys(parcels: pd.DataFrame, named: pd.DataFrame | None = None) -> pd.DataFrame:
    """``parcel_id``, ``project_id``, ``key`` (the canonical parcel number; each distinct value parsed once)
    and ``home`` (``household_id`` or None) of the parcels with a valid parcel number; with ``named``
    (:func:`_letter_keys`) only those whose project and key a letter names (the others join nothing)."""
    numbers = parcels["parcel_number"]
    keys = numbers.map({v: try_parcel_key(v) for v in pd.unique(numbers.dropna())})
    if named is not None:
        keep = (parcels["project_id"].isin(named["project_id"].unique()) & keys.isin(named["key"].unique())).to_numpy()
        parcels, keys = parcels[keep], keys[keep]
    homes = parcels["household_id"] if "household_id" in parcels else pd.Series(None, index=parcels.index)
    frame = pd.DataFrame({"parcel_id": parcels["parcel_id"].to_numpy(), "project_id": parcels["project_id"].to_numpy(),
                          "key": keys.to_numpy(dtype=object), "home": homes.to_numpy(dtype=object)})
    return frame.dropna(subset=["key"])


def store_letters(store) -> pd.DataFrame | None:
    """The complaints register of ``store`` (no personal data), or None for a reader without registers."""
    read = getattr(store, "register", None)
    return None if read is None else read("complaints")
