"""Which store this is, and whether a file or database is one of ours at all (issue 10, "Store identity").

A store carries its identity in ``store_meta``: ``application`` (:data:`APPLICATION`), ``store_id`` (a
UUID4, never changed) and ``created_at`` (UTC ISO 8601). :func:`store.store.open_store` uses a store
only when it is one: before any engine touches a GeoPackage file, :func:`check_store_file` reads it
READ-ONLY (``immutable`` when it has no ``-wal``, so not even a ``-wal``/``-shm`` is left behind) and
refuses, with a Vietnamese :class:`StoreNotFoundError`/:class:`NotAStoreError`, a missing, empty,
non-SQLite, non-GeoPackage or foreign file or one of a newer schema; :func:`check_database` does the same
on PostGIS once connected (an empty database, tables without our ``store_meta``).

A store of an earlier release (``store_meta.seeded_at`` set, no ``store_id``) is ours: it gets its
identity on first open (:func:`assign_identity`, one write recorded in ``store_meta`` and the audit trail;
the data is not touched).
"""
from __future__ import annotations

import sqlite3
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect, select
from sqlalchemy.engine import URL

from store import audit, schema
from store.errors import StoreUnavailableError

#: ``store_meta.application`` of a GPMB Tracker store.
APPLICATION = "gpmb-tracker"

#: SQLite header ``application_id`` of a GeoPackage (``0x47504B47``, "GPKG"; GeoPackage 1.2+ §1.1.1.1.1).
GPKG_APPLICATION_ID = 0x47504B47

#: ``store_meta`` keys of the identity.
IDENTITY_KEYS = ("application", "store_id", "created_at")

#: How to make a store (named by every refusal).
INIT_HINT_VI = "tạo kho mới bằng «python cli.py init» (thêm --demo để có dữ liệu mẫu)"

_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables PostGIS itself creates in the public schema (not a sign of a store).
_POSTGIS_TABLES = frozenset({"spatial_ref_sys"})


class StoreNotFoundError(StoreUnavailableError):
    """No store where one was named: a missing file, a zero-byte file, an empty PostGIS database."""


class NotAStoreError(StoreUnavailableError):
    """Something is there but it is not a GPMB Tracker store (not SQLite, not a GeoPackage, another
    application's GeoPackage or database); nothing is changed in it."""


class StoreExistsError(StoreUnavailableError):
    """``init`` refused: a store (or other data) is already there; nothing is overwritten."""


@dataclass(frozen=True)
class StoreIdentity:
    """The identity of an open store (:meth:`store.Store.identity`).

    Attributes
    ----------
    store_id : str
        UUID4 text, assigned once when the store was made (or first opened by this release).
    created_at : datetime
        UTC time the store was made (for a store of an earlier release: when it was first filled).
    backend : str
        ``"sqlite"`` (GeoPackage file) or ``"postgresql"`` (PostGIS).
    location : str
        The file path, or the URL without its password.
    """

    store_id: str
    created_at: datetime
    backend: str
    location: str


def location_of(url: URL) -> str:
    """The file of a SQLite URL, else the URL with its password hidden."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


# --------------------------------------------------------------------------- checks before opening
def check_store_file(path: Path) -> None:
    """Refuse ``path`` unless it is a GPMB GeoPackage store this release can open; writes nothing.

    Raises
    ------
    StoreNotFoundError
        The file does not exist, or is empty (zero bytes).
    NotAStoreError
        Not a SQLite file, not a GeoPackage (``application_id``/``gpkg_contents``), or a GeoPackage
        without a GPMB ``store_meta`` (another application's file).
    StoreUnavailableError
        Its schema revision is newer than this release knows (update the software).
    """
    shown = repr(str(path))
    if not path.is_file():
        raise StoreNotFoundError(f"Không mở được kho dữ liệu {shown}: tệp không tồn tại; kiểm tra đường dẫn, "
                                 f"hoặc {INIT_HINT_VI}.")
    header = _header(path)
    if not header:
        raise StoreNotFoundError(f"Không mở được kho dữ liệu {shown}: tệp rỗng (0 byte), không phải kho dữ liệu; "
                                 f"khôi phục tệp từ bản sao lưu, hoặc {INIT_HINT_VI}.")
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise NotAStoreError(f"Không mở được kho dữ liệu {shown}: tệp không phải GeoPackage/SQLite (hoặc đã hỏng); "
                             f"chưa thay đổi gì trong tệp. Kiểm tra đường dẫn, hoặc {INIT_HINT_VI} ở một tệp khác.")
    tables, meta, revision = _peek(path, wal=header[18] == 2)
    application_id = struct.unpack(">I", header[68:72])[0]
    if application_id != GPKG_APPLICATION_ID or "gpkg_contents" not in tables:
        raise NotAStoreError(f"Không mở được kho dữ liệu {shown}: tệp SQLite nhưng không phải GeoPackage; "
                             f"chưa thay đổi gì trong tệp. {INIT_HINT_VI[0].upper()}{INIT_HINT_VI[1:]} ở một tệp khác.")
    if meta is None or not is_ours(meta):
        raise NotAStoreError(f"Không mở được kho dữ liệu {shown}: đây là GeoPackage của ứng dụng khác (không có "
                             f"thông tin kho GPMB Tracker); chưa thay đổi gì trong tệp. Mở nó bằng QGIS, hoặc "
                             f"{INIT_HINT_VI} ở một tệp khác.")
    schema.check_known_revision(revision, str(path))


def _header(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(100)


def _peek(path: Path, *, wal: bool) -> tuple[set[str], dict | None, str | None]:
    """Tables, ``store_meta`` (None when absent) and Alembic revision, read without writing anything.

    A WAL file without its ``-wal`` holds everything in the main file: read it ``immutable`` (a read-only
    connection would leave new ``-wal``/``-shm`` files behind). With a ``-wal`` present (the store is in
    use) read it ``mode=ro`` so the pending pages count.
    """
    immutable = not wal or not Path(f"{path}-wal").exists()
    uri = f"file:{quote(str(path))}?{'immutable=1' if immutable else 'mode=ro'}"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise NotAStoreError(f"Không mở được kho dữ liệu {str(path)!r}: không đọc được tệp ({exc}).") from exc
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        meta = dict(conn.execute("SELECT key, value FROM store_meta").fetchall()) if "store_meta" in tables else None
        revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,))[0] \
            if "alembic_version" in tables else None
    except sqlite3.DatabaseError as exc:
        raise NotAStoreError(f"Không mở được kho dữ liệu {str(path)!r}: tệp không phải GeoPackage/SQLite (hoặc đã "
                             f"hỏng); chưa thay đổi gì trong tệp.") from exc
    finally:
        conn.close()
    return tables, meta, revision


def is_ours(meta: dict) -> bool:
    """True for the ``store_meta`` of a GPMB store: ``application`` = :data:`APPLICATION`, or (a store of an
    earlier release, made before the identity existed) ``seeded_at`` set."""
    return meta.get("application") == APPLICATION or ("application" not in meta and "seeded_at" in meta)


def user_tables(conn) -> set[str]:
    """Tables of the connection's schema that are not PostGIS's own."""
    return set(inspect(conn).get_table_names()) - _POSTGIS_TABLES


def check_database(conn, url: URL) -> None:
    """Refuse a PostGIS database that is not a GPMB store (on an open read connection; writes nothing).

    Raises
    ------
    StoreNotFoundError
        The database has no tables (``chưa khởi tạo``).
    NotAStoreError
        It has tables but no GPMB ``store_meta``.
    """
    where = location_of(url)
    tables = user_tables(conn)
    if not tables:
        raise StoreNotFoundError(f"Kho dữ liệu {where} chưa khởi tạo (cơ sở dữ liệu rỗng); chạy python cli.py init "
                                 f"(thêm --demo để có dữ liệu mẫu).")
    meta = read_meta(conn) if "store_meta" in tables else None
    if meta is None or not is_ours(meta):
        raise NotAStoreError(f"Không mở được kho dữ liệu {where}: cơ sở dữ liệu này có bảng nhưng không phải kho "
                             f"GPMB Tracker; chưa thay đổi gì. Dùng một cơ sở dữ liệu rỗng và chạy python cli.py init.")


# --------------------------------------------------------------------------- reading and writing it
def read_meta(conn) -> dict:
    """``store_meta`` as a dict (key → text value)."""
    return dict(conn.execute(select(schema.store_meta.c.key, schema.store_meta.c.value)).all())


def set_meta(conn, key: str, value: str) -> None:
    """Insert or update one ``store_meta`` key (inside the caller's write transaction)."""
    sm = schema.store_meta
    if conn.execute(select(sm.c.key).where(sm.c.key == key)).first() is None:
        conn.execute(sm.insert().values(key=key, value=value))
    else:
        conn.execute(sm.update().where(sm.c.key == key).values(value=value))


def write_identity(conn, *, created_at: datetime | None = None, actor=None, action: str = "store_initialised",
                   details: dict | None = None) -> str:
    """Give the store its identity (a new UUID4) and record it in the audit trail; returns the id.

    Parameters
    ----------
    created_at : datetime, optional
        Creation time (UTC); default now.
    actor : domain.roles.Account, optional
        Who made it; ``None`` = the system (``init`` runs before any account exists).
    action : str
        Audit action: ``store_initialised`` (``init``) or ``store_identity_assigned`` (an earlier
        release's store opened the first time).
    details : dict, optional
        More for the audit row's ``after`` (e.g. ``{"demo": True}``).
    """
    store_id = str(uuid.uuid4())
    created = (created_at or datetime.now(UTC)).astimezone(UTC)
    set_meta(conn, "application", APPLICATION)
    set_meta(conn, "store_id", store_id)
    set_meta(conn, "created_at", created.isoformat())
    audit.append(conn, actor=actor, action=action, target=f"store:{store_id}",
                 after={"store_id": store_id, "created_at": created.isoformat(), "application": APPLICATION,
                        **(details or {})})
    return store_id


def assign_identity(conn) -> bool:
    """A store of an earlier release without ``store_id``: give it one, ``created_at`` = its ``seeded_at``
    (when it was first filled). Returns True when it wrote (inside the caller's write transaction)."""
    meta = read_meta(conn)
    if "store_id" in meta:
        return False
    seeded = meta.get("seeded_at")
    created = datetime.fromisoformat(seeded) if seeded else None
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    write_identity(conn, created_at=created, action="store_identity_assigned")
    return True


def identity_from_meta(meta: dict, url: URL) -> StoreIdentity:
    """The :class:`StoreIdentity` of a store whose ``store_meta`` is ``meta``."""
    created = datetime.fromisoformat(meta["created_at"])
    return StoreIdentity(store_id=meta["store_id"], created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
                         backend=url.get_backend_name(), location=location_of(url))
