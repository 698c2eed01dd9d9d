"""Stage, stage date, flags and amounts of every parcel at an as-of date (rules: :mod:`milestones.progress`).

The stage rule itself is :mod:`domain.stage_history` (one rule for validation and progress); this
module applies its vectorised form to :func:`milestones.events.parcel_events`.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.stage_history import running_stage, stage_since, voided
from domain.stages import COMPLAINT_RESOLVED, FLAGS, HANDED_OVER_RANK, STAGES
from domain.tables import PARCEL_STATE_COLUMNS
from milestones.events import parcel_events

#: Columns added to the parcels by :func:`parcel_stages` (the one definition is :mod:`domain.tables`).
STATE_COLUMNS = PARCEL_STATE_COLUMNS


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
    rank, stage_date = _stages(pe, n)
    approved, paid = _amounts(pe, n)
    complaint_open, complaint_since = _complaints(pe, n)
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
        out[flag] = _has_event(pe, flag, n)
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
