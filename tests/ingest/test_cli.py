"""The CLI as a user runs it: ``python cli.py import-counts`` / ``template`` in a subprocess, exit codes 0/1/2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.ingest.fixture_data import CORPUS

REPO = Path(__file__).resolve().parents[2]


def cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "cli.py", *map(str, args)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def store_env(tmp_path, sources_dir):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.gpkg'}", "GPMB_SOURCES_DIR": str(sources_dir)}


def test_import_counts_exit_codes_and_report(store_env):
    # The CLI validates against the real date: row 7 of the bad file (15/08/2024, "in the future" for
    # the unit tests' TODAY = 01/07/2024) is valid here, so 17 rows are invalid and 2 valid.
    good = cli("import-counts", CORPUS / "good_utf8_bom_semicolon.csv", "--by", "Cán bộ xã", env_extra=store_env)
    assert good.returncode == 0, good.stderr
    assert "Đã ghi 4 dòng" in good.stdout
    again = cli("import-counts", CORPUS / "good_utf8_bom_semicolon.csv", env_extra=store_env)
    assert again.returncode == 0 and "đã được tải lên trước đây" in again.stdout

    bad = cli("import-counts", CORPUS / "bad_rows_every_error.csv", "--json", env_extra=store_env)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["status"] == "rejected" and report["rows_invalid"] == 17 and report["rows_valid"] == 2
    assert {"row": 4, "column": "Dự án"}.items() <= report["problems"][2].items()
    assert 7 not in {p["row"] for p in report["problems"]}

    dry = cli("import-counts", CORPUS / "bad_rows_every_error.csv", "--dry-run", env_extra=store_env)
    assert dry.returncode == 1 and "Dòng 13: trùng với dòng 12" in dry.stdout

    png = cli("import-counts", CORPUS / "bad_png_renamed.csv", env_extra=store_env)
    assert png.returncode == 1 and "ảnh PNG" in png.stdout and "Traceback" not in png.stdout + png.stderr

    skip = cli("import-counts", CORPUS / "bad_rows_every_error.csv", "--skip-invalid", env_extra=store_env)
    assert skip.returncode == 0 and "Đã ghi 2 dòng" in skip.stdout and "bỏ qua 17 dòng có lỗi" in skip.stdout


def test_usage_errors_exit_2(store_env, tmp_path):
    assert cli("import-counts", tmp_path / "khong_co.csv", env_extra=store_env).returncode == 2
    assert cli("import-counts", env_extra=store_env).returncode == 2
    assert cli("template", "--out", tmp_path / "mau.txt").returncode == 2


def test_template_xlsx_and_csv(tmp_path):
    xlsx, csv_path = tmp_path / "mau.xlsx", tmp_path / "mau.csv"
    assert cli("template", "--out", xlsx).returncode == 0
    assert cli("template", "--out", csv_path).returncode == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    header = raw[3:].decode("utf-8").strip().split(";")
    assert header[:11] == ["Dự án", "Xã", "Số tờ", "Số thửa", "Từ lý trình", "Đến lý trình", "Giai đoạn", "Ngày",
                           "Diện tích (m²)", "Số tiền (đồng)", "Ghi chú"]
    assert header[11:] == ["Số hộ", "Đính chính"]
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Số liệu", "Giai đoạn", "Hướng dẫn"]
    data = wb["Số liệu"]
    assert [c.value for c in data[1]] == header
    validations = data.data_validations.dataValidation
    stage_dv = next(dv for dv in validations if "G2" in str(dv.sqref))
    assert stage_dv.type == "list" and "Giai đoạn" in stage_dv.formula1
    labels = [r[0].value for r in wb["Giai đoạn"].iter_rows(min_row=2)]
    assert "Bàn giao mặt bằng" in labels and len(labels) == 10
    guide = "\n".join(str(r[0].value) for r in wb["Hướng dẫn"].iter_rows() if r[0].value)
    assert "Đính chính" in guide and "lý trình" in guide
