"""The field-count template as a file: ``.xlsx`` (ingest's three-sheet workbook with drop-down lists) or
``.csv`` through the one CSV writer (:func:`exports.table_files.csv_bytes`: UTF-8 with BOM, ``;``, the
form Excel with Vietnamese regional settings opens in columns). Used by ``cli.py template`` and the
upload page, so both hand out the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from domain.errors import UsageError
from exports.table_files import csv_bytes
from ingest.template import TEMPLATE_HEADERS, template_xlsx_bytes

#: File name suffixes a template can be written as.
TEMPLATE_SUFFIXES = (".xlsx", ".csv")


def template_csv_bytes() -> bytes:
    """The CSV template: the header line only (the Vietnamese headers of ``ingest.headers``)."""
    return csv_bytes(pd.DataFrame(columns=list(TEMPLATE_HEADERS)))


def template_bytes(file_name: str | Path) -> bytes:
    """The template in the format ``file_name``'s suffix names.

    Raises
    ------
    UsageError
        The suffix is neither ``.xlsx`` nor ``.csv`` (Vietnamese message, CLI exit code 2).
    """
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        return template_xlsx_bytes()
    if suffix == ".csv":
        return template_csv_bytes()
    raise UsageError(f"Tên tệp mẫu phải kết thúc bằng .xlsx hoặc .csv (nhận: {Path(file_name).name!r})")
