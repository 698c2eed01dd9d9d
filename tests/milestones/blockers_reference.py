"""What stands between each milestone and its target: the blocking set, ranked.

The rule
--------
For every milestone whose target is not reached at the as-of date (``actual_percent < target``):

1. **Shortfall**: what is still needed, in the milestone's unit (:data:`domain.blockers.SHORTFALL_UNITS`):
   m² for ``percent_area_handed_over`` (``shortfall_m2`` of :func:`milestones.status.milestone_status`),
   households for ``percent_households_paid``, sites for ``percent_sites_handed_over``.
2. **Candidates**: the units of the scope not yet counted: parcels below ``handed_over`` (area), households
   with a parcel below ``paid``, sites with a parcel below ``handed_over``. A household or site takes the
   stage of its least advanced parcel, the longest expected time and every obstacle of its lagging parcels.
3. **Ranking**, by (a) readiness: the stage, most advanced first (paid → approved → plan posted →
   inventory → notice → not started); (b) expected days to handover: for the current stage and each later
   one, max(legal minimum, the project's observed median duration of that stage) — the current stage less
   the days already spent in it — plus ``obstacle_delay_days`` for each obstacle (open complaint,
   compulsory inventory, enforcement, payment overdue); (c) the larger area first; (d) the unit id.
   Legal minimums are the ``earliest`` clocks of :mod:`milestones.clocks` (notice 90/180 days, Land Law
   2024 art. 85(1); plan posting 30 days, art. 87); a stage the project has never completed takes
   ``stage_limits_days`` of ``rules.yaml``.
4. **Blocking set**: the shortest prefix of the ranking whose cumulative size (m², or units) covers the
   shortfall (``covers_shortfall`` is False when even every candidate does not, e.g. when aggregate
   reports and parcels disagree).

Each entry has its next action, the responsible body and the legal deadline of that action
(:func:`milestones.clocks.next_deadlines`), days overdue and the obstacle codes.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.blockers import DEFAULT_RESPONSIBLE, NEXT_ACTION_BY_STAGE, OBSTACLES, SHORTFALL_UNITS
from domain.stages import HANDED_OVER_RANK, PAID_RANK, STAGES
from milestones.clocks import clock_chains, clock_days, next_deadlines
from milestones.events import household_codes, to_timestamp
from milestones.procedure_plan import next_stage_plan, stage_plan
from milestones.rules import is_agricultural, resolve_rules
from milestones.scope import resolve_scope
from milestones.sites import site_keys

#: Columns of :func:`blocking_sets` (``Snapshot.blockers``), one row per milestone × unit, in rank order.
BLOCKER_COLUMNS: tuple[str, ...] = (
    "milestone_id", "project_id", "rank", "unit", "unit_id", "parcel_id", "parcel_ids", "commune",
    "commune_former", "chainage_m", "area_to_recover_m2", "stage", "expected_days", "next_action",
    "responsible", "next_deadline", "days_overdue", "planned_date", "days_behind_plan", "obstacles",
    "cumulative_area_m2", "cumulative_units",
)

#: Columns of :func:`blocking_summary`.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "milestone_id", "project_id", "status", "unit", "shortfall", "shortfall_m2", "blocking_units",
    "blocking_area_m2", "covers_shortfall",
)

_NEEDED_RANK = {"percent_area_handed_over": HANDED_OVER_RANK, "percent_households_paid": PAID_RANK,
                "percent_sites_handed_over": HANDED_OVER_RANK}


def observed_stage_days(parcels: pd.DataFrame, by_parcel: pd.DataFrame) -> pd.DataFrame:
    """The project's own median duration of each stage, from parcels that left it.

    Parameters
    ----------
    parcels : DataFrame
        ``project_id`` per parcel (row position = ``pidx``).
    by_parcel : DataFrame
        :func:`milestones.events.parcel_events` up to the as-of date (``pidx``, ``event_date``, ``rank``,
        ``is_correction``).

    Returns
    -------
    DataFrame
        ``project_id``, ``stage`` (code), ``median_days`` (float), ``parcels`` (how many left that stage):
        duration = first day of the next stage reached − first day of the stage (corrections left out).
    """
    ev = by_parcel[(by_parcel["rank"] >= 1) & ~by_parcel["is_correction"].astype(bool)]
    first = ev.groupby(["pidx", "rank"], as_index=False)["event_date"].min().sort_values(["pidx", "rank"])
    same = first["pidx"].shift(-1) == first["pidx"]
    days = (first["event_date"].shift(-1) - first["event_date"]).dt.days
    done = first.assign(days=days)[same & (days >= 0)]
    done = done.assign(project_id=pd.Series(parcels["project_id"]).to_numpy()[done["pidx"].to_numpy(dtype="int64")],
                       stage=np.asarray(STAGES, dtype=object)[done["rank"].to_numpy(dtype="int64")])
    out = done.groupby(["project_id", "stage"], as_index=False).agg(median_days=("days", "median"),
                                                                   parcels=("days", "size"))
    return out[["project_id", "stage", "median_days", "parcels"]]


def expected_days_to_handover(state: pd.DataFrame, observed: pd.DataFrame, as_of: date,
                              rules: Mapping[str, Any] | None = None) -> np.ndarray:
    """Expected days from ``as_of`` to handover per parcel, before obstacles (rule 3(b) of the module).

    Parameters
    ----------
    state : DataFrame
        :func:`milestones.parcel_state.parcel_stages` (``project_id``, ``land_use``, ``stage_rank``,
        ``stage_date``).
    observed : DataFrame
        :func:`observed_stage_days`.
    letter_parcels : frozenset of str, optional
        Parcels named by a letter open at ``as_of`` (:func:`milestones.complaints.open_letter_parcels`):
        the obstacle ``complaint_open``.

    Returns
    -------
    ndarray of float
        Days (0 for handed-over parcels).
    """
    r = resolve_rules(rules)
    ts = to_timestamp(as_of)
    minimum = _legal_minimums(r)
    rank = state["stage_rank"].to_numpy(dtype="int64")
    spent = (ts - pd.to_datetime(state["stage_date"])).dt.days.fillna(0).to_numpy(dtype=float)
    agri = is_agricultural(state.get("land_use", [None] * len(state)))
    projects = state["project_id"].to_numpy(dtype=object)
    observed_days = observed.pivot_table(index="project_id", columns="stage", values="median_days", aggfunc="first") \
        if len(observed) else pd.DataFrame()
    out = np.zeros(len(state))
    for k, stage in enumerate(STAGES[:HANDED_OVER_RANK]):
        legal = np.where(agri, minimum[stage][0], minimum[stage][1])
        default = np.where(agri, *(_default_days(r, stage)))
        seen = (observed_days[stage].reindex(projects).to_numpy(dtype=float) if stage in observed_days.columns
                else np.full(len(projects), np.nan))
        duration = np.fmax(legal, np.where(np.isnan(seen), default, seen))
        out += np.where(rank == k, np.maximum(0.0, duration - spent), np.where(rank < k, duration, 0.0))
    return out


def _legal_minimums(rules: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Per stage, (agricultural, non-agricultural) sum of its ``earliest`` clocks (a minimum period)."""
    chains = clock_chains(rules)
    out = {}
    for stage in STAGES[:HANDED_OVER_RANK]:
        earliest = [c for _, c in chains.get(stage, []) if c.get("kind") == "earliest"]
        out[stage] = (float(sum(clock_days(c, "LUC") for c in earliest)),
                      float(sum(clock_days(c, "ODT") for c in earliest)))
    return out


def _default_days(rules: Mapping[str, Any], stage: str) -> tuple[float, float]:
    """(agricultural, non-agricultural) days of a stage never completed in the project: ``stage_limits_days``."""
    limits = rules["stage_limits_days"]
    if stage == "notice":
        return float(limits["notice_agricultural"]), float(limits["notice_non_agricultural"])
    days = float(limits.get(stage, 0.0))
    return days, days


def parcel_obstacles(state: pd.DataFrame, clocks: pd.DataFrame,
                     letter_parcels: frozenset[str] = frozenset()) -> list[list[str]]:
    """Obstacle codes of each parcel (:data:`domain.blockers.OBSTACLES`): open complaint (a ``complaint``
    event not yet resolved, or a letter of the complaints register open at the as-of date naming the parcel:
    ``letter_parcels``, :func:`milestones.complaints.open_letter_parcels`), compulsory inventory,
    enforcement, and payment overdue (``approved`` past its payment clock, Land Law 2024 art. 94(1))."""
    overdue = set(clocks.loc[(clocks["action"] == "pay_compensation") & (clocks["days_overdue"] > 0), "parcel_id"])
    flags = {
        "complaint_open": (state["complaint_open"].to_numpy(dtype=bool)
                           | state["parcel_id"].isin(letter_parcels).to_numpy(dtype=bool)),
        "compulsory_inventory": state["compulsory_inventory"].to_numpy(dtype=bool),
        "enforced": state["enforced"].to_numpy(dtype=bool),
        "payment_overdue": state["parcel_id"].isin(overdue).to_numpy(dtype=bool),
    }
    # Few distinct combinations: build each list once (bit pattern → codes), then copy it per parcel.
    bits = sum(flags[c].astype("int64") << i for i, c in enumerate(OBSTACLES)) if len(state) else np.zeros(0, "int64")
    patterns, inverse = np.unique(np.asarray(bits, dtype="int64"), return_inverse=True)
    codes_of = [[c for i, c in enumerate(OBSTACLES) if int(p) >> i & 1] for p in patterns]
    return [list(codes_of[i]) for i in inverse.ravel()]


def rank_candidates(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates in blocking order: ``stage_rank`` descending, ``expected_days`` ascending (obstacles
    included), ``area_to_recover_m2`` descending, ``unit_id`` ascending; ``rank`` 1, 2, … added."""
    ordered = candidates.sort_values(["stage_rank", "expected_days", "area_to_recover_m2", "unit_id"],
                                     ascending=[False, True, False, True], kind="stable").reset_index(drop=True)
    return ordered.assign(rank=np.arange(1, len(ordered) + 1))


def minimal_prefix(sizes: np.ndarray, shortfall: float) -> int:
    """Length of the shortest prefix of ``sizes`` whose sum covers ``shortfall`` (all of them if none does)."""
    if shortfall <= 1e-9:
        return 0
    cumulative = np.cumsum(np.asarray(sizes, dtype=float))
    covered = np.flatnonzero(cumulative >= shortfall - 1e-6)
    return int(covered[0]) + 1 if len(covered) else len(cumulative)


def blocking_sets(state: pd.DataFrame, milestones: pd.DataFrame, clocks: pd.DataFrame, observed: pd.DataFrame,
                  as_of: date, rules: Mapping[str, Any] | None = None,
                  letter_parcels: frozenset[str] = frozenset(), plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """The blocking set of every milestone not reached at ``as_of`` (rule in the module docstring).

    Parameters
    ----------
    state : DataFrame
        :func:`milestones.parcel_state.parcel_stages` at ``as_of``.
    milestones : DataFrame
        :func:`milestones.status.milestone_status` at ``as_of`` (``shortfall_m2``, ``shortfall_count``).
    clocks : DataFrame
        :func:`milestones.clocks.parcel_clocks` at ``as_of``.
    observed : DataFrame
        :func:`observed_stage_days`.

    Returns
    -------
    DataFrame
        :data:`BLOCKER_COLUMNS`: per milestone, its blocking units in rank order; ``unit`` is ``parcel``,
        ``household`` or ``site``; ``parcel_id`` the unit's least advanced parcel and ``parcel_ids`` all
        its lagging parcels; ``area_to_recover_m2`` (m²) of those parcels; ``stage`` its stage code;
        ``next_deadline`` a date or None; ``obstacles`` a list of codes; ``cumulative_area_m2`` and
        ``cumulative_units`` running totals. ``result.attrs["summary"]`` is :func:`blocking_summary`.
    """
    r = resolve_rules(rules)
    parcels = _parcel_candidates(state, clocks, observed, as_of, r, letter_parcels, plan)
    frames, summary = [], []
    for ms in milestones.to_dict("records"):
        if not float(ms["actual_percent"]) < float(ms["target_percent"]) - 1e-9:
            continue
        try:
            mask = resolve_scope(state, ms["project_id"], ms.get("scope"))[2]
        except ValueError:
            continue
        ranked, shortfall = _ranked_units(parcels[mask], ms)
        count = minimal_prefix(ranked["area_to_recover_m2"] if SHORTFALL_UNITS[ms["metric"]] == "m2"
                               else np.ones(len(ranked)), shortfall)
        chosen = ranked.head(count).assign(milestone_id=ms["milestone_id"], project_id=ms["project_id"])
        frames.append(chosen)
        summary.append(_summary_row(ms, chosen, shortfall, _covers(chosen, ms, shortfall)))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(BLOCKER_COLUMNS))
    out = out[list(BLOCKER_COLUMNS)] if len(out) else pd.DataFrame(columns=list(BLOCKER_COLUMNS))
    out.attrs["summary"] = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS))
    return out


def _parcel_candidates(state: pd.DataFrame, clocks: pd.DataFrame, observed: pd.DataFrame, as_of: date,
                       rules: Mapping[str, Any], letter_parcels: frozenset[str] = frozenset(),
                       plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every parcel with its ranking keys, next action, deadline, plan and obstacles (row order of ``state``)."""
    obstacles = parcel_obstacles(state, clocks, letter_parcels)
    delay = rules["obstacle_delay_days"]
    ahead = next_stage_plan(state["project_id"].to_numpy(), state["stage"].to_numpy(),
                            plan if plan is not None else stage_plan(None), as_of)
    expected = expected_days_to_handover(state, observed, as_of, rules)
    expected += np.array([sum(float(delay.get(o, 0)) for o in obs) for obs in obstacles])
    expected += ahead["days_behind_plan"].to_numpy(dtype=float)
    responsible = {**DEFAULT_RESPONSIBLE, **(rules.get("responsible") or {})}
    action = state["stage"].map(NEXT_ACTION_BY_STAGE)
    body = action.map(responsible).to_numpy(dtype=object)
    lead = ahead["lead_body"].to_numpy()
    frame = pd.DataFrame({
        "parcel_id": state["parcel_id"].to_numpy(), "commune": state["commune"].to_numpy(),
        "commune_former": state.get("commune_former", state["commune"]).to_numpy(),
        "chainage_m": pd.to_numeric(state.get("chainage_m", np.nan), errors="coerce"),
        "household_code": household_codes(state.reset_index(drop=True)),
        "household_id": state.get("household_id", pd.Series([None] * len(state))).to_numpy(),
        "site_id": site_keys(state),
        "area_to_recover_m2": pd.to_numeric(state["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(),
        "stage": state["stage"].to_numpy(), "stage_rank": state["stage_rank"].to_numpy(dtype="int64"),
        "expected_days": expected, "obstacles": obstacles, "next_action": action.to_numpy(),
        "responsible": np.where(pd.notna(lead), lead, body),
        "planned_date": ahead["planned_date"].to_numpy(), "days_behind_plan": ahead["days_behind_plan"].to_numpy(),
    })
    deadlines = next_deadlines(clocks).set_index("parcel_id")
    frame["next_deadline"] = frame["parcel_id"].map(deadlines["next_deadline"])
    frame["days_overdue"] = frame["parcel_id"].map(deadlines["days_overdue"]).fillna(0).astype("int64")
    frame["next_deadline"] = frame["next_deadline"].astype(object).where(frame["next_deadline"].notna(), None)
    return frame


def _ranked_units(parcels: pd.DataFrame, ms: Mapping[str, Any]) -> tuple[pd.DataFrame, float]:
    """The scope's candidate units in rank order, and the shortfall in the milestone's unit."""
    metric = ms["metric"]
    lagging = parcels[parcels["stage_rank"] < _NEEDED_RANK[metric]]
    if metric == "percent_area_handed_over":
        units = lagging.assign(unit="parcel", unit_id=lagging["parcel_id"],
                               parcel_ids=[[p] for p in lagging["parcel_id"]])
        shortfall = float(ms["shortfall_m2"])
    else:
        key = "household_code" if metric == "percent_households_paid" else "site_id"
        units = _group_units(lagging, key, "household" if key == "household_code" else "site")
        shortfall = float(ms["shortfall_count"])
    ranked = rank_candidates(units)
    return ranked.assign(cumulative_area_m2=ranked["area_to_recover_m2"].cumsum(),
                         cumulative_units=np.arange(1, len(ranked) + 1)), shortfall


def _group_units(lagging: pd.DataFrame, key: str, unit: str) -> pd.DataFrame:
    """Households or sites from their lagging parcels: least advanced stage, longest wait, all obstacles.

    Each unit's row is its first parcel in (stage rank ascending, expected days descending) order; its
    ``parcel_ids`` all its lagging parcels in that order, its area their sum, its expected days their
    maximum, its obstacles the union in :data:`OBSTACLES` order. Parcels without a key are left out.
    """
    ordered = lagging.sort_values(["stage_rank", "expected_days"], ascending=[True, False])
    ordered = ordered[ordered[key].notna()]
    columns = [*lagging.columns, "unit", "unit_id", "parcel_ids"]
    if ordered.empty:
        return pd.DataFrame(columns=columns)
    codes, uniques = pd.factorize(ordered[key], sort=False)      # group number in order of first parcel
    first = ordered.drop_duplicates(key, keep="first").set_index(key, drop=False)
    hh = first["household_id"]
    # A parcel without household_id is a household of its own: named by the parcel.
    named = hh.map(lambda v: isinstance(v, str) and bool(v.strip()))
    unit_id = (hh.where(named, first["parcel_id"]) if unit == "household" else first["site_id"]).astype(str)
    n = len(uniques)
    area = np.bincount(codes, weights=ordered["area_to_recover_m2"].to_numpy(dtype=float), minlength=n)
    expected = np.full(n, -np.inf)
    np.maximum.at(expected, codes, ordered["expected_days"].to_numpy(dtype=float))
    found = pd.DataFrame({"g": codes, "o": ordered["obstacles"].to_numpy()}).explode("o").dropna()
    held = np.zeros((n, len(OBSTACLES)), dtype=bool)
    index = {o: i for i, o in enumerate(OBSTACLES)}
    found = found[found["o"].isin(index)]
    held[found["g"].to_numpy(dtype=np.int64), found["o"].map(index).to_numpy(dtype=np.int64)] = True
    out = first.assign(
        unit=unit, unit_id=unit_id, parcel_ids=_lists_by_group(codes, ordered["parcel_id"].to_numpy(), n),
        area_to_recover_m2=area, expected_days=expected,
        obstacles=[[OBSTACLES[j] for j in np.flatnonzero(row)] for row in held])
    return out.reset_index(drop=True)[columns]


def _lists_by_group(codes: np.ndarray, values: np.ndarray, n: int) -> list[list]:
    """``values`` gathered into one list per group ``0 … n-1``, their order kept within each group."""
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(1, n))
    return [list(chunk) for chunk in np.split(values[order], bounds)]


def _covers(chosen: pd.DataFrame, ms: Mapping[str, Any], shortfall: float) -> bool:
    size = chosen["area_to_recover_m2"].sum() if SHORTFALL_UNITS[ms["metric"]] == "m2" else len(chosen)
    return bool(size >= shortfall - 1e-6)


def _summary_row(ms: Mapping[str, Any], chosen: pd.DataFrame, shortfall: float, covers: bool) -> dict:
    return {"milestone_id": ms["milestone_id"], "project_id": ms["project_id"], "status": ms["status"],
            "unit": SHORTFALL_UNITS[ms["metric"]], "shortfall": shortfall, "shortfall_m2": ms.get("shortfall_m2"),
            "blocking_units": len(chosen), "blocking_area_m2": float(chosen["area_to_recover_m2"].sum()),
            "covers_shortfall": covers}


def rank_order(stage_rank: np.ndarray, expected_days: np.ndarray, area_m2: np.ndarray,
               unit_codes: np.ndarray) -> np.ndarray:
    """``milestones.blockers.rank_order`` before issue 13's last round: the input position as an explicit
    last key (an ``arange``) to keep ties in input order."""
    n = len(stage_rank)
    return np.lexsort((np.arange(n), unit_codes, -np.asarray(area_m2, dtype=float),
                       np.asarray(expected_days, dtype=float), -np.asarray(stage_rank, dtype="int64")))
