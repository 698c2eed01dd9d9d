"""Real stores for tests: one URL per backend, and a GeoPackage seeded once and copied per test.

Opening a store on a fresh file seeds it from a sources folder (seconds), so areas that open many
stores seed one file per session or module and give each test a copy.
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


def seed_store_file(folder: Path, write_sources: Callable[[Path], Path],
                    name: str = "seed.gpkg") -> tuple[Path, Path]:
    """Write a sources folder with ``write_sources(folder / "sources")`` and seed a GeoPackage store.

    Returns
    -------
    (path, sources)
        The seeded ``.gpkg`` file (copy it with :func:`copy_store_file` before writing to it) and the
        sources folder it was seeded from (``GPMB_SOURCES_DIR`` of anything that opens a copy).
    """
    from store import open_store

    sources = write_sources(Path(folder) / "sources")
    path = Path(folder) / name
    open_store(f"sqlite:///{path}", sources_dir=sources).close()
    return path, sources


def copy_store_file(template: Path, folder: Path, name: str = "store.gpkg") -> str:
    """Copy a seeded store file into ``folder``; return its ``sqlite:///`` URL."""
    path = Path(folder) / name
    shutil.copy(template, path)
    return f"sqlite:///{path}"
