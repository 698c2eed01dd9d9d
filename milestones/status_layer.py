"""The computation behind the store's ``parcel_status`` layer, and its registration with the store.

The store may not import this layer (pyproject.toml), so the views' bootstraps (``cli.py``, the
dashboard) call :func:`install`; from then on every store write recomputes the layer in its own
transaction with :func:`parcel_status_frame` (see :mod:`store.parcel_status`). The figures are those of
:func:`milestones.snapshot.compute_snapshot`, the one computation of every view, so the layer agrees
with ``cli.py parcels`` and the dashboard stage by stage: the refresh computes only its per-parcel steps
(:func:`milestones.snapshot.compute_parcel_level`: no project, commune or segment table, no S-curve).
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from domain.blockers import NEXT_ACTION_BY_STAGE
from domain.tables import PARCEL_STATUS_COLUMNS
from milestones.clocks import next_deadlines
from milestones.snapshot import Snapshot, compute_parcel_level
from parsing.columns import map_distinct

if TYPE_CHECKING:
    from store.protocol import StoreReader


def status_rows(snapshot: Snapshot) -> gpd.GeoDataFrame:
    """The ``parcel_status`` rows of a snapshot: one per parcel, in the snapshot's order.

    Returns
    -------
    GeoDataFrame
        EPSG:9215 (the snapshot's), columns :data:`domain.tables.PARCEL_STATUS_COLUMNS` + ``geometry``
        (a plain DataFrame without ``geometry`` when the snapshot's parcels have none):
        the parcel's keys and ``area_to_recover_m2`` (m²); ``stage`` (code), ``stage_rank`` (0–6),
        ``stage_date`` (date, None before any stage); the flags ``complaint_open``, ``enforced``,
        ``compulsory_inventory`` (bool); ``days_in_stage`` (int), ``risk_flags`` (codes joined by ``;``),
        ``at_risk`` (bool) of :mod:`milestones.risk`; ``next_action`` (code of
        :data:`domain.blockers.NEXT_ACTION_BY_STAGE`, None once handed over), ``next_deadline`` (date of
        that action's legal deadline, :func:`milestones.clocks.next_deadlines`; None when no clock runs),
        ``days_overdue`` (int, 0 when not late); ``as_of`` (date).
    """
    return layer_rows(snapshot.parcels, snapshot.clocks, snapshot.as_of)


def layer_rows(p: pd.DataFrame, clocks: pd.DataFrame, as_of: date) -> gpd.GeoDataFrame:
    """:func:`status_rows` from a snapshot's parts: its ``parcels`` (the state), ``clocks`` and ``as_of``."""
    deadlines = next_deadlines(clocks).drop_duplicates("parcel_id").set_index("parcel_id")
    out = pd.DataFrame({c: p[c].to_numpy() for c in PARCEL_STATUS_COLUMNS[:7] if c in p.columns}, index=p.index)
    for c in PARCEL_STATUS_COLUMNS[:7]:
        if c not in out.columns:
            out[c] = None
    out["stage"] = p["stage"].to_numpy()
    out["stage_rank"] = p["stage_rank"].to_numpy()
    out["stage_date"] = _dates(p["stage_date"])
    for flag in ("complaint_open", "enforced", "compulsory_inventory"):
        out[flag] = p[flag].astype(bool).to_numpy()
    out["days_in_stage"] = pd.to_numeric(p["days_in_stage"], errors="coerce").to_numpy()
    out["risk_flags"] = [";".join(map(str, f)) if isinstance(f, (list, tuple)) else (f or None) for f in p["risk_flags"]]
    out["risk_flags"] = out["risk_flags"].where(out["risk_flags"] != "", None)
    out["at_risk"] = p["at_risk"].astype(bool).to_numpy()
    out["next_action"] = p["stage"].map(NEXT_ACTION_BY_STAGE).to_numpy()
    due = p["parcel_id"].map(deadlines["next_deadline"]) if len(deadlines) else pd.Series(None, index=p.index)
    out["next_deadline"] = _dates(due)
    late = p["parcel_id"].map(deadlines["days_overdue"]) if len(deadlines) else pd.Series(0, index=p.index)
    out["days_overdue"] = pd.to_numeric(late, errors="coerce").fillna(0).astype("int64").to_numpy()
    out["as_of"] = as_of
    if "geometry" not in p.columns:   # parcels read without geometry (a refresh updating attributes only)
        return pd.DataFrame(out[list(PARCEL_STATUS_COLUMNS)])
    return gpd.GeoDataFrame(out[list(PARCEL_STATUS_COLUMNS)], geometry=p.geometry.to_numpy(), crs=p.crs)


def _dates(values) -> list:
    """Each value as a ``date`` (None when missing), converted once per distinct value; raises as one would."""
    out = map_distinct(values, lambda d: None if pd.isna(d) else pd.Timestamp(d).date())
    failed = next((v for v in out if isinstance(v, ValueError)), None)
    if failed is not None:
        raise failed
    return out


def parcel_status_frame(reader: StoreReader, as_of: date) -> gpd.GeoDataFrame:
    """The ``parcel_status`` layer at ``as_of`` from ``reader`` (a :class:`store.protocol.StoreReader`;
    inside a write, :class:`store.parcel_status.ConnectionReader`): :func:`status_rows` of the snapshot
    (computed per parcel only, :func:`milestones.snapshot.compute_parcel_level`)."""
    level = compute_parcel_level(reader, as_of)
    return layer_rows(level.state, level.clocks.reset_index(drop=True), level.as_of)


def install() -> None:
    """Register :func:`parcel_status_frame` as the store's ``parcel_status`` refresher for this process
    (idempotent). Called by ``cli.py`` and the dashboard before they open the store."""
    from store.parcel_status import register_refresher

    register_refresher(parcel_status_frame)
