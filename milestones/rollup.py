"""Province roll-up (issue 10): the progress of each unit sharing a store, and their total.

A function of a :class:`milestones.snapshot.Snapshot` (its ``projects`` table carries ``unit``) and the
store's ``units`` table, so the CLI (``cli.py status --rollup``) and the dashboard's overview show the
same figures. Sums are of the project figures of the snapshot: a unit's area to recover is the sum of
its projects' ``area_to_recover_m2``, its percentage is handed over ÷ to recover (not an average of
percentages).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Milestone statuses counted as "at risk" in the roll-up (not met yet and endangered, or missed).
AT_RISK_STATUSES: frozenset[str] = frozenset({"at_risk", "behind", "missed"})

#: Columns of :func:`unit_rollup`, in order.
ROLLUP_COLUMNS: tuple[str, ...] = (
    "unit", "unit_name", "province", "projects", "area_to_recover_m2", "area_handed_over_m2",
    "percent_handed_over", "milestones", "milestones_met", "milestones_at_risk",
)


def unit_rollup(snapshot, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit: projects, area to recover and handed over (m²), % handed over, milestones met / at risk.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        ``projects`` with ``project_id``, ``unit``, ``area_to_recover_m2``, ``area_handed_over_m2``;
        ``milestones`` with ``project_id`` and ``status`` (:data:`domain.milestones.STATUSES`).
    units : DataFrame, optional
        ``unit_code``, ``name``, ``province`` (``store.units()``); a unit without projects is listed
        with zeros. Without it, the units named by the projects.

    Returns
    -------
    DataFrame
        :data:`ROLLUP_COLUMNS`, one row per unit by code: ``projects`` (count), areas in m²,
        ``percent_handed_over`` (0–100, NaN when nothing is to be recovered), ``milestones`` (count),
        ``milestones_met`` (status ``met``), ``milestones_at_risk`` (:data:`AT_RISK_STATUSES`).
        A project without a unit is grouped under ``unit`` None.
    """
    projects = snapshot.projects
    unit_of = dict(zip(projects["project_id"].astype(str),
                       projects["unit"] if "unit" in projects.columns else [None] * len(projects)))
    per_project = pd.DataFrame({
        "unit": [unit_of[str(p)] for p in projects["project_id"]],
        "area_to_recover_m2": pd.to_numeric(projects["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(),
        "area_handed_over_m2": pd.to_numeric(projects["area_handed_over_m2"], errors="coerce").fillna(0.0).to_numpy(),
    })
    sums = per_project.groupby("unit", dropna=False).agg(
        projects=("unit", "size"), area_to_recover_m2=("area_to_recover_m2", "sum"),
        area_handed_over_m2=("area_handed_over_m2", "sum"))
    counts = _milestone_counts(snapshot.milestones, unit_of)
    table = sums.join(counts, how="outer")
    if units is not None and len(units):
        table = table.reindex(table.index.union(pd.Index(units["unit_code"].astype(str))))
    table = table.fillna(dict.fromkeys(("projects", "area_to_recover_m2", "area_handed_over_m2", "milestones", "milestones_met", "milestones_at_risk"), 0))
    table = table.reset_index(names="unit").sort_values("unit", key=lambda s: s.astype(str), kind="stable")
    names = _unit_names(units)
    table["unit_name"] = [names.get(str(u), (None, None))[0] for u in table["unit"]]
    table["province"] = [names.get(str(u), (None, None))[1] for u in table["unit"]]
    table["percent_handed_over"] = _percent(table["area_handed_over_m2"], table["area_to_recover_m2"])
    for col in ("projects", "milestones", "milestones_met", "milestones_at_risk"):
        table[col] = table[col].astype("int64")
    return table[list(ROLLUP_COLUMNS)].reset_index(drop=True)


def province_total(rollup: pd.DataFrame) -> dict:
    """The sum of :func:`unit_rollup`'s rows: same keys (``unit`` None), % recomputed from the sums."""
    total = {c: int(rollup[c].sum()) for c in ("projects", "milestones", "milestones_met", "milestones_at_risk")}
    total.update({c: float(rollup[c].sum()) for c in ("area_to_recover_m2", "area_handed_over_m2")})
    total["percent_handed_over"] = float(_percent(pd.Series([total["area_handed_over_m2"]]),
                                                  pd.Series([total["area_to_recover_m2"]])).iloc[0])
    provinces = sorted({str(p) for p in rollup["province"].dropna()})
    return {"unit": None, "unit_name": None, "province": provinces[0] if len(provinces) == 1 else None, **total}


def _milestone_counts(milestones: pd.DataFrame | None, unit_of: dict) -> pd.DataFrame:
    columns = ["milestones", "milestones_met", "milestones_at_risk"]
    if milestones is None or not len(milestones):
        return pd.DataFrame(columns=columns, index=pd.Index([], name="unit"))
    status = milestones["status"].astype(str)
    frame = pd.DataFrame({"unit": [unit_of.get(str(p)) for p in milestones["project_id"]],
                          "milestones": 1, "milestones_met": (status == "met").astype(int),
                          "milestones_at_risk": status.isin(AT_RISK_STATUSES).astype(int)})
    return frame.groupby("unit", dropna=False)[columns].sum()


def _unit_names(units: pd.DataFrame | None) -> dict:
    if units is None or not len(units):
        return {}
    return {str(r.unit_code): (r.name, r.province) for r in units.itertuples()}


def _percent(done: pd.Series, total: pd.Series) -> pd.Series:
    done, total = done.astype(float).to_numpy(), total.astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(total > 0, done / total * 100.0, np.nan))
