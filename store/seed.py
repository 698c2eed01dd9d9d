"""Filling an empty store from ``data/sources/`` and reconciling it when those files change.

Runs inside :func:`store.store.open_store`'s write transaction; the writes are the transaction-level
helpers of :mod:`store.layer_versions` and :mod:`store.uploads` (so a seed is
recorded exactly like an import or an upload).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import select, text

from store import schema, sources
from store.geometry import unregister_gpkg_layer
from store.layer_versions import replace_layer_in, utcnow
from store.layers import table_exists, write_layer_table
from store.ledger import prepare_events
from store.people_seed import seed_registers
from store.uploads import commit_in, revert_in

log = logging.getLogger(__name__)


_SEED_LAYERS = {
    "projects": sources.load_projects,
    "centrelines": sources.load_centrelines,
    "parcels": sources.load_parcels,
    "communes": sources.load_communes,
    "roads": sources.load_roads,
}
_CONFIG_FILES = ("milestones.csv", "rules.yaml")
#: Source file → the layers read from it (``events.csv`` → the seed upload).
_SEED_FILES = {
    "projects.gpkg": ("projects", "centrelines"),
    "parcels.gpkg": ("parcels",),
    "communes.geojson": ("communes",),
    "roads.geojson": ("roads",),
    "events.csv": (),
}


def read_meta(conn) -> dict:
    """``store_meta`` as a dict (key → text value)."""
    return dict(conn.execute(select(schema.store_meta.c.key, schema.store_meta.c.value)).all())


def _set_meta(conn, key: str, value: str) -> None:
    sm = schema.store_meta
    if conn.execute(select(sm.c.key).where(sm.c.key == key)).first() is None:
        conn.execute(sm.insert().values(key=key, value=value))
    else:
        conn.execute(sm.update().where(sm.c.key == key).values(value=value))


def source_hashes(sources_dir: Path) -> dict:
    """SHA-256 of every source file present (config and seed files)."""
    return {name: sources.file_sha256(sources_dir / name) for name in (*_CONFIG_FILES, *_SEED_FILES)
            if (sources_dir / name).is_file()}


def _write_milestones(conn, sources_dir: Path) -> None:
    if table_exists(conn, "milestones"):
        unregister_gpkg_layer(conn, "milestones")
        conn.execute(text('DROP TABLE "milestones"'))
    write_layer_table(conn, "milestones", sources.load_milestones(sources_dir), identifier="milestones",
                      description="Mốc tiến độ (data/sources/milestones.csv)")


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
    meta = read_meta(conn)
    for name in _SEED_LAYERS:
        if not table_exists(conn, name):
            _seed_layer(conn, sources_dir, name)
    if not table_exists(conn, "milestones"):
        _write_milestones(conn, sources_dir)
    if "rules_yaml" not in meta:
        _set_meta(conn, "rules_yaml", sources.load_rules_text(sources_dir))
    has_seed = conn.execute(select(schema.uploads.c.upload_id).where(schema.uploads.c.source == "seed")).first()
    if has_seed is None:
        _seed_events(conn, sources_dir)
    seed_registers(conn, sources_dir)
    for name, digest in hashes.items():
        _set_meta(conn, f"sha256:{name}", digest)
    _set_meta(conn, "seeded_at", utcnow().isoformat())


def _holds_only_seed(conn) -> bool:
    """True when no user upload counts and no layer was imported: the store holds bundled data only."""
    up, rv, lv = schema.uploads, schema.reverts, schema.layer_versions
    user_upload = conn.execute(select(up.c.upload_id).where(up.c.source.in_(("upload", "cli")),
                                                            up.c.upload_id.not_in(select(rv.c.upload_id)))).first()
    imported = conn.execute(select(lv.c.version).where(lv.c.source.not_in(("seed", "migration")))).first()
    return user_upload is None and imported is None


def sync_sources(conn, sources_dir: Path, hashes: dict) -> None:
    """Bring the store in line with source files changed since it last read them.

    - ``milestones.csv`` / ``rules.yaml`` (edited by a clerk): always reloaded.
    - Seed files (layers, ``events.csv``; e.g. a new release's demo data): reloaded only while the
      store holds nothing but bundled data. Layers get a new version; the old seed upload is
      reverted and the new ``events.csv`` committed (the ledger stays append-only). Once users
      have uploaded counts or imported layers, the change is logged and the store is left as it is.
    """
    meta = read_meta(conn)
    if _holds_only_seed(conn):
        seed_registers(conn, sources_dir)  # a store made before the registers existed (revision 0010)
    changed = [name for name, digest in hashes.items() if meta.get(f"sha256:{name}") != digest]
    seed_only = None
    for name in changed:
        if name == "milestones.csv":
            _write_milestones(conn, sources_dir)
        elif name == "rules.yaml":
            _set_meta(conn, "rules_yaml", sources.load_rules_text(sources_dir))
        else:
            if seed_only is None:
                seed_only = _holds_only_seed(conn)
            if not seed_only:
                log.warning("data/sources/%s đã thay đổi nhưng kho đã có dữ liệu người dùng: giữ nguyên kho.", name)
            elif name == "events.csv":
                up, rv = schema.uploads, schema.reverts
                old = conn.execute(select(up.c.upload_id).where(up.c.source == "seed",
                                                                up.c.upload_id.not_in(select(rv.c.upload_id)))).all()
                for (upload_id,) in old:
                    revert_in(conn, upload_id, by="Khởi tạo lại từ data/sources",
                              reason="data/sources/events.csv đã thay đổi")
                _seed_events(conn, sources_dir)
            else:
                for layer in _SEED_FILES[name]:
                    _seed_layer(conn, sources_dir, layer)
        _set_meta(conn, f"sha256:{name}", hashes[name])
        log.info("Đã đối chiếu %s với kho dữ liệu", name)
