"""Writes of milestones, rules and project attributes inside one transaction, each with its audit row.

A write is described by a *payload* (what it changes and the state it was prepared from), the same
whether it runs at once (maker–checker off) or is proposed and run when another account confirms it
(:func:`run`): the state in force is compared with the payload's ``before`` first, so a confirmation
never overwrites a change made since the proposal (refused with :class:`StoreError`). Each write
appends its ``config_changes`` rows (:func:`store.config.append_change`) and ONE ``audit_log`` row.
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from domain.config_history import RULES_ITEM
from domain.roles import Account
from parsing.dates import parse_date
from store import audit, config, layer_versions, parcel_status, units
from store.errors import StoreError
from store.layers import read_layer_table

#: Proposal action (``proposals.action``) → the audit action of the write it runs.
AUDIT_ACTION: dict[str, str] = {"milestone_set": "milestone_changed", "milestones_import": "milestones_imported",
                                "rules_set": "rules_changed", "project_set": "project_changed"}

#: Proposal action → the ``proposals.target`` it locks (one pending proposal per target).
def target_of(action: str, payload: dict) -> str:
    """``milestone:<id>``, ``milestones``, ``rules`` or ``project:<id>``."""
    if action == "milestone_set":
        return f"milestone:{payload['milestone_id']}"
    if action == "project_set":
        return f"project:{payload['project_id']}"
    return {"milestones_import": "milestones", "rules_set": "rules"}[action]


def _changed_since(what: str) -> StoreError:
    return StoreError(f"{what} đã được thay đổi từ khi chuẩn bị thao tác này; chưa ghi gì. "
                      "Hãy xem lại giá trị hiện hành và làm lại.")


def _same(a, b) -> bool:
    """Equal as stored (a JSON round trip: 70 and 70.0 alike)."""
    return json.loads(json.dumps(a, default=str)) == json.loads(json.dumps(b, default=str))


def project_attributes(conn, project_id: str) -> dict:
    """The current attributes (:data:`store.config.PROJECT_ATTRIBUTES`, JSON-safe) of ``project_id``.

    Raises
    ------
    StoreError
        No such project.
    """
    projects = read_layer_table(conn, "projects")
    row = projects[projects["project_id"].astype(str) == str(project_id)]
    if row.empty:
        raise StoreError(f"Không có dự án «{project_id}».")
    return {name: config.plain(row.iloc[0].get(name)) for name in config.PROJECT_ATTRIBUTES}


def typed_attribute(name: str, value):
    """A stored (JSON) project attribute as the layer holds it: ``start_date`` a date, sections floats."""
    if value is None:
        return None
    if name == "start_date":
        return parse_date(value)
    if name in ("section_from_m", "section_to_m"):
        return float(value)
    return str(value)


def check_units(conn, action: str, payload: dict, actor: Account) -> None:
    """Refuse a unit-scoped account a change outside its units (rules are shared: province level only)."""
    if action == "rules_set":
        units.refuse_whole_layer(actor, "edit_milestones", "Sửa quy tắc tính toán")
        return
    if action == "project_set":
        projects = [payload["project_id"]]
    elif action == "milestone_set":
        projects = [payload["before"].get("project_id"), payload["after"]["project_id"]]
    else:
        changes = payload["change_set"]
        projects = ([r["project_id"] for r in changes["added"] + changes["removed"]]
                    + [c[side]["project_id"] for c in changes["changed"] for side in ("before", "after")])
    units.check_row_units(actor, "edit_milestones", units.row_units(projects, units.project_units(conn)))


def run(conn, action: str, payload: dict, actor: Account, *, review: dict | None, client_address: str | None,
        now: datetime, proposal_id: int | None = None):
    """Check the payload's ``before`` against the state in force, then write it (dispatch on ``action``)."""
    steps = {"milestone_set": _set_milestone, "milestones_import": _import_milestones, "rules_set": _set_rules,
             "project_set": _set_project}
    check_units(conn, action, payload, actor)
    result, before, after = steps[action](conn, payload, actor, now, proposal_id)
    parcel_status.refresh_in(conn)   # risk flags and deadlines follow the milestones and rules
    audit.append(conn, actor=actor, action=AUDIT_ACTION[action], target=target_of(action, payload),
                 before=before, after={**after, "reason": payload["reason"], **({"review": review} if review else {})},
                 client_address=client_address, now=now)
    return result


def _set_milestone(conn, payload, actor, now, proposal_id):
    ident = payload["milestone_id"]
    current = config.current_milestones(conn).get(ident)
    if not _same(current, payload["before"]):
        raise _changed_since(f"Mốc «{ident}»")
    change_id = config.append_change(conn, kind="milestone", item=ident, before=current, after=payload["after"],
                                     account=actor.username, reason=payload["reason"], source="edit", now=now,
                                     proposal_id=proposal_id)
    return change_id, {"milestone": current}, {"milestone": payload["after"], "change_id": change_id}


def _import_milestones(conn, payload, actor, now, proposal_id):
    current = config.current_milestones(conn)
    if not _same(current, payload["expected"]):
        raise _changed_since("Bảng mốc tiến độ")
    changes = payload["change_set"]
    rows = ([(r["milestone_id"], current.get(r["milestone_id"]), r) for r in changes["added"]]
            + [(c["milestone_id"], current.get(c["milestone_id"]), c["after"]) for c in changes["changed"]]
            + [(r["milestone_id"], current.get(r["milestone_id"]), None) for r in changes["removed"]])
    ids = [config.append_change(conn, kind="milestone", item=ident, before=before, after=after,
                                account=actor.username, reason=payload["reason"], source="import", now=now,
                                proposal_id=proposal_id) for ident, before, after in rows]
    counts = {k: len(changes[k]) for k in ("added", "changed", "removed")}
    summary = {**counts, "added_ids": [r["milestone_id"] for r in changes["added"]],
               "changed_ids": [c["milestone_id"] for c in changes["changed"]],
               "removed_ids": [r["milestone_id"] for r in changes["removed"]],
               "file_name": payload.get("file_name"), "change_ids": ids}
    return {**counts, "change_ids": ids}, {"milestones": len(current)}, summary


def _set_rules(conn, payload, actor, now, proposal_id):
    current = config.rules_text(conn)
    if current != payload["before"]:
        raise _changed_since("Quy tắc (rules)")
    change_id = config.append_change(conn, kind="rules", item=RULES_ITEM,
                                     before=None if current is None else config.rules_record(current),
                                     after=config.rules_record(payload["yaml"]), account=actor.username,
                                     reason=payload["reason"], source="edit", now=now, proposal_id=proposal_id)
    return change_id, {"rules_chars": len(current or "")}, {"rules_chars": len(payload["yaml"]), "change_id": change_id}


def _set_project(conn, payload, actor, now, proposal_id):
    ident = payload["project_id"]
    current = project_attributes(conn, ident)
    before = {k: current[k] for k in payload["after"]}
    if not _same(before, payload["before"]):
        raise _changed_since(f"Dự án «{ident}»")
    projects = read_layer_table(conn, "projects")
    mask = projects["project_id"].astype(str) == str(ident)
    for name, value in payload["after"].items():
        if name not in projects.columns:
            projects[name] = None
        typed = typed_attribute(name, value)
        if name in ("section_from_m", "section_to_m"):
            projects[name] = pd.to_numeric(projects[name], errors="coerce").astype("float64")
            projects.loc[mask, name] = float("nan") if typed is None else typed
        else:
            projects[name] = projects[name].astype(object)
            projects.loc[mask, name] = typed
    report = json.dumps({"nguon": "sửa thông tin dự án", "project_id": ident, "reason": payload["reason"]},
                        ensure_ascii=False)
    version = layer_versions.replace_layer_in(conn, "projects", layer_versions.prepare_layer("projects", projects),
                                              report, "attributes")
    change_id = config.append_change(conn, kind="project", item=ident, before=before, after=payload["after"],
                                     account=actor.username, reason=payload["reason"], source="edit", now=now,
                                     proposal_id=proposal_id)
    return ({"change_id": change_id, "projects_version": version}, {"project": before},
            {"project": payload["after"], "change_id": change_id, "projects_version": version})
