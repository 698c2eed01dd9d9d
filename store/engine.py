"""Database engines for the store: SQLite/GeoPackage file (default) or PostgreSQL/PostGIS.

Writes are serialised so that concurrent processes wait for each other instead of failing or
interleaving:

- SQLite: WAL journal (readers never block the writer), ``synchronous=FULL``, a busy timeout
  (:data:`BUSY_TIMEOUT_S`), and ``BEGIN IMMEDIATE`` for write transactions so the write lock is
  taken before anything is read (no lost update between check and insert).
- PostgreSQL: transaction-level advisory locks at the start of every write transaction. A write of
  the whole store (layers, accounts, settings …) takes the store lock (:data:`WRITE_LOCK_KEY`)
  exclusively. A write that touches only some units' data (an upload or revert of field counts,
  ``write_transaction(engine, units=…)``) takes the store lock *shared* and one exclusive lock per
  unit (key pair :data:`WRITE_LOCK_KEY`, ``hashtext(unit_code)``), in sorted order: writers of
  different units proceed together, writers of one unit serialise, and a store-wide write waits
  for all of them (and they for it).
  Every PostgreSQL connection also carries a statement timeout, an idle-in-transaction timeout and TCP
  keepalives, and the store lock is waited for at most ``lock_timeout`` (:mod:`store.pg_session`:
  defaults, and how the URL or the environment changes them), so a frozen client or link fails in
  bounded time and never holds the write lock for ever.

Use :func:`write_transaction` for anything that writes and :func:`read_connection` for reads.

Errors: a store that cannot be used at all raises :class:`store.errors.StoreUnavailableError` (a
:class:`domain.errors.GpmbError`) with a Vietnamese message naming the store and what to check: a URL
that does not parse or names another database (:func:`resolve_url`, :func:`make_engine`), and, from
:func:`read_connection` / :func:`write_transaction`, a database that cannot be reached, does not exist,
refuses the login, is busy too long or is a read-only file, and on PostgreSQL a write lock not obtained
within ``lock_timeout``, a statement cancelled by ``statement_timeout``, a session ended by
``idle_in_transaction_session_timeout`` or a connection lost mid-transfer (:data:`DIAGNOSES`, whose
texts name the limit; other driver errors pass unchanged). The driver's error stays chained (``__cause__``) for the log.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from store.errors import StoreUnavailableError
from store.pg_session import connect_arguments, duration_text_vi, session_settings
from store.spatial_index import register_gpkg_functions

log = logging.getLogger(__name__)

#: Default store file, relative to the repository.
DEFAULT_STORE_PATH = Path(__file__).resolve().parent.parent / "data" / "gpmb.gpkg"

#: Seconds a SQLite connection waits for another process's write lock before failing.
BUSY_TIMEOUT_S = 120

#: pg_advisory_xact_lock key serialising the store's write transactions ("GPMB").
WRITE_LOCK_KEY = 0x47504D42

#: Endings of a bare file path taken as a GeoPackage/SQLite store.
FILE_SUFFIXES = (".gpkg", ".sqlite", ".sqlite3", ".db")

#: What the accepted URLs look like (shown when a URL is refused).
URL_FORMS_VI = ("sqlite:///duong/dan/gpmb.gpkg, một đường dẫn tệp .gpkg, hoặc "
                "postgresql+psycopg://nguoi_dung@may_chu:5432/ten_csdl")

#: Driver error text (lower case, regular expression) → Vietnamese message, first match wins (specific
#: before general: psycopg puts "connection failed" before the reason). Placeholders: ``where`` (the file
#: or the URL without password), ``host``, ``database``, ``user``, and the PostgreSQL limits in words
#: ``statement_timeout``, ``lock_timeout``, ``idle_timeout`` (:mod:`store.pg_session`).
DIAGNOSES: tuple[tuple[str, str], ...] = (
    (r"readonly database|read-only",
     "Không ghi được vào kho dữ liệu {where}: tệp chỉ cho phép đọc (cần quyền ghi trên tệp và trên thư mục chứa nó)."),
    (r"unable to open database file",
     "Không mở được kho dữ liệu {where}: kiểm tra đường dẫn và quyền đọc/ghi trên tệp và thư mục."),
    (r"database is locked",
     f"Không mở được kho dữ liệu {{where}}: một tiến trình khác giữ nó quá {BUSY_TIMEOUT_S} giây; hãy thử lại sau."),
    (r"not a database",
     "Không mở được kho dữ liệu {where}: tệp không phải GeoPackage/SQLite (hoặc đã hỏng)."),
    (r'database ".*" does not exist',
     "Không mở được kho dữ liệu: máy chủ PostgreSQL {host} không có cơ sở dữ liệu «{database}»; tạo nó trước (createdb {database}) hoặc sửa DATABASE_URL."),
    (r'role ".*" does not exist|authentication failed|no password supplied',
     "Không mở được kho dữ liệu: máy chủ PostgreSQL {host} từ chối đăng nhập của «{user}»; kiểm tra tên người dùng và mật khẩu trong DATABASE_URL."),
    (r"canceling statement due to lock timeout",
     ("Kho dữ liệu {host} đang bận: một người dùng hoặc tiến trình khác đang ghi và chưa xong sau {lock_timeout}; "
     "chưa ghi gì, hãy thử lại sau ít phút.")),
    (r"canceling statement due to statement timeout",
     ("Thao tác trên kho dữ liệu {host} chạy quá {statement_timeout} nên máy chủ đã dừng nó; chưa ghi gì (phần đã "
     "làm được hủy cả). Hãy thử lại; nếu lặp lại, nhờ quản trị tăng GPMB_PG_STATEMENT_TIMEOUT.")),
    (r"idle-in-transaction timeout",
     "Máy chủ PostgreSQL {host} đã đóng kết nối vì giao dịch để treo quá {idle_timeout}; chưa ghi gì, hãy thử lại."),
    (r"connection refused|could not connect|connection failed|timeout expired|could not translate host name|name or service not known|no route to host",
     "Không mở được kho dữ liệu: không kết nối được máy chủ PostgreSQL {host}; kiểm tra máy chủ đang chạy và địa chỉ trong DATABASE_URL."),
    ((r"server closed the connection|connection timed out|consuming input failed|sending query failed|"
     r"ssl syscall|connection reset|broken pipe|connection is lost|the connection is closed|terminating connection"),
     ("Mất kết nối tới máy chủ PostgreSQL {host} giữa chừng (mạng chập chờn hoặc máy chủ dừng); phần đang ghi dở "
     "đã bị hủy, không có gì được ghi một nửa. Hãy kiểm tra mạng rồi thử lại.")),
)


def resolve_url(url: str | None = None) -> str:
    """Store URL: ``url`` → ``$DATABASE_URL`` → ``sqlite:///<repo>/data/gpmb.gpkg``.

    A bare file path ending in one of :data:`FILE_SUFFIXES` is accepted and turned into a ``sqlite:///``
    URL; ``postgres://`` / ``postgresql://`` URLs use the installed psycopg 3 driver. Anything else
    without ``://`` (``:::garbage``, ``postgres//x``: a mistyped URL) is refused, so a typo never becomes
    a new file. A URL is not checked further here (see :func:`make_engine`).

    Raises
    ------
    store.errors.StoreUnavailableError
        A value that is neither a URL nor a store file path.
    """
    url = str(url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_STORE_PATH}")
    if "://" not in url:
        if Path(url).suffix.lower() not in FILE_SUFFIXES:
            shown = re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)
            raise StoreUnavailableError(f"Không mở được kho dữ liệu: địa chỉ {shown!r} không đúng dạng (không phải URL, "
                                        f"không phải tệp {'/'.join(FILE_SUFFIXES)}); cần {URL_FORMS_VI}. "
                                        f"Chưa tạo tệp nào.")
        return f"sqlite:///{Path(url).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the store's locking and journal settings (no connection yet).

    Raises
    ------
    store.errors.StoreUnavailableError
        If the URL does not parse, names a backend other than SQLite or PostgreSQL or a driver that is
        not installed, is an in-memory SQLite database, or its folder cannot be created.
    """
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        stripped, connect_args = connect_arguments(parsed)
        engine = _create(stripped, pool_pre_ping=True, connect_args=connect_args)
        engine.gpmb_pg_settings = session_settings(parsed)  # the limits as chosen, for the messages
        return engine
    raise StoreUnavailableError(f"Không mở được kho dữ liệu: chỉ hỗ trợ SQLite/GeoPackage hoặc PostgreSQL/PostGIS, "
                                f"nhận {backend!r}; dùng dạng {URL_FORMS_VI}.")


def parse_url(url: str) -> URL:
    """``url`` parsed by SQLAlchemy; :class:`StoreUnavailableError` (password masked) when it does not parse."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        # The password cannot be hidden by SQLAlchemy in a URL it cannot parse: mask user:password@.
        shown = re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)
        raise StoreUnavailableError(f"Không mở được kho dữ liệu: địa chỉ {shown!r} không đúng dạng; cần {URL_FORMS_VI}.") from exc


def _create(parsed: URL, **options) -> Engine:
    try:
        return create_engine(parsed, **options)
    except (NoSuchModuleError, ImportError) as exc:  # unknown driver name, or a known one not installed
        raise StoreUnavailableError(f"Không mở được kho dữ liệu: không có trình điều khiển {parsed.drivername!r}; "
                                    f"dùng dạng {URL_FORMS_VI}.") from exc


def _sqlite_engine(parsed: URL) -> Engine:
    if parsed.database in (None, "", ":memory:"):
        raise StoreUnavailableError("Không mở được kho dữ liệu: SQLite cần một đường dẫn tệp (.gpkg), "
                                    "không dùng bộ nhớ tạm.")
    folder = Path(parsed.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailableError(f"Không mở được kho dữ liệu: không tạo được thư mục {str(folder)!r} "
                                    f"({exc.strerror}).") from exc
    engine = _create(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        register_gpkg_functions(dbapi_connection)  # the R-tree triggers call ST_MinX … (store.spatial_index)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("gpmb_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def describe_failure(url: URL, exc: Exception, settings: dict | None = None) -> StoreUnavailableError | None:
    """The Vietnamese :class:`StoreUnavailableError` for a driver error of the store at ``url``, or None.

    ``exc`` is a SQLAlchemy ``DatabaseError`` or a psycopg error raised by the driver itself (the
    COPY of :func:`store.ledger.insert_events`). The first pattern of :data:`DIAGNOSES` found in the
    driver's message chooses the text (the password never appears); ``settings`` are the PostgreSQL
    limits of the engine (:func:`store.pg_session.session_settings`, default: as chosen for ``url``).
    None when no pattern matches: an error nobody diagnosed stays what it is (a bug shows as one
    instead of as a vague store message).
    """
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    limits = settings or (session_settings(url) if url.get_backend_name() == "postgresql" else {})
    names = {"where": repr(where), "host": f"{url.host or 'localhost'}:{url.port or 5432}",
             "database": url.database or "", "user": url.username or "",
             "statement_timeout": duration_text_vi(limits.get("statement_timeout", "0")),
             "lock_timeout": duration_text_vi(limits.get("lock_timeout", "0")),
             "idle_timeout": duration_text_vi(limits.get("idle_in_transaction_session_timeout", "0"))}
    orig = getattr(exc, "orig", None)
    detail = str(orig if orig is not None else exc).lower()
    template = next((vi for pattern, vi in DIAGNOSES if re.search(pattern, detail)), None)
    return StoreUnavailableError(template.format(**names)) if template else None


def _is_driver_error(exc: Exception) -> bool:
    """A psycopg error raised outside SQLAlchemy (the raw COPY cursor)."""
    return type(exc).__module__.split(".")[0] == "psycopg" and isinstance(exc, Exception)


@contextlib.contextmanager
def _diagnosed(engine: Engine):
    """Turn the driver errors of :data:`DIAGNOSES` into :class:`StoreUnavailableError`; others pass unchanged."""
    try:
        yield
    except Exception as exc:
        if not (isinstance(exc, DatabaseError) or _is_driver_error(exc)):
            raise
        diagnosis = describe_failure(engine.url, exc, getattr(engine, "gpmb_pg_settings", None))
        if diagnosis is None:
            raise
        raise diagnosis from exc


@contextlib.contextmanager
def write_transaction(engine: Engine, units=None):
    """One write transaction, serialised across processes; commits on success, rolls back on error.

    Parameters
    ----------
    engine : Engine
    units : iterable of str, optional
        Unit codes (``units.unit_code``) of the only data this transaction writes: on PostgreSQL it
        then serialises only with writers of the same units (and store-wide writers). None (default)
        or empty: a store-wide write. SQLite has one lock per file whatever ``units`` says.

    Yields
    ------
    sqlalchemy.engine.Connection

    Raises
    ------
    store.errors.StoreUnavailableError
        When the database cannot be reached or written (read-only file, missing database …).
    """
    with _diagnosed(engine), engine.connect() as conn:
        conn.execution_options(gpmb_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                _advisory_locks(conn, sorted({str(u) for u in units or ()}))
            yield conn


def _advisory_locks(conn, units: list[str]) -> None:
    """The store lock exclusive (no ``units``), or shared plus one exclusive lock per unit, sorted
    (one order for every writer: no deadlock between two multi-unit writers)."""
    if not units:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
        return
    conn.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": WRITE_LOCK_KEY})
    for unit in units:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(:u))"), {"k": WRITE_LOCK_KEY, "u": unit})


@contextlib.contextmanager
def read_connection(engine: Engine):
    """A connection in a read transaction (a consistent view on SQLite WAL).

    Raises :class:`store.errors.StoreUnavailableError` when the database cannot be reached.
    """
    with _diagnosed(engine), engine.connect() as conn, conn.begin():
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
