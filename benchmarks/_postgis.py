"""A throw-away PostGIS database for one benchmark run (created here, dropped afterwards).

The server comes from ``$GPMB_TEST_PG_ADMIN_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, trust auth), as for the PostGIS tests,
whose create/drop code (:func:`tests.support.postgis.temporary_database`) this reuses. Unlike the
test fixture it needs no pytest: when the server cannot be reached it prints one ``skipped`` line and
yields ``None``, so a benchmark still prints its other backends. :func:`parse_backend_args` gives the
benchmarks that run on both backends their common ``--sizes`` and ``--no-postgis`` options.
"""
from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from tests.support.postgis import temporary_database


@contextlib.contextmanager
def bench_database(prefix: str, label: str) -> Iterator[str | None]:
    """Create a database ``<prefix>_<10 hex digits>`` with PostGIS, yield its URL, drop it afterwards.

    Parameters
    ----------
    prefix
        First part of the database name, e.g. ``bench_store``.
    label
        Backend name printed in the ``skipped`` line, e.g. ``PostGIS``.

    Yields
    ------
    str or None
        SQLAlchemy URL (``postgresql+psycopg://…/<prefix>_<hex>``, password kept) of the new
        database; ``None`` after printing ``<label>: skipped (…)`` when the server cannot be reached
        or refuses ``CREATE DATABASE``.
    """
    def skipped(message: str) -> None:
        print(f"{label}: skipped ({message.splitlines()[0]})", flush=True)

    with temporary_database(prefix, on_unreachable=skipped) as url:
        yield url


def parse_backend_args(description: str) -> argparse.Namespace:
    """Parse ``--sizes N [N …]`` (rows per run, default 10 000 and 100 000) and ``--no-postgis``.

    Parameters
    ----------
    description
        The ``--help`` text (the first line of the benchmark's docstring).

    Returns
    -------
    argparse.Namespace
        ``sizes`` (list of int) and ``no_postgis`` (bool).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-postgis", action="store_true")
    return parser.parse_args()
