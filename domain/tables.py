"""The columns of the tables (DATA_MODEL.md, "Tables"): one definition for the store, the builders and tests.

Names are the contract between layers. ``*_COLUMNS`` lists every column of a table in its usual
order; ``*_REQUIRED`` the columns a writer must provide (the store refuses a layer without them).
Types, units and checks of the same columns are the pandera models of :mod:`domain.schemas`.
"""
from __future__ import annotations

#: ``projects`` layer (geometry = clearance boundary, MultiPolygon, EPSG:9215; NULL for a project known only by
#: its register, ``geometry_status`` :data:`REGISTER_ONLY`).
PROJECT_COLUMNS: tuple[str, ...] = (
    "project_id", "name", "short_name", "kind", "province", "unit", "start_date", "section_from_m", "section_to_m",
    "geometry_status", "geometry_note",
)
PROJECT_REQUIRED: tuple[str, ...] = ("project_id", "name", "short_name", "kind")
#: ``geometry_status`` of a project created without a boundary (``add-project`` without ``--boundary``).
REGISTER_ONLY = "register_only"

#: ``units`` table: the units sharing a store (a district before 1/7/2025, the commune-level unit after).
UNIT_COLUMNS: tuple[str, ...] = ("unit_code", "name", "province")

#: ``centrelines`` layer (LineString in increasing chainage, EPSG:9215).
CENTRELINE_COLUMNS: tuple[str, ...] = ("project_id", "chainage_start_m", "geometry_status", "geometry_note")
CENTRELINE_REQUIRED: tuple[str, ...] = ("project_id", "chainage_start_m")

#: A canonical parcel number (``parcel_number``, text key): digits without leading zero, an optional upper-case
#: suffix letter and ``-part`` (``12``, ``263A``, ``389B-2``). Made by :func:`parsing.parcel_keys.parcel_key`.
PARCEL_KEY_PATTERN = r"[1-9][0-9]*[A-Z]?(?:-[1-9][0-9]*)?"

#: ``parcels`` layer (geometry = parcel polygon, EPSG:9215).
PARCEL_COLUMNS: tuple[str, ...] = (
    "parcel_id", "project_id", "commune_code", "commune", "commune_former", "map_sheet", "parcel_number",
    "land_use", "owner_name", "household_id", "parcel_area_m2", "area_to_recover_m2", "chainage_m",
    "illustrative",
)
PARCEL_REQUIRED: tuple[str, ...] = (
    "parcel_id", "project_id", "commune", "map_sheet", "parcel_number", "area_to_recover_m2",
)

#: ``communes`` context layer (2025 units, EPSG:9215).
COMMUNE_REQUIRED: tuple[str, ...] = ("name", "full_name", "code", "former_units")

#: Event kinds of the ledger.
EVENT_KINDS: tuple[str, ...] = ("parcel", "chainage_range", "aggregate")

#: Columns an event row carries in a file or an upload (the store assigns ``event_id``/``upload_id``).
EVENT_ROW_COLUMNS: tuple[str, ...] = (
    "kind", "project_id", "parcel_id", "commune", "chainage_from_m", "chainage_to_m", "event",
    "event_date", "area_m2", "households", "amount_vnd", "is_correction", "note",
)

#: ``events`` as the store returns it (``store.events()``), in this order.
EVENT_COLUMNS: tuple[str, ...] = ("event_id", "upload_id", *EVENT_ROW_COLUMNS)

#: ``milestones`` file (``data/sources/milestones.csv``).
MILESTONE_COLUMNS: tuple[str, ...] = (
    "milestone_id", "project_id", "due_date", "metric", "target_percent", "scope", "label",
)

#: Milestone statuses at an as-of date (``milestones.status.milestone_status``, ``Snapshot.milestones``).
MILESTONE_STATUS_COLUMNS: tuple[str, ...] = (
    "milestone_id", "project_id", "label", "due_date", "metric", "target_percent", "scope", "actual_percent",
    "actual_at_due_percent", "status", "forecast_date", "required_rate_pct_per_day", "recent_rate_pct_per_day",
    "met_on", "reached_late", "forecast_earliest", "forecast_latest", "required_rate_ha_per_week", "shortfall_m2",
    "shortfall_count",
)

#: Columns :func:`milestones.parcel_state.parcel_stages` adds to the parcels (snapshot ``parcels``).
PARCEL_STATE_COLUMNS: tuple[str, ...] = (
    "stage", "stage_rank", "stage_date", "handed_over_on", "area_handed_over_m2",
    "complaint_open", "complaint_since", "enforced", "compulsory_inventory",
    "amount_approved_vnd", "amount_paid_vnd",
)

#: Columns the risk step adds to the snapshot ``parcels``.
PARCEL_RISK_COLUMNS: tuple[str, ...] = ("days_in_stage", "risk_flags", "at_risk")

#: ``parcel_status`` layer (issue 10): each parcel's geometry (MultiPolygon, EPSG:9215) with its stage, flags,
#: risk and next deadline as of ``as_of``; kept current by the store on every commit and revert.
PARCEL_STATUS_COLUMNS: tuple[str, ...] = (
    "parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "area_to_recover_m2",
    "stage", "stage_rank", "stage_date", "complaint_open", "enforced", "compulsory_inventory",
    "days_in_stage", "risk_flags", "at_risk", "next_action", "next_deadline", "days_overdue", "as_of",
)
