"""Opening a store, and making one on purpose (issue 10: "opening a store never creates or seeds one").

- :func:`open_store` opens an EXISTING GPMB store and refuses anything else, changing nothing on disk:
  a missing or zero-byte file, a file that is not SQLite or not a GeoPackage, another application's
  GeoPackage, a store of a newer schema, an empty or foreign PostGIS database, a URL that does not
  parse (:mod:`store.identity`, :func:`store.engine.resolve_url`). The one exception is the DEFAULT
  store (no ``url``, no ``$DATABASE_URL``): ``data/gpmb.gpkg`` is built with the bundled demo data on
  first run, and only when the file does not exist at all (README's first command).
- :func:`init_store` (``python cli.py init [--demo]``) makes a new store: schema, identity, and with
  ``demo`` the bundled data of ``data/sources/``, in one transaction; it refuses to write over anything.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from store import identity, parcel_status, schema, seed, sources
from store.engine import (
    BUSY_TIMEOUT_S,
    DEFAULT_STORE_PATH,
    checkpoint,
    make_engine,
    parse_url,
    read_connection,
    resolve_url,
    write_transaction,
)
from store.identity import StoreExistsError
from store.store import SOURCES_DIR_ENV, Store

__all__ = ["SOURCES_DIR_ENV", "init_store", "is_default_store", "open_store"]

log = logging.getLogger(__name__)


def is_default_store(url: str | None) -> bool:
    """True when ``url`` names no store and ``$DATABASE_URL`` is unset: the default ``data/gpmb.gpkg``."""
    return url is None and not os.environ.get("DATABASE_URL")


def _sources_dir(sources_dir) -> Path:
    return Path(sources_dir or os.environ.get(SOURCES_DIR_ENV) or sources.DEFAULT_SOURCES_DIR)


def open_store(url: str | None = None, *, sources_dir: str | Path | None = None) -> Store:
    """Open an existing GPMB store (migrating an older schema); never create one, except the default.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL or a ``.gpkg`` path. None → ``$DATABASE_URL`` → ``sqlite:///<repo>/data/gpmb.gpkg``.
        PostGIS: ``postgresql+psycopg://user@host:5432/db`` (a database made by ``cli.py init``).
    sources_dir : path, optional
        Only for the default store's first run: the bundled sources it is filled from (None →
        ``$GPMB_SOURCES_DIR`` → ``data/sources/``). Never read for an existing store.

    Returns
    -------
    Store

    Notes
    -----
    A store at an older schema revision is migrated (Alembic) and a store of an earlier release without
    an identity gets one (:func:`store.identity.assign_identity`), in one write transaction. Otherwise
    opening is read-only: a few small queries.

    Raises
    ------
    store.identity.StoreNotFoundError
        No store there: a missing or zero-byte file, an empty PostGIS database (run ``cli.py init``).
    store.identity.NotAStoreError
        Not a GPMB store (not SQLite/GeoPackage, another application's file or database).
    store.errors.StoreUnavailableError
        A URL that does not parse, a newer schema, a server that cannot be reached … (nothing written).
    """
    if is_default_store(url):
        if not DEFAULT_STORE_PATH.exists():
            with contextlib.suppress(StoreExistsError):  # another process made it meanwhile: open that one
                return init_store(None, demo=True, sources_dir=sources_dir)
        _wait_for_first_run(DEFAULT_STORE_PATH)
    resolved = resolve_url(url)
    parsed = parse_url(resolved)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        identity.check_store_file(Path(parsed.database))  # before any engine: a refusal leaves no trace
    engine = make_engine(resolved)
    try:
        with read_connection(engine) as conn:
            if engine.dialect.name == "postgresql":
                identity.check_database(conn, engine.url)
            revision = schema.current_revision(conn)
            schema.check_known_revision(revision, identity.location_of(engine.url))
            meta = identity.read_meta(conn)
        if revision != schema.HEAD_REVISION or "store_id" not in meta:
            with write_transaction(engine) as conn:
                schema.ensure_schema(conn)
                identity.assign_identity(conn)
                parcel_status.refresh_in(conn)   # migrated: the derived progress layer follows
            checkpoint(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(resolved, engine)


def init_store(url: str | None = None, *, demo: bool, actor=None, sources_dir: str | Path | None = None) -> Store:
    """Make a new store at ``url``: schema, identity (``store_meta``), audit row; with ``demo`` the bundled data.

    Parameters
    ----------
    url : str, optional
        As :func:`open_store`. A GeoPackage file must not exist yet (a zero-byte file counts as absent:
        it holds nothing); a PostGIS database must exist and have no tables (``createdb`` it first).
    demo : bool
        Fill the store from ``sources_dir`` (layers, milestones, rules, ``events.csv`` as one upload with
        ``source='seed'``). False: an empty store (no layers, no milestones, default rules).
    actor : domain.roles.Account, optional
        Recorded in the audit row; None = the system (no account exists before ``init``).
    sources_dir : path, optional
        None → ``$GPMB_SOURCES_DIR`` → ``data/sources/``.

    Returns
    -------
    Store
        The new store, open.

    Raises
    ------
    store.identity.StoreExistsError
        Something is already there (nothing written).
    store.errors.SourceFileMissingError
        ``demo`` and a bundled source file is missing (nothing kept: a file made here is removed).
    store.errors.StoreUnavailableError
        A URL that does not parse, a server that cannot be reached …
    """
    resolved = resolve_url(url)
    parsed = parse_url(resolved)
    path = Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
    if path is not None and path.exists() and (not path.is_file() or path.stat().st_size > 0):
        raise _exists(identity.location_of(parsed))
    folder = _sources_dir(sources_dir)
    engine = make_engine(resolved)
    try:
        with write_transaction(engine) as conn:
            if identity.user_tables(conn):  # checked under the write lock: two inits cannot both pass
                raise _exists(identity.location_of(engine.url))
            schema.ensure_schema(conn)
            store_id = identity.write_identity(conn, actor=actor, details={"demo": bool(demo)})
            if demo:
                seed.seed(conn, folder, seed.source_hashes(folder))
                parcel_status.refresh_in(conn)   # the derived progress layer of what was seeded
        checkpoint(engine)
    except BaseException:
        engine.dispose()
        if path is not None:
            _remove_if_blank(path)
        raise
    log.info("Đã tạo kho dữ liệu %s (mã %s, dữ liệu mẫu: %s)", identity.location_of(engine.url), store_id, demo)
    return Store(resolved, engine)


def _wait_for_first_run(path: Path) -> None:
    """The default store that another process is building right now (a WAL file with its ``-wal`` and no
    committed table yet): wait for that write to end (``BEGIN IMMEDIATE`` queues behind it), so the
    dashboard and a command started together on a fresh machine both open the finished store."""
    if not Path(f"{path}-wal").exists() or _has_tables(path):
        return
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.Error:  # the check that follows says what is wrong with the file
        log.debug("waiting for the first run of %s failed", path, exc_info=True)
    finally:
        conn.close()


def _has_tables(path: Path) -> bool:
    """True when ``path`` holds a committed table, read without writing; True also when it cannot be read
    (not a blank SQLite file: the caller leaves it alone)."""
    wal = Path(f"{path}-wal").exists()
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?{'mode=ro' if wal else 'immutable=1'}", uri=True)
        try:
            return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return True


def _exists(where: str) -> StoreExistsError:
    return StoreExistsError(f"Không tạo kho dữ liệu: {where} đã có dữ liệu (một kho hoặc tệp khác); «init» không "
                            f"ghi đè. Chọn một tệp/cơ sở dữ liệu mới, hoặc mở kho đã có.")


def _remove_if_blank(path: Path) -> None:
    """After a failed init: remove the file the engine made, if it holds no table (never a real store)."""
    if not path.is_file():
        return
    if path.stat().st_size and _has_tables(path):
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
