"""A fresh PostgreSQL database with PostGIS for one test (or one session), dropped afterwards.

The server comes from ``$GPMB_TEST_PG_ADMIN_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, trust auth). When it cannot be reached the
test is skipped, or failed when ``$GPMB_REQUIRE_POSTGIS`` is set to a non-empty value (CI, where a
missing server means something is broken).

Each database is named ``<prefix>_<10 hex digits>`` so that parallel test areas never collide, and is
dropped ``WITH (FORCE)`` (PostgreSQL ≥ 13) so that connections left open by a killed worker process do
not keep it alive.

:func:`temporary_database` is the same without pytest (the benchmarks use it through
``benchmarks/_postgis.py``): pytest is imported only when a test is skipped or failed.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The SQLAlchemy URL of the maintenance database (``$GPMB_TEST_PG_ADMIN_URL`` or the default)."""
    return os.environ.get("GPMB_TEST_PG_ADMIN_URL", DEFAULT_ADMIN_URL)


def database_url(name: str) -> str:
    """The admin URL with its database replaced by ``name`` (password kept, for other processes)."""
    from sqlalchemy.engine import make_url

    return make_url(admin_url()).set(database=name).render_as_string(hide_password=False)


def unreachable(message: str) -> None:
    """Skip the running test, or fail it when ``$GPMB_REQUIRE_POSTGIS`` is set.

    Raises
    ------
    pytest.skip.Exception, pytest.fail.Exception
        Always (this function never returns).
    """
    import pytest

    if os.environ.get("GPMB_REQUIRE_POSTGIS"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def postgis_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """Create a database ``<prefix>_<hex>``, yield its URL, drop it afterwards.

    Parameters
    ----------
    prefix
        The test area (``store``, ``ingest`` …): the first part of the database name.
    template
        Name of an existing database to copy (``CREATE DATABASE … TEMPLATE``), e.g. one made by an
        outer ``postgis_database`` that already has the extension: copying is faster than
        ``CREATE EXTENSION postgis``. ``None``: an empty database, then ``CREATE EXTENSION postgis``.

    Yields
    ------
    str
        SQLAlchemy URL (``postgresql+psycopg://…/<prefix>_<hex>``) of the new database.

    Raises
    ------
    pytest.skip.Exception, pytest.fail.Exception
        When the server cannot be reached (see :func:`unreachable`).
    """
    with temporary_database(prefix, template=template, on_unreachable=unreachable) as url:
        yield url


@contextlib.contextmanager
def temporary_database(prefix: str, *, template: str | None = None,
                       on_unreachable: Callable[[str], None]) -> Iterator[str | None]:
    """Create a PostGIS database ``<prefix>_<hex>``, yield its URL, drop it afterwards (no pytest).

    Parameters
    ----------
    prefix
        First part of the database name.
    template
        As in :func:`postgis_database`.
    on_unreachable
        Called with a message (server URL, exception type and text) when ``CREATE DATABASE`` fails.
        When it returns instead of raising, the context yields ``None`` (nothing to drop).

    Yields
    ------
    str or None
        SQLAlchemy URL of the new database (password kept, for other processes), or ``None`` after
        ``on_unreachable`` returned.
    """
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(5)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    except Exception as exc:  # noqa: BLE001 - no server: the caller decides (skip, fail, or go on)
        admin.dispose()
        on_unreachable(f"PostgreSQL not reachable at {admin_url()}: {type(exc).__name__}: {exc}")
        yield None
        return
    url = database_url(name)
    try:
        if template is None:
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            finally:
                engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_exists(name: str) -> bool:
    """Whether a database ``name`` exists on the admin server (used to check the clean-up)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None
    finally:
        admin.dispose()
