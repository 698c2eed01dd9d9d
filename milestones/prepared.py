"""The as-of-independent part of the computations, prepared once per data version, then sliced.

A dashboard user moves the as-of date far more often than the data changes. Everything that does not
depend on the as-of date is computed once by :func:`prepare` (or :func:`prepare_frames`):

* the store's tables (projects, parcels, ledger, milestones, rules and the recorded changes of the
  milestones and rules), read once; the milestones and rules in force at the as-of date are picked
  from those changes by :func:`domain.config_history.in_force` in :func:`snapshot_at`;
* the ledger normalised (:func:`milestones.events.prepare_events`, all dates);
* the events of every parcel, chainage ranges expanded and sorted by (parcel, ``event_date``,
  ``event_id``) (:func:`milestones.events.parcel_events`, all dates);
* the aggregate reports with their scope resolved (:func:`milestones.aggregates.aggregate_reports`);
* every parcel's stage, complaint and flags after each of its events
  (:func:`milestones.parcel_state.state_steps`: at a date, one ``searchsorted``);
* the per-day state changes of every parcel (``ProgressHistory.changes`` of
  :class:`milestones.history.ProgressHistory`, all dates) and the parcel frame it indexes.

:func:`snapshot_at` then keeps the rows dated on or before the as-of date and runs the as-of
dependent steps (:func:`milestones.snapshot.assemble_snapshot`: stages, milestone status, risk,
tables, S-curve). The slices equal what :func:`milestones.snapshot.compute_snapshot_from_frames`
computes at that date, because each of these tables is built row by row in date order from earlier
rows only: the stage after an event depends on the events before it (running maximum restarted at
corrections), a chainage range's amount share depends on the parcels, not on the date, and a report's
scope depends on the parcels. ``tests/milestones/test_prepared.py`` checks the equality at many dates.

The objects are plain data: no Streamlit, no cache of their own. The views cache a
:class:`PreparedData` per store data version (``dashboard/state.py``) and treat it as read-only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import yaml

from domain.config_history import in_force, milestones_frame, records_in_force
from milestones.aggregates import aggregate_reports
from milestones.blockers import ParcelKeys, parcel_keys, stage_first_days
from milestones.complaints import store_letters
from milestones.events import parcel_events, prepare_events, to_timestamp
from milestones.history import HistoryAt, ProgressHistory
from milestones.parcel_state import StateSteps, state_steps
from milestones.procedure_plan import store_procedure
from milestones.rules import resolve_rules
from milestones.snapshot import Snapshot, assemble_snapshot

if TYPE_CHECKING:
    from store.protocol import StoreReader


@dataclass(frozen=True)
class PreparedData:
    """The store's tables and everything computed from them that does not depend on the as-of date.

    Attributes
    ----------
    projects : GeoDataFrame
        ``store.projects()`` (EPSG:9215).
    parcels : GeoDataFrame
        ``store.parcels()`` (EPSG:9215); row position = ``pidx`` below.
    milestones : DataFrame
        ``store.milestones()`` as read (parsed at each as-of date by ``milestone_status``).
    rules : dict
        Resolved rules (``rules.yaml`` over the defaults of :mod:`milestones.rules`).
    events : DataFrame
        :func:`milestones.events.prepare_events` of the whole ledger (reverted uploads excluded).
    by_parcel : DataFrame
        :func:`milestones.events.parcel_events` over all dates (``pidx``, ``event_date``, ``event_id``,
        ``event``, ``rank``, ``is_correction``, ``amount_vnd``), sorted by (parcel, date, event_id).
    reports : DataFrame
        :func:`milestones.aggregates.aggregate_reports` over all dates, sorted by (date, event_id).
    parcel_frame : DataFrame
        The parcel columns of :class:`milestones.history.ProgressHistory` (``ProgressHistory.parcels``).
    changes : DataFrame
        ``ProgressHistory.changes`` over all dates (``pidx``, ``date``, ``d_handed``, ``d_paid``).
    data_version : dict
        ``store.data_version()`` when the tables were read.
    config : DataFrame
        ``store.config_history()`` of the ``milestone`` and ``rules`` kinds (empty for a store without a
        recorded history: then ``milestones`` and ``rules`` hold at every date).
    letters : DataFrame or None
        The complaints register (open letters are obstacles at each as-of date), None without registers.
    procedure : DataFrame or None
        The procedure plans (``procedure`` register, :mod:`milestones.procedure_plan`), None without registers.
    history : ProgressHistory or None
        The history of the whole ledger (``parcel_frame``, ``changes``, ``reports``); its step functions
        per scope are cached on first use and shared by every as-of date
        (:class:`milestones.history.HistoryAt`). The cache only ever holds values computed from these
        frames, so concurrent readers may fill it.
    stage_firsts : DataFrame or None
        :func:`milestones.blockers.stage_first_days` of the whole ledger (observed stage durations).
    parcel_keys : ParcelKeys or None
        :func:`milestones.blockers.parcel_keys` of ``parcels``: ids, their sort codes and hash table,
        household and site keys, for the blocking sets and risk flags at every date.
    state_steps : StateSteps or None
        :func:`milestones.parcel_state.state_steps` of ``by_parcel``: every parcel's stage, complaint and
        flags after each of its events, read at each as-of date by one ``searchsorted``.
    """

    projects: pd.DataFrame
    parcels: pd.DataFrame
    milestones: pd.DataFrame
    rules: dict
    events: pd.DataFrame
    by_parcel: pd.DataFrame
    reports: pd.DataFrame
    parcel_frame: pd.DataFrame
    changes: pd.DataFrame
    data_version: dict = field(default_factory=dict)
    config: pd.DataFrame = field(default_factory=pd.DataFrame)
    letters: pd.DataFrame | None = None
    procedure: pd.DataFrame | None = None
    history: ProgressHistory | None = None
    stage_firsts: pd.DataFrame | None = None
    parcel_keys: ParcelKeys | None = None
    state_steps: StateSteps | None = None


def prepare_frames(*, projects: pd.DataFrame, parcels: pd.DataFrame, events: pd.DataFrame,
                   milestones: pd.DataFrame, rules: dict | None,
                   data_version: dict | None = None, config: pd.DataFrame | None = None,
                   letters: pd.DataFrame | None = None, procedure: pd.DataFrame | None = None) -> PreparedData:
    """Prepare the as-of-independent part from the tables (what :func:`prepare` reads from a store).

    Parameters
    ----------
    projects, parcels, events, milestones : DataFrame
        Tables of DATA_MODEL.md (parcels may be a GeoDataFrame; its CRS is kept).
    rules : dict or None
        ``rules.yaml`` content.
    data_version : dict, optional
    config : DataFrame, optional
        Recorded changes of milestones and rules (``store.config_history()``); see :class:`PreparedData`.

    Returns
    -------
    PreparedData

    Raises
    ------
    ValueError
        If a rule value is invalid (Vietnamese message).
    """
    resolved = resolve_rules(rules)
    ev = prepare_events(events)
    by_parcel = parcel_events(parcels, ev)
    reports = aggregate_reports(parcels, ev)
    last = ev["event_date"].max() if len(ev) else pd.NaT
    horizon = to_timestamp(last) if not pd.isna(last) else pd.Timestamp("2000-01-01")
    history = ProgressHistory.build(parcels, ev, horizon, events_by_parcel=by_parcel, reports=reports)
    return PreparedData(projects=projects, parcels=parcels, milestones=milestones, rules=resolved, events=ev,
                        by_parcel=by_parcel, reports=reports, parcel_frame=history.parcels,
                        changes=history.changes, data_version=dict(data_version or {}),
                        config=config if config is not None else pd.DataFrame(), letters=letters,
                        procedure=procedure, history=history, stage_firsts=stage_first_days(by_parcel),
                        parcel_keys=parcel_keys(parcels), state_steps=state_steps(by_parcel, len(parcels)))


def prepare(store: StoreReader) -> PreparedData:
    """Read the store once and prepare the as-of-independent part (see the module docstring).

    Parameters
    ----------
    store : store.protocol.StoreReader
        ``store.open_store()``: ``projects()``, ``parcels()``, ``events()`` (reverted uploads
        excluded), ``milestones()``, ``rules()``, ``data_version()``.

    Returns
    -------
    PreparedData
        Valid while ``store.data_version()`` is unchanged.
    """
    version = store.data_version()
    history = store.config_history()
    config = history[history["kind"].isin(("milestone", "rules"))].reset_index(drop=True)
    return prepare_frames(projects=store.projects(), parcels=store.parcels(), events=store.events(),
                          milestones=store.milestones(), rules=store.rules(), data_version=version, config=config,
                          letters=store_letters(store), procedure=store_procedure(store))


def milestones_and_rules_at(prepared: PreparedData, as_of: date) -> tuple[pd.DataFrame, dict]:
    """The milestones and the resolved rules in force at ``as_of`` (rule :mod:`domain.config_history`).

    Without a recorded history (a test double) the tables ``prepared`` was made from hold at every date.
    """
    config = prepared.config
    if config.empty:
        return prepared.milestones, prepared.rules
    milestone_rows = config[config["kind"] == "milestone"]
    milestones = (milestones_frame(records_in_force(milestone_rows, as_of)) if len(milestone_rows)
                  else prepared.milestones)
    rules_rows = in_force(config[config["kind"] == "rules"], as_of)
    rules = resolve_rules(yaml.safe_load(rules_rows["after"].iloc[-1]["yaml"]) or {}) if len(rules_rows) \
        else prepared.rules
    return milestones, rules


def _upto(frame: pd.DataFrame, column: str, ts: pd.Timestamp) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame[column] <= ts].reset_index(drop=True)


def snapshot_at(prepared: PreparedData, as_of: date, *, segment_m: float = 500.0) -> Snapshot:
    """The :class:`milestones.snapshot.Snapshot` at ``as_of`` from prepared data.

    Gives the same figures as ``compute_snapshot(store, as_of)`` on the store ``prepared`` was read
    from (module docstring), in a fraction of the time. ``prepared`` is not modified.

    Parameters
    ----------
    prepared : PreparedData
    as_of : date
        Events dated after it are ignored.
    segment_m : float
        Chainage segment length in metres for ``Snapshot.segments``.

    Raises
    ------
    ValueError
        If ``as_of`` is not a date (Vietnamese message).
    """
    ts = to_timestamp(as_of)
    milestones, rules = milestones_and_rules_at(prepared, ts.date())
    by_parcel = _upto(prepared.by_parcel, "event_date", ts)
    reports = _upto(prepared.reports, "event_date", ts)
    full = prepared.history if prepared.history is not None else ProgressHistory(
        prepared.parcel_frame, prepared.changes, prepared.reports, ts)
    history = HistoryAt(full, ts)
    return assemble_snapshot(projects=prepared.projects, parcels=prepared.parcels,
                             by_parcel=by_parcel, reports=reports, history=history,
                             milestones=milestones, rules=rules, as_of=ts,
                             data_version=prepared.data_version, segment_m=segment_m, letters=prepared.letters,
                             procedure=prepared.procedure, stage_firsts=prepared.stage_firsts,
                             parcel_keys=prepared.parcel_keys, state_steps=prepared.state_steps)
