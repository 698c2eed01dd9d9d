"""The CLI as a user runs it: ``python cli.py import-counts`` / ``template`` in a subprocess, exit codes 0/1/2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.ingest.fixture_data import CORPUS

REPO = Path(__file__).resolve().parents[2]


def cli(*args, env_extra=None):
    """Run ``python cli.py ARGS`` as a user does (a subprocess: the real entry point)."""
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "cli.py", *map(str, args)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def cli_in_process(monkeypatch, capsys, *args, env_extra=None) -> Run:
    """Same dispatcher (``cli.main``) in this process: argparse, the command module, exit code."""
    import cli as cli_module

    for key, value in (env_extra or {}).items():
        monkeypatch.setenv(key, value)
    code = cli_module.main([str(a) for a in args])
    out = capsys.readouterr()
    return Run(code, out.out, out.err)


@pytest.fixture
def store_env(tmp_path, sources_dir):
    """A store with the account ``quan_tri`` (the CLI's ``--as``), named by ``DATABASE_URL``."""
    from tests.support.actors import make_account
    from tests.support.stores import demo_store

    url = f"sqlite:///{tmp_path / 'cli.gpkg'}"
    store = demo_store(url, sources_dir=sources_dir)
    make_account(store, "quan_tri")
    store.close()
    return {"DATABASE_URL": url, "GPMB_SOURCES_DIR": str(sources_dir)}


def test_import_counts_exit_codes_and_report(store_env, monkeypatch, capsys):
    good = cli("import-counts", CORPUS / "good_utf8_bom_semicolon.csv", "--as", "quan_tri", env_extra=store_env)
    assert good.returncode == 0, good.stderr
    assert "Đã ghi 4 dòng" in good.stdout

    def run(*args):
        return cli_in_process(monkeypatch, capsys, *args, "--as", "quan_tri", env_extra=store_env)

    again = run("import-counts", CORPUS / "good_utf8_bom_semicolon.csv")
    assert again.returncode == 0 and "đã được tải lên trước đây" in again.stdout

    # The CLI validates against the real date: row 7 of the bad file (15/08/2024, "in the future" for
    # the unit tests' TODAY = 01/07/2024) is valid here, so 17 rows are invalid and 2 valid.
    bad = run("import-counts", CORPUS / "bad_rows_every_error.csv", "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["status"] == "rejected" and report["rows_invalid"] == 17 and report["rows_valid"] == 2
    assert {"row": 4, "column": "Dự án"}.items() <= report["problems"][2].items()
    assert 7 not in {p["row"] for p in report["problems"]}

    dry = run("import-counts", CORPUS / "bad_rows_every_error.csv", "--dry-run")
    assert dry.returncode == 1 and "Dòng 13: trùng với dòng 12" in dry.stdout

    png = run("import-counts", CORPUS / "bad_png_renamed.csv")
    assert png.returncode == 1 and "ảnh PNG" in png.stdout and "Traceback" not in png.stdout + png.stderr

    skip = run("import-counts", CORPUS / "bad_rows_every_error.csv", "--skip-invalid")
    assert skip.returncode == 0 and "Đã ghi 2 dòng" in skip.stdout and "bỏ qua 17 dòng có lỗi" in skip.stdout


def test_usage_errors_exit_2(store_env, tmp_path, monkeypatch, capsys):
    def run(*args):
        return cli_in_process(monkeypatch, capsys, *args, env_extra=store_env)

    missing = run("import-counts", tmp_path / "khong_co.csv")
    assert missing.returncode == 2 and "Không tìm thấy tệp" in missing.stderr
    assert run("import-counts").returncode == 2
    anonymous = run("import-counts", CORPUS / "good_utf8_bom_semicolon.csv")  # no --as: who uploads?
    assert anonymous.returncode == 2 and "--as" in anonymous.stderr
    assert run("template", "--out", tmp_path / "mau.txt").returncode == 2


def test_template_xlsx_and_csv(tmp_path, monkeypatch, capsys):
    xlsx, csv_path = tmp_path / "mau.xlsx", tmp_path / "mau.csv"
    assert cli_in_process(monkeypatch, capsys, "template", "--out", xlsx).returncode == 0
    assert cli_in_process(monkeypatch, capsys, "template", "--out", csv_path).returncode == 0
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


def test_template_filled_with_the_examples_imports_cleanly(tmp_path):
    """The instructions' example rows, typed into the template, pass validation (fixture parcels)."""
    from ingest.read import read_table
    from ingest.template import EXAMPLES, template_xlsx_bytes
    from ingest.validate import validate
    from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects

    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx_bytes())
    wb = openpyxl.load_workbook(path)
    for example in EXAMPLES:
        wb["Số liệu"].append(list(example))
    wb.save(path)
    table = read_table(path)
    assert table.sheet == "Số liệu" and list(table.data.index) == [2, 3, 4, 5]
    parcels = make_parcels()
    parcels.loc[len(parcels)] = {**parcels.iloc[0].to_dict(), "parcel_id": "QL4B/06112/12/345", "map_sheet": 12,
                                 "parcel_number": 345, "area_to_recover_m2": 900.0}
    report = validate(table, parcels, make_projects(), make_ledger(), TODAY)
    assert report.problems == []
    assert list(report.events["kind"]) == ["parcel", "chainage_range", "aggregate", "parcel"]
