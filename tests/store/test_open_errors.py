"""Opening a store that cannot be used: ``store.engine`` raises ``StoreUnavailableError`` (a
``GpmbError``, exit code 1) with a Vietnamese message naming the store and what to check; the password
never shows; errors it cannot diagnose pass unchanged."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from domain.errors import EXIT_REJECTED, GpmbError
from store import StoreError, open_store
from store.engine import DIAGNOSES, describe_failure, make_engine, read_connection, write_transaction
from store.errors import StoreUnavailableError


def test_store_errors_are_gpmb_errors_and_still_value_errors():
    refusal = StoreError("Lần tải lên số 7 không có.")
    assert isinstance(refusal, GpmbError) and isinstance(refusal, ValueError)
    assert refusal.message_vi == str(refusal) == "Lần tải lên số 7 không có."
    assert refusal.exit_code == EXIT_REJECTED
    assert issubclass(StoreUnavailableError, StoreError)


@pytest.mark.parametrize(("url", "phrase"), [
    ("mysql://nguoi_dung@may_chu/gpmb", "chỉ hỗ trợ SQLite/GeoPackage hoặc PostgreSQL/PostGIS, nhận 'mysql'"),
    ("://::", "địa chỉ '://::' không đúng dạng"),
    ("postgresql+khong_co://u@h/db", "không có trình điều khiển 'postgresql+khong_co'"),
    ("postgresql+psycopg2://u@h/db", "không có trình điều khiển 'postgresql+psycopg2'"),  # not installed
    ("sqlite://", "SQLite cần một đường dẫn tệp"),
    ("sqlite:///:memory:", "SQLite cần một đường dẫn tệp"),
])
def test_urls_the_store_cannot_use(url, phrase):
    with pytest.raises(StoreUnavailableError) as refused:
        make_engine(url)
    assert refused.value.message_vi.startswith("Không mở được kho dữ liệu: ")
    assert phrase in refused.value.message_vi


def test_an_unparsable_url_hides_its_password():
    with pytest.raises(StoreUnavailableError) as refused:
        make_engine("postgresql+psycopg://nguoi_dung:mat-khau@may chu:cong/gpmb")
    assert "mat-khau" not in refused.value.message_vi and "nguoi_dung:***@" in refused.value.message_vi


def test_a_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "la_tep"
    blocker.write_text("không phải thư mục")
    with pytest.raises(StoreUnavailableError) as refused:
        make_engine(f"sqlite:///{blocker}/con/gpmb.gpkg")
    assert "không tạo được thư mục" in refused.value.message_vi


def test_a_file_that_is_not_a_geopackage(tmp_path):
    path = tmp_path / "gpmb.gpkg"
    path.write_bytes(b"Day khong phai GeoPackage. " * 200)
    with pytest.raises(StoreUnavailableError) as refused:
        open_store(str(path))
    assert "không phải GeoPackage/SQLite" in refused.value.message_vi and str(path) in refused.value.message_vi
    # refused from the file's header, before any driver opens it: the file is as it was, nothing beside it
    assert path.read_bytes() == b"Day khong phai GeoPackage. " * 200 and [p.name for p in tmp_path.iterdir()] == [path.name]


PG = make_url("postgresql+psycopg://nguoi_dung:mat-khau@10.0.0.5:5433/gpmb_2024")
SQLITE = make_url("sqlite:////srv/gpmb/gpmb.gpkg")


@pytest.mark.parametrize(("url", "driver_message", "phrases"), [
    (SQLITE, "attempt to write a readonly database", ["Không ghi được vào kho dữ liệu '/srv/gpmb/gpmb.gpkg'",
                                                      "chỉ cho phép đọc"]),
    (SQLITE, "unable to open database file", ["Không mở được kho dữ liệu '/srv/gpmb/gpmb.gpkg'", "quyền đọc/ghi"]),
    (SQLITE, "database is locked", ["một tiến trình khác giữ nó quá 120 giây"]),
    (PG, 'connection failed: FATAL:  database "gpmb_2024" does not exist',
     ["máy chủ PostgreSQL 10.0.0.5:5433 không có cơ sở dữ liệu «gpmb_2024»", "createdb gpmb_2024"]),
    (PG, 'connection failed: FATAL:  password authentication failed for user "nguoi_dung"',
     ["từ chối đăng nhập của «nguoi_dung»"]),
    (PG, 'connection failed: FATAL:  role "nguoi_dung" does not exist', ["từ chối đăng nhập của «nguoi_dung»"]),
    (PG, "connection failed: connection to server at \"10.0.0.5\", port 5433 failed: Connection refused",
     ["không kết nối được máy chủ PostgreSQL 10.0.0.5:5433"]),
    (PG, "failed to resolve host 'may-chu': [Errno -2] Name or service not known",
     ["không kết nối được máy chủ PostgreSQL"]),
    (PG, "canceling statement due to lock timeout", ["10.0.0.5:5433 đang bận", "chưa xong sau 10 giây", "chưa ghi gì"]),
    (PG, "canceling statement due to statement timeout\nCONTEXT:  COPY events, line 80321",
     ["chạy quá 60 giây", "chưa ghi gì"]),
    (PG, "terminating connection due to idle-in-transaction timeout", ["giao dịch để treo quá 60 giây"]),
    (PG, "consuming input failed: server closed the connection unexpectedly",
     ["Mất kết nối tới máy chủ PostgreSQL 10.0.0.5:5433 giữa chừng", "không có gì được ghi một nửa"]),
    (PG, "connection timed out", ["Mất kết nối tới máy chủ PostgreSQL"]),
])
def test_driver_errors_are_diagnosed(url, driver_message, phrases):
    diagnosis = describe_failure(url, OperationalError("SELECT 1", {}, Exception(driver_message)))
    assert isinstance(diagnosis, StoreUnavailableError)
    for phrase in phrases:
        assert phrase in diagnosis.message_vi
    assert "mat-khau" not in diagnosis.message_vi


def test_every_diagnosis_is_reachable():
    """Each pattern of the table is matched first by some message (no entry hidden behind another)."""
    samples = ["attempt to write a readonly database", "unable to open database file", "database is locked",
               "file is not a database", 'database "x" does not exist', "password authentication failed",
               "canceling statement due to lock timeout", "canceling statement due to statement timeout",
               "terminating connection due to idle-in-transaction timeout", "connection refused",
               "consuming input failed: server closed the connection unexpectedly"]
    chosen = {describe_failure(PG, OperationalError("", {}, Exception(s))).message_vi for s in samples}
    assert len(chosen) == len(DIAGNOSES) == len(samples)


def test_an_error_nobody_diagnosed_passes_unchanged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gpmb.gpkg'}")
    with pytest.raises(OperationalError, match="no such table"), read_connection(engine) as conn:
        conn.execute(text("SELECT * FROM bang_khong_co"))
    with pytest.raises(OperationalError, match="no such table"), write_transaction(engine) as conn:
        conn.execute(text("DELETE FROM bang_khong_co"))
    engine.dispose()
