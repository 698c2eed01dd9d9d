"""The ledger read for computations: dtypes normalised, chainage ranges expanded to parcel events.

Rules for chainage-range events are in :mod:`milestones.progress` (the module that states every
progress rule); this module only prepares inputs: :func:`prepare_events` (the ledger up to an as-of
date), :func:`parcel_events` (each parcel's events, own and from chainage ranges, sorted as the stage
rule reads them) and :func:`parcel_frame` (the parcel columns the computations use).
"""
from __future__ import annotations

import logging
from datetime import date, datetime

import numpy as np
import pandas as pd

from domain.stages import stage_ranks

log = logging.getLogger(__name__)


def to_timestamp(value: date | datetime | str | pd.Timestamp) -> pd.Timestamp:
    """Return ``value`` as a midnight ``pd.Timestamp`` (dates are days; time of day is dropped).

    Raises
    ------
    ValueError
        If ``value`` is not a date (message in Vietnamese).
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"Ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD)") from None
    if ts is pd.NaT:
        raise ValueError(f"Ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD)")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _bool_column(s: pd.Series) -> pd.Series:
    if s.dtype == bool:
        return s
    text = s.astype("string").str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "x", "có", "co"]).fillna(False).astype(bool)


def prepare_events(events: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Normalise the ledger's dtypes and keep the events dated on or before ``as_of``.

    Parameters
    ----------
    events : DataFrame
        The ledger (columns of DATA_MODEL.md "events"); missing optional columns are added empty.
    as_of : date, optional
        Keep events with ``event_date <= as_of`` (all when None).

    Returns
    -------
    DataFrame
        ``event_date`` as ``datetime64`` (midnight), ``event_id`` int64, ``is_correction`` bool,
        ``area_m2``/``amount_vnd``/``chainage_from_m``/``chainage_to_m`` float, ``kind`` defaulting
        to ``parcel``; row order kept (consumers order by (``event_date``, ``event_id``) themselves,
        which is cheaper than sorting every column here). Rows without a valid date are dropped
        with a logged warning. The result is marked (``attrs["gpmb_prepared"]``) so that passing it
        again only filters by date.
    """
    if events.attrs.get("gpmb_prepared"):
        ev = events if as_of is None else events[events["event_date"] <= to_timestamp(as_of)]
        return ev.reset_index(drop=True)
    ev = events.copy()
    for col, default in (("kind", "parcel"), ("parcel_id", None), ("commune", None), ("project_id", None),
                         ("chainage_from_m", np.nan), ("chainage_to_m", np.nan), ("area_m2", np.nan),
                         ("amount_vnd", np.nan), ("households", np.nan), ("is_correction", False)):
        if col not in ev.columns:
            ev[col] = default
    if "event_id" not in ev.columns:
        ev["event_id"] = np.arange(len(ev), dtype="int64")
    ev["event_id"] = pd.to_numeric(ev["event_id"], errors="coerce").fillna(-1).astype("int64")
    ev["event_date"] = pd.to_datetime(ev["event_date"], errors="coerce", format="mixed").dt.normalize()
    if getattr(ev["event_date"].dt, "tz", None) is not None:
        ev["event_date"] = ev["event_date"].dt.tz_localize(None)
    ev["event_date"] = ev["event_date"].astype("datetime64[ns]")
    bad = ev["event_date"].isna()
    if bad.any():
        log.warning("%d events without a valid event_date ignored", int(bad.sum()))
        ev = ev[~bad]
    for col in ("chainage_from_m", "chainage_to_m", "area_m2", "amount_vnd", "households"):
        ev[col] = pd.to_numeric(ev[col], errors="coerce").astype(float)
    ev["is_correction"] = _bool_column(ev["is_correction"])
    ev["kind"] = ev["kind"].fillna("parcel").astype(str)
    ev["event"] = ev["event"].astype(str)
    if as_of is not None:
        ev = ev[ev["event_date"] <= to_timestamp(as_of)]
    ev = ev.reset_index(drop=True)
    ev.attrs["gpmb_prepared"] = True
    return ev


def parcel_frame(parcels: pd.DataFrame) -> pd.DataFrame:
    """Plain DataFrame of the parcel columns the computations need (no geometry)."""
    cols = ["parcel_id", "project_id", "commune", "commune_former", "household_id", "land_use",
            "area_to_recover_m2", "chainage_m"]
    p = pd.DataFrame({c: (pd.Series(parcels[c]).reset_index(drop=True) if c in parcels.columns
                          else pd.Series([None] * len(parcels), dtype=object)) for c in cols})
    p["area_to_recover_m2"] = pd.to_numeric(p["area_to_recover_m2"], errors="coerce").fillna(0.0).astype(float)
    p["chainage_m"] = pd.to_numeric(p["chainage_m"], errors="coerce").astype(float)
    p["household_code"] = household_codes(p)
    return p


def household_codes(parcels: pd.DataFrame) -> np.ndarray:
    """Integer household code per parcel: equal ``household_id`` → equal code; a parcel without
    ``household_id`` is a household of its own."""
    if "household_id" not in parcels.columns:
        return np.arange(len(parcels), dtype="int64")
    hh = pd.Series(parcels["household_id"]).reset_index(drop=True).astype("string").str.strip()
    codes, uniques = pd.factorize(hh.where(hh != ""))
    codes = codes.astype("int64")
    missing = codes < 0
    codes[missing] = len(uniques) + np.arange(int(missing.sum()))
    return codes


def _expand_ranges(parcels: pd.DataFrame, ranges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row in ``ranges``, row position in ``parcels``, amount share) of every range × parcel match."""
    empty = (np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), np.zeros(0))
    if ranges.empty:
        return empty
    chainage = pd.to_numeric(pd.Series(parcels["chainage_m"]), errors="coerce").to_numpy(dtype=float)
    area = pd.to_numeric(pd.Series(parcels["area_to_recover_m2"]), errors="coerce").fillna(0).to_numpy(dtype=float)
    project = pd.Series(parcels["project_id"]).reset_index(drop=True)
    r_project = ranges["project_id"].reset_index(drop=True)
    r_from = ranges["chainage_from_m"].to_numpy(dtype=float)
    r_to = ranges["chainage_to_m"].to_numpy(dtype=float)
    rows, positions, shares = [], [], []
    for project_id in pd.unique(r_project):
        members = np.flatnonzero((project == project_id) & ~np.isnan(chainage))
        if len(members) == 0:
            continue
        members = members[np.argsort(chainage[members], kind="stable")]
        ch = chainage[members]
        mine = np.flatnonzero(r_project == project_id)
        lo_m, hi_m = np.fmin(r_from[mine], r_to[mine]), np.fmax(r_from[mine], r_to[mine])
        lo = np.searchsorted(ch, lo_m, side="left")
        hi = np.searchsorted(ch, hi_m, side="right")
        n = np.where(np.isnan(lo_m) | np.isnan(hi_m), 0, np.maximum(hi - lo, 0))
        if n.sum() == 0:
            continue
        # Parcel positions lo..hi-1 for each event, without a Python loop per event.
        offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        pos = members[np.repeat(lo, n) + offsets]
        group = np.repeat(np.arange(len(mine)), n)
        a = area[pos]
        total = np.bincount(group, weights=a, minlength=len(mine))[group]
        shares.append(np.where(total > 0, a / np.where(total > 0, total, 1.0), 1.0 / n[group]))
        rows.append(mine[group])
        positions.append(pos)
    if not rows:
        return empty
    return np.concatenate(rows), np.concatenate(positions), np.concatenate(shares)


def parcel_events(parcels: pd.DataFrame, events: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Events of each parcel (own events + expanded chainage ranges) up to ``as_of``.

    Returns
    -------
    DataFrame
        ``pidx`` (row position of the parcel in ``parcels``), ``event_date``, ``event_id``,
        ``event`` (categorical), ``rank`` (stage rank, -1 for flags), ``is_correction``,
        ``amount_vnd``; sorted by (parcel, ``event_date``, ``event_id``).
        Events naming an unknown parcel are dropped (the upload validator rejects them).
    """
    ev = prepare_events(events, as_of)
    own = ev[ev["kind"] == "parcel"]
    ranges = ev[ev["kind"] == "chainage_range"]
    row, r_pidx, share = _expand_ranges(parcels, ranges)
    index = pd.Index(pd.Series(parcels["parcel_id"]).astype("str"))
    pidx = np.concatenate([index.get_indexer(own["parcel_id"].astype("str")), r_pidx])

    def cat(col, dtype):
        return np.concatenate([own[col].to_numpy(dtype=dtype), ranges[col].to_numpy(dtype=dtype)[row]])

    event = pd.Categorical(pd.concat([own["event"], ranges["event"].iloc[row]], ignore_index=True).astype("str"))
    rank = stage_ranks(pd.Series(event))
    dates = cat("event_date", "datetime64[ns]")
    ids = cat("event_id", "int64")
    amount = np.concatenate([own["amount_vnd"].to_numpy(dtype=float),
                             ranges["amount_vnd"].to_numpy(dtype=float)[row] * share])
    correction = cat("is_correction", bool)
    ok = pidx >= 0
    order = np.lexsort((ids[ok], dates[ok], pidx[ok]))      # by parcel, date, event_id
    sel = np.flatnonzero(ok)[order]
    return pd.DataFrame({
        "pidx": pidx[sel], "event_date": dates[sel], "event_id": ids[sel],
        "event": pd.Categorical.from_codes(event.codes[sel], categories=event.categories), "rank": rank[sel],
        "is_correction": correction[sel], "amount_vnd": amount[sel],
    })
