"""Issue 10, "Store identity": opening never creates or seeds a store unless asked; ``init`` does it on
purpose; the store carries an id shown in exports; local source files never overwrite a store.

Each refusal is checked on real bad files (zero bytes, junk, plain SQLite, a GDAL-written GeoPackage of
another application, a newer revision) and on PostGIS (an empty database, another application's tables):
the Vietnamese message names the file and the fix, and NOTHING on disk changes (bytes, mtime, no
``-wal``/``-shm`` left, no new file in the folder).
"""
from __future__ import annotations

import io
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sources_fixture import MILESTONES_CSV, SEED_EVENT_COUNT, write_sources
from sqlalchemy import create_engine, inspect, text

import cli
from store import (
    AuditTrail,
    NotAStoreError,
    StoreExistsError,
    StoreNotFoundError,
    init_store,
    open_store,
    opening,
)
from store.engine import write_transaction
from store.errors import StoreUnavailableError
from tests.support.postgis import postgis_database
from tests.support.stores import demo_store


# ------------------------------------------------------------------------------------------- bad files
def _zero(path: Path) -> None:
    path.write_bytes(b"")


def _junk(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 day la mot tep zip, khong phai kho " * 50)


def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE so_lieu (x INTEGER)")
    conn.execute("INSERT INTO so_lieu VALUES (1)")
    conn.commit()
    conn.close()


def _foreign_geopackage(path: Path) -> None:
    """A real GeoPackage written by GDAL (pyogrio), of another application: no GPMB store_meta."""
    gpd.GeoDataFrame({"ten": ["Trạm bơm"]}, geometry=[shapely.Point(106.7, 21.8)], crs=4326).to_file(
        path, layer="tram_bom", driver="GPKG")


def _foreign_wal_geopackage(path: Path) -> None:
    """The same in WAL mode, with another application's own ``store_meta`` table (not ours)."""
    _foreign_geopackage(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO store_meta VALUES ('application', 'ung-dung-khac')")
    conn.commit()
    conn.close()


def _newer_revision(path: Path, sources: Path) -> None:
    init_store(f"sqlite:///{path}", demo=False, sources_dir=sources).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()


def _state(folder: Path) -> dict:
    """Every file of ``folder``: name → (size, mtime_ns, bytes)."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(("make", "error", "phrase"), [
    (_zero, StoreNotFoundError, "tệp rỗng (0 byte)"),
    (_junk, NotAStoreError, "không phải GeoPackage/SQLite"),
    (_plain_sqlite, NotAStoreError, "tệp SQLite nhưng không phải GeoPackage"),
    (_foreign_geopackage, NotAStoreError, "GeoPackage của ứng dụng khác"),
    (_foreign_wal_geopackage, NotAStoreError, "GeoPackage của ứng dụng khác"),
    (_newer_revision, StoreUnavailableError, "phiên bản GPMB Tracker mới hơn"),
], ids=["zero-byte", "junk", "plain-sqlite", "foreign-gpkg", "foreign-wal-gpkg", "newer-revision"])
def test_a_file_that_is_not_our_store_is_refused_and_left_as_it_was(tmp_path, make, error, phrase, sources_dir):
    folder = tmp_path / "kho"
    folder.mkdir()
    path = folder / "gpmb.gpkg"
    make(path, sources_dir) if make is _newer_revision else make(path)
    before = _state(folder)
    with pytest.raises(error) as refused:
        open_store(str(path), sources_dir=sources_dir)
    message = refused.value.message_vi
    assert phrase in message and str(path) in message
    assert "python cli.py init" in message or "cập nhật phần mềm" in message
    assert _state(folder) == before  # same bytes, same mtime, no -wal/-shm, no new file
    code = cli.main(["status", "--database-url", str(path)])
    assert code == 1 and _state(folder) == before


def test_a_missing_file_is_refused_and_not_created(tmp_path, sources_dir):
    path = tmp_path / "go_nham" / "gpmb.gpkg"
    for url in (str(path), f"sqlite:///{path}"):
        with pytest.raises(StoreNotFoundError, match="tệp không tồn tại") as refused:
            open_store(url, sources_dir=sources_dir)
        assert str(path) in refused.value.message_vi and "python cli.py init" in refused.value.message_vi
    assert not path.parent.exists()  # not even its folder


@pytest.mark.parametrize("url", [":::garbage", "postgres//x", "kho du lieu", "gpmb.gpkgx"])
def test_a_url_that_does_not_parse_is_refused_and_creates_nothing(tmp_path, monkeypatch, url, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(StoreUnavailableError, match="không đúng dạng"):
        open_store()
    with pytest.raises(StoreUnavailableError, match="không đúng dạng"):
        init_store(url, demo=True)
    assert cli.main(["status"]) == 1 and "không đúng dạng" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------- PostGIS
@pytest.fixture
def pg_url(postgis_template):
    with postgis_database("ident", postgis_template) as url:
        yield url


def _pg_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgis
def test_an_empty_postgis_database_is_refused_and_left_empty(pg_url, sources_dir, capsys):
    before = _pg_tables(pg_url)
    with pytest.raises(StoreNotFoundError) as refused:
        open_store(pg_url, sources_dir=sources_dir)
    assert "chưa khởi tạo" in refused.value.message_vi and "chạy python cli.py init" in refused.value.message_vi
    assert cli.main(["status", "--database-url", pg_url]) == 1 and "chưa khởi tạo" in capsys.readouterr().err
    assert _pg_tables(pg_url) == before


@pytest.mark.postgis
def test_a_database_of_another_application_is_refused_and_untouched(pg_url, sources_dir):
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ho_so (id int)"))
    engine.dispose()
    before = _pg_tables(pg_url)
    with pytest.raises(NotAStoreError, match="không phải kho GPMB Tracker"):
        open_store(pg_url, sources_dir=sources_dir)
    with pytest.raises(StoreExistsError, match="không ghi đè"):
        init_store(pg_url, demo=True, sources_dir=sources_dir)
    assert _pg_tables(pg_url) == before


@pytest.mark.postgis
def test_a_newer_postgis_store_is_refused(pg_url, sources_dir):
    store = init_store(pg_url, demo=False, sources_dir=sources_dir)
    with write_transaction(store.engine) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    store.close()
    with pytest.raises(StoreUnavailableError, match="phiên bản GPMB Tracker mới hơn"):
        open_store(pg_url)


# ------------------------------------------------------------------------------------ init and identity
def test_init_then_open_keeps_one_identity(store_url, sources_dir):
    started = datetime.now(UTC)
    made = init_store(store_url, demo=True, sources_dir=sources_dir)
    ident = made.identity()
    made.close()
    assert len(ident.store_id) == 36 and ident.store_id.count("-") == 4
    assert started - timedelta(seconds=1) <= ident.created_at <= datetime.now(UTC)
    assert ident.backend == ("sqlite" if store_url.startswith("sqlite") else "postgresql")
    assert "@" not in ident.location or ":***@" in ident.location or "postgres@" in ident.location
    again, third = open_store(store_url), open_store(store_url)
    assert again.identity() == ident == third.identity()
    assert len(again.events()) == SEED_EVENT_COUNT
    assert again.data_version()["store_id"] == ident.store_id
    audit = AuditTrail(again).read()
    assert audit.action.tolist() == ["store_initialised"] and audit.account.tolist() == [None]
    assert audit.after.iloc[0]["store_id"] == ident.store_id and audit.after.iloc[0]["demo"] is True
    with pytest.raises(StoreExistsError, match="không ghi đè"):
        init_store(store_url, demo=True, sources_dir=sources_dir)
    assert open_store(store_url).identity() == ident and len(open_store(store_url).events()) == SEED_EVENT_COUNT


def test_an_empty_store_opens_and_status_says_it_has_no_data(store_url, sources_dir, capsys):
    init_store(store_url, demo=False, sources_dir=sources_dir).close()
    store = open_store(store_url)
    assert len(store.projects()) == 0 and len(store.parcels()) == 0 and len(store.events()) == 0
    assert store.projects().crs.to_epsg() == 9215 and "parcel_id" in store.parcels()
    assert len(store.milestones()) == 0 and store.uploads().empty
    assert cli.main(["status", "--database-url", store_url]) == 0
    assert "Kho chưa có dữ liệu" in capsys.readouterr().out


def test_cli_init_makes_a_store_once(tmp_path, sources_dir, monkeypatch, capsys):
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    path = tmp_path / "moi.gpkg"
    assert cli.main(["status", "--database-url", str(path)]) == 1
    assert "python cli.py init" in capsys.readouterr().err and not path.exists()
    assert cli.main(["init", "--demo", "--url", str(path)]) == 0
    out = capsys.readouterr().out
    store_id = open_store(str(path)).identity().store_id
    assert store_id in out and "kèm dữ liệu mẫu" in out
    size = path.stat().st_size
    assert cli.main(["init", "--url", str(path)]) == 1 and "không ghi đè" in capsys.readouterr().err
    assert open_store(str(path)).identity().store_id == store_id and path.stat().st_size == size
    zero = tmp_path / "rong.gpkg"
    zero.write_bytes(b"")  # a zero-byte file holds nothing: init may use it
    assert cli.main(["init", "--url", str(zero)]) == 0 and "rỗng" in capsys.readouterr().out


def test_the_default_store_is_built_on_first_run_only_when_missing(tmp_path, sources_dir, monkeypatch):
    default = tmp_path / "data" / "gpmb.gpkg"
    monkeypatch.setattr(opening, "DEFAULT_STORE_PATH", default)
    monkeypatch.setattr("store.engine.DEFAULT_STORE_PATH", default)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    first = open_store()
    assert first.identity().location == str(default) and len(first.events()) == SEED_EVENT_COUNT
    assert open_store().identity() == first.identity()
    first.close()
    other = tmp_path / "other"
    other.mkdir()
    empty = other / "gpmb.gpkg"
    empty.write_bytes(b"")
    monkeypatch.setattr(opening, "DEFAULT_STORE_PATH", empty)
    monkeypatch.setattr("store.engine.DEFAULT_STORE_PATH", empty)
    with pytest.raises(StoreNotFoundError, match="tệp rỗng"):  # the default file exists: never rebuilt
        open_store()
    assert empty.read_bytes() == b"" and [p.name for p in other.iterdir()] == ["gpmb.gpkg"]


# ------------------------------------------------------------------------ local files never overwrite
def test_two_checkouts_with_different_milestones_leave_the_store_unchanged(store_url, tmp_path, monkeypatch,
                                                                           capsys):
    """Two clients, each with its own data/sources, run ``status`` on one shared store (PostGIS in the
    issue): the store's milestones are those it was made with, whoever runs next."""
    checkout_a = write_sources(tmp_path / "a")
    checkout_b = write_sources(tmp_path / "b")
    (checkout_b / "milestones.csv").write_text(MILESTONES_CSV.replace(",100,project", ",95,project"),
                                               encoding="utf-8-sig")
    (checkout_b / "rules.yaml").write_text("forecast_window_days: 7\n", encoding="utf-8")
    made = demo_store(store_url, checkout_a)
    milestones, rules, version = made.milestones(), made.rules(), made.data_version()
    made.close()
    monkeypatch.setenv("DATABASE_URL", store_url)
    for checkout in (checkout_b, checkout_a, checkout_b):
        monkeypatch.setenv("GPMB_SOURCES_DIR", str(checkout))
        assert cli.main(["status", "--as-of", "2024-06-30"]) == 0
        capsys.readouterr()
        store = open_store(store_url, sources_dir=checkout)
        assert store.milestones().equals(milestones) and store.rules() == rules
        assert store.data_version() == version
        store.close()
    assert milestones.target_percent.tolist() == [100, 50]


# --------------------------------------------------------------------------------- shown in the exports
def test_every_export_names_the_store(store, monkeypatch):
    import docx
    import openpyxl
    from pypdf import PdfReader

    from exports import export
    from milestones.snapshot import compute_snapshot

    store_id = store.identity().store_id
    snapshot = compute_snapshot(store, date(2024, 6, 30))
    html = export("html", snapshot, store).data.decode("utf-8")
    assert store_id in html
    book = openpyxl.load_workbook(io.BytesIO(export("xlsx", snapshot, store).data))
    cells = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert f"Kho dữ liệu: mã {store_id}" in cells
    assert all(store_id in ws.oddFooter.left.text for ws in book)
    pdf = PdfReader(io.BytesIO(export("pdf", snapshot, store).data))
    assert store_id in pdf.metadata.subject
    assert store_id[:8] in " ".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    report = docx.Document(io.BytesIO(export("docx", snapshot, store).data))
    assert store_id in report.sections[0].footer.paragraphs[0].text


_FIRST_RUN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import store.engine, store.opening
store.engine.DEFAULT_STORE_PATH = store.opening.DEFAULT_STORE_PATH = Path(sys.argv[2])
from store import open_store
print(open_store().identity().store_id)
"""


def test_two_first_runs_at_once_open_one_default_store(tmp_path, sources_dir, monkeypatch):
    """The dashboard and a command started together on a fresh machine: one builds the default store,
    the other waits for it and opens the same store (not a refusal, not a second store)."""
    import os
    import subprocess
    import sys

    default = tmp_path / "data" / "gpmb.gpkg"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"GPMB_SOURCES_DIR": str(sources_dir)}
    repo = str(Path(__file__).resolve().parents[2])
    procs = [subprocess.Popen([sys.executable, "-c", _FIRST_RUN, repo, str(default)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    ids = {out.strip() for out, _ in results}
    assert len(ids) == 1 and len(ids.pop()) == 36
