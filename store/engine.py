"""Database engines for the store: SQLite/GeoPackage file (default) or PostgreSQL/PostGIS.

Writes are serialised so that concurrent processes wait for each other instead of failing or
interleaving:

- SQLite: WAL journal (readers never block the writer), ``synchronous=FULL``, a busy timeout
  (:data:`BUSY_TIMEOUT_S`), and ``BEGIN IMMEDIATE`` for write transactions so the write lock is
  taken before anything is read (no lost update between check and insert).
- PostgreSQL: a transaction-level advisory lock (:data:`WRITE_LOCK_KEY`) at the start of every
  write transaction.

Use :func:`write_transaction` for anything that writes and :func:`read_connection` for reads.
"""
from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

#: Default store file, relative to the repository.
DEFAULT_STORE_PATH = Path(__file__).resolve().parent.parent / "data" / "gpmb.gpkg"

#: Seconds a SQLite connection waits for another process's write lock before failing.
BUSY_TIMEOUT_S = 120

#: pg_advisory_xact_lock key serialising the store's write transactions ("GPMB").
WRITE_LOCK_KEY = 0x47504D42


def resolve_url(url: str | None = None) -> str:
    """Store URL: ``url`` → ``$DATABASE_URL`` → ``sqlite:///<repo>/data/gpmb.gpkg``.

    A bare file path (``.gpkg``/``.sqlite``) is accepted and turned into a ``sqlite:///`` URL;
    ``postgres://`` / ``postgresql://`` URLs use the installed psycopg 3 driver.
    """
    url = str(url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_STORE_PATH}")
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the store's locking and journal settings.

    Raises
    ------
    ValueError
        If the URL names a backend other than SQLite or PostgreSQL.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("Kho dữ liệu SQLite cần một đường dẫn tệp (.gpkg), không dùng bộ nhớ tạm.")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("gpmb_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ValueError(f"Kho dữ liệu chỉ hỗ trợ SQLite/GeoPackage hoặc PostgreSQL/PostGIS, nhận: {backend!r}.")


@contextlib.contextmanager
def write_transaction(engine: Engine):
    """One write transaction, serialised across processes; commits on success, rolls back on error.

    Yields
    ------
    sqlalchemy.engine.Connection
    """
    with engine.connect() as conn:
        conn.execution_options(gpmb_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            yield conn


@contextlib.contextmanager
def read_connection(engine: Engine):
    """A connection in a read transaction (a consistent view on SQLite WAL)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def checkpoint(engine) -> None:
    """SQLite: copy the WAL into the GeoPackage file, so the ``.gpkg`` file alone (copied, opened in
    QGIS, read by GDAL from its header) holds every committed write. PASSIVE: never waits for readers
    (what they still use is copied by a later checkpoint). No-op on PostGIS; never fails the caller."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # a busy reader only delays the checkpoint
        log.debug("WAL checkpoint skipped", exc_info=True)
