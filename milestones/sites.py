"""Site-count progress for projects of kind ``sites`` (metric ``percent_sites_handed_over``).

A site is one commune police headquarters (seed 002: "giải phóng mặt bằng 100% các trụ sở công an xã
còn lại"): the parcels of the project in one former (pre-1/7/2025) commune, whose code is part of every
parcel id. A site is handed over on the day its last parcel is handed over; % = sites handed over ÷ sites.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from domain.stages import HANDED_OVER_RANK
from milestones.history import ProgressHistory


def site_keys(parcels: pd.DataFrame) -> np.ndarray:
    """Site key per parcel: its former commune (``commune_former``, else ``commune``), as object array."""
    former = pd.Series(parcels["commune_former"] if "commune_former" in parcels else [None] * len(parcels))
    commune = pd.Series(parcels["commune"]).reset_index(drop=True)
    return former.reset_index(drop=True).fillna(commune).to_numpy(dtype=object)


def sites_handed_over_percent(history: ProgressHistory, project_id: str, scope, dates) -> np.ndarray:
    """% of the scope's sites whose every parcel is handed over, at each of ``dates`` (NaN: no site)."""
    dates = pd.DatetimeIndex(pd.to_datetime(pd.Index(dates))).normalize().to_numpy(dtype="datetime64[ns]")
    mask = history.scope_mask(project_id, scope)
    pidx = np.flatnonzero(mask)
    if not len(pidx):
        return np.full(len(dates), np.nan)
    site_codes, sites = pd.factorize(pd.Series(site_keys(history.parcels)[pidx]))
    ch = history.changes[np.isin(history.changes["pidx"].to_numpy(dtype="int64"), pidx)]
    ch_pidx = ch["pidx"].to_numpy(dtype="int64")
    ch_dates = ch["date"].to_numpy(dtype="datetime64[ns]")
    d_handed = ch["d_handed"].to_numpy(dtype="int64")
    position = pd.Series(np.arange(len(pidx)), index=pidx)
    out = np.zeros(len(dates))
    for i, day in enumerate(dates):
        upto = ch_dates <= day
        handed = np.zeros(len(pidx), dtype="int64")
        np.add.at(handed, position.reindex(ch_pidx[upto]).to_numpy(dtype="int64"), d_handed[upto])
        done_sites = pd.Series(handed > 0).groupby(site_codes).all()
        out[i] = 100.0 * done_sites.sum() / len(sites)
    return out


def site_table(state: pd.DataFrame, project_id: str, scope_mask: np.ndarray) -> pd.DataFrame:
    """Sites of a project at the snapshot's date: ``site_id``, ``parcels`` (ids), ``handed_over`` (bool),
    ``stage_rank`` (of its least advanced parcel), ``area_to_recover_m2`` (m²)."""
    sub = state[np.asarray(scope_mask, dtype=bool)]
    keys = site_keys(sub)
    frame = pd.DataFrame({"site_id": keys, "parcel_id": sub["parcel_id"].to_numpy(),
                          "stage_rank": sub["stage_rank"].to_numpy(),
                          "area_to_recover_m2": pd.to_numeric(sub["area_to_recover_m2"]).to_numpy()})
    grouped = frame.groupby("site_id", sort=True)
    out = grouped.agg(parcels=("parcel_id", list), stage_rank=("stage_rank", "min"),
                      area_to_recover_m2=("area_to_recover_m2", "sum")).reset_index()
    out["handed_over"] = out["stage_rank"] >= HANDED_OVER_RANK
    return out
