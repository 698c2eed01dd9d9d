"""Store writes inside one transaction: the layer, ledger and proposal steps behind :class:`store.store.Store`.

Each function takes the caller's write connection (``conn``) and the acting account already checked
by :func:`store.actors.check_actor`, makes its change and appends its ONE audit row
(:func:`store.audit.append`), so the change and its record commit together or not at all. A change of
parcels or of the ledger also recomputes the ``parcel_status`` layer in the same transaction
(:func:`store.parcel_status.refresh_in`).
"""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import text

from domain.roles import PERMISSIONS, SCOPE_OWN_COMMUNES, Account, unit_scope
from store import audit, config_writes, layer_versions, parcel_status, proposals, units, uploads
from store.errors import StoreError
from store.ledger import event_communes, pause_for_tests
from store.proposals import Outcome


def prepared_layers(layers, report, reports, expected_versions) -> tuple[dict, dict]:
    """Every layer checked (:func:`store.layer_versions.prepare_layer`) and its report as JSON text."""
    if not layers:
        raise StoreError("Không có lớp nào để ghi.")
    prepared = {name: layer_versions.prepare_layer(name, gdf) for name, gdf in layers.items()}
    reports = dict(reports or {})
    unknown = [n for n in [*reports, *(expected_versions or {})] if n not in prepared]
    if unknown:
        raise StoreError(f"Báo cáo/phiên bản cho lớp không được ghi: {', '.join(map(str, unknown))}.")
    texts = {name: json.dumps(reports.get(name, report) or {}, ensure_ascii=False, default=str)
             for name in prepared}
    return prepared, texts


def write_layers(conn, actor: Account, prepared: dict, texts: dict, source: str, changes: dict,
                  review: dict | None, client_address: str | None) -> dict[str, int]:
    """Write each layer as a new version, then ONE audit row (``layer_replaced``)."""
    versions: dict[str, int] = {}
    planned = {name: layer_versions.current_version(conn, name) + 1 for name in prepared}
    texts = layer_versions.with_written_together(texts, planned)  # a restore brings them back together
    for name, gdf in prepared.items():
        versions[name] = layer_versions.replace_layer_in(conn, name, gdf, texts[name], source)
        pause_for_tests()  # tests kill the process here, between layers
    parcel_status.refresh_in(conn)
    before = {name: {"version": c["version"], "features": c["features_before"]} for name, c in changes.items()}
    after = {name: {"version": versions[name], "features": c["features_after"], "added": c["added"],
                    "removed": c["removed"]} for name, c in changes.items()}
    # A unit-scoped actor's replacement changed only his units' rows (units.check_layer_units): the entry
    # names them, so his own imports reach his audit list (store.visibility); a province account's does not.
    scope = unit_scope(actor)
    audit.append(conn, actor=actor, action="layer_replaced", target="layer:" + ",".join(prepared),
                 before=before, after={**after, **({"review": review} if review else {}), "source": source,
                                       **({"units": sorted(scope)} if scope is not None else {})},
                 client_address=client_address)
    return versions


def propose_layers(conn, actor: Account, prepared: dict, texts: dict, source: str, changes: dict,
                    client_address: str | None) -> Outcome:
    """Record a parcel-removing replacement as a proposal; its layers wait in ``proposal_<id>__<layer>``."""
    payload = {"layers": list(prepared), "source": source, "changes": changes,
               "expected_versions": {name: c["version"] for name, c in changes.items()}, "reports": texts}
    proposal_id = proposals.create(conn, actor=actor, action="replace_layers", target="layer:" + ",".join(prepared),
                                   payload=payload, client_address=client_address)
    proposals.store_layers(conn, proposal_id, prepared)
    return Outcome(False, proposal_id)


def revert(conn, actor: Account, upload_id: int, reason: str, review: dict, client_address: str | None) -> int:
    """Record the revert and its audit row (``upload_reverted``); return the revert's ``uploads`` id."""
    before = {**uploads.revertable(conn, upload_id), "events_counted": uploads.counted_events(conn)}
    was_current = parcel_status.layer_current(conn)
    revert_id = uploads.revert_in(conn, upload_id, by=actor.username, reason=reason)
    parcel_status.refresh_in(conn, projects=parcel_status.touched_projects(conn, upload_id), was_current=was_current)
    audit.append(conn, actor=actor, action="upload_reverted", target=f"upload:{upload_id}", before=before,
                 after={"reverted": True, "revert_upload_id": revert_id, "reason": reason or "",
                        "events_counted": uploads.counted_events(conn), "review": review},
                 client_address=client_address)
    return revert_id


def restore(conn, actor: Account, name: str, version: int, review: dict, client_address: str | None) -> int:
    """Make ``version`` of ``name`` current again, with its audit row (``layer_restored``).

    Layers written together with it (:func:`store.layer_versions.linked_versions`: a boundary import
    wrote ``projects`` and ``parcels``) are restored with it in the same transaction, so the
    boundary and the parcels' area to recover come back as they were together; the audit row
    names every layer restored.
    """
    targets = {name: int(version), **layer_versions.linked_versions(conn, name, version)}
    current = {layer: layer_versions.current_version(conn, layer) for layer in targets}
    counts_before = {layer: layer_versions.feature_count(conn, layer) for layer in targets}
    planned = {layer: current[layer] + 1 for layer in targets}
    extra = {layer_versions.WRITTEN_TOGETHER: planned} if len(targets) > 1 else None
    new = {layer: layer_versions.restore_layer_in(conn, layer, v, extra) for layer, v in targets.items()}
    parcel_status.refresh_in(conn)
    linked = {layer: {"version": new[layer], "restored_from": targets[layer], "version_before": current[layer],
                      "features": layer_versions.feature_count(conn, layer)} for layer in targets if layer != name}
    audit.append(conn, actor=actor, action="layer_restored", target="layer:" + ",".join(targets),
                 before={"version": current[name], "features": counts_before[name]},
                 after={"version": new[name], "restored_from": version,
                        "features": layer_versions.feature_count(conn, name), "review": review,
                        **({"linked": linked} if linked else {})},
                 client_address=client_address)
    return new[name]


def run_proposal(conn, proposal: dict, actor: Account, review: dict, client_address: str | None, now=None):
    """Carry out a confirmed proposal (inside the confirming transaction); return what the action returns.

    ``now`` (UTC) is the time a configuration change is recorded at (default: now).
    """
    payload = proposal["payload"]
    if proposal["action"] in config_writes.AUDIT_ACTION:
        return config_writes.run(conn, proposal["action"], payload, actor, review=review, client_address=client_address,
                                 now=now or layer_versions.utcnow(), proposal_id=int(proposal["proposal_id"]))
    layers = check_proposal_units(conn, proposal, actor)
    if proposal["action"] == "revert":
        return revert(conn, actor, int(payload["upload_id"]), payload.get("reason", ""), review, client_address)
    if proposal["action"] == "restore":
        layer_versions.check_expected_versions(conn, {payload["layer"]: payload["expected_version"]})
        return restore(conn, actor, payload["layer"], int(payload["version"]), review, client_address)
    layer_versions.check_expected_versions(conn, payload["expected_versions"])
    changes = layer_versions.change_summary(conn, layers)
    return write_layers(conn, actor, layers, payload["reports"], payload["source"], changes, review, client_address)


def check_proposal_units(conn, proposal: dict, actor: Account) -> dict | None:
    """Refuse a unit-scoped ``actor`` a proposal reaching beyond his units — to confirm it or to reject it
    (the same rule both ways: who may not carry it out may not turn it down either). Returns the pending
    layers of a layer replacement (read for the check), else None.

    Raises
    ------
    domain.roles.UnitScopeError, PermissionDeniedError
        As the action itself would (:mod:`store.units`).
    """
    payload, action = proposal["payload"], proposal["action"]
    if action in config_writes.AUDIT_ACTION:
        config_writes.check_units(conn, action, payload, actor)
        return None
    if action == "revert":
        units.check_row_units(actor, "revert", units.upload_units(conn, int(payload["upload_id"])))
        return None
    if action == "restore":
        units.refuse_whole_layer(actor, "restore", f"Khôi phục một phiên bản của lớp {payload['layer']!r}")
        return None
    layers = proposals.read_layers(conn, proposal["proposal_id"], payload["layers"])
    if "projects" in layers:
        layers["projects"] = units.with_units(conn, layers["projects"])
    units.check_layer_units(conn, actor, layers)
    return layers


def row_communes(conn, actor: Account, columns: dict) -> list[frozenset[str]] | None:
    """The communes of each event row when ``actor`` may upload only for his communes, else None."""
    if PERMISSIONS.get(getattr(actor, "role", None), {}).get("upload_counts") != SCOPE_OWN_COMMUNES:
        return None
    names = ["parcel_id", "project_id", "commune", "chainage_m"]
    rows = conn.execute(text(f"SELECT {', '.join(names)} FROM parcels")).all()
    parcels = pd.DataFrame([tuple(r) for r in rows], columns=names)
    parcels["chainage_m"] = pd.to_numeric(parcels["chainage_m"], errors="coerce")
    return event_communes(pd.DataFrame(columns), parcels)
