"""What a read-only CLI call printed, kept per (request, data version, program version): ``cli_cache``.

``python cli.py status`` on an unchanged store prints the same text every time, yet a cold call pays
≈1,5 s of imports (pandas, geopandas, SQLAlchemy) before computing anything. The first call stores its
output here; a later call with the same request on the same data and the same program is answered by
:func:`cached_output_from_file` using only the standard library (``sqlite3``, no engine, no pandas),
before ``cli.py`` imports anything else (issue 13: cold ``status`` ≤ 0,5 s).

The key (:func:`cache_key`) is the SHA-256 of: the request (command and its options, today's date for a
command whose default as-of date is today), the data version read by :data:`VERSION_QUERIES` (schema
revision, store id, uploads, reverts, layer versions, milestone/rule changes, units) and the program
version (size and modification time of every ``.py`` file the output depends on). Any upload, revert,
layer replacement, milestone change or code change gives a new key, so a cached answer is never stale.
The table is derived data, like ``parcel_status``: rows are replaced and trimmed (:data:`MAX_ROWS`), never
audited. Only GeoPackage stores are answered from the file; PostGIS stores are computed every time.

This module imports nothing outside the standard library (``store/__init__.py`` loads lazily), so
importing it costs milliseconds.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

TABLE = "cli_cache"
#: Rows kept; older ones are dropped when a new answer is stored.
MAX_ROWS = 500
REPO = Path(__file__).resolve().parents[1]
#: Packages whose code shapes a command's output (their ``.py`` files are the program version).
CODE_PACKAGES = ("domain", "vocab", "parsing", "gis", "data", "store", "milestones", "exports", "commands")

#: The data version: every query's rows go into the key (plain SQL, same text on SQLite and PostgreSQL).
VERSION_QUERIES: tuple[str, ...] = (
    "SELECT version_num FROM alembic_version",
    "SELECT value FROM store_meta WHERE key = 'store_id'",
    "SELECT COALESCE(MAX(upload_id), 0), COUNT(*) FROM uploads",
    "SELECT COUNT(*) FROM reverts",
    "SELECT layer_name, MAX(version) FROM layer_versions GROUP BY layer_name ORDER BY layer_name",
    "SELECT COALESCE(MAX(change_id), 0) FROM config_changes",
    "SELECT unit_code, name, province FROM units ORDER BY unit_code",
)


def code_version(packages: tuple[str, ...] = CODE_PACKAGES) -> str:
    """SHA-256 of (path, size, mtime) of every ``.py`` file of ``packages`` and ``cli.py`` (~2 ms)."""
    digest = hashlib.sha256()
    files = [REPO / "cli.py", *sorted(p for pkg in packages for p in (REPO / pkg).rglob("*.py"))]
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(REPO)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def data_version(run: Callable[[str], list]) -> list:
    """The rows of :data:`VERSION_QUERIES` through ``run(sql) -> list of tuples``, as JSON-ready lists."""
    return [[[str(v) for v in row] for row in run(sql)] for sql in VERSION_QUERIES]


def cache_key(request: Mapping, version: list, code: str) -> str:
    """The SHA-256 hex key of a request on a data version and a program version."""
    text = json.dumps({"request": dict(request), "data": version, "code": code}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_output_from_file(path: Path, request: Mapping) -> str | None:
    """The stored answer to ``request`` from the GeoPackage at ``path``, read-only with ``sqlite3``; None when
    there is none (or the file cannot be read this way: the caller then takes the normal path)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            key = cache_key(request, data_version(lambda sql: conn.execute(sql).fetchall()), code_version())
            row = conn.execute(f"SELECT output FROM {TABLE} WHERE cache_key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


#: ``store_meta.application`` and SQLite ``application_id`` of a GPMB GeoPackage (as :mod:`store.identity`).
APPLICATION = "gpmb-tracker"
GPKG_APPLICATION_ID = 0x47504B47


def versioned_output_from_file(path: Path, request: Mapping) -> tuple[str, list, str] | None:
    """``(output, data version, program version)`` stored for ``request`` in the GeoPackage at ``path``, read
    read-only with ``sqlite3`` in one read transaction; None when the file is not a GPMB GeoPackage store
    (SQLite ``application_id``, ``store_meta.application``: the cheap form of
    :func:`store.identity.check_store_file`, whose refusal the normal path then gives) or has no such row.
    The version is that of the rows read in the same transaction, for the caller to check what it reads."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            conn.execute("BEGIN")
            if conn.execute("PRAGMA application_id").fetchone()[0] != GPKG_APPLICATION_ID or conn.execute(
                    "SELECT value FROM store_meta WHERE key = 'application'").fetchone() != (APPLICATION,):
                return None
            version = data_version(lambda sql: conn.execute(sql).fetchall())
            code = code_version()
            row = conn.execute(f"SELECT output FROM {TABLE} WHERE cache_key = ?",
                               (cache_key(request, version, code),)).fetchone()
            conn.rollback()
    except sqlite3.Error:
        return None
    return (row[0], version, code) if row else None


def key_on(conn, request: Mapping) -> str:
    """:func:`cache_key` of ``request`` on the store behind ``conn`` (a SQLAlchemy connection)."""
    return cache_key(request, data_version(lambda sql: conn.exec_driver_sql(sql).fetchall()), code_version())


def save_in(conn, key: str, output: str) -> None:
    """Store ``output`` under ``key`` (inside the caller's write transaction) and trim to :data:`MAX_ROWS`."""
    now = datetime.now(UTC).isoformat()
    conn.exec_driver_sql(f"DELETE FROM {TABLE} WHERE cache_key = %s" if conn.dialect.name != "sqlite"
                         else f"DELETE FROM {TABLE} WHERE cache_key = ?", (key,))
    conn.exec_driver_sql(f"INSERT INTO {TABLE} (cache_key, output, created_at) VALUES (%s, %s, %s)"
                         if conn.dialect.name != "sqlite" else
                         f"INSERT INTO {TABLE} (cache_key, output, created_at) VALUES (?, ?, ?)", (key, output, now))
    conn.exec_driver_sql(f"DELETE FROM {TABLE} WHERE cache_key NOT IN (SELECT cache_key FROM {TABLE} "
                         f"ORDER BY created_at DESC LIMIT {MAX_ROWS})")


def default_store_path() -> Path:
    """``data/gpmb.gpkg`` of the repository (as :func:`store.engine.resolve_url` without a URL)."""
    return REPO / "data" / "gpmb.gpkg"


def sqlite_path_of(url: str | None) -> Path | None:
    """The file of a GeoPackage store URL or path (``sqlite:///…``, ``….gpkg``); None for another backend."""
    url = url or os.environ.get("DATABASE_URL") or ""
    if not url:
        return default_store_path()
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    if "://" not in url and url.endswith((".gpkg", ".sqlite", ".sqlite3", ".db")):
        return Path(url).resolve()
    return None
