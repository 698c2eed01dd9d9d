"""Maker–checker: destructive actions proposed by one account and carried out when another confirms.

Destructive actions (issue 9): reverting an upload (``revert``), a layer replacement that removes
parcels (``replace_layers``) and restoring a layer version (``restore``); and (issue 10) every change
of a milestone (``milestone_set``), of the milestones table (``milestones_import``), of the rules
(``rules_set``) or of a project's attributes (``project_set``). With the setting
``maker_checker`` on (the default, :mod:`store.settings`) the store does not run them: it records a
``proposals`` row (``pending``). Another active account whose role grants the same permission
(:data:`PERMISSION_OF`) confirms it, and the action runs then, in the transaction that marks the
proposal ``confirmed``; the proposer cannot confirm his own. A proposal can be rejected (by such an
account, with a reason) or cancelled (by its proposer). With ``maker_checker`` off the action runs at
once and its audit row says :data:`NO_REVIEW_NOTE`.

Where a proposed layer waits: each layer of a proposed replacement is written as a plain table
``proposal_<id>__<layer>`` by the same layer writer the versions use (:func:`store.layers.write_layer_table`),
so it works alike on GeoPackage and PostGIS, keeps geometry and column types exactly, and costs no
serialisation format of its own; it is not registered in ``gpkg_contents`` (GIS clients do not list
it) and is dropped once the proposal is decided. The layer versions read by the proposer are kept
in the payload (``expected_versions``): a confirmation is refused when the layer changed since.

Each function works inside the caller's write transaction (``conn``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Column, Integer, Table, Text, select, text

from domain.roles import Account
from store import audit, schema
from store.errors import StoreError
from store.geometry import unregister_gpkg_layer
from store.layer_versions import utcnow
from store.layers import read_layer_table, table_exists, write_layer_table
from store.types import UtcDateTime

proposals_table = Table(
    "proposals", schema.metadata,
    Column("proposal_id", Integer, primary_key=True, autoincrement=True),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("payload_json", Text, nullable=False),
    Column("proposed_by", Text, nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("decided_by", Text),
    Column("decided_at", UtcDateTime),
    Column("reason", Text),
)

#: Proposal action → the permission (:data:`domain.roles.ACTIONS`) needed to propose, confirm or reject it.
PERMISSION_OF: dict[str, str] = {"revert": "revert", "replace_layers": "import_cadastre", "restore": "restore",
                                 # changes of milestones, rules and project attributes (store.config_writes)
                                 "milestone_set": "edit_milestones", "milestones_import": "edit_milestones",
                                 "rules_set": "edit_milestones", "project_set": "edit_milestones"}

#: ``proposals.status`` values.
STATUSES = ("pending", "confirmed", "rejected", "cancelled")

#: What the audit row of an action carried out without a second account says.
NO_REVIEW_NOTE = "không qua bước duyệt (maker–checker tắt)"

#: Columns of :func:`read_proposals`.
PROPOSAL_COLUMNS = ("proposal_id", "action", "target", "payload", "proposed_by", "proposed_at", "status",
                    "decided_by", "decided_at", "reason")


class ApprovalRequiredError(StoreError):
    """A destructive write asked to run directly while ``maker_checker`` is on (nothing written).

    Propose it instead (``Store.submit_layers``, ``revert_upload``, ``restore_layer`` do so).
    """


@dataclass(frozen=True)
class Outcome:
    """What a destructive write did.

    Attributes
    ----------
    executed : bool
        True when the action ran (maker–checker off, or a confirmation); False when it waits.
    proposal_id : int or None
        The proposal recorded (waiting) or confirmed; None when it ran with maker–checker off.
    result : Any
        When executed: the revert's ``uploads`` id (revert), the new version (restore), or
        ``{layer: version}`` (layer replacement).
    """

    executed: bool
    proposal_id: int | None = None
    result: Any = None


def no_review() -> dict:
    """The audit ``review`` summary of an action run at once (maker–checker off)."""
    return {"maker_checker": "off", "note": NO_REVIEW_NOTE}


def pending_table(proposal_id: int, layer: str) -> str:
    """Name of the table holding ``layer`` of a proposed replacement."""
    return f"proposal_{int(proposal_id)}__{layer}"


def create(conn, *, actor: Account, action: str, target: str, payload: dict,
           client_address: str | None = None) -> int:
    """Record a pending proposal and its audit row (``proposal_created``); return its id.

    Raises
    ------
    StoreError
        A proposal for the same ``target`` is already pending (decide that one first).
    """
    t = proposals_table
    waiting = conn.execute(select(t.c.proposal_id).where(t.c.target == target, t.c.status == "pending")).scalar()
    if waiting is not None:
        raise StoreError(f"Đã có đề xuất số {waiting} cho «{target}» đang chờ duyệt; hãy duyệt, từ chối "
                         "hoặc huỷ đề xuất đó trước.")
    proposal_id = conn.execute(t.insert().values(
        action=action, target=target, payload_json=json.dumps(payload, ensure_ascii=False, default=str),
        proposed_by=actor.username, proposed_at=utcnow(), status="pending",
    ).returning(t.c.proposal_id)).scalar_one()
    audit.append(conn, actor=actor, action="proposal_created", target=f"proposal:{proposal_id}",
                 before={"status": None},
                 after={"status": "pending", "action": action, "target": target,
                        "payload": {k: v for k, v in payload.items() if k != "reports"}},
                 client_address=client_address)
    return int(proposal_id)


def store_layers(conn, proposal_id: int, layers: dict) -> None:
    """Write each prepared layer of a proposed replacement as :func:`pending_table` (not registered)."""
    for name, gdf in layers.items():
        write_layer_table(conn, pending_table(proposal_id, name), gdf, register=False)


def read_layers(conn, proposal_id: int, names) -> dict:
    """The layers stored by :func:`store_layers`, by name (GeoDataFrames, EPSG:9215)."""
    return {name: read_layer_table(conn, pending_table(proposal_id, name)) for name in names}


def drop_layers(conn, proposal_id: int, names) -> None:
    """Drop the waiting layers of a decided proposal."""
    for name in names:
        table = pending_table(proposal_id, name)
        if table_exists(conn, table):
            unregister_gpkg_layer(conn, table)
            conn.execute(text(f'DROP TABLE "{table}"'))


def pending(conn, proposal_id: int) -> dict:
    """The pending proposal ``proposal_id`` (``payload`` parsed).

    Raises
    ------
    StoreError
        No such proposal, or it is no longer pending.
    """
    row = conn.execute(select(proposals_table).where(proposals_table.c.proposal_id == int(proposal_id))
                       ).mappings().first()
    if row is None:
        raise StoreError(f"Không có đề xuất số {proposal_id}.")
    if row["status"] != "pending":
        raise StoreError(f"Đề xuất số {proposal_id} không còn chờ duyệt (trạng thái: {row['status']}).")
    return {**row, "payload": json.loads(row["payload_json"])}


def check_checker(proposal: dict, checker: Account) -> None:
    """Refuse a confirmation or rejection by the account that proposed (maker ≠ checker)."""
    if proposal["proposed_by"] == checker.username:
        raise StoreError(f"Tài khoản «{checker.username}» đã đề xuất thao tác số {proposal['proposal_id']}, "
                         "nên không tự duyệt hay từ chối được: cần một tài khoản khác có quyền.")


def review_of(proposal: dict, checker: Account) -> dict:
    """The audit ``review`` summary of a confirmed proposal."""
    return {"maker_checker": "on", "proposal_id": int(proposal["proposal_id"]),
            "proposed_by": proposal["proposed_by"], "confirmed_by": checker.username}


def decide(conn, proposal: dict, *, actor: Account, status: str, reason: str = "") -> None:
    """Mark ``proposal`` as ``status`` (confirmed | rejected | cancelled) by ``actor``; drop its waiting layers."""
    t = proposals_table
    conn.execute(t.update().where(t.c.proposal_id == proposal["proposal_id"], t.c.status == "pending").values(
        status=status, decided_by=actor.username, decided_at=utcnow(), reason=reason or None))
    if proposal["action"] == "replace_layers":
        drop_layers(conn, proposal["proposal_id"], proposal["payload"]["layers"])


def read_proposals(conn, status: str | None = None) -> pd.DataFrame:
    """Proposals, oldest first (only ``status`` when given): columns :data:`PROPOSAL_COLUMNS`,
    ``payload`` a dict, times UTC."""
    query = select(proposals_table).order_by(proposals_table.c.proposal_id)
    if status is not None:
        query = query.where(proposals_table.c.status == status)
    rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame([{**{k: r[k] for k in PROPOSAL_COLUMNS if k in r}, "payload": json.loads(r["payload_json"])}
                          for r in rows], columns=list(PROPOSAL_COLUMNS))
    for name in ("proposed_at", "decided_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    for name in ("decided_by", "reason"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame.astype({"proposal_id": "int64"})
