"""Filling a new store from ``data/sources/`` ONCE, when it is made (``init --demo``, or the default
store's first run); afterwards the store is the truth and these files are never read into it again.

Milestones and rules are seeded ONCE, as ``config_changes`` rows with ``source='seed'`` (in force from
the beginning): after that the store is the truth and ``milestones.csv``/``rules.yaml`` are never read
again for it (issue 10: a client's local files must not overwrite a shared store).

Runs inside :func:`store.opening.init_store`'s write transaction; the writes are the transaction-level
helpers of :mod:`store.layer_versions` and :mod:`store.uploads` (so a seed is
recorded exactly like an import or an upload).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import select

from domain.config_history import RULES_ITEM
from store import config, identity, schema, sources
from store.layer_versions import replace_layer_in, utcnow
from store.layers import table_exists
from store.ledger import prepare_events
from store.people_seed import seed_registers
from store.uploads import commit_in

log = logging.getLogger(__name__)


_SEED_LAYERS = {
    "projects": sources.load_projects,
    "centrelines": sources.load_centrelines,
    "parcels": sources.load_parcels,
    "communes": sources.load_communes,
    "roads": sources.load_roads,
}
#: Source file → the layers read from it (``events.csv`` → the seed upload).
_SEED_FILES = {
    "projects.gpkg": ("projects", "centrelines"),
    "parcels.gpkg": ("parcels",),
    "communes.geojson": ("communes",),
    "roads.geojson": ("roads",),
    "events.csv": (),
}


# One implementation of store_meta reads and writes: :mod:`store.identity`.
read_meta = identity.read_meta
_set_meta = identity.set_meta


def source_hashes(sources_dir: Path) -> dict:
    """SHA-256 of every seed file present, kept in ``store_meta`` as the record of what the store was
    filled from (provenance only: nothing compares them later; milestones and rules are seeded once)."""
    return {name: sources.file_sha256(sources_dir / name) for name in _SEED_FILES
            if (sources_dir / name).is_file()}


_SEED_REASON = "Khởi tạo từ data/sources"


def _seed_config(conn, sources_dir: Path) -> None:
    """Milestones and rules of ``sources_dir`` as ``seed`` changes, each kind only if the store has none."""
    now = utcnow()
    if config.read_changes(conn, "milestone").empty:
        for record in sources.load_milestones(sources_dir).to_dict("records"):
            record = {k: config.plain(v) for k, v in record.items()}
            config.append_change(conn, kind="milestone", item=str(record.get("milestone_id")), before=None,
                                 after=record, account=None, reason=_SEED_REASON, source="seed", now=now)
    if config.read_changes(conn, "rules").empty:
        config.append_change(conn, kind="rules", item=RULES_ITEM, before=None,
                             after=config.rules_record(sources.load_rules_text(sources_dir)), account=None,
                             reason=_SEED_REASON, source="seed", now=now)


def _seed_layer(conn, sources_dir: Path, name: str) -> None:
    gdf = _SEED_LAYERS[name](sources_dir)
    report = json.dumps({"nguon": f"data/sources ({name})", "so_doi_tuong": len(gdf)}, ensure_ascii=False)
    replace_layer_in(conn, name, gdf, report, "seed")


def _seed_events(conn, sources_dir: Path) -> None:
    columns = prepare_events(sources.load_seed_events(sources_dir))
    commit_in(conn, columns, file_name="events.csv",
              file_sha256=sources.file_sha256(Path(sources_dir) / "events.csv"),
              uploaded_by="Khởi tạo từ data/sources", rows_read=len(columns["kind"]), source="seed")


def seed(conn, sources_dir: Path, hashes: dict) -> None:
    """Fill what is missing from ``sources_dir`` (inside the caller's write transaction)."""
    for name in _SEED_LAYERS:
        if not table_exists(conn, name):
            _seed_layer(conn, sources_dir, name)
    _seed_config(conn, sources_dir)
    has_seed = conn.execute(select(schema.uploads.c.upload_id).where(schema.uploads.c.source == "seed")).first()
    if has_seed is None:
        _seed_events(conn, sources_dir)
    seed_registers(conn, sources_dir)
    for name, digest in hashes.items():
        _set_meta(conn, f"sha256:{name}", digest)
    _set_meta(conn, "seeded_at", utcnow().isoformat())


# Issue 10: ``sync_sources`` (reloading milestones.csv, rules.yaml and the seed layers into an existing
# store whenever the local files changed) was removed. After ``init`` the store is the truth; a client's
# local ``data/sources/`` never overwrites it (two checkouts flipped a shared target 70 → 95 → 70).
