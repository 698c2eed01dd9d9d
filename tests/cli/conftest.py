"""The bundled store of the CLI tests: one GeoPackage per module, built from ``data/sources``, and ``run``
calling ``cli.main`` in this process (exit code, stdout, stderr)."""
from __future__ import annotations

from pathlib import Path

import pytest

import cli

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    from tests.support.stores import demo_store_url

    return demo_store_url(f"sqlite:///{tmp_path_factory.mktemp('cli') / 'gpmb.gpkg'}", SOURCES)


@pytest.fixture
def run(store_url, monkeypatch, capsys):
    """``run(*args) -> (exit_code, stdout, stderr)`` of ``python cli.py *args`` on the bundled store."""
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(SOURCES))
    monkeypatch.setenv("DATABASE_URL", store_url)

    def _run(*args):
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run
