"""Build the status document of :mod:`milestones.status_fast` from data prepared once per data version.

Every figure is computed by the functions the snapshot uses, on the whole ledger, at each day it can
change on, so that :func:`milestones.status_fast.status_at` at any date gives the figures of
:func:`milestones.prepared.snapshot_at` (hence of ``compute_snapshot``) exactly:

* a milestone's metric is constant between the days of :func:`milestones.status.ledger_days` (its
  scope's state changes and its project's reports); it is evaluated on those days by
  :func:`milestones.status.metric_percent` on the whole ledger's history, which equals the history up to
  any later as-of date (:class:`milestones.history.HistoryAt`);
* a project's handed-over area only changes on the days a parcel of it becomes (or stops being) handed
  over and on its aggregate reports' days; on each of them the area per (project, commune) is summed in
  parcel order as :func:`milestones.tables.project_progress` sums it (``np.bincount``) and combined with
  the reports by :func:`milestones.aggregates.combine_project`, then :func:`milestones.aggregates.percent_of`;
* the milestones and rules in force change only on the local days of recorded changes
  (:mod:`domain.config_history`); each such epoch's milestones are validated by
  :func:`milestones.status.validate_milestones` and ordered as :func:`milestones.snapshot.assemble_snapshot`
  orders them.

``tests/cli/test_status_fast.py`` checks the equality of the printed text and JSON at every event date.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.config_history import FROM_THE_BEGINNING, local_day
from milestones.aggregates import combine_project, percent_of
from milestones.prepared import PreparedData, milestones_and_rules_at
from milestones.status import ledger_days, metric_percent, scope_size, validate_milestones
from milestones.status_fast import FORMAT
from milestones.status_rule import RULE_KEYS

_ONE_DAY = np.timedelta64(1, "D")
#: Without recorded changes the same milestones and rules hold on every day: any one is asked.
_ANY_DAY = date(2000, 1, 1)


def status_document(prepared: PreparedData) -> dict:
    """The status document (shape: :mod:`milestones.status_fast`) of ``prepared``; JSON-ready, without the
    ``version`` and ``code`` the caller adds.

    Raises
    ------
    ValueError
        ``prepared`` has no history of the whole ledger (made by :func:`milestones.prepared.prepare_frames`).
    """
    history = prepared.history
    if history is None:
        raise ValueError("prepared data without the history of the whole ledger")
    series: dict[tuple, int] = {}
    entries: list[dict] = []
    epochs = [_epoch(prepared, start, series, entries) for start in _epoch_starts(prepared)]
    return {"format": FORMAT, "projects": _projects(prepared), "series": entries, "epochs": epochs}


def _epoch_starts(prepared: PreparedData) -> list[date | None]:
    """None (the beginning) and every local day a recorded milestone or rules change came into force."""
    config = prepared.config
    if config.empty:
        return [None]
    later = config[~config["source"].isin(FROM_THE_BEGINNING)]
    return [None, *sorted({local_day(at) for at in later["recorded_at"]})]


def _epoch(prepared: PreparedData, start: date | None, series: dict, entries: list) -> dict:
    """The valid milestones (snapshot order), rule values and problems in force from ``start``."""
    history = prepared.history
    starts = _epoch_starts(prepared)
    day = start if start is not None else (starts[1] - timedelta(days=1) if len(starts) > 1 else _ANY_DAY)
    milestones, rules = milestones_and_rules_at(prepared, day)
    valid, problems = validate_milestones(milestones, history.parcels)
    records = valid.to_dict("records")
    records.sort(key=lambda r: (r["project_id"], r["due_date"], r["milestone_id"]))   # milestone_status
    order = {pid: i for i, pid in enumerate(pd.DataFrame(prepared.projects)["project_id"])}
    records.sort(key=lambda r: (order.get(r["project_id"], len(order)), r["due_date"], r["milestone_id"]))
    rows = []
    for rec in records:
        key = (rec["metric"], rec["project_id"], rec["scope"])
        if key not in series:
            series[key] = len(entries)
            entries.append(_series(history, *key))
        rows.append({**{k: _plain(rec.get(k)) for k in ("milestone_id", "project_id", "label", "metric",
                                                       "target_percent", "scope")},
                     "due_date": rec["due_date"].toordinal(), "series": series[key]})
    return {"from": None if start is None else start.toordinal(), "milestones": rows,
            "rules": {k: _plain(rules.get(k)) for k in RULE_KEYS if k in rules}, "problems": list(problems)}


def _series(history, metric: str, project_id: str, scope) -> dict:
    """One metric's step function over the whole ledger."""
    days = ledger_days(history, project_id, scope)
    first = days[0] - _ONE_DAY if len(days) else np.datetime64("2000-01-01", "ns")
    values = metric_percent(history, metric, project_id, scope, pd.DatetimeIndex(days)) if len(days) else []
    before = metric_percent(history, metric, project_id, scope, pd.DatetimeIndex([first]))[0]
    return {"days": [_ordinal(d) for d in days], "values": [float(v) for v in values], "before": float(before),
            "size": float(scope_size(history, metric, project_id, scope))}


def _projects(prepared: PreparedData) -> list[dict]:
    """Each project's area to recover and its handed-over area (m², %) on each day it can change."""
    parcels, history = prepared.parcels, prepared.history
    area = pd.to_numeric(parcels["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    groups = parcels[["project_id", "commune"]].groupby(["project_id", "commune"], dropna=False, sort=True)
    codes, index = groups.ngroup().to_numpy(), groups.size().index
    group_area = np.bincount(codes, weights=area, minlength=len(index))
    by_project = parcels[["project_id"]].groupby("project_id", dropna=False, sort=True)
    project_area = dict(zip(by_project.size().index, np.bincount(by_project.ngroup().to_numpy(), weights=area,
                                                                 minlength=by_project.ngroups)))
    changes = history.changes
    out = []
    names = pd.DataFrame(prepared.projects)[["project_id", "name"]].drop_duplicates("project_id")
    for pid, name in zip(names["project_id"], names["name"]):
        entry = {"project_id": _plain(pid), "name": _plain(name), "area_to_recover_m2": 0.0, "days": [],
                 "handed": [], "percent": [], "before": [0.0, math.nan]}
        gidx = [i for i, key in enumerate(index) if key[0] == pid]
        if gidx:
            entry.update(_project_steps(pid, gidx, index, codes, area, group_area, float(project_area[pid]),
                                        changes, history.reports))
        out.append(entry)
    return out


def _project_steps(pid, gidx: list[int], index, codes: np.ndarray, area: np.ndarray, group_area: np.ndarray,
                   to_recover: float, changes: pd.DataFrame, reports: pd.DataFrame) -> dict:
    """Handed-over m² and % of one project on each day it can change (module docstring)."""
    rows = np.flatnonzero(np.isin(codes, gidx))
    local = np.searchsorted(np.asarray(gidx), codes[rows])
    communes = [index[i][1] for i in gidx]
    in_project = np.zeros(len(codes), dtype=bool)
    in_project[rows] = True
    pidx = changes["pidx"].to_numpy(dtype="int64")
    d_handed = changes["d_handed"].to_numpy(dtype="int64")
    sel = in_project[pidx] & (d_handed != 0)
    ch_dates = changes["date"].to_numpy(dtype="datetime64[ns]")[sel]
    order = np.argsort(ch_dates, kind="stable")
    ch_dates, ch_pidx, ch_d = ch_dates[order], pidx[sel][order], d_handed[sel][order]
    mine = reports[reports["project_id"] == pid]
    r_dates = mine["event_date"].to_numpy(dtype="datetime64[ns]")
    days = np.union1d(ch_dates, r_dates)
    handed = np.zeros(len(codes), dtype="int64")

    def at(day: np.datetime64) -> tuple[float, float]:
        weights = np.where(handed[rows] > 0, area[rows], 0.0)
        parcel_area = np.bincount(local, weights=weights, minlength=len(gidx))
        upto = mine.iloc[:int(np.searchsorted(r_dates, day, side="right"))]
        combined = combine_project(communes, parcel_area[:, None], group_area[gidx], upto,
                                   np.array([day], dtype="datetime64[ns]"))
        total = float(combined["project_handed_over_m2"][0])
        return total, float(percent_of([total], [to_recover])[0])

    first = days[0] - _ONE_DAY if len(days) else np.datetime64("2000-01-01", "ns")
    before = at(first)
    steps, start = [], 0
    for day in days:
        end = int(np.searchsorted(ch_dates, day, side="right"))
        np.add.at(handed, ch_pidx[start:end], ch_d[start:end])
        start = end
        steps.append(at(day))
    return {"area_to_recover_m2": to_recover, "days": [_ordinal(d) for d in days],
            "handed": [s[0] for s in steps], "percent": [s[1] for s in steps], "before": list(before)}


def _ordinal(day: np.datetime64) -> int:
    return pd.Timestamp(day).date().toordinal()


def _plain(value):
    """A JSON-ready scalar: numpy → Python, NaN/NA → None (as ``commands.status.json_value`` shows them)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
