"""The one CSV/XLSX writer: read back by pandas (``sep=";", decimal=","``) and openpyxl."""
import io
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest

from exports.table_files import csv_bytes, neutralise_formula, plain_csv_bytes, xlsx_bytes

EVIL = ['=HYPERLINK("http://evil.example","bấm")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


@pytest.fixture
def table() -> pd.DataFrame:
    n = len(EVIL)
    return pd.DataFrame({
        "Tên": EVIL,
        "Diện tích (m²)": [1234.5, -5.0, 0.25, np.nan, 1e7 + 0.5, 3.0],
        "Số thửa": pd.array([1, 2, None, 4, 5, 1234], dtype="Int64"),
        "Ngày": [date(2024, 6, 30), None, date(2024, 1, 2), date(2025, 12, 31), None, date(2024, 3, 1)],
        "Ghi chú": ["a;b", 'có "ngoặc"', "dòng 1\ndòng 2", "", None, "Kiểm đếm"],
        "Mã": [f"X/{i}" for i in range(n)],
    })


def test_csv_reads_back_with_vietnamese_excel_settings(table):
    data = csv_bytes(table)
    assert data.startswith("\ufeff".encode())
    assert b"1234,5" in data and b"1234.5" not in data
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""])
    assert list(back.columns) == list(table.columns)
    assert back["Diện tích (m²)"].tolist()[:3] == [1234.5, -5.0, 0.25]   # numbers stay numbers, even negative
    assert back["Diện tích (m²)"].iloc[4] == pytest.approx(1e7 + 0.5)
    assert pd.isna(back["Diện tích (m²)"].iloc[3])
    assert back["Số thửa"].tolist()[:2] == [1, 2]                        # whole numbers without ",0"
    assert back["Ngày"].fillna("").tolist() == ["30/06/2024", "", "02/01/2024", "31/12/2025", "", "01/03/2024"]
    assert back["Ghi chú"].fillna("").tolist()[:3] == ["a;b", 'có "ngoặc"', "dòng 1\ndòng 2"]


def test_csv_neutralises_every_formula_trigger(table):
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Tên"].tolist() == ["'" + t for t in EVIL]
    assert all(not str(v).startswith(("=", "+", "-", "@", "\t", "\r")) for v in back["Tên"])


def test_booleans_read_as_words_in_the_vietnamese_forms():
    table = pd.DataFrame({"Dữ liệu minh họa": [True, False]})
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Dữ liệu minh họa"].tolist() == ["Có", "Không"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert [c.value for c in ws["A"]][1:] == ["Có", "Không"]
    assert pd.read_csv(io.BytesIO(plain_csv_bytes(table)))["Dữ liệu minh họa"].tolist() == [True, False]


def test_headers_are_neutralised_too():
    data = csv_bytes(pd.DataFrame({"=cmd": ["x"]}))
    assert data.decode("utf-8-sig").splitlines()[0] == "'=cmd"


@pytest.mark.parametrize("text, expected", [
    ("=1", "'=1"), ("+84 912", "'+84 912"), ("-", "'-"), ("@a", "'@a"), ("\tx", "'\tx"),
    ("Km3+700", "Km3+700"), ("", ""), ("a=b", "a=b"),
])
def test_neutralise_formula(text, expected):
    assert neutralise_formula(text) == expected


def test_plain_csv_is_for_scripts(table):
    raw = table.assign(risk_flags=[["complaint_open", "enforced"], [], None, ["stuck_paid"], [], []])
    data = plain_csv_bytes(raw)
    assert not data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data))
    assert back["Diện tích (m²)"].iloc[0] == 1234.5
    assert back["Ngày"].iloc[0] == "2024-06-30"
    assert back["Tên"].iloc[0] == EVIL[0]                         # values as stored
    assert back["risk_flags"].iloc[0] == "complaint_open;enforced"


def test_xlsx_twin_has_the_same_rows(table):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, sheet_name="Thửa đất", title="Danh sách")))
    ws = wb["Thửa đất"]
    assert ws["A1"].value == "Danh sách"
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert list(rows[0]) == list(table.columns)
    body = rows[1:]
    assert len(body) == len(table)
    assert [r[1] for r in body] == [1234.5, -5.0, 0.25, None, 1e7 + 0.5, 3.0]
    assert [r[2] for r in body] == [1, 2, None, 4, 5, 1234]
    assert body[0][3].date() == date(2024, 6, 30) and body[1][3] is None
    assert ws.cell(row=4, column=4).number_format == "dd/mm/yyyy"
    for i, text in enumerate(EVIL):
        cell = ws.cell(row=4 + i, column=1)
        value = cell.value.replace("_x000D_", "\r")  # XML escape of CR in the file, read back raw by openpyxl
        assert value == text and cell.data_type == "s" and cell.quotePrefix is True
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")


def test_xlsx_is_deterministic(table):
    assert xlsx_bytes(table) == xlsx_bytes(table)


def test_the_csv_template_comes_from_the_one_writer_and_reads_back_as_the_headers(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from exports.template_files import template_bytes
    from ingest.template import TEMPLATE_HEADERS

    data = template_bytes("mau.csv")
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == list(TEMPLATE_HEADERS) and back.empty
    out = tmp_path / "mau.csv"
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "cli.py", "template", "--out", str(out)], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == data
