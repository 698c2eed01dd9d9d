"""Read a register file (CSV or XLSX made from :mod:`exports.register_templates`) into a raw table.

The header is the first of the top 30 rows that names every required column of the register (its
Vietnamese header, ``*`` and case, diacritics and spaces ignored; or the column code); rows above it
(titles) are skipped, and so are blank rows. The returned frame's index is the row number as Excel
(or a text editor) shows it, so problems name the row a person finds in the file.
"""
from __future__ import annotations

import csv
import io

import pandas as pd

from ingest.read import IngestError
from ingest.register_rows import REGISTERS
from parsing.limits import DEFAULT_LIMITS, InputLimits, check_xlsx
from parsing.text import fold_key, is_blank

HEADER_SEARCH_ROWS = 30
#: Largest register file accepted (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024


def _cells_to_frame(records: list[list[object]], register: str) -> pd.DataFrame:
    fields = REGISTERS[register]
    accepted = {fold_key(f.header_vi): f.header_vi for f in fields} | {fold_key(f.column): f.header_vi for f in fields}
    required = {f.header_vi for f in fields if f.required}
    for i, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = [accepted.get(fold_key(str(c).removesuffix("*").strip())) if not is_blank(c) else None for c in cells]
        if required <= {n for n in names if n}:
            rows = {}
            for j, raw in enumerate(records[i + 1:], start=i + 2):
                if all(is_blank(c) for c in raw):
                    continue
                rows[j] = {n: raw[k] for k, n in enumerate(names) if n and k < len(raw) and not is_blank(raw[k])}
            frame = pd.DataFrame.from_dict(rows, orient="index", columns=[n for n in names if n])
            frame.index.name = "row"
            return frame
    headers = ", ".join(f"«{f.header_vi}»" for f in fields if f.required)
    raise IngestError(f"Không tìm thấy dòng tiêu đề của sổ trong {HEADER_SEARCH_ROWS} dòng đầu: cần các cột {headers}.")


def _csv_records(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise IngestError("Tệp CSV không ở mã UTF-8 (hoặc UTF-16): hãy lưu lại bằng «CSV UTF-8».")
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_records(data: bytes, limits: InputLimits) -> list[list[object]]:
    import openpyxl

    check_xlsx(data, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError("Không mở được tệp XLSX (tệp hỏng hoặc không phải bảng tính Excel).") from None
    try:
        return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_register_file(data: bytes, register: str, *, limits: InputLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """The rows of a register file as a frame of raw cells (columns = Vietnamese headers, index = file row).

    Parameters
    ----------
    data : bytes
        A CSV (UTF-8, UTF-8 with BOM or UTF-16; ``;``, ``,`` or tab) or XLSX file (told apart by content).
    register : str
        A key of :data:`ingest.register_rows.REGISTERS`.

    Raises
    ------
    IngestError
        Too big, not CSV/XLSX, an encoding it cannot read, or no header row.
    InputLimitError
        An XLSX beyond ``limits`` (zip bomb, too many cells …).
    """
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"Tệp quá lớn ({len(data) // (1024 * 1024)} MB; tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    records = _xlsx_records(data, limits) if data[:2] == b"PK" else _csv_records(data)
    return _cells_to_frame(records, register)
