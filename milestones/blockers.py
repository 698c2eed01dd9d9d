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
   compulsory inventory, enforcement, payment overdue), plus the **days behind plan** when the project has a
   procedure plan (:mod:`milestones.procedure_plan`) and the parcel is past the planned date of its next
   stage: the delay it has shown carries forward (a parcel 20 days behind its planned approval is expected
   20 days later than the durations alone say); (c) the larger area first; (d) the unit id.
   Legal minimums are the ``earliest`` clocks of :mod:`milestones.clocks` (notice 90/180 days, Land Law
   2024 art. 85(1); plan posting 30 days, art. 87); a stage the project has never completed takes
   ``stage_limits_days`` of ``rules.yaml``.
4. **Blocking set**: the shortest prefix of the ranking whose cumulative size (m², or units) covers the
   shortfall (``covers_shortfall`` is False when even every candidate does not, e.g. when aggregate
   reports and parcels disagree).

Each entry has its next action, the responsible body (the plan's lead body of its next stage when the project
has a plan, else the ``responsible`` table of ``rules.yaml``) and the legal deadline of that action
(:func:`milestones.clocks.next_deadlines`), days overdue, the plan's date of its next stage and the days
behind it, and the obstacle codes. Without a plan the ranking and every column but the two plan columns (None
and 0) are those of the durations alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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

#: ``NEXT_ACTION_BY_STAGE`` by stage rank (NaN where a stage has no next action, as ``Series.map`` gives).
_ACTION_OF_RANK = np.array([NEXT_ACTION_BY_STAGE.get(s, np.nan) for s in STAGES], dtype=object)

_NEEDED_RANK = {"percent_area_handed_over": HANDED_OVER_RANK, "percent_households_paid": PAID_RANK,
                "percent_sites_handed_over": HANDED_OVER_RANK}


@dataclass(frozen=True)
class ParcelKeys:
    """The parcels' keys the blocking sets look up, which do not depend on the as-of date (row order of the
    parcels table, = of every ``parcel_stages`` state made from it): built once per data version by
    :func:`parcel_keys` (``PreparedData.parcel_keys``) instead of once per date from the state's text columns.

    Attributes
    ----------
    parcel_id : ndarray of object
        The ids as Python strings.
    index : Index
        ``pd.Index(parcel_id)``: its hash table is made on first look-up and kept with it, for every date.
    id_codes : ndarray of int64
        Integer codes sorted as the ids (``pd.factorize(ids.astype(str), sort=True)``: the last ranking key).
    household_code : ndarray of int64
        :func:`milestones.events.household_codes`.
    household_id : ndarray of object
        The ``household_id`` column (None without one).
    site_id : ndarray of object
        :func:`milestones.sites.site_keys`.
    scopes : dict
        Cache of :func:`milestones.scope.resolve_scope` masks per (project, scope), filled on first use
        (only ever with values computed from these parcels, so concurrent readers may fill it).
    count_groups : dict
        Cache of the progress tables' groups (:class:`milestones.tables.CountGroups`) per key set, filled on
        first use by :mod:`milestones.tables` (same sharing rule).
    """

    parcel_id: np.ndarray
    index: pd.Index
    id_codes: np.ndarray
    household_code: np.ndarray
    household_id: np.ndarray
    site_id: np.ndarray
    scopes: dict = field(default_factory=dict, repr=False, compare=False)
    count_groups: dict = field(default_factory=dict, repr=False, compare=False)

    def matches(self, state: pd.DataFrame) -> bool:
        """Whether ``state`` has these parcels in this order (cheap check: count, first and last id)."""
        n = len(self.parcel_id)
        if len(state) != n:
            return False
        return n == 0 or (state["parcel_id"].iat[0] == self.parcel_id[0]
                          and state["parcel_id"].iat[n - 1] == self.parcel_id[n - 1])


def parcel_keys(parcels: pd.DataFrame) -> ParcelKeys:
    """The :class:`ParcelKeys` of a parcels table (or of a state made from it, same rows)."""
    parcels = parcels.reset_index(drop=True)
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    household = (parcels["household_id"].to_numpy(dtype=object) if "household_id" in parcels
                 else np.full(len(parcels), None, dtype=object))
    return ParcelKeys(parcel_id=ids, index=pd.Index(ids, dtype=object),
                      id_codes=pd.factorize(pd.Series(parcels["parcel_id"]).astype(str), sort=True)[0].astype("int64"),
                      household_code=household_codes(parcels), household_id=household, site_id=site_keys(parcels))


def stage_first_days(by_parcel: pd.DataFrame) -> pd.DataFrame:
    """First day each parcel reached each stage (corrections left out): ``pidx``, ``rank``, ``event_date``,
    sorted by (``pidx``, ``rank``).

    From :func:`milestones.events.parcel_events` over all dates it serves every as-of date: the first day
    among the events up to a date is the first day overall when that is on or before the date.
    """
    ev = by_parcel[(by_parcel["rank"] >= 1) & ~by_parcel["is_correction"].astype(bool)]
    return ev.groupby(["pidx", "rank"], as_index=False)["event_date"].min().sort_values(["pidx", "rank"])


def observed_stage_days(parcels: pd.DataFrame, by_parcel: pd.DataFrame | None,
                        first_days: pd.DataFrame | None = None, as_of: date | None = None) -> pd.DataFrame:
    """The project's own median duration of each stage, from parcels that left it.

    Parameters
    ----------
    parcels : DataFrame
        ``project_id`` per parcel (row position = ``pidx``).
    by_parcel : DataFrame
        :func:`milestones.events.parcel_events` up to the as-of date (``pidx``, ``event_date``, ``rank``,
        ``is_correction``); unused when ``first_days`` is given.
    first_days, as_of : optional
        :func:`stage_first_days` of the whole ledger (made once per data version) and the as-of date.

    Returns
    -------
    DataFrame
        ``project_id``, ``stage`` (code), ``median_days`` (float), ``parcels`` (how many left that stage):
        duration = first day of the next stage reached − first day of the stage (corrections left out).
    """
    if first_days is not None:
        first = first_days[first_days["event_date"] <= to_timestamp(as_of)]
    else:
        first = stage_first_days(by_parcel)
    fast = _observed_by_codes(parcels, first)
    if fast is not None:
        return fast
    same = first["pidx"].shift(-1) == first["pidx"]
    days = (first["event_date"].shift(-1) - first["event_date"]).dt.days
    done = first.assign(days=days)[same & (days >= 0)]
    done = done.assign(project_id=pd.Series(parcels["project_id"]).to_numpy()[done["pidx"].to_numpy(dtype="int64")],
                       stage=np.asarray(STAGES, dtype=object)[done["rank"].to_numpy(dtype="int64")])
    out = done.groupby(["project_id", "stage"], as_index=False).agg(median_days=("days", "median"),
                                                                   parcels=("days", "size"))
    return out[["project_id", "stage", "median_days", "parcels"]]


#: Stage codes in text order, and each stage rank's place in it: a group-by on integer codes in that order
#: sorts as the group-by on the codes themselves.
_STAGES_SORTED = np.array(sorted(STAGES), dtype=object)
_SORTED_POSITION_OF_RANK = np.array([sorted(STAGES).index(s) for s in STAGES], dtype="int64")


def _observed_by_codes(parcels: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame | None:
    """:func:`observed_stage_days`'s table from :func:`stage_first_days` rows, grouped on integer codes sorted
    as the project ids and stage codes (the text group-by's groups, order and values); None when there is
    no completed stage (the caller's text path then gives the empty table with its own dtypes)."""
    pidx = first["pidx"].to_numpy(dtype="int64")
    day = first["event_date"].to_numpy(dtype="datetime64[ns]")
    if len(pidx) < 2:
        return None
    same = (pidx[1:] == pidx[:-1]) & ~np.isnat(day[1:]) & ~np.isnat(day[:-1])
    days = np.where(same, (day[1:] - day[:-1]) // np.timedelta64(1, "D"), -1)
    left = np.flatnonzero(same & (days >= 0))              # row i: stage left for the next stage reached
    project_codes, projects = pd.factorize(pd.Series(parcels["project_id"]).to_numpy(dtype=object)[pidx[left]],
                                           sort=True)
    known = project_codes >= 0                             # the text group-by drops a missing project id
    left, project_codes = left[known], project_codes[known]
    if not len(left):
        return None
    stage_codes = _SORTED_POSITION_OF_RANK[first["rank"].to_numpy(dtype="int64")[left]]
    grouped = pd.DataFrame({"p": project_codes, "s": stage_codes, "days": days[left].astype(float)}).groupby(
        ["p", "s"]).agg(median_days=("days", "median"), parcels=("days", "size"))
    p, st = grouped.index.get_level_values(0).to_numpy(), grouped.index.get_level_values(1).to_numpy()
    return pd.DataFrame({"project_id": np.asarray(projects, dtype=object)[p], "stage": _STAGES_SORTED[st],
                         "median_days": grouped["median_days"].to_numpy(dtype=float),
                         "parcels": grouped["parcels"].to_numpy(dtype="int64")})


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
    project_codes, projects = pd.factorize(state["project_id"])
    project_codes = np.where(project_codes < 0, len(projects), project_codes)   # a missing project: no median
    observed_days = observed.pivot_table(index="project_id", columns="stage", values="median_days", aggfunc="first") \
        if len(observed) else pd.DataFrame()
    out = np.zeros(len(state))
    for k, stage in enumerate(STAGES[:HANDED_OVER_RANK]):
        legal = np.where(agri, minimum[stage][0], minimum[stage][1])
        default = np.where(agri, *(_default_days(r, stage)))
        seen = (np.r_[observed_days[stage].reindex(projects).to_numpy(dtype=float), np.nan][project_codes]
                if stage in observed_days.columns else np.full(len(state), np.nan))
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


def obstacle_bits(state: pd.DataFrame, clocks: pd.DataFrame,
                  letter_parcels: frozenset[str] = frozenset(), keys: ParcelKeys | None = None) -> np.ndarray:
    """Obstacles of each parcel as a bit pattern (bit ``i`` = ``OBSTACLES[i]``, rule of :func:`parcel_obstacles`).

    ``keys``: the :class:`ParcelKeys` of ``state``'s rows (made here when omitted).

    Returns
    -------
    ndarray of int64
        One pattern per row of ``state``.
    """
    overdue = clocks.loc[(clocks["action"] == "pay_compensation") & (clocks["days_overdue"] > 0), "parcel_id"]
    # hash look-ups, not per-value scalars; only the ids are needed (a state may have no commune or household)
    ids = keys.index if keys is not None else pd.Index(state["parcel_id"].to_numpy(dtype=object), dtype=object)
    flags = {
        "complaint_open": (state["complaint_open"].to_numpy(dtype=bool)
                           | (_rows_of(ids, list(letter_parcels)) if letter_parcels else np.zeros(len(state), dtype=bool))),
        "compulsory_inventory": state["compulsory_inventory"].to_numpy(dtype=bool),
        "enforced": state["enforced"].to_numpy(dtype=bool),
        "payment_overdue": (_rows_of(ids, overdue.to_numpy(dtype=object)) if len(overdue)
                            else np.zeros(len(state), dtype=bool)),
    }
    bits = np.zeros(len(state), dtype="int64")
    for i, code in enumerate(OBSTACLES):
        bits |= flags[code].astype("int64") << i
    return bits


def _rows_of(index: pd.Index, values) -> np.ndarray:
    """Boolean mask over ``index`` of the entries among ``values`` (``index.isin(values)``, ids unique):
    the look-up goes through the index's own hash table, kept with it from one date to the next."""
    if not index.is_unique:
        return index.isin(values)
    pos = index.get_indexer(pd.Index(values, dtype=object))
    out = np.zeros(len(index), dtype=bool)
    out[pos[pos >= 0]] = True
    return out


def obstacle_lists(bits: np.ndarray) -> list[list[str]]:
    """The obstacle codes (:data:`OBSTACLES` order) of each bit pattern of :func:`obstacle_bits`."""
    # Few distinct combinations: build each list once (bit pattern → codes) and give that one object to
    # every row with the pattern (read-only, like the rest of a snapshot).
    patterns, inverse = np.unique(np.asarray(bits, dtype="int64"), return_inverse=True)
    codes_of = np.empty(len(patterns), dtype=object)
    for k, p in enumerate(patterns):             # one by one: numpy would make equal-length lists a 2-D array
        codes_of[k] = [c for i, c in enumerate(OBSTACLES) if int(p) >> i & 1]
    return list(codes_of[inverse.ravel()])


def parcel_obstacles(state: pd.DataFrame, clocks: pd.DataFrame,
                     letter_parcels: frozenset[str] = frozenset()) -> list[list[str]]:
    """Obstacle codes of each parcel (:data:`domain.blockers.OBSTACLES`): open complaint (a ``complaint``
    event not yet resolved, or a letter of the complaints register open at the as-of date naming the parcel:
    ``letter_parcels``, :func:`milestones.complaints.open_letter_parcels`), compulsory inventory,
    enforcement, and payment overdue (``approved`` past its payment clock, Land Law 2024 art. 94(1))."""
    return obstacle_lists(obstacle_bits(state, clocks, letter_parcels))


def rank_candidates(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates in blocking order: ``stage_rank`` descending, ``expected_days`` ascending (obstacles
    included), ``area_to_recover_m2`` descending, ``unit_id`` ascending; ``rank`` 1, 2, … added."""
    ordered = candidates.sort_values(["stage_rank", "expected_days", "area_to_recover_m2", "unit_id"],
                                     ascending=[False, True, False, True], kind="stable").reset_index(drop=True)
    return ordered.assign(rank=np.arange(1, len(ordered) + 1))


def rank_order(stage_rank: np.ndarray, expected_days: np.ndarray, area_m2: np.ndarray,
               unit_codes: np.ndarray) -> np.ndarray:
    """Positions in the order of :func:`rank_candidates` (``unit_codes``: integer codes sorted as the unit
    ids); ties kept in input order, as the stable sort does (``np.lexsort`` is stable: no position key)."""
    return np.lexsort((unit_codes, -np.asarray(area_m2, dtype=float),
                       np.asarray(expected_days, dtype=float), -np.asarray(stage_rank, dtype="int64")))


def minimal_prefix(sizes: np.ndarray, shortfall: float) -> int:
    """Length of the shortest prefix of ``sizes`` whose sum covers ``shortfall`` (all of them if none does)."""
    if shortfall <= 1e-9:
        return 0
    cumulative = np.cumsum(np.asarray(sizes, dtype=float))
    return _covering_prefix(cumulative, shortfall)


def _covering_prefix(cumulative: np.ndarray, shortfall: float) -> int:
    """:func:`minimal_prefix` from the running sum: one ``searchsorted`` when it never decreases."""
    if shortfall <= 1e-9:
        return 0
    if len(cumulative) and not (np.diff(cumulative) >= 0).all():       # negative sizes: scan
        covered = np.flatnonzero(cumulative >= shortfall - 1e-6)
        return int(covered[0]) + 1 if len(covered) else len(cumulative)
    return min(int(np.searchsorted(cumulative, shortfall - 1e-6, side="left")) + 1, len(cumulative))


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
    plan : DataFrame, optional
        :func:`milestones.procedure_plan.stage_plan` (None or empty: no plan).

    Returns
    -------
    DataFrame
        :data:`BLOCKER_COLUMNS`: per milestone, its blocking units in rank order; ``unit`` is ``parcel``,
        ``household`` or ``site``; ``parcel_id`` the unit's least advanced parcel and ``parcel_ids`` all
        its lagging parcels; ``area_to_recover_m2`` (m²) of those parcels; ``stage`` its stage code;
        ``next_deadline`` a date or None; ``planned_date`` (date or None) and ``days_behind_plan`` (int) of the
        unit's next stage in the plan; ``obstacles`` a list of codes; ``cumulative_area_m2`` and
        ``cumulative_units`` running totals. ``result.attrs["summary"]`` is :func:`blocking_summary`.

    Notes
    -----
    Vectorised: the parcels are ranked once (a restriction of a total order is the order of the subset);
    households and sites are grouped per milestone with ``bincount``; the blocking set is one
    ``searchsorted`` on the running sum; list columns are built for the chosen rows only.
    """
    out, _ = blocking_sets_and_rows(state, milestones, clocks, observed, as_of, rules, letter_parcels, plan)
    return out


def blocking_sets_and_rows(state: pd.DataFrame, milestones: pd.DataFrame, clocks: pd.DataFrame,
                           observed: pd.DataFrame, as_of: date, rules: Mapping[str, Any] | None = None,
                           letter_parcels: frozenset[str] = frozenset(), plan: pd.DataFrame | None = None,
                           keys: ParcelKeys | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`blocking_sets` and, per milestone id, the row positions in ``state`` of every parcel of its
    blocking set (the ``parcel_ids`` of its rows as positions, int64, in no particular order): what the risk flags need,
    without looking the ids up again (:func:`milestones.risk.parcel_risk_flags` ``blocking_rows``).

    ``keys``: :func:`parcel_keys` of the parcels ``state`` was made from (the prepared path keeps them per
    data version); ignored, and made from ``state``, when they do not match its rows."""
    r = resolve_rules(rules)
    cand = _Candidates.build(state, clocks, observed, as_of, r, letter_parcels, plan, keys)
    out, member_rows = chosen_frame(cand, milestones, _joined_frame)
    return out, member_rows


def chosen_frame(cand: _Candidates, milestones: pd.DataFrame, frame_of) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The blocking rows of every milestone not reached, as one frame made by ``frame_of(cand, parts)``
    (:func:`_joined_frame`; the tests pass the one-frame-per-milestone reference), with its summary in
    ``attrs["summary"]``, and the member rows per milestone id."""
    parts, summary, member_rows = [], [], {}
    for ms in milestones.to_dict("records"):
        if not float(ms["actual_percent"]) < float(ms["target_percent"]) - 1e-9:
            continue
        try:
            mask = cand.scope_mask(ms["project_id"], ms.get("scope"))
        except ValueError:
            continue
        part, shortfall, size, rows = _chosen_units(cand, mask, ms)
        parts.append(part)
        member_rows[ms["milestone_id"]] = rows
        summary.append(_summary_row(ms, part, shortfall, bool(size >= shortfall - 1e-6)))
    out = frame_of(cand, parts)
    out.attrs["summary"] = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS))
    return out, member_rows


@dataclass
class _Candidates:
    """Every parcel's ranking keys and row values as arrays (row order of ``state``)."""

    state: pd.DataFrame
    parcel_id: np.ndarray
    keys: ParcelKeys
    stage_rank: np.ndarray
    area: np.ndarray
    expected: np.ndarray
    bits: np.ndarray
    household_code: np.ndarray
    site_id: np.ndarray
    next_deadline: np.ndarray
    days_overdue: np.ndarray
    responsible: dict
    columns: dict
    chainage_m: np.ndarray
    #: The procedure plan's next stage per parcel (:func:`milestones.procedure_plan.next_stage_plan`):
    #: lead body (None: the ``responsible`` table decides), planned date (None) and days behind it (int).
    lead_body: np.ndarray
    planned_date: np.ndarray
    days_behind_plan: np.ndarray
    _cache: dict = field(default_factory=dict)

    @classmethod
    def build(cls, state: pd.DataFrame, clocks: pd.DataFrame, observed: pd.DataFrame, as_of: date,
              rules: Mapping[str, Any], letter_parcels: frozenset[str],
              plan: pd.DataFrame | None = None, keys: ParcelKeys | None = None) -> _Candidates:
        state = state.reset_index(drop=True)
        if keys is None or not keys.matches(state):
            keys = parcel_keys(state)
        bits = obstacle_bits(state, clocks, letter_parcels, keys)
        delay = rules["obstacle_delay_days"]
        patterns, inverse = np.unique(bits, return_inverse=True)
        # Per pattern the same Python sum as per parcel: identical floats, computed once per pattern.
        extra = np.array([sum(float(delay.get(o, 0)) for i, o in enumerate(OBSTACLES) if int(p) >> i & 1)
                          for p in patterns], dtype=float)
        expected = expected_days_to_handover(state, observed, as_of, rules)
        expected += extra[inverse.ravel()] if len(state) else 0.0
        ahead = next_stage_plan(state["project_id"].to_numpy(), state["stage"].to_numpy(),
                                plan if plan is not None else stage_plan(None), as_of)
        behind = ahead["days_behind_plan"].to_numpy(dtype="int64")
        expected += behind                      # behind plan: the wait grows by the days already lost
        return cls(state=state, parcel_id=keys.parcel_id, keys=keys,
                   stage_rank=state["stage_rank"].to_numpy(dtype="int64"),
                   area=pd.to_numeric(state["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(dtype=float),
                   expected=expected, bits=bits, household_code=keys.household_code, site_id=keys.site_id,
                   **_deadlines_by_row(state, clocks, keys),
                   responsible={**DEFAULT_RESPONSIBLE, **(rules.get("responsible") or {})},
                   columns={"parcel_id": state["parcel_id"], "commune": state["commune"], "stage": state["stage"],
                            "commune_former": state.get("commune_former", state["commune"])},
                   chainage_m=pd.to_numeric(state.get("chainage_m", pd.Series(np.nan, index=state.index)),
                                            errors="coerce").to_numpy(dtype=float),
                   lead_body=ahead["lead_body"].to_numpy(dtype=object),
                   planned_date=ahead["planned_date"].to_numpy(dtype=object), days_behind_plan=behind)

    def scope_mask(self, project_id: str, scope) -> np.ndarray:
        """:func:`milestones.scope.resolve_scope` mask, once per scope and call."""
        key = (project_id, scope)
        if key not in self.keys.scopes:     # the parcels' scope, the same at every date: kept with the keys
            try:
                self.keys.scopes[key] = resolve_scope(self.state, project_id, scope)[2]
            except ValueError as error:
                self.keys.scopes[key] = error
        found = self.keys.scopes[key]
        if isinstance(found, ValueError):
            raise found
        return found

    def parcel_order(self) -> np.ndarray:
        """Every parcel in blocking order (computed once per call of :func:`blocking_sets`)."""
        if "order" not in self._cache:
            self._cache["order"] = rank_order(self.stage_rank, self.expected, self.area, self.keys.id_codes)
        return self._cache["order"]


def _deadlines_by_row(state: pd.DataFrame, clocks: pd.DataFrame, keys: ParcelKeys) -> dict[str, np.ndarray]:
    """Each parcel's stage deadline (:func:`milestones.clocks.next_deadlines`; None without one) and days
    overdue (0 without one), by row of ``state``: one look-up for all parcels."""
    deadlines = next_deadlines(clocks)
    due = np.full(len(state), None, dtype=object)
    late = np.zeros(len(state), dtype="int64")
    if keys.index.is_unique:        # the deadlines' ids looked up in the parcels' kept hash table
        row = keys.index.get_indexer(pd.Index(deadlines["parcel_id"].to_numpy(dtype=object), dtype=object))
        hit = row >= 0
        due[row[hit]] = deadlines["next_deadline"].to_numpy(dtype=object)[hit]
        late[row[hit]] = pd.to_numeric(deadlines["days_overdue"]).fillna(0).to_numpy(dtype="int64")[hit]
    else:
        pos = pd.Index(deadlines["parcel_id"].to_numpy(dtype=object)).get_indexer(keys.parcel_id)
        found = pos >= 0
        due[found] = deadlines["next_deadline"].to_numpy(dtype=object)[pos[found]]
        late[found] = pd.to_numeric(deadlines["days_overdue"]).fillna(0).to_numpy(dtype="int64")[pos[found]]
    due[pd.isna(due)] = None
    return {"next_deadline": due, "days_overdue": late}


@dataclass(frozen=True)
class ChosenUnits:
    """One milestone's blocking units in rank order, before they become rows: ``rows`` each unit's first
    parcel (positions in the state), ``units`` the unit columns (:func:`_group_chosen`), ``cumulative`` the
    running area (m²) of the chosen units, ``ms`` the milestone record."""

    rows: np.ndarray
    units: dict
    cumulative: np.ndarray
    ms: Mapping[str, Any]


def _chosen_units(cand: _Candidates, mask: np.ndarray,
                  ms: Mapping[str, Any]) -> tuple[ChosenUnits, float, float, np.ndarray]:
    """The blocking units of one milestone (in rank order), its shortfall, the size they cover and
    the row positions of all their parcels."""
    metric = ms["metric"]
    lagging = mask & (cand.stage_rank < _NEEDED_RANK[metric])
    if metric == "percent_area_handed_over":
        order = cand.parcel_order()
        rows = order[lagging[order]]
        area = cand.area[rows]
        cumulative = np.cumsum(area)
        shortfall = float(ms["shortfall_m2"])
        count = _covering_prefix(cumulative, shortfall)
        rows = rows[:count]
        units = {"unit": "parcel", "unit_id": cand.parcel_id[rows], "parcel_ids": cand.parcel_id[rows].reshape(-1, 1).tolist(),   # [[id], …] made in C
                 "area_to_recover_m2": area[:count], "expected_days": cand.expected[rows], "bits": cand.bits[rows]}
        size = float(area[:count].sum())
        members = rows
    else:
        key = "household" if metric == "percent_households_paid" else "site"
        rows, units, cumulative, members = _group_chosen(cand, lagging, key, float(ms["shortfall_count"]))
        count = len(rows)
        shortfall = float(ms["shortfall_count"])
        size = float(count)
    part = ChosenUnits(rows=np.asarray(rows, dtype="int64"), units=units, cumulative=cumulative[:count], ms=ms)
    return part, shortfall, size, np.asarray(members, dtype="int64")


def _group_chosen(cand: _Candidates, lagging: np.ndarray, unit: str, shortfall: float):
    """Households or sites from their lagging parcels (rule of :func:`_group_units`), ranked, cut at the
    shortfall: (first parcel of each chosen unit, the unit columns, running area of all ranked units, row
    positions of all the chosen units' parcels)."""
    keys = cand.household_code if unit == "household" else cand.site_id
    sel = np.flatnonzero(lagging)
    sel = sel[np.lexsort((-cand.expected[sel], cand.stage_rank[sel]))]   # least advanced, longest wait first
    sel = sel[pd.notna(keys[sel])] if unit == "site" else sel
    if not len(sel):
        empty = np.zeros(0, dtype="int64")
        return empty, {"unit": unit, "unit_id": np.zeros(0, dtype=object), "parcel_ids": [],
                       "area_to_recover_m2": np.zeros(0), "expected_days": np.zeros(0), "bits": empty}, np.zeros(0), empty
    codes, _ = pd.factorize(pd.Series(keys[sel], dtype=object), sort=False)   # numbered by first parcel
    n = int(codes.max()) + 1
    first = sel[np.unique(codes, return_index=True)[1]]
    area = np.bincount(codes, weights=cand.area[sel], minlength=n)
    expected = np.full(n, -np.inf)
    np.maximum.at(expected, codes, cand.expected[sel])
    bits = np.zeros(n, dtype="int64")
    np.bitwise_or.at(bits, codes, cand.bits[sel])
    if unit == "household":
        hh = cand.keys.household_id[first]
        named = np.array([isinstance(v, str) and bool(v.strip()) for v in hh], dtype=bool)
        unit_id = _as_text(np.where(named, hh, cand.parcel_id[first]))
    else:
        unit_id = _as_text(cand.site_id[first])
    # Codes sorted as the ids (np.unique's inverse), from a hash table and a sort of the distinct ids only.
    id_codes = pd.factorize(unit_id, sort=True)[0].astype("int64")
    order = rank_order(cand.stage_rank[first], expected, area, id_codes)
    cumulative = np.cumsum(area[order])
    count = _covering_prefix(np.arange(1, n + 1, dtype=float), shortfall)     # counted in units
    chosen = order[:count]
    member_order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[member_order], np.arange(n), side="left")
    ends = np.searchsorted(codes[member_order], np.arange(n), side="right")
    member_rows = sel[member_order]
    members = cand.parcel_id[member_rows].tolist()      # list slices: the same id objects, no array views
    bounds = zip(starts[chosen].tolist(), ends[chosen].tolist(), strict=True)
    units = {"unit": unit, "unit_id": unit_id[chosen],
             "parcel_ids": [members[a:b] for a, b in bounds],
             "area_to_recover_m2": area[chosen], "expected_days": expected[chosen], "bits": bits[chosen]}
    is_chosen = np.zeros(n, dtype=bool)
    is_chosen[chosen] = True
    return first[chosen], units, cumulative, sel[is_chosen[codes]]


def _as_text(values: np.ndarray) -> np.ndarray:
    """``values.astype(str).astype(object)``, without the round trip when every value is already a ``str``."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return np.asarray(values, dtype=object)
    return values.astype(str).astype(object)


#: Columns whose dtype pandas infers from the values (text, NaN, None, dates): joined from one Series per
#: milestone so the result has the dtype the per-milestone frames' concatenation has.
_INFERRED = ("milestone_id", "project_id", "unit", "unit_id", "next_action", "responsible", "next_deadline",
             "planned_date")


def _joined_frame(cand: _Candidates, parts: list[ChosenUnits]) -> pd.DataFrame:
    """The :data:`BLOCKER_COLUMNS` rows of all milestones' chosen units, in milestone then rank order.

    Equal (values and dtypes) to one frame per milestone concatenated
    (``tests/milestones/blockers_reference.py``, ``blocking_frames_per_milestone``), but the state's text
    columns are taken once for all rows and the numeric columns joined as arrays: one frame, not one per
    milestone."""
    parts = [p for p in parts if len(p.rows)]
    if not parts:
        return pd.DataFrame(columns=list(BLOCKER_COLUMNS))
    rows = np.concatenate([p.rows for p in parts])
    taken = {c: cand.columns[c].take(rows).reset_index(drop=True) for c in cand.columns}
    rank = _ranks(parts)
    columns = {
        "rank": rank, "parcel_id": taken["parcel_id"],
        "parcel_ids": [ids for p in parts for ids in p.units["parcel_ids"]],
        "commune": taken["commune"], "commune_former": taken["commune_former"],
        "chainage_m": cand.chainage_m[rows],
        "area_to_recover_m2": np.concatenate([np.asarray(p.units["area_to_recover_m2"], dtype=float) for p in parts]),
        "stage": taken["stage"],
        "expected_days": np.concatenate([np.asarray(p.units["expected_days"], dtype=float) for p in parts]),
        "days_overdue": cand.days_overdue[rows], "days_behind_plan": cand.days_behind_plan[rows],
        "obstacles": obstacle_lists(np.concatenate([np.asarray(p.units["bits"], dtype="int64") for p in parts])),
        "cumulative_area_m2": np.concatenate([np.asarray(p.cumulative, dtype=float) for p in parts]),
        "cumulative_units": rank,
    }
    inferred = [_inferred_columns(cand, p) for p in parts]
    for c in _INFERRED:
        columns[c] = _joined_inferred([cols[c] for cols in inferred])
    return pd.DataFrame(columns, columns=list(BLOCKER_COLUMNS))


def _ranks(parts: list[ChosenUnits]) -> np.ndarray:
    """1, 2, … within each part, joined."""
    sizes = np.array([len(p.rows) for p in parts], dtype="int64")
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(int(sizes.sum()), dtype="int64") - starts + 1


def _inferred_columns(cand: _Candidates, part: ChosenUnits) -> dict:
    """The :data:`_INFERRED` values of one milestone's rows, as its own frame had them."""
    rows, units, ms, n = part.rows, part.units, part.ms, len(part.rows)
    body = np.array([cand.responsible.get(a, np.nan) if isinstance(a, str) else np.nan for a in _ACTION_OF_RANK],
                    dtype=object)[cand.stage_rank[rows]]
    unit_id = cand.columns["parcel_id"].take(rows) if units["unit"] == "parcel" else units["unit_id"]
    return {"milestone_id": _repeated(ms["milestone_id"], n), "project_id": _repeated(ms["project_id"], n),
            "unit": _repeated(units["unit"], n), "unit_id": unit_id,
            "next_action": _ACTION_OF_RANK[cand.stage_rank[rows]],
            "responsible": np.where(pd.notna(cand.lead_body[rows]), cand.lead_body[rows], body),
            "next_deadline": cand.next_deadline[rows], "planned_date": cand.planned_date[rows]}


def _joined_inferred(values: list) -> pd.Series:
    """Per-milestone values joined with the dtype the concatenation of per-milestone frames gives (each
    inferred on its own, then their common dtype: a text column with NaN in one milestone only stays exact)."""
    series = [v.reset_index(drop=True) if isinstance(v, pd.Series) else pd.Series(v) for v in values]
    return pd.concat(series, ignore_index=True)


def _repeated(value, n: int):
    """``[value] * n`` as a column: a text value as one string taken ``n`` times (no per-row conversion)."""
    if isinstance(value, str):
        return pd.array([value], dtype="str").take(np.zeros(n, dtype="int64"))
    return [value] * n


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


def _summary_row(ms: Mapping[str, Any], chosen: ChosenUnits, shortfall: float, covers: bool) -> dict:
    area = pd.Series(np.asarray(chosen.units["area_to_recover_m2"], dtype=float))    # the frame column's sum
    return {"milestone_id": ms["milestone_id"], "project_id": ms["project_id"], "status": ms["status"],
            "unit": SHORTFALL_UNITS[ms["metric"]], "shortfall": shortfall, "shortfall_m2": ms.get("shortfall_m2"),
            "blocking_units": len(chosen.rows), "blocking_area_m2": float(area.sum()),
            "covers_shortfall": covers}
