"""Communes league: per project × commune, how far each commune is from the project's next target.

Seed 002: "Người đứng đầu … chịu trách nhiệm về kết quả công tác GPMB của địa phương". Figures are the
parcels' (aggregate reports carry no split by former commune); the unit is the 2025 commune
(``commune``) or the pre-1/7/2025 one (``commune_former``).

The **next milestone** of a project is its current project-scope area milestone not yet reached
(:func:`domain.milestones.current_milestones`); a commune's gap = max(0, target % × its area to recover −
its area handed over), in hectares. ``blocking_parcels`` counts the commune's parcels in that milestone's
blocking set (:mod:`milestones.blockers`); ``open_complaints`` its parcels not handed over with an open
complaint; ``days_since_last_count`` the days from the commune's last field-count event (any event on one
of its parcels, or an aggregate report naming it) to the as-of date, ``stale`` when more than
``stale_counts_days`` of ``rules.yaml`` (default 30) or never. Rows are ranked by gap, largest first.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from domain.milestones import current_milestones
from domain.stages import HANDED_OVER_RANK
from milestones.events import to_timestamp
from milestones.rules import resolve_rules

#: Columns of :func:`communes_league`.
LEAGUE_COLUMNS: tuple[str, ...] = (
    "project_id", "commune", "area_to_recover_m2", "area_handed_over_m2", "percent_handed_over", "milestone_id",
    "target_percent", "gap_ha", "blocking_parcels", "open_complaints", "last_count_on", "days_since_last_count",
    "stale", "rank",
)

#: Units of the league: the 2025 commune or the former one.
UNITS: dict[str, str] = {"commune": "commune", "former": "commune_former"}


def communes_league(snapshot, events: pd.DataFrame, *, unit: str = "commune",
                    counts: dict[tuple, np.ndarray] | None = None) -> pd.DataFrame:
    """The league at the snapshot's date (rule in the module docstring).

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        ``parcels``, ``milestones``, ``blockers``, ``rules``, ``as_of``.
    events : DataFrame
        The ledger (``store.events()``; ``kind``, ``parcel_id``, ``commune``, ``project_id``, ``event_date``).
    unit : ``commune`` | ``former``
        2025 units or pre-1/7/2025 communes.
    counts : dict, optional
        :func:`count_dates` of the snapshot's parcels, ``events`` and ``unit`` (they do not change with the
        as-of date: the dashboard keeps them per data version); computed here when None.

    Returns
    -------
    DataFrame
        :data:`LEAGUE_COLUMNS`; areas m², gap ha, ``last_count_on`` date or None; ``rank`` 1… within each
        project, by ``gap_ha`` descending then area to recover descending.

    Raises
    ------
    ValueError
        If ``unit`` is not ``commune`` or ``former``.
    """
    if unit not in UNITS:
        raise ValueError("Đơn vị của bảng xã phải là commune (xã mới) hoặc former (xã cũ)")
    p = snapshot.parcels
    p = p.assign(_unit=_units(p, unit), _todo=p["stage_rank"] < HANDED_OVER_RANK)
    p = p.assign(_complaint=p["complaint_open"].astype(bool) & p["_todo"])
    out = p.groupby(["project_id", "_unit"], as_index=False).agg(
        area_to_recover_m2=("area_to_recover_m2", "sum"), area_handed_over_m2=("area_handed_over_m2", "sum"),
        open_complaints=("_complaint", "sum")).rename(columns={"_unit": "commune"})
    out["percent_handed_over"] = 100.0 * out["area_handed_over_m2"] / out["area_to_recover_m2"].where(
        out["area_to_recover_m2"] > 0)
    out = _with_next_milestone(out, snapshot.milestones)
    out["gap_ha"] = np.maximum(0.0, out["target_percent"] / 100.0 * out["area_to_recover_m2"]
                               - out["area_handed_over_m2"]) / 10_000
    out["blocking_parcels"] = _blocking_counts(out, p, snapshot.blockers)
    counts = count_dates(p, events, unit) if counts is None else counts
    out = _with_last_counts(out, counts, snapshot.as_of, resolve_rules(snapshot.rules)["stale_counts_days"])
    out = out.sort_values(["project_id", "gap_ha", "area_to_recover_m2"], ascending=[True, False, False],
                          kind="stable", na_position="last")
    out["rank"] = out.groupby("project_id").cumcount() + 1
    return out[list(LEAGUE_COLUMNS)].reset_index(drop=True)


def _with_next_milestone(out: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    ms = milestones[(milestones["metric"] == "percent_area_handed_over") & (milestones["scope"] == "project")]
    ms = ms[ms["actual_percent"] < ms["target_percent"] - 1e-9]
    nxt = current_milestones(ms, keys=("project_id",))[["project_id", "milestone_id", "target_percent"]] \
        if len(ms) else pd.DataFrame(columns=["project_id", "milestone_id", "target_percent"])
    merged = out.merge(nxt, on="project_id", how="left")
    merged["target_percent"] = pd.to_numeric(merged["target_percent"], errors="coerce")
    return merged


def _blocking_counts(out: pd.DataFrame, parcels: pd.DataFrame, blockers: pd.DataFrame) -> np.ndarray:
    if blockers.empty:
        return np.zeros(len(out), dtype="int64")
    unit_of = parcels.set_index("parcel_id")["_unit"]
    b = blockers[["milestone_id", "parcel_id"]].assign(commune=lambda f: f["parcel_id"].map(unit_of))
    counts = b.groupby(["milestone_id", "commune"]).size()
    keys = list(zip(out["milestone_id"], out["commune"], strict=True))
    return np.array([int(counts.get(k, 0)) for k in keys], dtype="int64")


def _units(parcels: pd.DataFrame, unit: str) -> pd.Series:
    """The league unit of each parcel: its ``commune_former`` (else ``commune``) for ``former``, else ``commune``."""
    col = UNITS[unit]
    return parcels[col].fillna(parcels["commune"]) if col in parcels else parcels["commune"]


def count_dates(parcels: pd.DataFrame, events: pd.DataFrame, unit: str = "commune") -> dict[tuple, np.ndarray]:
    """The dates of the field counts of each (``project_id``, unit): every event on one of its parcels and every
    aggregate report naming it, as sorted ``datetime64[ns]`` arrays (no missing date).

    ``parcels``: ``parcel_id``, ``commune`` (and ``commune_former`` for ``unit="former"``); ``events``: the ledger
    (``kind``, ``parcel_id``, ``commune``, ``project_id``, ``event_date``). Independent of the as-of date:
    :func:`communes_league` takes the last date on or before it (a binary search per row).
    """
    unit_of = pd.Series(_units(parcels, unit).to_numpy(), index=parcels["parcel_id"].to_numpy())
    on_parcels = events[events["kind"] == "parcel"]
    on_parcels = on_parcels[["project_id", "event_date"]].assign(commune=on_parcels["parcel_id"].map(unit_of))
    reports = events[(events["kind"] == "aggregate") & events["commune"].notna()]
    both = pd.concat([on_parcels[["project_id", "commune", "event_date"]], reports[["project_id", "commune", "event_date"]]])
    both = both.assign(event_date=pd.to_datetime(both["event_date"])).dropna()
    both = both.sort_values(["project_id", "commune", "event_date"], kind="stable")
    return {key: group.to_numpy(dtype="datetime64[ns]")
            for key, group in both.groupby(["project_id", "commune"], sort=False)["event_date"]}


def _with_last_counts(out: pd.DataFrame, counts: dict[tuple, np.ndarray], as_of, stale_days) -> pd.DataFrame:
    ts = to_timestamp(as_of)
    day = np.datetime64(ts.to_datetime64(), "ns")
    dates = []
    for key in zip(out["project_id"], out["commune"], strict=True):
        seen = counts.get(key)
        i = 0 if seen is None else int(np.searchsorted(seen, day, side="right"))
        dates.append(pd.Timestamp(seen[i - 1]) if i else None)
    out["last_count_on"] = [None if d is None else d.date() for d in dates]
    out["days_since_last_count"] = [np.nan if d is None else float((ts - d).days) for d in dates]
    out["stale"] = [bool(np.isnan(d) or d > float(stale_days)) for d in out["days_since_last_count"]]
    return out
