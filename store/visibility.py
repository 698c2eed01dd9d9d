"""What a list shows to an account: uploads, register imports, proposals and audit entries by unit and commune.

The rule is :func:`domain.roles.sees_units` / :func:`domain.roles.sees_communes` (DATA_MODEL.md "scoping of
lists"); this module finds what each record concerns, inside the caller's read connection:

- an **upload** (field counts or a register import) concerns the units of the projects of its ledger events,
  of its ``register_imports.project_id`` and of the ``project_id`` of the register rows it recorded; and the
  communes of its events (:func:`store.ledger.event_communes`) and of its register rows (a household's or
  letter's ``commune``; a plan's, payment's or refusal's household's commune; lots, areas, transfers and
  procedure steps: none, so undecided). A revert concerns what the upload it reverted concerns. An account
  always sees its own uploads and the reverts of uploads it sees.
- a **proposal** is seen by a unit-scoped account when it could decide it
  (:func:`store.writes.check_proposal_units`, the rule of confirming and rejecting), and always by its proposer;
  a decided layer replacement (its pending layers dropped) is for province-level accounts.
- an **audit entry** concerns, by its target: ``upload:N`` that upload's units; ``proposal:N`` the proposal (seen
  as above); ``project:ID`` that project's unit; ``milestone:ID`` the unit of the milestone's project (from the
  entry); ``lottery:AREA`` the unit of the area's project; ``file:…`` (an export with personal data) its
  project's unit; ``layer:…`` the units its entry names (``after.units``, written for a unit-scoped account's
  replacement, which can only change its units' rows; a province account's replacement or a restore names none).
  Any other target (accounts, logins, settings, rules, units, profiles, the store) concerns no unit:
  province-level accounts only.

A province-level account that is not a commune officer gets every record; nothing here is read for it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select

from domain.errors import GpmbError
from domain.roles import Account, commune_scoped, sees_communes, sees_units, unit_scope
from store import registers, schema, uploads
from store import units as store_units
from store.ledger import event_communes
from store.proposals import read_proposals
from store.units import project_units

#: Registers whose rows name their commune, and those whose rows name a household (its commune counts).
_COMMUNE_REGISTERS = ("households", "complaints")
_HOUSEHOLD_REGISTERS = ("plans", "payments", "refusals")


def _unscoped(account: Account | None) -> bool:
    return account is None or (unit_scope(account) is None and not commune_scoped(account))


def _add(scopes: dict, upload_id, values) -> None:
    scopes.setdefault(int(upload_id), set()).update(values)


def upload_projects(conn) -> dict[int, set[str]]:
    """upload id → the project ids it concerns (events, its register import, its register rows): the rule of
    :func:`store.units.upload_units` for every upload at once."""
    projects: dict[int, set[str]] = {}
    ev = schema.events
    for upload_id, project_id in conn.execute(select(ev.c.upload_id, ev.c.project_id).distinct()).all():
        _add(projects, upload_id, [project_id])
    ri = registers.register_imports
    for upload_id, project_id in conn.execute(select(ri.c.upload_id, ri.c.project_id)).all():
        _add(projects, upload_id, [project_id] if project_id is not None else [])
    for table in registers.TABLES.values():
        if "project_id" in table.c:
            for upload_id, project_id in conn.execute(select(table.c.upload_id, table.c.project_id).distinct()).all():
                _add(projects, upload_id, [project_id])
    return projects


def _parcels(conn) -> pd.DataFrame:
    names = ["parcel_id", "project_id", "commune", "chainage_m"]
    rows = conn.exec_driver_sql(f"SELECT {', '.join(names)} FROM parcels").all() if _has_parcels(conn) else []
    parcels = pd.DataFrame([tuple(r) for r in rows], columns=names)
    parcels["chainage_m"] = pd.to_numeric(parcels["chainage_m"], errors="coerce")
    return parcels


def _by_event_rule(communes: dict, events: pd.DataFrame, parcels: pd.DataFrame) -> dict:
    for upload_id, found in zip(events["upload_id"], event_communes(events, parcels), strict=True):
        _add(communes, upload_id, found or {None})
    return communes


def event_communes_by_upload_reference(conn) -> dict[int, set[str | None]]:
    """upload id → the communes of its ledger events, every event through :func:`store.ledger.event_communes`
    (None for an event whose commune is undecided): the reference :func:`event_communes_by_upload` equals."""
    events = uploads.read_events(conn, include_reverted=True)
    return _by_event_rule({}, events, _parcels(conn)) if len(events) else {}


def event_communes_by_upload(conn) -> dict[int, set[str | None]]:
    """As :func:`event_communes_by_upload_reference`, with the parcel events (nearly all of a ledger) joined to
    their parcel's commune in SQL, each distinct (upload, commune) once; the other kinds (chainage ranges,
    aggregates) go through :func:`store.ledger.event_communes` row by row."""
    communes: dict[int, set[str | None]] = {}
    ev = schema.events
    if _has_parcels(conn):
        rows = conn.exec_driver_sql(
            "SELECT DISTINCT e.upload_id, p.commune FROM events e LEFT JOIN parcels p ON p.parcel_id = e.parcel_id "
            "WHERE e.kind = 'parcel'").all()
    else:
        rows = [(u, None) for (u,) in conn.execute(select(ev.c.upload_id).where(ev.c.kind == "parcel").distinct())]
    for upload_id, commune in rows:
        _add(communes, upload_id, [None if commune is None or commune != commune else commune])  # NaN: undecided
    others = uploads.read_events(conn, include_reverted=True, where=ev.c.kind != "parcel")
    return _by_event_rule(communes, others, _parcels(conn)) if len(others) else communes


def _upload_communes(conn) -> dict[int, set[str | None]]:
    """upload id → the communes its rows concern (None for a row whose commune is undecided)."""
    communes = event_communes_by_upload(conn)
    homes = registers.read_current(conn, "households")
    home_commune = dict(zip(zip(homes["project_id"], homes["household_id"]), homes["commune"], strict=True))
    for register, table in registers.TABLES.items():
        if register in _COMMUNE_REGISTERS:
            rows = conn.execute(select(table.c.upload_id, table.c.commune).distinct()).all()
        elif register in _HOUSEHOLD_REGISTERS:
            rows = [(u, home_commune.get((p, h))) for u, p, h in conn.execute(
                select(table.c.upload_id, table.c.project_id, table.c.household_id).distinct()).all()]
        else:
            rows = [(u, None) for (u,) in conn.execute(select(table.c.upload_id).distinct()).all()]
        for upload_id, commune in rows:
            _add(communes, upload_id, [commune or None])
    return communes


def _has_parcels(conn) -> bool:
    from store.layers import table_exists

    return table_exists(conn, "parcels")


def _with_reverts(scopes: dict, frame: pd.DataFrame) -> dict:
    """A revert row concerns what the upload it reverted concerns."""
    if "reverts_upload_id" in frame.columns:
        for upload_id, reverted in zip(frame["upload_id"], frame["reverts_upload_id"], strict=True):
            if not pd.isna(reverted):
                scopes[int(upload_id)] = scopes.get(int(reverted), set())
    return scopes


def upload_units(conn, frame: pd.DataFrame | None = None) -> dict[int, set[str | None]]:
    """upload id → the unit codes it concerns (None for a project of no or an unknown unit)."""
    mapping = project_units(conn)
    units = {u: {mapping.get(str(p)) for p in projects} for u, projects in upload_projects(conn).items()}
    return units if frame is None else _with_reverts(units, frame)


def visible_uploads(conn, frame: pd.DataFrame, account: Account | None) -> pd.DataFrame:
    """The rows of ``frame`` (uploads or register imports: ``upload_id``, ``uploaded_by``, optionally
    ``reverts_upload_id``) that ``account`` may see (module docstring), order kept."""
    if _unscoped(account) or frame.empty:
        return frame
    units = upload_units(conn, frame)
    communes = _with_reverts(_upload_communes(conn), frame) if commune_scoped(account) else None
    ids = frame["upload_id"].astype(int)
    keep = (frame["uploaded_by"].astype(str) == account.username).to_numpy(dtype=bool, copy=True)
    keep |= np.array([sees_units(account, units.get(u, set()))
                      and (communes is None or sees_communes(account, communes.get(u, set()))) for u in ids],
                     dtype=bool)
    if "reverts_upload_id" in frame.columns:
        keep |= frame["reverts_upload_id"].isin(set(ids[keep])).to_numpy()
    return frame[keep].reset_index(drop=True)


def proposal_visible(conn, proposal: dict, account: Account) -> bool:
    """Whether a unit-scoped ``account`` sees ``proposal`` (``proposal_id``, ``action``, ``status``,
    ``proposed_by``, ``payload``): its own, or one it could decide by unit."""
    from store.writes import check_proposal_units

    if unit_scope(account) is None or proposal["proposed_by"] == account.username:
        return True
    if proposal["action"] == "revert":  # what the upload concerns (a register import has no events to tell by)
        return sees_units(account, store_units.upload_units(conn, int(proposal["payload"]["upload_id"])))
    if proposal["action"] == "replace_layers" and proposal["status"] != "pending":
        return False  # the pending layers are dropped once decided: nothing left to tell its units by
    try:
        check_proposal_units(conn, proposal, account)
    except GpmbError:  # refused by unit (or its layers unreadable): not this account's to see
        return False
    return True


def visible_proposals(conn, frame: pd.DataFrame, account: Account | None) -> pd.DataFrame:
    """The proposals of ``frame`` (:func:`store.proposals.read_proposals`) ``account`` may see, order kept."""
    if account is None or unit_scope(account) is None or frame.empty:
        return frame
    keep = [proposal_visible(conn, row, account) for row in frame.to_dict("records")]
    return frame[keep].reset_index(drop=True)


def _target(value) -> tuple[str, str]:
    kind, _, item = str(value or "").partition(":")
    return kind, item


def _entry_project(entry: dict) -> str | None:
    for side in ("after", "before"):
        record = entry.get(side) or {}
        if isinstance(record, dict) and record.get("project_id"):
            return str(record["project_id"])
    return None


def _entry_units(entry: dict) -> set[str | None]:
    """The units a ``layer:`` entry names (``after.units``: a unit-scoped account's replacement), else {None}."""
    record = entry.get("after") or {}
    units = record.get("units") if isinstance(record, dict) else None
    return {str(u) for u in units} if isinstance(units, list) and units else {None}


def visible_audit(conn, frame: pd.DataFrame, account: Account | None) -> pd.DataFrame:
    """The audit rows of ``frame`` (:meth:`store.audit.AuditTrail.read`) ``account`` may see, order kept."""
    if account is None or unit_scope(account) is None or frame.empty:
        return frame
    mapping = project_units(conn)
    units = upload_units(conn)
    areas = registers.read_current(conn, "areas")
    area_project = dict(zip(areas["area_id"].astype(str), areas["project_id"], strict=True))
    proposals_seen: dict[int, bool] = {}
    proposal_rows: dict[int, dict] = {}

    def seen(entry: dict) -> bool:
        kind, item = _target(entry["target"])
        if kind == "upload" and item.isdigit():
            return sees_units(account, units.get(int(item), set()))
        if kind == "proposal" and item.isdigit():
            if not proposal_rows:
                proposal_rows.update({int(r["proposal_id"]): r for r in read_proposals(conn).to_dict("records")})
            if int(item) not in proposals_seen:
                row = proposal_rows.get(int(item))
                proposals_seen[int(item)] = row is not None and proposal_visible(conn, row, account)
            return proposals_seen[int(item)]
        if kind == "layer":
            return sees_units(account, _entry_units(entry))
        project = {"project": item, "lottery": area_project.get(item)}.get(kind)
        if kind in ("milestone", "file"):
            project = _entry_project(entry)
        return project is not None and sees_units(account, {mapping.get(str(project))})

    keep = [seen(entry) for entry in frame.to_dict("records")]
    return frame[keep].reset_index(drop=True)

