"""The column-wise table builder of :mod:`ingest.read` against the previous frame-wise one kept in
:mod:`tests.ingest.read_reference`: the same good and bad XLSX files read both ways give the same table (every
field, every cell with its class) or the same refusal; random sheets (hypothesis) give the same table in both
the XLSX and the CSV mode; a table pickled for the worker pipe comes back cell for cell.
"""
from __future__ import annotations

import io
import math
import pickle
from dataclasses import fields
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import read as read_mod
from ingest.headers import CANONICAL_HEADERS, HeaderMatch
from ingest.read import IngestError, RawTable, read_table
from parsing.limits import run_with_time_limit
from tests.ingest.fixture_data import CORPUS
from tests.ingest.read_reference import (
    build_table_reference,
    openpyxl_columns_reference,
    openpyxl_sheets,
    read_table_reference,
)
from tests.support import hostile


def _same_cell(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if a is pd.NaT:
        return b is pd.NaT
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def assert_same_table(ours: RawTable, reference: RawTable) -> None:
    """Every field of the two tables equal; ``data`` cell for cell, classes included (1 is not 1.0)."""
    for f in fields(RawTable):
        if f.name != "data":
            assert getattr(ours, f.name) == getattr(reference, f.name), f.name
    a, b = ours.data, reference.data
    assert list(a.columns) == list(b.columns)
    assert a.index.equals(b.index) and a.index.name == b.index.name == "row" and a.index.dtype == b.index.dtype
    assert list(a.dtypes) == list(b.dtypes)         # object, or pandas' str where a legacy column was decoded
    for name in a.columns:
        bad = [(row, x, y) for row, x, y in zip(a.index, a[name], b[name]) if not _same_cell(x, y)]
        assert not bad, (name, bad[:5])


def _outcome(read, data: bytes):
    try:
        return read(data)
    except IngestError as exc:
        return exc.message_vi


def assert_same_outcome(data: bytes) -> RawTable | None:
    ours, reference = _outcome(read_table, data), _outcome(read_table_reference, data)
    if isinstance(reference, str):
        assert ours == reference
        return None
    assert isinstance(ours, RawTable), ours
    assert_same_table(ours, reference)
    return ours


HEADER = [CANONICAL_HEADERS[k] for k in ("project", "commune", "map_sheet", "parcel_number", "event",
                                         "event_date", "area_m2", "households", "amount_vnd", "note")]


def _workbook(rows: list[list[object]], *, title: bool = True, numbers_row: bool = False) -> bytes:
    """An XLSX (XlsxWriter) with an optional title block, the template header and ``rows`` (None = no cell)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Số liệu")
    dates = wb.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    if title:
        ws.write(0, 0, "SỐ LIỆU KIỂM ĐẾM")
        r = 2
    ws.write_row(r, 0, ["STT", *HEADER])
    if numbers_row:
        r += 1
        ws.write_row(r, 0, [f"({i})" for i in range(1, len(HEADER) + 2)])
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, dates)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(r, c, value, None, "")
            else:
                ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


MIXED_ROWS = [
    [1, "QL4B", "Xã Hợp Thành", 12, 263, "Kiểm đếm", datetime(2024, 3, 5), "820,5", 1, 1_250_000_000, "ghi chú"],
    [2, "QL4B", "Xã Hợp Thành", 12.0, "263a", "Chi trả", "05/03/2024", 820.5, 2.0, "1.250.000.000", ""],
    [None, None, None, None, None, None, None, None, None, None, None],           # blank row: left out
    [3, "  ", " ", None, None, None, None, None, None, None, "   "],              # spaces only: left out
    [4, "CT_HNCL", "Phường Kỳ Lừa", -0.0, 1e16, True, datetime(2024, 6, 20, 8, 30), -3.25, 0, None, "=1+1"],
    [5, "QL4B", "NguyÔn V¨n", 3, 15, "Kiểm đếm", 45000, 2**53 + 2.0, None, 0.1, None],  # TCVN3 text, a serial
]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xlsx")) + ["good_xlsx_renamed.csv"])
def test_corpus_workbooks_read_alike(name):
    assert_same_outcome((CORPUS / name).read_bytes())


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".txt")))
def test_corpus_csv_files_read_alike(name, monkeypatch):
    """The CSV path (UTF-8 with BOM, UTF-16, Windows-1258, ``;``/tab, ``1.234,5`` text kept as read) gives the
    same table, or the same refusal, with the reference builder in its place."""
    data = (CORPUS / name).read_bytes()
    ours = _outcome(read_table, data)
    def reference_builder(records, header_index, match, first=1, *, excel_values=False):
        table = build_table_reference(records, header_index, match, first)
        if excel_values:                                  # good_xlsx_renamed.csv: an XLSX by its content
            table.data = openpyxl_columns_reference(table.data)
        return table

    monkeypatch.setattr(read_mod, "_build_table", reference_builder)
    reference = _outcome(read_table, data)
    if isinstance(reference, str) or isinstance(ours, str):
        assert ours == reference
    else:
        assert_same_table(ours, reference)


@pytest.mark.parametrize("title, numbers_row", [(True, False), (False, True)])
def test_mixed_cells_blank_rows_and_formulas_read_alike(title, numbers_row):
    table = assert_same_outcome(_workbook(MIXED_ROWS, title=title, numbers_row=numbers_row))
    assert table is not None and len(table.data) == 4          # the two blank rows are left out
    assert table.data["map_sheet"].tolist()[:2] == [12, 12]     # a whole float is an int, as openpyxl gives
    assert type(table.data["area_m2"].iloc[1]) is float


def test_the_generated_benchmark_workbook_reads_alike():
    from benchmarks.bench_xlsx_read import workbook

    table = assert_same_outcome(workbook(2_000))
    assert table is not None and len(table.data) == 2_000


@pytest.mark.parametrize("build", [hostile.xlsx_shared_strings_bomb, hostile.xlsx_declared_cells_bomb],
                         ids=["shared-strings", "declared-cells"])
def test_bombs_are_refused_alike(tmp_path, build):
    data = build(tmp_path).read_bytes()
    with pytest.raises(IngestError, match="giới hạn"):
        read_table(data)
    assert assert_same_outcome(data) is None


def test_truncated_and_not_a_workbook_refused_alike(tmp_path):
    data = _workbook(MIXED_ROWS)
    assert assert_same_outcome(data[: len(data) // 2]) is None
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert assert_same_outcome(buf.getvalue()) is None


def test_row_limit_refused_alike(monkeypatch):
    monkeypatch.setattr(read_mod, "MAX_ROWS", 3)
    data = _workbook([MIXED_ROWS[0]] * 5)
    with pytest.raises(IngestError, match="quá nhiều dòng"):
        read_table(data)
    assert assert_same_outcome(data) is None


def test_openpyxl_values_give_the_same_table_as_calamine():
    """The benchmark's anchor reads the same values, but for two kinds of cell left out here: python-calamine
    gives a ``date`` for a date at midnight where openpyxl gives a ``datetime`` (validation reads both as that
    day), and a float for a whole number of 2**53 or more where openpyxl gives an int."""
    rows = [[v.date() if isinstance(v, datetime) and v.time() == time(0) else v for v in r]
            for r in MIXED_ROWS if "=1+1" not in r]
    rows = [[None if (isinstance(v, date) and not isinstance(v, datetime)) or (isinstance(v, float) and abs(v) >= 2**53)
             else v for v in r] for r in rows]
    data = _workbook(rows)
    ours = read_table(data)
    assert len(ours.data) == 3
    assert_same_table(ours, read_table_reference(data, openpyxl_sheets))


# ----------------------------------------------------------------------------- random sheets
_CELLS = st.one_of(
    st.just(""), st.none(), st.just(float("nan")), st.sampled_from([" ", "  ", "\t", "\xa0"]),
    st.text(alphabet="0123456789,.aAđĐấỳ ", max_size=6),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 2.0**53, -(2.0**53), 1e16, 3.0]),
    st.integers(min_value=-(2**63), max_value=2**63), st.booleans(),
    st.dates(), st.datetimes(), st.times(), st.timedeltas(),
)
#: Sheet column i → field: a row-number column, unknown columns (None) and a header wider than the data.
_MATCH = HeaderMatch(columns=("_row_number", "project", None, "commune", "map_sheet", "parcel_number",
                              "area_m2", "note"), header_rows=1, unknown=("Cột lạ",))


def _records(draw_rows: list[list[object]]) -> list[list[object]]:
    header = [["STT", "Dự án", "Cột lạ", "Xã", "Số tờ", "Số thửa", "Diện tích", "Ghi chú"]]
    return header + draw_rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_CELLS, min_size=0, max_size=9), max_size=25), first=st.sampled_from([1, 4]))
def test_random_excel_sheets_build_alike(rows, first):
    records = _records(rows)
    ours = read_mod._build_table(records, 0, _MATCH, first, excel_values=True)
    reference = build_table_reference(records, 0, _MATCH, first)
    with np.errstate(invalid="ignore"):                     # the reference's np.mod of an infinity
        reference.data = openpyxl_columns_reference(reference.data)
    assert_same_table(ours, reference)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.text(max_size=4), st.sampled_from(["", " ", "1", "(2)"])),
                              min_size=0, max_size=9), max_size=25))
def test_random_csv_records_build_alike(rows):
    records = _records(rows)
    assert_same_table(read_mod._build_table(records, 0, _MATCH), build_table_reference(records, 0, _MATCH))


def test_column_number_row_under_the_header_is_skipped_alike():
    records = _records([["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"], ["1", "QL4B", "", "Xã A"]])
    ours = read_mod._build_table(records, 0, _MATCH)
    assert_same_table(ours, build_table_reference(records, 0, _MATCH))
    assert list(ours.data.index) == [3]


# ----------------------------------------------------------------------------- the worker pipe
_PICKLED_CELLS = st.one_of(_CELLS, st.just(float("nan")), st.just(pd.NaT), st.sampled_from([1, 1.0, True]))


@settings(max_examples=100, deadline=None)
@given(columns=st.lists(st.lists(_PICKLED_CELLS, min_size=6, max_size=6), min_size=0, max_size=4))
def test_a_pickled_table_comes_back_cell_for_cell(columns):
    data = pd.DataFrame({f"c{i}": pd.Series(c, dtype=object) for i, c in enumerate(columns)},
                        index=pd.Index(range(3, 9), name="row", dtype="int64"), dtype=object)
    table = RawTable(data=data, file_kind="xlsx", sheet="Số liệu", formula_rows={4: ["area_m2"]},
                     notes=["ghi chú"])
    assert_same_table(pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)), table)


def test_a_packed_table_is_smaller_than_its_cells():
    data = _workbook([MIXED_ROWS[0]] * 3_000)
    table = read_table(data)
    packed = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    plain = pickle.dumps(table.data, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(packed) * 3 < len(plain)


def test_the_worker_returns_the_table_read_in_process():
    data = _workbook(MIXED_ROWS * 50)
    assert_same_table(run_with_time_limit(read_table, data, "so_lieu.xlsx"), read_table(data, "so_lieu.xlsx"))


def test_classes_the_packing_keeps_apart():
    """1, 1.0 and True are equal in Python; a date is not a datetime: the packing keeps each as it was."""
    cells = [1, 1.0, True, date(2024, 1, 1), datetime(2024, 1, 1), time(0), timedelta(0), -0.0, 0.0, None]
    table = RawTable(data=pd.DataFrame({"a": pd.Series(cells, dtype=object)}, dtype=object), file_kind="csv")
    back = pickle.loads(pickle.dumps(table))
    assert [type(v) for v in back.data["a"]] == [type(v) for v in cells]
    assert math.copysign(1.0, back.data["a"].iloc[7]) == -1.0
