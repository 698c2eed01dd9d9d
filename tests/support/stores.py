"""Real stores for tests: one URL per backend, a demo store made on purpose, and a GeoPackage seeded once
and copied per test.

``open_store`` never creates a store (issue 10): a test that needs one calls :func:`demo_store`, which
runs ``init_store(url, demo=True)`` (as ``cli.py init --demo``) when nothing is there yet. Seeding takes
seconds, so areas that open many stores seed one file per session or module and give each test a copy.
"""
from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.postgis import postgis_database

#: ``params=`` of a fixture that runs each test on a GeoPackage file and on a PostGIS database.
BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


@contextlib.contextmanager
def backend_url(backend: str, folder: Path, prefix: str, template: str | None = None) -> Iterator[str]:
    """An empty store URL on ``backend``.

    Parameters
    ----------
    backend
        ``"sqlite"``: ``sqlite:///<folder>/store.gpkg`` (not created yet); ``"postgis"``: a fresh
        database ``<prefix>_<hex>`` (:func:`tests.support.postgis.postgis_database`, from ``template``
        if given), dropped afterwards.
    folder
        A folder of the test (``tmp_path``).
    prefix
        The test area, first part of the PostGIS database name.

    Raises
    ------
    ValueError
        For another ``backend``.
    """
    if backend == "sqlite":
        yield f"sqlite:///{Path(folder) / 'store.gpkg'}"
    elif backend == "postgis":
        with postgis_database(prefix, template) as url:
            yield url
    else:
        raise ValueError(f"unknown backend {backend!r}: expected 'sqlite' or 'postgis'")


def demo_store(url: str | None = None, sources_dir: str | Path | None = None):
    """The demo store at ``url``: made with ``store.init_store(url, demo=True, sources_dir=…)`` when
    nothing is there yet (no file, a zero-byte file, a PostGIS database without tables), else opened
    with ``store.open_store(url)`` (a test's second look at the store it made).

    Parameters
    ----------
    url
        As :func:`store.open_store` (None: ``$DATABASE_URL``; tests always set one).
    sources_dir
        The sources folder filled from (None: ``$GPMB_SOURCES_DIR`` → ``data/sources``).

    Returns
    -------
    store.Store
        Open; close it when done.
    """
    from store import init_store, open_store
    from store.identity import StoreNotFoundError

    try:
        return open_store(url)
    except StoreNotFoundError:
        return init_store(url, demo=True, sources_dir=sources_dir)


def demo_store_url(url: str, sources_dir: str | Path | None = None) -> str:
    """Make the demo store at ``url`` (:func:`demo_store`), close it, and return ``url`` (for fixtures
    whose tests run the CLI or the dashboard on it)."""
    demo_store(url, sources_dir).close()
    return url


def seed_store_file(folder: Path, write_sources: Callable[[Path], Path],
                    name: str = "seed.gpkg") -> tuple[Path, Path]:
    """Write a sources folder with ``write_sources(folder / "sources")`` and seed a GeoPackage store.

    Returns
    -------
    (path, sources)
        The seeded ``.gpkg`` file (copy it with :func:`copy_store_file` before writing to it) and the
        sources folder it was seeded from (``GPMB_SOURCES_DIR`` of anything that opens a copy).
    """
    sources = write_sources(Path(folder) / "sources")
    path = Path(folder) / name
    demo_store(f"sqlite:///{path}", sources).close()
    return path, sources


def copy_store_file(template: Path, folder: Path, name: str = "store.gpkg") -> str:
    """Copy a seeded store file into ``folder``; return its ``sqlite:///`` URL."""
    path = Path(folder) / name
    shutil.copy(template, path)
    return f"sqlite:///{path}"
