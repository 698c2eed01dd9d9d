"""Progress tables at an as-of date: per project, per project × commune, per chainage segment.

Inputs are :func:`milestones.parcel_state.parcel_stages`; household and aggregate rules are in
:mod:`milestones.progress`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from domain.stages import PAID_RANK, STAGES
from milestones.aggregates import aggregate_reports, combine_area, percent_of
from milestones.events import household_codes, to_timestamp


@dataclass(frozen=True)
class CountGroups:
    """The part of :func:`_counts` that does not depend on the as-of date, for one set of rows and keys.

    Attributes
    ----------
    codes : ndarray of int64
        Group number of each row (``groupby(keys, dropna=False, sort=True).ngroup()``).
    index : Index
        The groups' keys, in group-number order.
    unit_order : ndarray of int64
        The rows sorted by (group, household): each (group, household) pair is a run.
    unit_starts : ndarray of int64
        Start of each run in ``unit_order``.
    unit_group : ndarray of int64
        Group number of each run.
    """

    codes: np.ndarray
    index: pd.Index
    unit_order: np.ndarray
    unit_starts: np.ndarray
    unit_group: np.ndarray


def count_groups(state: pd.DataFrame, keys: list[str], household_code: np.ndarray | None = None) -> CountGroups:
    """The :class:`CountGroups` of ``state``'s rows by ``keys`` (``household_code`` as in :func:`_counts`)."""
    groups = state.groupby(keys, dropna=False, sort=True)
    codes = groups.ngroup().to_numpy().astype("int64")
    hh_codes = household_codes(state) if household_code is None else np.asarray(household_code, dtype="int64")
    span = max(int(hh_codes.max()) + 1 if len(hh_codes) else 0, 1)
    combined = codes * span + hh_codes
    order = np.argsort(combined, kind="stable")
    starts = np.flatnonzero(np.r_[True, combined[order][1:] != combined[order][:-1]]) if len(order) \
        else np.zeros(0, dtype="int64")
    return CountGroups(codes=codes, index=groups.size().index, unit_order=order, unit_starts=starts,
                       unit_group=combined[order][starts] // span)


def _counts(state: pd.DataFrame, keys: list[str], household_code: np.ndarray | None = None,
            groups: CountGroups | None = None) -> pd.DataFrame:
    """Area, counts by stage, households by stage and amounts per ``keys`` (parcel figures only).

    ``household_code``: :func:`household_codes` of ``state``'s rows when already known (any codes with the
    same partition into households give the same figures); made from ``state`` when None. ``groups``: the
    :func:`count_groups` of these rows and keys when kept per data version (then ``household_code`` is unused)."""
    n_stages = len(STAGES)
    groups = count_groups(state, keys, household_code) if groups is None else groups
    codes, index = groups.codes, groups.index
    g = len(index)
    rank = state["stage_rank"].to_numpy(dtype="int64")

    def total(col):
        return np.bincount(codes, weights=pd.to_numeric(state[col], errors="coerce").fillna(0).to_numpy(float),
                           minlength=g)

    by_stage = np.bincount(codes * n_stages + rank, minlength=g * n_stages).reshape(g, n_stages)
    # A household's stage is its least advanced parcel's: the minimum over its run of rows.
    least = (np.minimum.reduceat(rank[groups.unit_order], groups.unit_starts) if len(rank)
             else np.zeros(0, dtype="int64"))
    hh_stage = np.bincount(groups.unit_group * n_stages + least, minlength=g * n_stages).reshape(g, n_stages)
    paid_or_later = hh_stage[:, PAID_RANK:].sum(axis=1)
    households = hh_stage.sum(axis=1)
    out = pd.DataFrame({
        "area_to_recover_m2": total("area_to_recover_m2"),
        "area_parcels_m2": total("area_handed_over_m2"),
        "parcels_total": np.bincount(codes, minlength=g),
        "amount_approved_vnd": total("amount_approved_vnd"),
        "amount_paid_vnd": total("amount_paid_vnd"),
        **{f"parcels_{st}": by_stage[:, i] for i, st in enumerate(STAGES)},
        **{f"households_{st}": hh_stage[:, i] for i, st in enumerate(STAGES)},
        "households_total": households,
        "households_paid_or_later": paid_or_later,
        "percent_households_paid": percent_of(paid_or_later, households),
    }, index=index)
    return out.reset_index()


def _kept_groups(groups: dict | None, key: tuple, rows: pd.DataFrame, household_code: np.ndarray | None,
                 keys: list[str] | None = None) -> CountGroups | None:
    """``groups[key]``, made from ``rows`` on first use (None without a kept dict or household codes: the
    groups are then made by :func:`_counts` itself)."""
    if groups is None or household_code is None:
        return None
    if key not in groups:         # only ever filled with values made from the same rows: readers may share it
        groups[key] = count_groups(rows, list(keys or key), household_code)
    return groups[key]


_TABLE_ORDER = ["area_to_recover_m2", "area_handed_over_m2", "percent_handed_over", "area_parcels_m2",
                "area_reported_m2", "parcels_total"] + [f"parcels_{s}" for s in STAGES] + \
               [f"households_{s}" for s in STAGES] + ["households_total", "households_paid_or_later",
                                                       "percent_households_paid", "amount_approved_vnd",
                                                       "amount_paid_vnd"]


def commune_and_project_areas(state: pd.DataFrame, reports: pd.DataFrame, as_of: date,
                              household_code: np.ndarray | None = None, groups: dict | None = None
                              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per project × commune counts and the combined areas of communes and projects at ``as_of``.

    ``household_code``: the state's household codes when kept per data version
    (:class:`milestones.blockers.ParcelKeys`), else made from ``state``. ``groups``: a dict kept per data
    version for ``state``'s rows (``ParcelKeys.count_groups``) in which each key set's :class:`CountGroups`
    is made on first use and reused at every date (None: made here each time).

    Returns
    -------
    (counts, communes, projects)
        ``counts``: parcel figures per (``project_id``, ``commune``); ``communes`` and ``projects``:
        :func:`combine_area` of the parcel areas with the aggregate ``reports``.
    """
    counts = _counts(state, ["project_id", "commune"], household_code,
                     _kept_groups(groups, ("project_id", "commune"), state, household_code))
    area = counts[["project_id", "commune", "area_parcels_m2", "area_to_recover_m2"]]
    c_area, p_area = combine_area(area, reports, as_of)
    return counts, c_area, p_area


def project_progress(state: pd.DataFrame, events: pd.DataFrame | None, as_of: date,
                     projects: pd.DataFrame | None = None, reports: pd.DataFrame | None = None,
                     areas: tuple | None = None, household_code: np.ndarray | None = None,
                     groups: dict | None = None) -> pd.DataFrame:
    """Progress per project at ``as_of``.

    Parameters
    ----------
    state : DataFrame
        Output of :func:`parcel_stages` at the same ``as_of``.
    events : DataFrame or None
        The ledger (for aggregate reports; combination rule in the module doc); not read when ``reports``
        is given (None then allowed).
    as_of : date
    projects : DataFrame, optional
        ``project_id``, ``name``: every project listed appears (zeros when it has no parcel), in
        this order.
    reports : DataFrame, optional
        :func:`aggregate_reports` at ``as_of`` when already computed.
    areas : tuple, optional
        :func:`commune_and_project_areas` of the same ``state`` and ``reports`` when already computed
        (the snapshot computes it once for this table and :func:`commune_progress`).
    household_code : ndarray of int64, optional
        :func:`milestones.events.household_codes` of ``state``'s rows when already known (made from
        ``state`` when None; the figures are the same).
    groups : dict, optional
        As in :func:`commune_and_project_areas`.

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
    counts = _counts(state, ["project_id"], household_code, _kept_groups(groups, ("project_id",), state, household_code))
    _, _, p_area = commune_and_project_areas(state, reports, ts, household_code, groups) if areas is None else areas
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
    out["percent_handed_over"] = percent_of(out["area_handed_over_m2"], out["area_to_recover_m2"])
    out["percent_households_paid"] = percent_of(out["households_paid_or_later"], out["households_total"])
    return out[keys + _TABLE_ORDER].reset_index(drop=True)


def commune_progress(state: pd.DataFrame, events: pd.DataFrame | None, as_of: date,
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


def segment_progress(state: pd.DataFrame, segment_m: float = 500.0,
                     household_code: np.ndarray | None = None, groups: dict | None = None) -> pd.DataFrame:
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
    household_code : ndarray of int64, optional
        :func:`milestones.events.household_codes` of ``state``'s rows when already known.
    groups : dict, optional
        As in :func:`commune_and_project_areas` (the segments' groups are kept per ``segment_m``).

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
    located = pd.to_numeric(state["chainage_m"], errors="coerce").notna().to_numpy()
    s = state[located].copy()
    codes = None if household_code is None else np.asarray(household_code, dtype="int64")[located]
    s["segment_from_m"] = np.floor(s["chainage_m"].astype(float) / segment_m) * segment_m
    if s.empty:
        out = pd.DataFrame(columns=["project_id", "segment_from_m"])
    else:
        out = _counts(s, ["project_id", "segment_from_m"], codes,
                      _kept_groups(groups, ("segment", float(segment_m)), s, codes, ["project_id", "segment_from_m"]))
        out["area_handed_over_m2"] = out["area_parcels_m2"]
        out["area_reported_m2"] = 0.0
    out = _finish(out, ["project_id", "segment_from_m"])
    out.insert(2, "segment_to_m", out["segment_from_m"].astype(float) + float(segment_m))
    return out
