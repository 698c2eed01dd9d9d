"""The XLSX table builder as it was before the column-wise rewrite of issue 13, kept as the reference.

Nothing in the product calls this module: the equality tests (``tests/ingest/test_read_reference.py``) read
the same good and bad files through :func:`read_xlsx_reference` and :func:`ingest.read.read_table` and
compare every field of the two :class:`ingest.read.RawTable`; ``benchmarks/bench_xlsx_read.py`` times it
with openpyxl as its value reader (:func:`openpyxl_sheets`), the anchor named in issue 13.

The code below is the previous ``ingest.read`` code unchanged (``_build_table`` frame-wise with
``np.frompyfunc`` blank checks, then ``_openpyxl_columns``), with only its names made public.
"""
from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from ingest import read
from ingest.headers import HeaderMatch
from ingest.read import HEADER_SEARCH_ROWS, MAX_XLSX_UNCOMPRESSED, IngestError, RawTable
from parsing.limits import InputLimitError, check_xlsx

log = logging.getLogger(__name__)

SheetsReader = Callable[[bytes], dict[str, list[list[object]]]]


def read_table_reference(data: bytes, sheets: SheetsReader | None = None) -> RawTable:
    """The previous :func:`ingest.read.read_table` of an XLSX's bytes: :func:`parsing.limits.check_xlsx`, then
    :func:`read_xlsx_reference`. Anything not a zip goes to the current reader (its CSV path is compared
    through :func:`build_table_reference`). Raises :class:`ingest.read.IngestError` as the reader does."""
    if data[:4] != b"PK\x03\x04":
        return read.read_table(data)
    try:
        check_xlsx(data)
    except InputLimitError as exc:
        raise IngestError(exc.message_vi) from exc
    return read_xlsx_reference(data, sheets)


def openpyxl_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """Every worksheet's cached values through openpyxl read-only (the value reader before python-calamine)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def read_xlsx_reference(data: bytes, sheets: SheetsReader | None = None) -> RawTable:
    """The previous ``ingest.read._read_xlsx``; ``sheets`` reads the cached values (default: python-calamine,
    :func:`ingest.read._calamine_sheets`; :func:`openpyxl_sheets` for the openpyxl anchor)."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_XLSX_UNCOMPRESSED:
                raise IngestError("Tệp XLSX khi giải nén quá lớn. Hãy tách thành nhiều tệp nhỏ hơn.")
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise IngestError("Tệp nén ZIP này không phải bảng tính XLSX. Hãy gửi tệp .csv hoặc .xlsx.")
            has_formulas = any(
                read._has_formula(zf, i.filename) for i in infos if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, IngestError):
            raise
        raise IngestError("Tệp XLSX bị hỏng (không giải nén được). Hãy mở bằng Excel và lưu lại.") from None
    all_sheets = (sheets or read._calamine_sheets)(data)
    try:
        wb_formulas = (openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                       if has_formulas else None)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError("Không mở được tệp XLSX (tệp hỏng). Hãy mở bằng Excel và lưu lại.") from None
    try:
        best: tuple[int, str, int, HeaderMatch] | None = None
        for title, rows in all_sheets.items():
            found = read._find_header_any(rows[:HEADER_SEARCH_ROWS + 2])
            if found and (best is None or len(found[1].fields) > best[0]):
                best = (len(found[1].fields), title, found[0], found[1])
        if best is None:
            raise IngestError(read._no_header_message())
        _, title, header_index, match = best
        records = all_sheets[title]
        if len(records) > read.MAX_ROWS + HEADER_SEARCH_ROWS + 10:
            raise IngestError(read._too_many_rows())
        table = build_table_reference(records, header_index, match)
        table.data = openpyxl_columns_reference(table.data)
        if wb_formulas is not None:
            read._mark_formulas(table, wb_formulas[title], records, match)
        read._convert_legacy_columns(table)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet is parsed lazily, while iterating
        log.warning("openpyxl failed while reading formulas: %r", exc)
        raise IngestError("Không đọc được nội dung tệp XLSX (tệp hỏng). Hãy mở bằng Excel và lưu lại.") from None
    finally:
        if wb_formulas is not None:
            wb_formulas.close()
    table.file_kind, table.sheet = "xlsx", title
    return table


def build_table_reference(records: list[list[object]], header_index: int, match: HeaderMatch,
                          first_row_number: int = 1) -> RawTable:
    """The previous ``ingest.read._build_table`` (frame-wise; CSV and XLSX alike)."""
    keep = [(i, f) for i, f in enumerate(match.columns) if f and not f.startswith("_")]
    start = header_index + match.header_rows
    body = records[start:]
    skip_first = bool(body) and read._is_column_number_row(list(body[0]))
    if skip_first:
        body = body[1:]
    numbers = np.arange(len(body), dtype=np.int64) + first_row_number + start + int(skip_first)
    width = max((len(r) for r in body), default=0)
    if any(len(r) != width for r in body):
        body = [list(r) + [None] * (width - len(r)) for r in body]
    raw = pd.DataFrame(body, dtype=object) if body else pd.DataFrame()
    frame = pd.DataFrame({f: (raw[i] if i in raw.columns else pd.Series(None, index=raw.index, dtype=object))
                          for i, f in keep}, index=raw.index, dtype=object)
    frame = frame.where(frame.notna(), None)
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        blank &= _blank_cells(frame[name])
    frame = frame.loc[~blank]
    if len(frame) > read.MAX_ROWS:
        raise IngestError(read._too_many_rows())
    frame.index = pd.Index(numbers[~blank], name="row", dtype="int64")
    return RawTable(data=frame, file_kind="", header_row=first_row_number + header_index,
                    header_rows=match.header_rows, ignored_columns=list(match.unknown))


def _blank_cells(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(dtype=object)
    return pd.isna(values) | _BLANK_TEXT(values).astype(bool)


_BLANK_TEXT = np.frompyfunc(lambda v: isinstance(v, str) and not v.strip(), 1, 1)


def openpyxl_columns_reference(frame: pd.DataFrame) -> pd.DataFrame:
    """The previous ``ingest.read._openpyxl_columns``: ``""`` → None, a whole float → int, column by column."""
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=object, copy=True)
        values[values == ""] = None
        floats = np.flatnonzero(_IS_FLOAT(values).astype(bool))
        if len(floats):
            as_float = values[floats].astype(float)
            whole = np.isfinite(as_float) & (np.mod(as_float, 1.0) == 0) & (np.abs(as_float) < 2**53)
            values[floats[whole]] = list(as_float[whole].astype(np.int64).tolist())
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame


_IS_FLOAT = np.frompyfunc(lambda v: isinstance(v, float), 1, 1)
