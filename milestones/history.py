"""Progress of any scope at any date up to an as-of date (milestone status, S-curve, forecasts).

:class:`ProgressHistory` keeps, per parcel, the days its state changed ("handed over", "paid or
beyond"), so a metric over many dates costs one search per date instead of a recomputation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain.stage_history import running_stage
from domain.stages import HANDED_OVER_RANK, PAID_RANK
from milestones.aggregates import aggregate_reports, combine_steps, latest_at, latest_values, percent_of, report_steps
from milestones.events import parcel_events, parcel_frame, to_timestamp
from milestones.scope import is_project_scope, resolve_scope
from parsing.text import fold_vi


def day_stamps(dates) -> np.ndarray:
    """``dates`` (dates, Timestamps, strings or datetime64 values) as midnight ``datetime64[ns]`` values, NaT
    kept: ``pd.to_datetime(...).normalize()``. A datetime64 array, what the callers inside pass from one
    step to the next, is floored to the day by numpy (the same values, without pandas' per-call cost)."""
    if isinstance(dates, np.ndarray) and dates.dtype.kind == "M":
        return dates.astype("datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(dates))).normalize().astype("datetime64[ns]").to_numpy()


@dataclass
class ProgressHistory:
    """Everything needed to evaluate progress of any scope at any date up to ``as_of``.

    Build it with :meth:`ProgressHistory.build`; evaluate with :meth:`percent`.

    Attributes
    ----------
    parcels : DataFrame
        :func:`parcel_frame` of the parcels (row position = ``pidx``).
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
              events_by_parcel: pd.DataFrame | None = None, reports: pd.DataFrame | None = None) -> ProgressHistory:
        """Prepare the per-day state changes of every parcel from the ledger up to ``as_of``.

        ``events_by_parcel`` (:func:`parcel_events`) and ``reports`` (:func:`aggregate_reports`)
        may be passed when the caller already computed them for the same inputs.
        """
        ts = to_timestamp(as_of)
        pe = parcel_events(parcels, events, ts) if events_by_parcel is None else events_by_parcel
        st = pe[pe["rank"] >= 1]
        changes = pd.DataFrame(columns=["pidx", "date", "d_handed", "d_paid"])
        if len(st):
            pidx = st["pidx"].to_numpy()
            running = running_stage(pidx, st["rank"].to_numpy(), st["is_correction"].to_numpy(dtype=bool))
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
        return cls(parcel_frame(parcels), changes, reports, ts)

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

    def areapercent_of(self, project_id: str, scope: str | None, dates) -> np.ndarray:
        """% of area handed over (parcels and aggregates combined) of the scope at each date."""
        dates = day_stamps(dates)
        level, name = self.scope_level(project_id, scope)
        area = self.parcels["area_to_recover_m2"].to_numpy()
        if level == "former":
            reports = self.reports[self.reports["project_id"] == project_id]
            mask = self.scope_mask(project_id, scope)
            key = ("former_steps", project_id, name)
            if key not in self._cache:
                self._cache[key] = self._steps(self.changes[mask[self.changes["pidx"].to_numpy(dtype="int64")]], area)
            parcel_area = latest_at(*self._cache[key], dates)
            rep = reports[(reports["level"] == "former") & (reports["commune_former"] == name)]
            total = area[mask].sum()
            handed = np.minimum(np.fmax(parcel_area, latest_values(rep, dates)), total)
            return percent_of(handed, np.full(len(dates), total))
        # Parcel area per commune at each date, then the same combination as the progress tables.
        names, to_recover, steps = self._project_steps(project_id)
        if not names:
            return np.full(len(dates), np.nan)
        parcel_area = np.vstack([latest_at(d, cum, dates) for d, cum in steps])
        out = combine_steps(self._report_steps(project_id, names), parcel_area, to_recover, dates)
        if level == "commune":
            i = names.index(name)
            return percent_of(out["commune_handed_over_m2"][i], np.full(len(dates), to_recover[i]))
        return percent_of(out["project_handed_over_m2"], np.full(len(dates), out["project_to_recover_m2"]))

    def first_change_day(self, project_id: str) -> np.datetime64 | None:
        """The earliest day (datetime64[ns]) a parcel of ``project_id`` changed state in ``changes`` (handed
        over or paid, or back), None without one; all projects at once on first use, then cached."""
        if "first_change_days" not in self._cache:
            firsts: dict = {}
            if len(self.changes):
                codes, names = pd.factorize(self.parcels["project_id"])
                ch_codes = codes[self.changes["pidx"].to_numpy(dtype="int64")]
                days = pd.Series(self.changes["date"].to_numpy(dtype="datetime64[ns]"))
                found = ch_codes >= 0
                for code, day in days[found].groupby(ch_codes[found]).min().items():
                    firsts[names[code]] = day.to_datetime64()
            self._cache["first_change_days"] = firsts
        return self._cache["first_change_days"].get(project_id)

    def has_parcels(self, project_id: str) -> bool:
        """Whether some parcel belongs to ``project_id`` (the projects' set made once, cached)."""
        if "project_ids" not in self._cache:
            self._cache["project_ids"] = frozenset(pd.unique(self.parcels["project_id"].dropna()))
        return project_id in self._cache["project_ids"]

    def _report_steps(self, project_id: str, names: list):
        """The project's aggregate reports as :class:`milestones.aggregates.ReportSteps` over its communes
        (``combine_project``'s split, made once per project); cached."""
        key = ("report_steps", project_id)
        if key not in self._cache:
            self._cache[key] = report_steps(names, self.reports[self.reports["project_id"] == project_id])
        return self._cache[key]

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
    def _steps(changes: pd.DataFrame, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(change dates, cumulative m² handed over) of ``changes``, in date order."""
        ch = changes.sort_values("date")
        step = np.cumsum(ch["d_handed"].to_numpy() * area[ch["pidx"].to_numpy()]) if len(ch) else np.zeros(0)
        return ch["date"].to_numpy(dtype="datetime64[ns]"), step

    def households_paidpercent_of(self, project_id: str, scope: str | None, dates) -> np.ndarray:
        """% of households (least advanced parcel rule) paid or beyond, in the scope at each date."""
        dates = day_stamps(dates)
        key = ("households_steps", project_id, None if is_project_scope(scope) else fold_vi(scope))
        if key not in self._cache:
            self._cache[key] = self._household_steps(project_id, scope)
        n_hh, change_days, step = self._cache[key]
        if n_hh == 0:
            return np.full(len(dates), np.nan)
        if change_days is None:
            return np.zeros(len(dates))
        pos = np.searchsorted(change_days, dates, side="right")
        paid_hh = np.where(pos > 0, step[np.maximum(pos - 1, 0)], 0)
        return 100.0 * paid_hh / n_hh

    def _household_steps(self, project_id: str, scope) -> tuple[int, np.ndarray | None, np.ndarray | None]:
        """(households in the scope, days the paid count changed, paid count from that day): the whole
        ledger of this history at once, so that each date is one ``searchsorted``."""
        mask = self.scope_mask(project_id, scope)
        sub = self.parcels[mask]
        if sub.empty:
            return 0, None, None
        hh_codes, hh_index = pd.factorize(sub["household_code"])
        n_hh = len(hh_index)
        parcels_per_hh = np.bincount(hh_codes, minlength=n_hh)
        code_of = pd.Series(hh_codes, index=np.flatnonzero(mask))
        ch = self.changes[self.changes["pidx"].isin(code_of.index) & (self.changes["d_paid"] != 0)]
        if ch.empty:
            return n_hh, None, None
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
            return n_hh, None, None
        return n_hh, d.index.to_numpy(dtype="datetime64[ns]"), np.cumsum(d.to_numpy())

    def percent(self, metric: str, project_id: str, scope: str | None, dates) -> np.ndarray:
        """Value of ``metric`` (``percent_area_handed_over`` | ``percent_households_paid``) at ``dates``.

        Raises
        ------
        ValueError
            Unknown metric or scope (Vietnamese message).
        """
        unique, inverse = np.unique(day_stamps(dates), return_inverse=True)
        if metric == "percent_area_handed_over":
            return self.areapercent_of(project_id, scope, unique)[inverse]
        if metric == "percent_households_paid":
            return self.households_paidpercent_of(project_id, scope, unique)[inverse]
        raise ValueError(f"Chỉ tiêu {metric!r} không hợp lệ: cần percent_area_handed_over hoặc percent_households_paid")


class HistoryAt:
    """A :class:`ProgressHistory` of the whole ledger seen at ``as_of``: what the history built up to
    ``as_of`` gives, reusing the full history's cached step functions (one per scope, made once per data
    version).

    The identity it rests on: a metric at a date ``d`` from the events up to ``as_of`` equals the metric
    at ``min(d, as_of)`` from all events, because nothing after ``as_of`` is counted and every step
    function is cumulative in date order. ``changes`` and ``reports`` are the rows up to ``as_of`` (sliced
    on first use).
    """

    def __init__(self, full: ProgressHistory, as_of: date):
        self.full = full
        self.as_of = to_timestamp(as_of)
        self.parcels = full.parcels
        self._sliced: dict[str, pd.DataFrame] = {}

    def _upto(self, name: str, column: str) -> pd.DataFrame:
        if name not in self._sliced:
            frame = getattr(self.full, name)
            self._sliced[name] = frame if frame.empty else frame[frame[column] <= self.as_of].reset_index(drop=True)
        return self._sliced[name]

    @property
    def changes(self) -> pd.DataFrame:
        return self._upto("changes", "date")

    @property
    def reports(self) -> pd.DataFrame:
        return self._upto("reports", "event_date")

    def scope_mask(self, project_id: str, scope: str | None = None) -> np.ndarray:
        return self.full.scope_mask(project_id, scope)

    def scope_level(self, project_id: str, scope: str | None) -> tuple[str, str | None]:
        return self.full.scope_level(project_id, scope)

    def first_change_day(self, project_id: str) -> np.datetime64 | None:
        """:meth:`ProgressHistory.first_change_day` among the changes up to ``as_of``: the whole ledger's
        first day when it is on or before ``as_of``, else none."""
        day = self.full.first_change_day(project_id)
        return day if day is not None and day <= self.as_of.to_datetime64() else None

    def has_parcels(self, project_id: str) -> bool:
        return self.full.has_parcels(project_id)

    def percent(self, metric: str, project_id: str, scope: str | None, dates) -> np.ndarray:
        """:meth:`ProgressHistory.percent` of the history up to ``as_of``."""
        clipped = np.minimum(day_stamps(dates), self.as_of.to_datetime64().astype("datetime64[ns]"))
        return self.full.percent(metric, project_id, scope, clipped)
