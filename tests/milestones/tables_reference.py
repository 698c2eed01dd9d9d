"""``milestones.tables._counts`` before issue 13's last round: the groups and the households' least stage
made from the state at every date (a text group-by and a group-by on the combined codes), kept as the
reference the kept :class:`milestones.tables.CountGroups` must equal (``tests/milestones/test_fast_equals_reference.py``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from domain.stages import PAID_RANK, STAGES
from milestones.aggregates import percent_of
from milestones.events import household_codes


def counts(state: pd.DataFrame, keys: list[str], household_code: np.ndarray | None = None) -> pd.DataFrame:
    """Area, counts by stage, households by stage and amounts per ``keys`` (parcel figures only).

    ``household_code``: :func:`household_codes` of ``state``'s rows when already known (any codes with the
    same partition into households give the same figures); made from ``state`` when None."""
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
    hh_codes = household_codes(state) if household_code is None else np.asarray(household_code, dtype="int64")
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
    out["percent_households_paid"] = percent_of(out["households_paid_or_later"], out["households_total"])
    return out.reset_index()


