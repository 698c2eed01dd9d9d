"""Progress of land clearance at an as-of date, from the ledger of field-count events.

Rules (also in the README)
--------------------------
Stage of a parcel at date D
    The parcel's events with ``event_date <= D`` are read in (``event_date``, ``event_id``) order.
    A stage event raises the stage to max(current, event); an event with ``is_correction`` sets the
    stage exactly (it may go backwards). Flags never move the stage: ``complaint`` opens a complaint
    that stays open until a later ``complaint_resolved``; ``enforced`` and ``compulsory_inventory``
    stay set once recorded. Events of reverted uploads are excluded by the store.
Cleared area
    Clearance % = area handed over ÷ area to recover (DOMAIN.md). A parcel whose stage is
    ``handed_over`` counts its whole ``area_to_recover_m2``; any other parcel counts 0.
Amounts (VND)
    ``amount_approved_vnd`` is the amount of the parcel's latest ``approved`` event,
    ``amount_paid_vnd`` the sum of its ``paid`` events (payments may come in instalments). An event
    whose stage is above a *later* correction is void (the correction says it was wrong): it neither
    raises the stage nor counts its amount.
Households
    A household (``household_id``; a parcel without one is its own household) counts once per scope
    (project, project × commune, project × segment) at its *least advanced* parcel in that scope: it
    is "handed over" only when all its parcels there are. Hence the household counts of the communes
    of a project can add up to more than the project's (a household with land in two communes counts
    once in each) and ``percent_households_paid`` is the share of households whose least advanced
    parcel is ``paid`` or beyond.
Chainage-range events (``kind = chainage_range``; linear works)
    The event applies to every parcel of its project whose ``chainage_m`` lies in
    [min(from, to), max(from, to)] (both ends included), exactly as if each of those parcels had the
    event: a parcel covered by a range report and by its own report is still counted once, at the
    stage the rules above give. ``area_m2`` of the range is not used (each parcel counts its own area
    to recover); ``amount_vnd`` is shared among the parcels in proportion to ``area_to_recover_m2``.
    Parcels without a chainage (areas, sites) are never matched.
Aggregate reports (``kind = aggregate``, event ``handed_over``, ``area_m2`` = cumulative m² handed
over so far, scope = project or project × commune)
    An aggregate never adds to the parcel figures. For each scope the area handed over is
    max(parcel-derived area, latest aggregate of that scope with ``event_date <= as_of``):

    - commune (2025 unit) c: max(parcels of c, latest report naming c, Σ over the former communes f
      of c of the latest report naming f);
    - former commune f (milestone scope): max(parcels of f, latest report naming f);
    - project: max(Σ over communes of the commune figure above, latest project-level report).

    The result is capped at the scope's area to recover, so a percentage never exceeds 100.
    Aggregates only concern area: they change neither stage counts, households nor amounts, and
    chainage segments use parcel data only. A report naming a commune that has no parcel of the
    project is ignored (the upload validator rejects unknown communes).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from domain.stages import COMPLAINT_RESOLVED, FLAGS, STAGES
from parsing.text import fold_vi
from vocab.labels import STAGE_LABELS_VI

log = logging.getLogger(__name__)

HANDED_OVER_RANK = STAGES.index("handed_over")
PAID_RANK = STAGES.index("paid")
_STAGE_RANK = {s: i for i, s in enumerate(STAGES)}

#: Columns added to the parcels by :func:`parcel_stages`.
STATE_COLUMNS = (
    "stage", "stage_rank", "stage_date", "stage_label", "handed_over_on", "area_handed_over_m2",
    "complaint_open", "complaint_since", "enforced", "compulsory_inventory",
    "amount_approved_vnd", "amount_paid_vnd",
)


# --------------------------------------------------------------------------------------------
# Input normalisation
# --------------------------------------------------------------------------------------------
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


def _parcel_frame(parcels: pd.DataFrame) -> pd.DataFrame:
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


# --------------------------------------------------------------------------------------------
# Chainage ranges → parcel events
# --------------------------------------------------------------------------------------------
def expand_chainage_events(parcels: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Turn each ``chainage_range`` event into one event per parcel of its project in the range.

    Parameters
    ----------
    parcels : DataFrame
        ``parcel_id``, ``project_id``, ``chainage_m`` (m), ``area_to_recover_m2`` (m²).
    events : DataFrame
        Prepared events (:func:`prepare_events`); only rows with ``kind == "chainage_range"`` are used.

    Returns
    -------
    DataFrame
        The expanded rows with the events' columns, ``kind = "chainage_range"`` kept,
        ``parcel_id`` set, ``area_m2`` NaN and ``amount_vnd`` shared in proportion to
        ``area_to_recover_m2`` (equal shares when all areas are 0). Range ends are included;
        ``from > to`` is read as the same range.
    """
    ranges = events[events["kind"] == "chainage_range"]
    row, pidx, share = _expand_ranges(parcels, ranges)
    out = ranges.iloc[row].reset_index(drop=True)
    out["parcel_id"] = pd.Series(parcels["parcel_id"]).to_numpy()[pidx]
    out["amount_vnd"] = out["amount_vnd"].to_numpy(dtype=float) * share
    out["area_m2"] = np.nan
    return out


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
    rank = np.array([_STAGE_RANK.get(c, -1) for c in event.categories], dtype="int64")[event.codes]
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


# --------------------------------------------------------------------------------------------
# Stage of every parcel
# --------------------------------------------------------------------------------------------
def _running_stage(stage_ev: pd.DataFrame) -> np.ndarray:
    """Stage rank after each stage event: cummax within runs that start at a correction.

    ``stage_ev`` is sorted by (parcel, date, event_id). A run starts at each new parcel and at each
    correction; adding ``run × 10`` (ranks are 0–6) makes one ``maximum.accumulate`` restart at
    every run.
    """
    pidx = stage_ev["pidx"].to_numpy()
    starts = np.r_[True, pidx[1:] != pidx[:-1]] | stage_ev["is_correction"].to_numpy(dtype=bool)
    offset = np.cumsum(starts) * 10
    return np.maximum.accumulate(stage_ev["rank"].to_numpy(dtype="int64") + offset) - offset


def _voided(stage_ev: pd.DataFrame) -> np.ndarray:
    """True for stage events above a later correction of the same parcel (they were wrong)."""
    pidx = stage_ev["pidx"].to_numpy()
    rank = stage_ev["rank"].to_numpy(dtype="int64")
    corr = np.where(stage_ev["is_correction"].to_numpy(dtype=bool), rank, 100)
    # Suffix minimum of correction ranks within each parcel: walk backwards; each parcel met gets a
    # lower offset so that one minimum.accumulate restarts at every parcel.
    rev_pidx, rev_corr = pidx[::-1], corr[::-1]
    group = np.cumsum(np.r_[True, rev_pidx[1:] != rev_pidx[:-1]]) * 1000
    suffix = (np.minimum.accumulate(rev_corr - group) + group)[::-1]
    later = np.r_[suffix[1:], 100]
    later = np.where(np.r_[pidx[1:] == pidx[:-1], False], later, 100)   # corrections after this event only
    return rank > later


def parcel_stages(parcels: pd.DataFrame, events: pd.DataFrame, as_of: date,
                  events_by_parcel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stage, stage date, flags and amounts of every parcel at ``as_of`` (rules in the module doc).

    Parameters
    ----------
    parcels : GeoDataFrame or DataFrame
        The parcels table (DATA_MODEL.md): ``parcel_id``, ``project_id``, ``area_to_recover_m2`` (m²),
        ``chainage_m`` (m, NaN for areas), ``household_id``, ``land_use`` …; CRS is kept as given
        (EPSG:9215 from the store).
    events : DataFrame
        The ledger (DATA_MODEL.md "events"; reverted uploads already excluded).
    as_of : date
        Events dated after it are ignored.
    events_by_parcel : DataFrame, optional
        :func:`parcel_events` of the same inputs, when the caller already has it.

    Returns
    -------
    GeoDataFrame or DataFrame
        A copy of ``parcels`` (same type, same row order) with: ``stage`` (code of
        :data:`domain.stages.STAGES`), ``stage_rank`` (0–6), ``stage_date`` (Timestamp the parcel
        entered its current stage; NaT for ``not_started``), ``stage_label`` (Vietnamese),
        ``handed_over_on`` (= ``stage_date`` when handed over, else NaT), ``area_handed_over_m2``
        (m²), ``complaint_open`` (bool), ``complaint_since`` (date of the open complaint, else NaT),
        ``enforced``, ``compulsory_inventory`` (bool), ``amount_approved_vnd``,
        ``amount_paid_vnd`` (VND, 0 when none).

    Raises
    ------
    KeyError
        If ``parcels`` lacks ``parcel_id``.
    """
    out = parcels.copy()
    n = len(out)
    pe = parcel_events(parcels, events, as_of) if events_by_parcel is None else events_by_parcel
    rank = np.zeros(n, dtype="int64")
    stage_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    approved = np.zeros(n)
    paid = np.zeros(n)

    st = pe[pe["rank"] >= 1]
    if len(st):
        running = _running_stage(st)
        pidx = st["pidx"].to_numpy()
        last = np.r_[pidx[1:] != pidx[:-1], True]          # last event of each parcel
        first_of_run = np.r_[True, (pidx[1:] != pidx[:-1]) | (running[1:] != running[:-1])]
        start_pos = np.maximum.accumulate(np.where(first_of_run, np.arange(len(st)), 0))
        run_start = st["event_date"].to_numpy(dtype="datetime64[ns]")[start_pos]
        rank[pidx[last]] = running[last]
        stage_date[pidx[last]] = run_start[last]
        valid = st[~_voided(st)]
        appr = valid[(valid["event"] == "approved") & valid["amount_vnd"].notna()]
        if len(appr):
            lastappr = appr.groupby("pidx")["amount_vnd"].last()
            approved[lastappr.index.to_numpy()] = lastappr.to_numpy()
        pay = valid[valid["event"] == "paid"].groupby("pidx")["amount_vnd"].sum(min_count=1).dropna()
        paid[pay.index.to_numpy()] = pay.to_numpy()
    stage_date[rank == 0] = np.datetime64("NaT")

    complaint_open = np.zeros(n, dtype=bool)
    complaint_since = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    comp = pe[pe["event"].isin(["complaint", COMPLAINT_RESOLVED])]
    if len(comp):
        lastc = comp.groupby("pidx").tail(1)
        open_rows = lastc[lastc["event"] == "complaint"]
        complaint_open[open_rows["pidx"].to_numpy()] = True
        # The open complaint dates from the first complaint after the last resolution.
        resolved_at = comp[comp["event"] == COMPLAINT_RESOLVED].groupby("pidx")["event_date"].max()
        c = comp[comp["event"] == "complaint"].join(resolved_at.rename("resolved_at"), on="pidx")
        c = c[c["resolved_at"].isna() | (c["event_date"] > c["resolved_at"])]
        since = c.groupby("pidx")["event_date"].min()
        since = since[since.index.isin(open_rows["pidx"])]
        complaint_since[since.index.to_numpy()] = since.to_numpy()
    flags = {}
    for flag in FLAGS[1:]:
        has = np.zeros(n, dtype=bool)
        has[pe.loc[pe["event"] == flag, "pidx"].to_numpy()] = True
        flags[flag] = has

    stages = np.asarray(STAGES, dtype=object)[rank]
    area = pd.to_numeric(out["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    out["stage"] = stages
    out["stage_rank"] = rank
    out["stage_date"] = stage_date
    out["stage_label"] = [STAGE_LABELS_VI[s] for s in stages]
    out["handed_over_on"] = np.where(rank == HANDED_OVER_RANK, stage_date, np.datetime64("NaT"))
    out["area_handed_over_m2"] = np.where(rank == HANDED_OVER_RANK, area, 0.0)
    out["complaint_open"] = complaint_open
    out["complaint_since"] = complaint_since
    out["enforced"] = flags["enforced"]
    out["compulsory_inventory"] = flags["compulsory_inventory"]
    out["amount_approved_vnd"] = approved
    out["amount_paid_vnd"] = paid
    return out


# --------------------------------------------------------------------------------------------
# Aggregate reports
# --------------------------------------------------------------------------------------------
def aggregate_reports(parcels: pd.DataFrame, events: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Aggregate ``handed_over`` reports up to ``as_of`` with their scope resolved.

    Returns
    -------
    DataFrame
        ``project_id``, ``level`` (``project`` | ``commune`` | ``former``), ``commune`` (2025 unit,
        for levels commune and former), ``commune_former`` (level former), ``event_date``,
        ``event_id``, ``area_m2`` (cumulative m² handed over). The commune named in a report is
        matched, ignoring case and diacritics, against the parcels' ``commune`` first, then
        ``commune_former``; unmatched reports are dropped with a logged warning.
    """
    ev = prepare_events(events, as_of)
    ag = ev[(ev["kind"] == "aggregate") & (ev["event"] == "handed_over") & ev["area_m2"].notna()].copy()
    cols = ["project_id", "level", "commune", "commune_former", "event_date", "event_id", "area_m2"]
    if ag.empty:
        return pd.DataFrame(columns=cols).astype({"event_date": "datetime64[ns]", "area_m2": float})
    p = _parcel_frame(parcels)
    new_names, former_names = {}, {}
    for row in p[["project_id", "commune", "commune_former"]].drop_duplicates().itertuples(index=False):
        if isinstance(row.commune, str):
            new_names[(row.project_id, fold_vi(row.commune))] = row.commune
        if isinstance(row.commune_former, str):
            former_names[(row.project_id, fold_vi(row.commune_former))] = (row.commune, row.commune_former)
    level, commune, former = [], [], []
    for pid, name in zip(ag["project_id"], ag["commune"]):
        if not isinstance(name, str) or not name.strip():
            level.append("project"); commune.append(None); former.append(None)
            continue
        key = (pid, fold_vi(name))
        if key in new_names:
            level.append("commune"); commune.append(new_names[key]); former.append(None)
        elif key in former_names:
            level.append("former"); commune.append(former_names[key][0]); former.append(former_names[key][1])
        else:
            log.warning("aggregate report for unknown commune %r of project %r ignored", name, pid)
            level.append(None); commune.append(None); former.append(None)
    ag["level"], ag["commune"], ag["commune_former"] = level, commune, former
    ag = ag[ag["level"].notna()].sort_values(["event_date", "event_id"], kind="stable")
    return ag[cols].reset_index(drop=True)


def _latest_values(reports: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """Value of the latest report dated on or before each date (0 before the first report).

    ``reports`` must be sorted by (``event_date``, ``event_id``), as :func:`aggregate_reports` returns.
    """
    if reports.empty:
        return np.zeros(len(dates))
    return _latest_np(reports["event_date"].to_numpy(dtype="datetime64[ns]"),
                      reports["area_m2"].to_numpy(dtype=float), np.asarray(dates, dtype="datetime64[ns]"))


def _latest_np(rdates: np.ndarray, rvalues: np.ndarray, dates: np.ndarray) -> np.ndarray:
    if len(rdates) == 0:
        return np.zeros(len(dates))
    pos = np.searchsorted(rdates, dates, side="right") - 1
    return np.where(pos >= 0, rvalues[np.maximum(pos, 0)], 0.0)


def combine_project(communes, parcel_area: np.ndarray, to_recover: np.ndarray, reports: pd.DataFrame,
                    dates) -> dict[str, np.ndarray]:
    """Combine one project's parcel-derived handed-over area with its aggregate reports.

    The rule is in the module docstring: per commune max(parcels, report naming it, Σ reports of its
    former communes), capped at its area to recover; project = max(Σ communes, project report),
    capped at the project's area to recover.

    Parameters
    ----------
    communes : sequence of str
        The project's 2025 communes (C of them; a missing name never matches a report).
    parcel_area : ndarray, shape (C, D)
        m² handed over by the parcel rules, per commune and date.
    to_recover : ndarray, shape (C,)
        m² to recover per commune.
    reports : DataFrame
        :func:`aggregate_reports` rows of this project.
    dates : array of datetime64, shape (D,)

    Returns
    -------
    dict
        ``commune_reported_m2``, ``commune_handed_over_m2`` (C, D); ``project_parcels_m2``,
        ``project_reported_m2``, ``project_handed_over_m2`` (D,); ``project_to_recover_m2`` (scalar).
    """
    dates = np.asarray(pd.to_datetime(dates), dtype="datetime64[ns]")
    parcel_area = np.asarray(parcel_area, dtype=float).reshape(len(communes), len(dates))
    to_recover = np.asarray(to_recover, dtype=float)
    reported = np.zeros_like(parcel_area)
    project_reported = np.zeros(len(dates))
    if len(reports):
        level = reports["level"].to_numpy(dtype=object)
        commune = reports["commune"].to_numpy(dtype=object)
        former = reports["commune_former"].to_numpy(dtype=object)
        rdates = reports["event_date"].to_numpy(dtype="datetime64[ns]")
        rarea = reports["area_m2"].to_numpy(dtype=float)
        for i, name in enumerate(communes):
            mine = commune == name
            if not mine.any():
                continue
            new = mine & (level == "commune")
            from_former = np.zeros(len(dates))
            former_rows = mine & (level == "former")
            for unit in pd.unique(former[former_rows]):
                sel = former_rows & (former == unit)
                from_former += _latest_np(rdates[sel], rarea[sel], dates)
            reported[i] = np.fmax(_latest_np(rdates[new], rarea[new], dates), from_former)
        proj = level == "project"
        project_reported = _latest_np(rdates[proj], rarea[proj], dates)
    handed = np.minimum(np.fmax(parcel_area, reported), to_recover[:, None])
    total = float(to_recover.sum())
    return {
        "commune_reported_m2": reported,
        "commune_handed_over_m2": handed,
        "project_parcels_m2": parcel_area.sum(axis=0),
        "project_reported_m2": project_reported,
        "project_handed_over_m2": np.minimum(np.fmax(handed.sum(axis=0), project_reported), total),
        "project_to_recover_m2": total,
    }


def combine_area(parcel_area: pd.DataFrame, reports: pd.DataFrame, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine parcel-derived handed-over area with aggregate reports at ``as_of`` (module rule).

    Parameters
    ----------
    parcel_area : DataFrame
        One row per (``project_id``, ``commune``): ``area_parcels_m2`` (handed over by the parcel
        rules) and ``area_to_recover_m2`` (m²).
    reports : DataFrame
        :func:`aggregate_reports`.
    as_of : date

    Returns
    -------
    (communes, projects) : tuple of DataFrame
        ``communes``: ``project_id``, ``commune``, ``area_parcels_m2``, ``area_reported_m2``,
        ``area_handed_over_m2`` (capped at ``area_to_recover_m2``); ``projects``: ``project_id``,
        ``area_parcels_m2``, ``area_reported_m2``, ``area_handed_over_m2``, ``area_to_recover_m2``.
    """
    dates = np.array([to_timestamp(as_of).to_datetime64()], dtype="datetime64[ns]")
    c_rows, p_rows = [], []
    for project_id, group in parcel_area.groupby("project_id", sort=False):
        names = list(group["commune"])
        out = combine_project(names, group["area_parcels_m2"].to_numpy()[:, None],
                              group["area_to_recover_m2"].to_numpy(),
                              reports[reports["project_id"] == project_id], dates)
        c_rows.append(group[["project_id", "commune", "area_parcels_m2", "area_to_recover_m2"]].assign(
            area_reported_m2=out["commune_reported_m2"][:, 0], area_handed_over_m2=out["commune_handed_over_m2"][:, 0]))
        p_rows.append(dict(project_id=project_id, area_parcels_m2=out["project_parcels_m2"][0],
                           area_reported_m2=out["project_reported_m2"][0],
                           area_handed_over_m2=out["project_handed_over_m2"][0],
                           area_to_recover_m2=out["project_to_recover_m2"]))
    c_cols = ["project_id", "commune", "area_parcels_m2", "area_to_recover_m2", "area_reported_m2", "area_handed_over_m2"]
    communes = pd.concat(c_rows, ignore_index=True) if c_rows else pd.DataFrame(columns=c_cols)
    projects = pd.DataFrame(p_rows, columns=["project_id", "area_parcels_m2", "area_reported_m2",
                                             "area_handed_over_m2", "area_to_recover_m2"])
    return communes, projects


def _percent(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)


# --------------------------------------------------------------------------------------------
# Progress tables
# --------------------------------------------------------------------------------------------
def _counts(state: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Area, counts by stage, households by stage and amounts per ``keys`` (parcel figures only)."""
    n_stages = len(STAGES)
    groups = state.groupby(keys, dropna=False, sort=True)
    codes = groups.ngroup().to_numpy()
    index = groups.size().index
    g = len(index)
    rank = state["stage_rank"].to_numpy(dtype="int64")

    def total(col):
        return np.bincount(codes, weights=pd.to_numeric(state[col], errors="coerce").fillna(0).to_numpy(float),
                           minlength=g)

    out = pd.DataFrame({
        "area_to_recover_m2": total("area_to_recover_m2"),
        "area_parcels_m2": total("area_handed_over_m2"),
        "parcels_total": np.bincount(codes, minlength=g),
        "amount_approved_vnd": total("amount_approved_vnd"),
        "amount_paid_vnd": total("amount_paid_vnd"),
    }, index=index)
    by_stage = np.bincount(codes * n_stages + rank, minlength=g * n_stages).reshape(g, n_stages)
    hh_codes = household_codes(state)
    hh_uniques = np.arange(hh_codes.max() + 1 if len(hh_codes) else 0)
    combined = codes.astype("int64") * max(len(hh_uniques), 1) + hh_codes
    least = pd.Series(rank).groupby(combined).min()
    hh_group = (least.index.to_numpy() // max(len(hh_uniques), 1)).astype("int64")
    hh_stage = np.bincount(hh_group * n_stages + least.to_numpy(), minlength=g * n_stages).reshape(g, n_stages)
    for i, st in enumerate(STAGES):
        out[f"parcels_{st}"] = by_stage[:, i]
    for i, st in enumerate(STAGES):
        out[f"households_{st}"] = hh_stage[:, i]
    out["households_total"] = hh_stage.sum(axis=1)
    out["households_paid_or_later"] = hh_stage[:, PAID_RANK:].sum(axis=1)
    out["percent_households_paid"] = _percent(out["households_paid_or_later"], out["households_total"])
    return out.reset_index()


_TABLE_ORDER = ["area_to_recover_m2", "area_handed_over_m2", "percent_handed_over", "area_parcels_m2",
                "area_reported_m2", "parcels_total"] + [f"parcels_{s}" for s in STAGES] + \
               [f"households_{s}" for s in STAGES] + ["households_total", "households_paid_or_later",
                                                       "percent_households_paid", "amount_approved_vnd",
                                                       "amount_paid_vnd"]


def commune_and_project_areas(state: pd.DataFrame, reports: pd.DataFrame, as_of: date
                              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per project × commune counts and the combined areas of communes and projects at ``as_of``.

    Returns
    -------
    (counts, communes, projects)
        ``counts``: parcel figures per (``project_id``, ``commune``); ``communes`` and ``projects``:
        :func:`combine_area` of the parcel areas with the aggregate ``reports``.
    """
    counts = _counts(state, ["project_id", "commune"])
    area = counts[["project_id", "commune", "area_parcels_m2", "area_to_recover_m2"]]
    c_area, p_area = combine_area(area, reports, as_of)
    return counts, c_area, p_area


def project_progress(state: pd.DataFrame, events: pd.DataFrame, as_of: date,
                     projects: pd.DataFrame | None = None, reports: pd.DataFrame | None = None,
                     areas: tuple | None = None) -> pd.DataFrame:
    """Progress per project at ``as_of``.

    Parameters
    ----------
    state : DataFrame
        Output of :func:`parcel_stages` at the same ``as_of``.
    events : DataFrame
        The ledger (for aggregate reports; combination rule in the module doc).
    as_of : date
    projects : DataFrame, optional
        ``project_id``, ``name``: every project listed appears (zeros when it has no parcel), in
        this order.
    reports : DataFrame, optional
        :func:`aggregate_reports` at ``as_of`` when already computed.
    areas : tuple, optional
        :func:`commune_and_project_areas` of the same ``state`` and ``reports`` when already computed
        (the snapshot computes it once for this table and :func:`commune_progress`).

    Returns
    -------
    DataFrame
        One row per project: ``project_id``, ``name``, ``area_to_recover_m2``,
        ``area_handed_over_m2`` (m², parcels and aggregates combined), ``percent_handed_over``
        (0–100, NaN when nothing to recover), ``area_parcels_m2`` (parcel figures alone),
        ``area_reported_m2`` (latest project-level aggregate), ``parcels_total``,
        ``parcels_<stage>``, ``households_<stage>``, ``households_total``,
        ``households_paid_or_later`` (least advanced parcel
        ``paid`` or ``handed_over``), ``percent_households_paid``, ``amount_approved_vnd``, ``amount_paid_vnd`` (VND).
    """
    ts = to_timestamp(as_of)
    reports = aggregate_reports(state, events, ts) if reports is None else reports
    counts = _counts(state, ["project_id"])
    _, _, p_area = commune_and_project_areas(state, reports, ts) if areas is None else areas
    out = counts.drop(columns=["area_parcels_m2"]).merge(
        p_area[["project_id", "area_parcels_m2", "area_reported_m2", "area_handed_over_m2"]],
        on="project_id", how="left")
    if projects is not None:
        names = pd.DataFrame(projects)[["project_id", "name"]].drop_duplicates("project_id")
        out = names.merge(out, on="project_id", how="left")
    else:
        out["name"] = None
    out = _finish(out, ["project_id", "name"])
    return out


def _finish(out: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    for col in _TABLE_ORDER:
        if col not in out.columns:
            out[col] = np.nan
    count_cols = ["parcels_total", "households_total", "households_paid_or_later"] + \
        [f"parcels_{s}" for s in STAGES] + [f"households_{s}" for s in STAGES]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    for col in ("area_to_recover_m2", "area_handed_over_m2", "area_parcels_m2", "area_reported_m2",
                "amount_approved_vnd", "amount_paid_vnd"):
        out[col] = out[col].astype(float).fillna(0.0)
    out["percent_handed_over"] = _percent(out["area_handed_over_m2"], out["area_to_recover_m2"])
    out["percent_households_paid"] = _percent(out["households_paid_or_later"], out["households_total"])
    return out[keys + _TABLE_ORDER].reset_index(drop=True)


def commune_progress(state: pd.DataFrame, events: pd.DataFrame, as_of: date,
                     reports: pd.DataFrame | None = None, areas: tuple | None = None) -> pd.DataFrame:
    """Progress per project × commune (2025 unit) at ``as_of``.

    Parameters and rules as :func:`project_progress` (``areas`` included); the aggregate figure of a
    commune is max(latest report naming it, Σ latest reports of its former communes).

    Returns
    -------
    DataFrame
        ``project_id``, ``commune`` and the columns of :func:`project_progress` (no ``name``);
        ``area_reported_m2`` is the commune's aggregate figure.
    """
    ts = to_timestamp(as_of)
    reports = aggregate_reports(state, events, ts) if reports is None else reports
    counts, c_area, _ = commune_and_project_areas(state, reports, ts) if areas is None else areas
    out = counts.drop(columns=["area_parcels_m2"]).merge(
        c_area[["project_id", "commune", "area_parcels_m2", "area_reported_m2", "area_handed_over_m2"]],
        on=["project_id", "commune"], how="left")
    return _finish(out, ["project_id", "commune"])


def segment_progress(state: pd.DataFrame, segment_m: float = 500.0) -> pd.DataFrame:
    """Progress per project × chainage segment of ``segment_m`` metres (parcel figures only).

    A parcel belongs to the segment containing its ``chainage_m`` (centroid chainage):
    ``segment_from_m = floor(chainage_m / segment_m) * segment_m``. Parcels without chainage
    (areas, sites) are left out; aggregate reports do not apply (they have no location).

    Parameters
    ----------
    state : DataFrame
        Output of :func:`parcel_stages`.
    segment_m : float
        Segment length in metres (> 0).

    Returns
    -------
    DataFrame
        ``project_id``, ``segment_from_m``, ``segment_to_m`` (m) and the columns of
        :func:`project_progress` (no ``name``), sorted by project and chainage.

    Raises
    ------
    ValueError
        If ``segment_m`` is not positive.
    """
    if not segment_m or segment_m <= 0:
        raise ValueError("Độ dài đoạn (segment_m) phải lớn hơn 0 m")
    s = state[pd.to_numeric(state["chainage_m"], errors="coerce").notna()].copy()
    s["segment_from_m"] = np.floor(s["chainage_m"].astype(float) / segment_m) * segment_m
    if s.empty:
        out = pd.DataFrame(columns=["project_id", "segment_from_m"])
    else:
        out = _counts(s, ["project_id", "segment_from_m"])
        out["area_handed_over_m2"] = out["area_parcels_m2"]
        out["area_reported_m2"] = 0.0
    out = _finish(out, ["project_id", "segment_from_m"])
    out.insert(2, "segment_to_m", out["segment_from_m"].astype(float) + float(segment_m))
    return out


_PROJECT_SCOPES = {"", "project", "du an", "toan du an", "ca du an", "toan bo du an"}


def is_project_scope(scope) -> bool:
    """True when a milestone ``scope`` means the whole project (empty, ``project``, ``Toàn dự án`` …)."""
    if scope is None or (isinstance(scope, float) and np.isnan(scope)) or scope is pd.NA:
        return True
    return fold_vi(scope) in _PROJECT_SCOPES


def resolve_scope(parcels: pd.DataFrame, project_id: str, scope) -> tuple[str, str | None, np.ndarray]:
    """Resolve a milestone scope to the parcels it covers.

    Parameters
    ----------
    parcels : DataFrame
        ``project_id``, ``commune`` (2025 unit), ``commune_former`` (pre-1/7/2025 unit).
    project_id : str
    scope : str or None
        ``project`` (or empty) = the whole project; otherwise a commune name, matched ignoring case
        and diacritics against ``commune`` first, then ``commune_former`` (both names are accepted,
        DOMAIN.md: historical records keep the former names).

    Returns
    -------
    (level, name, mask)
        ``level`` ∈ ``project`` | ``commune`` | ``former``; ``name`` the commune as spelled in the
        parcels (None for the project); ``mask`` a boolean array over the rows of ``parcels``.

    Raises
    ------
    ValueError
        If the commune has no parcel in the project (Vietnamese message).
    """
    in_project = (pd.Series(parcels["project_id"]) == project_id).to_numpy(dtype=bool)
    if is_project_scope(scope):
        return "project", None, in_project
    key = fold_vi(scope)
    for level, col in (("commune", "commune"), ("former", "commune_former")):
        if col not in parcels.columns:
            continue
        codes, uniques = pd.factorize(pd.Series(parcels[col]))
        hits = [i for i, v in enumerate(uniques) if isinstance(v, str) and fold_vi(v) == key]
        mask = in_project & np.isin(codes, hits)
        if mask.any():
            return level, str(uniques[codes[np.flatnonzero(mask)[0]]]), mask
    raise ValueError(f"Phạm vi {scope!r} không phải là xã/phường có thửa đất của dự án {project_id}")


# --------------------------------------------------------------------------------------------
# Progress over time (milestone status, S-curve)
# --------------------------------------------------------------------------------------------
@dataclass
class History:
    """Everything needed to evaluate progress of any scope at any date up to ``as_of``.

    Build it with :meth:`History.build`; evaluate with :meth:`percent`.

    Attributes
    ----------
    parcels : DataFrame
        :func:`_parcel_frame` of the parcels (row position = ``pidx``).
    changes : DataFrame
        Per parcel and day when its state changed: ``pidx``, ``date``, ``d_handed`` (+1 when the
        parcel became handed over that day, -1 when a correction took it back) and ``d_paid``
        (same for "paid or beyond").
    reports : DataFrame
        :func:`aggregate_reports` up to ``as_of``.
    as_of : Timestamp
    """

    parcels: pd.DataFrame
    changes: pd.DataFrame
    reports: pd.DataFrame
    as_of: pd.Timestamp
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, parcels: pd.DataFrame, events: pd.DataFrame, as_of: date,
              events_by_parcel: pd.DataFrame | None = None, reports: pd.DataFrame | None = None) -> History:
        """Prepare the per-day state changes of every parcel from the ledger up to ``as_of``.

        ``events_by_parcel`` (:func:`parcel_events`) and ``reports`` (:func:`aggregate_reports`)
        may be passed when the caller already computed them for the same inputs.
        """
        ts = to_timestamp(as_of)
        pe = parcel_events(parcels, events, ts) if events_by_parcel is None else events_by_parcel
        st = pe[pe["rank"] >= 1]
        changes = pd.DataFrame(columns=["pidx", "date", "d_handed", "d_paid"])
        if len(st):
            running = _running_stage(st)
            pidx = st["pidx"].to_numpy()
            dates = st["event_date"].to_numpy(dtype="datetime64[ns]")
            end_of_day = np.r_[(pidx[1:] != pidx[:-1]) | (dates[1:] != dates[:-1]), True]
            pidx, dates, running = pidx[end_of_day], dates[end_of_day], running[end_of_day]
            new_parcel = np.r_[True, pidx[1:] != pidx[:-1]]
            handed = (running == HANDED_OVER_RANK).astype("int64")
            paid = (running >= PAID_RANK).astype("int64")
            d_handed = handed - np.where(new_parcel, 0, np.r_[0, handed[:-1]])
            d_paid = paid - np.where(new_parcel, 0, np.r_[0, paid[:-1]])
            keep = (d_handed != 0) | (d_paid != 0)
            changes = pd.DataFrame({"pidx": pidx[keep], "date": dates[keep], "d_handed": d_handed[keep],
                                    "d_paid": d_paid[keep]})
        if reports is None:
            reports = aggregate_reports(parcels, events, ts)
        return cls(_parcel_frame(parcels), changes, reports, ts)

    def scope_mask(self, project_id: str, scope: str | None = None) -> np.ndarray:
        """Boolean mask of the parcels of ``project_id`` in ``scope`` (see :func:`resolve_scope`)."""
        return self._scope(project_id, scope)[2]

    def _scope(self, project_id: str, scope):
        key = ("scope", project_id, None if is_project_scope(scope) else fold_vi(scope))
        if key not in self._cache:
            self._cache[key] = resolve_scope(self.parcels, project_id, scope)
        return self._cache[key]

    def scope_level(self, project_id: str, scope: str | None) -> tuple[str, str | None]:
        """(``project`` | ``commune`` | ``former``, canonical commune name) of a milestone scope."""
        level, name, _ = self._scope(project_id, scope)
        return level, name

    def area_percent(self, project_id: str, scope: str | None, dates) -> np.ndarray:
        """% of area handed over (parcels and aggregates combined) of the scope at each date."""
        dates = pd.DatetimeIndex(pd.to_datetime(pd.Index(dates))).normalize().astype("datetime64[ns]")
        level, name = self.scope_level(project_id, scope)
        area = self.parcels["area_to_recover_m2"].to_numpy()
        reports = self.reports[self.reports["project_id"] == project_id]
        if level == "former":
            mask = self.scope_mask(project_id, scope)
            changes = self.changes[mask[self.changes["pidx"].to_numpy(dtype="int64")]]
            parcel_area = self._cumulative(changes, area, dates)
            rep = reports[(reports["level"] == "former") & (reports["commune_former"] == name)]
            total = area[mask].sum()
            handed = np.minimum(np.fmax(parcel_area, _latest_values(rep, dates)), total)
            return _percent(handed, np.full(len(dates), total))
        # Parcel area per commune at each date, then the same combination as the progress tables.
        names, to_recover, steps = self._project_steps(project_id)
        if not names:
            return np.full(len(dates), np.nan)
        parcel_area = np.vstack([_latest_np(d, cum, dates.to_numpy()) for d, cum in steps])
        out = combine_project(names, parcel_area, to_recover, reports, dates)
        if level == "commune":
            i = names.index(name)
            return _percent(out["commune_handed_over_m2"][i], np.full(len(dates), to_recover[i]))
        return _percent(out["project_handed_over_m2"], np.full(len(dates), out["project_to_recover_m2"]))

    def _project_steps(self, project_id: str):
        """Per commune of the project: (change dates, cumulative m² handed over); cached."""
        if project_id in self._cache:
            return self._cache[project_id]
        area = self.parcels["area_to_recover_m2"].to_numpy()
        in_project = (self.parcels["project_id"] == project_id).to_numpy()
        codes, names = pd.factorize(self.parcels["commune"][in_project], use_na_sentinel=False)
        commune_code = np.full(len(self.parcels), -1)
        commune_code[in_project] = codes
        pidx = self.changes["pidx"].to_numpy(dtype="int64")
        d_handed = self.changes["d_handed"].to_numpy(dtype="int64")
        sel = in_project[pidx] & (d_handed != 0)
        ch_dates = self.changes["date"].to_numpy(dtype="datetime64[ns]")[sel]
        ch_area = d_handed[sel] * area[pidx[sel]]
        ch_code = commune_code[pidx[sel]]
        steps = []
        for i in range(len(names)):
            m = ch_code == i
            order = np.argsort(ch_dates[m], kind="stable")
            steps.append((ch_dates[m][order], np.cumsum(ch_area[m][order])))
        result = (list(names), np.bincount(codes, weights=area[in_project], minlength=len(names)), steps)
        self._cache[project_id] = result
        return result

    @staticmethod
    def _cumulative(changes: pd.DataFrame, area: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
        if changes.empty:
            return np.zeros(len(dates))
        ch = changes.sort_values("date")
        step = np.cumsum(ch["d_handed"].to_numpy() * area[ch["pidx"].to_numpy()])
        pos = np.searchsorted(ch["date"].to_numpy(dtype="datetime64[ns]"), dates.to_numpy(dtype="datetime64[ns]"), side="right")
        return np.where(pos > 0, step[np.maximum(pos - 1, 0)], 0.0)

    def households_paid_percent(self, project_id: str, scope: str | None, dates) -> np.ndarray:
        """% of households (least advanced parcel rule) paid or beyond, in the scope at each date."""
        dates = pd.DatetimeIndex(pd.to_datetime(pd.Index(dates))).normalize().astype("datetime64[ns]")
        mask = self.scope_mask(project_id, scope)
        sub = self.parcels[mask]
        if sub.empty:
            return np.full(len(dates), np.nan)
        hh_codes, hh_index = pd.factorize(sub["household_code"])
        n_hh = len(hh_index)
        parcels_per_hh = np.bincount(hh_codes, minlength=n_hh)
        code_of = pd.Series(hh_codes, index=np.flatnonzero(mask))
        ch = self.changes[self.changes["pidx"].isin(code_of.index) & (self.changes["d_paid"] != 0)]
        if ch.empty:
            return np.zeros(len(dates))
        ch = ch.assign(hh=code_of.reindex(ch["pidx"]).to_numpy()).sort_values(["hh", "date"])
        ch = ch.groupby(["hh", "date"], as_index=False)["d_paid"].sum()
        count = ch.groupby("hh")["d_paid"].cumsum().to_numpy()
        full = (count == parcels_per_hh[ch["hh"].to_numpy()]).astype("int64")
        hh = ch["hh"].to_numpy()
        first = np.r_[True, hh[1:] != hh[:-1]]
        prev = np.where(first, 0, np.r_[0, full[:-1]])
        d = pd.DataFrame({"date": ch["date"].to_numpy(), "d": full - prev})
        d = d[d["d"] != 0].groupby("date")["d"].sum().sort_index()
        if d.empty:
            return np.zeros(len(dates))
        step = np.cumsum(d.to_numpy())
        pos = np.searchsorted(d.index.to_numpy(dtype="datetime64[ns]"), dates.to_numpy(dtype="datetime64[ns]"), side="right")
        paid_hh = np.where(pos > 0, step[np.maximum(pos - 1, 0)], 0)
        return 100.0 * paid_hh / n_hh

    def percent(self, metric: str, project_id: str, scope: str | None, dates) -> np.ndarray:
        """Value of ``metric`` (``percent_area_handed_over`` | ``percent_households_paid``) at ``dates``.

        Raises
        ------
        ValueError
            Unknown metric or scope (Vietnamese message).
        """
        idx = pd.DatetimeIndex(pd.to_datetime(pd.Index(dates))).normalize().astype("datetime64[ns]")
        unique, inverse = np.unique(idx.to_numpy(), return_inverse=True)
        if metric == "percent_area_handed_over":
            return self.area_percent(project_id, scope, unique)[inverse]
        if metric == "percent_households_paid":
            return self.households_paid_percent(project_id, scope, unique)[inverse]
        raise ValueError(f"Chỉ tiêu {metric!r} không hợp lệ: cần percent_area_handed_over hoặc percent_households_paid")
