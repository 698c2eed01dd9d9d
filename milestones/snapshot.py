"""One call that every view makes: all computations at an as-of date, from the store.

``compute_snapshot(store, as_of)`` reads the store once (projects, parcels, ledger, milestones,
rules) and returns a :class:`Snapshot`; the dashboard, the CLI and the exports all use it, so their
figures cannot disagree. Caching belongs to the views (key: ``as_of`` + ``store.data_version()``).
:func:`milestones.prepared.snapshot_at` gives the same ``Snapshot`` from data prepared once per data
version (the dashboard's path); both end in :func:`assemble_snapshot`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from domain.tables import PARCEL_RISK_COLUMNS
from milestones.aggregates import aggregate_reports
from milestones.blockers import ParcelKeys, blocking_sets_and_rows, observed_stage_days
from milestones.clocks import parcel_clocks
from milestones.complaints import open_letter_parcels, store_letters
from milestones.curve import s_curve
from milestones.events import parcel_events, prepare_events, to_timestamp
from milestones.history import ProgressHistory
from milestones.parcel_state import StateSteps, parcel_stages
from milestones.procedure_plan import stage_plan, store_procedure
from milestones.risk import parcel_risk_flags
from milestones.rules import resolve_rules
from milestones.status import milestone_status
from milestones.tables import commune_and_project_areas, commune_progress, project_progress, segment_progress

if TYPE_CHECKING:
    from store.protocol import StoreReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """Every figure of the product at one as-of date (field list in DATA_MODEL.md).

    Attributes
    ----------
    as_of : date
    parcels : GeoDataFrame
        EPSG:9215 (as the store gives it): the parcels columns + ``stage``, ``stage_rank``,
        ``stage_date``, ``handed_over_on``, ``area_handed_over_m2``,
        ``complaint_open``, ``complaint_since``, ``enforced``, ``compulsory_inventory``,
        ``amount_approved_vnd``, ``amount_paid_vnd`` (VND), ``days_in_stage``, ``risk_flags``
        (list of codes of :data:`domain.risk.RISK_CODES`), ``at_risk`` (bool). Codes only: views
        turn them into words with ``vocab.labels``.
    projects : DataFrame
        One row per project (:func:`milestones.tables.project_progress`) + ``short_name``,
        ``kind``, ``section_from_m``, ``section_to_m`` (m, NaN for areas).
    communes : DataFrame
        Per project × commune (:func:`milestones.tables.commune_progress`).
    segments : DataFrame
        Per project × 500 m chainage segment (:func:`milestones.tables.segment_progress`).
    milestones : DataFrame
        :func:`milestones.status.milestone_status`.
    s_curve : DataFrame
        :func:`milestones.curve.s_curve`.
    clocks : DataFrame
        Running legal clocks of the parcels not handed over (:func:`milestones.clocks.parcel_clocks`).
    blockers : DataFrame
        Blocking set of every milestone not reached (:func:`milestones.blockers.blocking_sets`).
    blocking_summary : DataFrame
        Per milestone not reached: shortfall and what covers it (:data:`milestones.blockers.SUMMARY_COLUMNS`).
    data_version : dict
        ``store.data_version()`` at the time of the computation.
    problems : list of str
        Vietnamese messages about input rows left out (e.g. a milestone with a bad due date).
    rules : dict
        The rules used (``rules.yaml`` merged over the defaults).
    """

    as_of: date
    parcels: pd.DataFrame
    projects: pd.DataFrame
    communes: pd.DataFrame
    segments: pd.DataFrame
    milestones: pd.DataFrame
    s_curve: pd.DataFrame
    clocks: pd.DataFrame = field(default_factory=pd.DataFrame)
    blockers: pd.DataFrame = field(default_factory=pd.DataFrame)
    blocking_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_version: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)


def compute_snapshot_from_frames(*, projects: pd.DataFrame, parcels: pd.DataFrame, events: pd.DataFrame,
                                 milestones: pd.DataFrame, rules: dict | None, as_of: date,
                                 data_version: dict | None = None, segment_m: float = 500.0,
                                 letters: pd.DataFrame | None = None,
                                 procedure: pd.DataFrame | None = None) -> Snapshot:
    """Compute a :class:`Snapshot` from the tables themselves (what :func:`compute_snapshot` reads).

    Parameters
    ----------
    projects, parcels, events, milestones : DataFrame
        Tables of DATA_MODEL.md (parcels may be a GeoDataFrame; its CRS is kept).
    rules : dict or None
        ``rules.yaml`` content (defaults in :mod:`milestones.rules`).
    as_of : date
    data_version : dict, optional
    segment_m : float
        Chainage segment length in metres.
    letters, procedure : DataFrame, optional
        The complaints register and the procedure plans (``procedure`` register), as :func:`assemble_snapshot`.

    Raises
    ------
    ValueError
        If ``as_of`` is not a date, or a rule value is not a number (Vietnamese messages).
    """
    ts = to_timestamp(as_of)
    resolved = resolve_rules(rules)
    events = prepare_events(events, ts)        # normalised once, reused by every step
    by_parcel = parcel_events(parcels, events, ts)
    reports = aggregate_reports(parcels, events, ts)
    history = ProgressHistory.build(parcels, events, ts, events_by_parcel=by_parcel, reports=reports)
    return assemble_snapshot(projects=projects, parcels=parcels, by_parcel=by_parcel,
                             reports=reports, history=history, milestones=milestones, rules=resolved,
                             as_of=ts, data_version=data_version, segment_m=segment_m, letters=letters,
                             procedure=procedure)


@dataclass(frozen=True)
class ParcelLevel:
    """The per-parcel part of a :class:`Snapshot` (what the ``parcel_status`` layer needs), before the tables.

    Attributes
    ----------
    state : DataFrame
        ``Snapshot.parcels``.
    milestones : DataFrame
        :func:`milestones.status.milestone_status`, in its own order (``Snapshot.milestones`` is then sorted).
    clocks : DataFrame
        ``Snapshot.clocks`` (index not yet reset).
    blockers : DataFrame
        ``Snapshot.blockers``.
    as_of : date
        ``Snapshot.as_of``.
    """

    state: pd.DataFrame
    milestones: pd.DataFrame
    clocks: pd.DataFrame
    blockers: pd.DataFrame
    as_of: date


def parcel_level(*, parcels: pd.DataFrame, events: pd.DataFrame | None, by_parcel: pd.DataFrame,
                 history: ProgressHistory, milestones: pd.DataFrame, rules: dict, as_of: pd.Timestamp,
                 letters: pd.DataFrame | None = None, procedure: pd.DataFrame | None = None,
                 stage_firsts: pd.DataFrame | None = None, parcel_keys: ParcelKeys | None = None,
                 state_steps=None) -> ParcelLevel:
    """Stages, milestone status, legal clocks, blocking sets and risk flags at ``as_of`` (arguments as
    :func:`assemble_snapshot`; ``events`` the ledger up to ``as_of``, or None when ``by_parcel`` and, for the
    prepared path, ``state_steps`` carry what the stages need): every step of a snapshot but the project,
    commune and segment tables and the S-curve."""
    ts = as_of
    state = parcel_stages(parcels, events, ts, events_by_parcel=by_parcel, steps=state_steps)
    ms = milestone_status(milestones, history, ts, rules)
    plan = stage_plan(procedure)
    clocks = parcel_clocks(state[state["stage"] != "handed_over"], ts, rules, plan=plan)
    letter_parcels = open_letter_parcels(letters, parcels, ts) if letters is not None else frozenset()
    observed = (observed_stage_days(parcels, None, stage_firsts, ts) if stage_firsts is not None
                else observed_stage_days(parcels, by_parcel))
    blockers, blocking_rows = blocking_sets_and_rows(state, ms, clocks, observed, ts, rules,
                                                     letter_parcels=letter_parcels, plan=plan, keys=parcel_keys)
    risk = parcel_risk_flags(state, ms, ts, rules, blockers=blockers, blocking_rows=blocking_rows)
    for col in PARCEL_RISK_COLUMNS:
        state[col] = risk[col].to_numpy()
    return ParcelLevel(state, ms, clocks, blockers, ts.date())


def compute_parcel_level(store: StoreReader, as_of: date) -> ParcelLevel:
    """:func:`parcel_level` at ``as_of`` from ``store``: what :func:`compute_snapshot` computes per parcel,
    without reading the projects or the data version and without the tables and the S-curve (the
    ``parcel_status`` refresh, :mod:`milestones.status_layer`). Same errors as :func:`compute_snapshot`."""
    ts = to_timestamp(as_of)
    parcels, rules = store.parcels(), resolve_rules(store.rules(as_of=as_of))
    events = prepare_events(store.events(), ts)
    by_parcel = parcel_events(parcels, events, ts)
    reports = aggregate_reports(parcels, events, ts)
    history = ProgressHistory.build(parcels, events, ts, events_by_parcel=by_parcel, reports=reports)
    return parcel_level(parcels=parcels, events=events, by_parcel=by_parcel, history=history,
                        milestones=store.milestones(as_of=as_of), rules=rules, as_of=ts,
                        letters=store_letters(store), procedure=store_procedure(store))


def assemble_snapshot(*, projects: pd.DataFrame, parcels: pd.DataFrame,
                      by_parcel: pd.DataFrame, reports: pd.DataFrame, history: ProgressHistory,
                      milestones: pd.DataFrame, rules: dict, as_of: pd.Timestamp,
                      data_version: dict | None = None, segment_m: float = 500.0,
                      letters: pd.DataFrame | None = None, procedure: pd.DataFrame | None = None,
                      stage_firsts: pd.DataFrame | None = None, parcel_keys: ParcelKeys | None = None,
                      state_steps: StateSteps | None = None) -> Snapshot:
    """The steps of a :class:`Snapshot` that depend on the as-of date, from its event-level inputs.

    Shared by :func:`compute_snapshot_from_frames` (inputs computed at ``as_of``) and
    :func:`milestones.prepared.snapshot_at` (inputs sliced at ``as_of`` from a
    :class:`milestones.prepared.PreparedData` computed once per data version), so both give the same
    figures.

    Parameters
    ----------
    projects, parcels, milestones : DataFrame
        Tables of DATA_MODEL.md.
    by_parcel : DataFrame
        :func:`milestones.events.parcel_events` up to ``as_of``. With ``reports`` it is all of the ledger
        the steps read (the ledger itself is not: the prepared path no longer filters it at each date).
    reports : DataFrame
        :func:`milestones.aggregates.aggregate_reports` up to ``as_of``.
    history : ProgressHistory
        Up to ``as_of``.
    rules : dict
        Resolved rules (:func:`milestones.rules.resolve_rules`).
    as_of : Timestamp
        Midnight.
    letters : DataFrame, optional
        The complaints register: a letter open at ``as_of`` makes its parcels' obstacle ``complaint_open``
        (:func:`milestones.complaints.open_letter_parcels`).
    procedure : DataFrame, optional
        The projects' procedure plans (``procedure`` register): planned dates and lead bodies of the next
        stages in the clocks and the blocking sets (:mod:`milestones.procedure_plan`); None or empty: no plan.
    stage_firsts : DataFrame, optional
        :func:`milestones.blockers.stage_first_days` of the whole ledger (the prepared path), else computed
        from ``by_parcel``.
    parcel_keys : ParcelKeys, optional
        :func:`milestones.blockers.parcel_keys` of ``parcels`` (the prepared path), else made from the state.
    state_steps : StateSteps, optional
        :func:`milestones.parcel_state.state_steps` of the whole ledger (the prepared path): stages, complaints
        and flags read at ``as_of`` instead of recomputed from ``by_parcel``.
    """
    ts = as_of
    resolved = rules
    level = parcel_level(parcels=parcels, events=None, by_parcel=by_parcel, history=history, milestones=milestones,
                         rules=resolved, as_of=as_of, letters=letters, procedure=procedure, stage_firsts=stage_firsts,
                         parcel_keys=parcel_keys, state_steps=state_steps)
    state, ms, clocks, blockers = level.state, level.milestones, level.clocks, level.blockers
    proj = pd.DataFrame(projects).drop(columns=["geometry"], errors="ignore")
    # The household codes do not depend on the date: kept with the parcels' keys (same rows as the state).
    # So do the tables' groups (project, commune, segment): kept with them too.
    kept = parcel_keys is not None and parcel_keys.matches(state)
    hh = parcel_keys.household_code if kept else None
    groups = parcel_keys.count_groups if kept else None
    areas = commune_and_project_areas(state, reports, ts, hh, groups)      # shared by the project and commune tables
    table = project_progress(state, None, ts, proj, reports=reports, areas=areas, household_code=hh, groups=groups)
    extra = [c for c in ("short_name", "kind", "unit", "section_from_m", "section_to_m") if c in proj.columns]
    if extra:
        table = table.merge(proj[["project_id"] + extra].drop_duplicates("project_id"), on="project_id", how="left")
    problems = list(ms.attrs.get("problems", []))
    if len(ms) and "project_id" in proj.columns:      # milestones in the projects' order, then by due date
        order = {pid: i for i, pid in enumerate(proj["project_id"])}
        ms = ms.assign(_o=ms["project_id"].map(order).fillna(len(order))).sort_values(
            ["_o", "due_date", "milestone_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
    curve = s_curve(proj, ms, history, ts)
    return Snapshot(
        as_of=ts.date(),
        parcels=state,
        projects=table,
        communes=commune_progress(state, None, ts, reports=reports, areas=areas),
        segments=segment_progress(state, segment_m, hh, groups),
        milestones=ms,
        s_curve=curve,
        clocks=clocks.reset_index(drop=True),
        blockers=blockers,
        blocking_summary=blockers.attrs["summary"],
        data_version=dict(data_version or {}),
        problems=problems,
        rules=resolved,
    )


def compute_snapshot(store: StoreReader, as_of: date, *, segment_m: float = 500.0) -> Snapshot:
    """All computations at ``as_of`` from ``store`` (``store.open_store()``): the one call of every view.

    Parameters
    ----------
    store : store.protocol.StoreReader
        ``store.open_store()`` or any object with ``projects()``, ``parcels()``, ``events()`` (reverted uploads excluded),
        ``milestones(as_of)``, ``rules(as_of)``, ``data_version()`` (DATA_MODEL.md "store").
    as_of : date
        Events dated after it are ignored; the milestones and rules are those in force that day
        (:mod:`domain.config_history`: a change recorded later does not rewrite the report).
    segment_m : float
        Chainage segment length in metres for ``Snapshot.segments``.

    Returns
    -------
    Snapshot

    Raises
    ------
    ValueError
        If ``as_of`` is not a date or a rule value is invalid (Vietnamese messages). Bad milestone
        rows do not raise: they are left out and listed in ``Snapshot.problems``.
    """
    return compute_snapshot_from_frames(
        projects=store.projects(), parcels=store.parcels(), events=store.events(),
        milestones=store.milestones(as_of=as_of), rules=store.rules(as_of=as_of), as_of=as_of, letters=store_letters(store),
        procedure=store_procedure(store), data_version=store.data_version(), segment_m=segment_m)
