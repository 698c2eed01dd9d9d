"""No traceback reaches a user of the CLI: each failure a user can cause ends with a Vietnamese
message on stderr and the documented exit code (1 refused or failed, 2 usage), run as a user runs it
(``python cli.py …`` in a subprocess, logging as ``cli.entry_point`` sets it)."""
from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import postgis

REPO = Path(__file__).resolve().parents[2]
#: Without CAP_DAC_OVERRIDE even root obeys file modes (the tests may run as root in a container).
NO_DAC_OVERRIDE = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                   "--bounding-set=-dac_override,-dac_read_search"]


def cli(*argv: str, env: dict | None = None, prefix: tuple[str, ...] = (), code: str | None = None):
    """Run ``python cli.py argv…`` (or ``python -c code``) in the repository; the completed process."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GPMB_DEBUG")}
    environment.update(env or {})
    command = [sys.executable, "-c", code] if code else [sys.executable, "cli.py"]
    return subprocess.run([*prefix, *command, *argv], cwd=REPO, env=environment, capture_output=True,
                          text=True, timeout=300, check=False)


def assert_refused(done, exit_code: int, *phrases: str) -> None:
    """Exit code, every phrase in stderr, and no traceback anywhere in the output."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == exit_code, done.stderr
    for phrase in phrases:
        assert phrase in done.stderr, done.stderr


# --------------------------------------------------------------------------- stores that cannot be used
BAD_URLS = {
    "unknown_scheme": ("mysql://nguoi_dung@may_chu/gpmb", "chỉ hỗ trợ SQLite/GeoPackage hoặc PostgreSQL/PostGIS"),
    "does_not_parse": ("://::", "không đúng dạng"),
    "server_unreachable": ("postgresql+psycopg://postgres@127.0.0.1:1/gpmb", "không kết nối được máy chủ PostgreSQL"),
}


@pytest.mark.parametrize("command", [["status"], ["uploads"], ["revert", "1"]])
@pytest.mark.parametrize("case", sorted(BAD_URLS))
def test_an_unusable_store_url_is_a_message(command, case):
    url, phrase = BAD_URLS[case]
    done = cli(*command, "--database-url", url)
    assert_refused(done, 1, "Không mở được kho dữ liệu", phrase)


def test_a_password_in_a_bad_url_is_not_shown():
    done = cli("uploads", "--database-url", "postgresql+psycopg://nguoi_dung:mat-khau-bi-mat@127.0.0.1:1/gpmb")
    assert_refused(done, 1, "127.0.0.1:1")
    assert "mat-khau-bi-mat" not in done.stderr


@pytest.mark.postgis
def test_a_missing_postgis_database_is_a_message():
    from sqlalchemy import create_engine, text

    try:
        with create_engine(postgis.admin_url()).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means: no server here
        postgis.unreachable(f"PostgreSQL not reachable: {exc}")
    name = f"gpmb_khong_co_{secrets.token_hex(5)}"
    done = cli("status", "--database-url", postgis.database_url(name))
    assert_refused(done, 1, "không có cơ sở dữ liệu", name)


@pytest.fixture(scope="module")
def read_only_store(tmp_path_factory) -> Path:
    """A seeded GeoPackage whose file is read-only (mode 0444) in a writable folder."""
    from tests.support.actors import make_account
    from tests.support.stores import demo_store

    path = tmp_path_factory.mktemp("read_only") / "gpmb.gpkg"
    store = demo_store(str(path))
    make_account(store, "quan_tri")  # the CLI's --as
    store.close()
    for leftover in path.parent.glob("gpmb.gpkg-*"):  # WAL and shared-memory files of the seeding run
        leftover.unlink()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return path


def test_a_read_only_store_file_is_a_message(read_only_store):
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: a file mode cannot make the store read-only")
        prefix = tuple(NO_DAC_OVERRIDE)
    done = cli("revert", "1", "--as", "quan_tri", "--database-url", str(read_only_store), prefix=prefix)
    assert_refused(done, 1, "Không ghi được vào kho dữ liệu", "chỉ cho phép đọc")
    # Reading a read-only store still works.
    done = cli("uploads", "--database-url", str(read_only_store), prefix=prefix)
    assert done.returncode == 0 and "events.csv" in done.stdout, done.stderr


# --------------------------------------------------------------------------------------- as-of dates
@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_an_absurd_as_of_date_shows_no_traceback(as_of, tmp_path):
    done = cli("status", "--as-of", as_of, "--database-url", str(tmp_path / "gpmb.gpkg"))
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode in (1, 2) and ("Lỗi" in done.stderr or "ngày" in done.stderr), done.stderr


@pytest.mark.parametrize("command", ["status", "parcels"])
@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_an_as_of_date_out_of_range_is_a_usage_error(command, as_of):
    done = cli(command, "--as-of", as_of, "--database-url", "mysql://khong/dung")  # refused before the store
    assert_refused(done, 2, "ngoài khoảng 1900–2199")


# ------------------------------------------------------------------------------ errors of my commands
def test_a_template_with_an_unknown_suffix_is_a_usage_error(tmp_path):
    done = cli("template", "--out", str(tmp_path / "mau.pdf"))
    assert_refused(done, 2, ".xlsx hoặc .csv")


def test_a_template_that_cannot_be_written_is_refused(tmp_path):
    done = cli("template", "--out", str(tmp_path / "khong_co" / "thu_muc" / "mau.csv"))
    assert_refused(done, 1, "Không ghi được tệp")


def test_a_bad_crs_is_a_usage_error(tmp_path):
    done = cli("import-boundary", str(tmp_path / "ranh.geojson"), "--project", "QL4B", "--crs", "Sao Hỏa",
               "--database-url", "mysql://khong/dung")
    assert_refused(done, 2, "Lỗi tham số")


# ------------------------------------------------------------------------------------ the unexpected
CRASHING_UPLOADS = ("import sys, cli, commands.uploads as m\n"
                    "m.run = lambda args: 1 / 0\n"
                    "sys.argv = ['cli.py', *sys.argv[1:]]\n"
                    "sys.exit(cli.entry_point())\n")


def test_an_unexpected_error_is_a_short_message():
    done = cli("uploads", code=CRASHING_UPLOADS)
    assert_refused(done, 1, "Lỗi ngoài dự kiến (ZeroDivisionError)", "--debug")


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_traceback(how):
    done = (cli("--debug", "uploads", code=CRASHING_UPLOADS) if how == "flag"
            else cli("uploads", code=CRASHING_UPLOADS, env={"GPMB_DEBUG": "1"}))
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr
