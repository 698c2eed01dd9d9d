"""Progress of land clearance at an as-of date, from the ledger of field-count events.

Rules (also in the README)
--------------------------
Stage of a parcel at date D
    The parcel's events with ``event_date <= D`` are read in (``event_date``, ``event_id``) order.
    A stage event raises the stage to max(current, event); an event with ``is_correction`` sets the
    stage exactly (it may go backwards). Flags never move the stage: ``complaint`` opens a complaint
    that stays open until a later ``complaint_resolved``; ``enforced`` and ``compulsory_inventory``
    stay set once recorded. Events of reverted uploads are excluded by the store.
Cleared area
    Clearance % = area handed over ÷ area to recover (DOMAIN.md). A parcel whose stage is
    ``handed_over`` counts its whole ``area_to_recover_m2``; any other parcel counts 0.
Amounts (VND)
    ``amount_approved_vnd`` is the amount of the parcel's latest ``approved`` event,
    ``amount_paid_vnd`` the sum of its ``paid`` events (payments may come in instalments). An event
    whose stage is above a *later* correction is void (the correction says it was wrong): it neither
    raises the stage nor counts its amount.
Households
    A household (``household_id``; a parcel without one is its own household) counts once per scope
    (project, project × commune, project × segment) at its *least advanced* parcel in that scope: it
    is "handed over" only when all its parcels there are. Hence the household counts of the communes
    of a project can add up to more than the project's (a household with land in two communes counts
    once in each) and ``percent_households_paid`` is the share of households whose least advanced
    parcel is ``paid`` or beyond.
Chainage-range events (``kind = chainage_range``; linear works)
    The event applies to every parcel of its project whose ``chainage_m`` lies in
    [min(from, to), max(from, to)] (both ends included), exactly as if each of those parcels had the
    event: a parcel covered by a range report and by its own report is still counted once, at the
    stage the rules above give. ``area_m2`` of the range is not used (each parcel counts its own area
    to recover); ``amount_vnd`` is shared among the parcels in proportion to ``area_to_recover_m2``.
    Parcels without a chainage (areas, sites) are never matched.
Aggregate reports (``kind = aggregate``, event ``handed_over``, ``area_m2`` = cumulative m² handed
over so far, scope = project or project × commune)
    An aggregate never adds to the parcel figures. For each scope the area handed over is
    max(parcel-derived area, latest aggregate of that scope with ``event_date <= as_of``):

    - commune (2025 unit) c: max(parcels of c, latest report naming c, Σ over the former communes f
      of c of the latest report naming f);
    - former commune f (milestone scope): max(parcels of f, latest report naming f);
    - project: max(Σ over communes of the commune figure above, latest project-level report).

    The result is capped at the scope's area to recover, so a percentage never exceeds 100.
    Aggregates only concern area: they change neither stage counts, households nor amounts, and
    chainage segments use parcel data only. A report naming a commune that has no parcel of the
    project is ignored (the upload validator rejects unknown communes).

Where each rule lives
---------------------
The stage rule is :mod:`domain.stage_history`; inputs are prepared in :mod:`milestones.events`,
parcel states in :mod:`milestones.parcel_state`, aggregate reports in :mod:`milestones.aggregates`,
tables in :mod:`milestones.tables`, scopes in :mod:`milestones.scope` and progress over time in
:mod:`milestones.history`. This module re-exports their public names.
"""
from __future__ import annotations

from domain.stages import HANDED_OVER_RANK, PAID_RANK
from milestones.aggregates import aggregate_reports, combine_area, combine_project
from milestones.events import household_codes, parcel_events, parcel_frame, prepare_events, to_timestamp
from milestones.history import ProgressHistory
from milestones.parcel_state import STATE_COLUMNS, parcel_stages
from milestones.scope import is_project_scope, resolve_scope
from milestones.tables import commune_and_project_areas, commune_progress, project_progress, segment_progress

__all__ = [
    "HANDED_OVER_RANK", "PAID_RANK", "STATE_COLUMNS", "ProgressHistory", "aggregate_reports", "combine_area",
    "combine_project", "commune_and_project_areas", "commune_progress", "household_codes", "is_project_scope",
    "parcel_events", "parcel_frame", "parcel_stages", "prepare_events", "project_progress", "resolve_scope",
    "segment_progress", "to_timestamp",
]
