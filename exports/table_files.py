"""The one writer of table files (CSV and XLSX) for every table the product hands out.

Used by the dashboard downloads (parcel list, coordinate converter) and ``cli.py parcels --csv``,
``--xlsx`` and ``--csv-plain``. Two CSV conventions, chosen by the caller, never mixed:

Vietnamese (:func:`csv_bytes`, the default everywhere)
    UTF-8 with BOM, ``;`` between fields, decimal comma, no thousands separator (so Excel with
    Vietnamese regional settings opens it in columns and reads numbers as numbers), dates
    ``dd/mm/yyyy``, the Vietnamese headers the caller gives, and text neutralised against formula
    injection (:func:`neutralise_formula`).
Plain (:func:`plain_csv_bytes`, for scripts)
    UTF-8 without BOM, ``,``, decimal point, ISO dates (``yyyy-mm-dd``), lists joined by ``;``,
    column names and codes as in DATA_MODEL.md, values as stored (no neutralising: a script reads
    data, it does not evaluate it; open this form in a spreadsheet at your own risk).

:func:`xlsx_bytes` writes the same rows as the Vietnamese CSV into one worksheet: numbers as numbers,
dates as dates (shown ``dd/mm/yyyy``), text always as text (never a formula).
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from vocab.format import is_missing

#: First characters that make Excel or LibreOffice read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = "number"
_DATE = "date"
_TEXT = "text"


def neutralise_formula(text: str) -> str:
    """Prefix formula-like text with ``'`` so a spreadsheet shows it instead of evaluating it.

    The OWASP CSV-injection rule: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a leading single quote; ``'=1+1`` shows as ``=1+1`` in Excel. Only text is touched:
    numbers (``-5``) are written as numbers and stay numbers.
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def column_kind(column: pd.Series) -> str:
    """``"number"``, ``"date"`` or ``"text"``: what every non-missing value of ``column`` is.

    Bool columns are text (written ``Có``/``Không``); an empty column is text.
    """
    if pd.api.types.is_bool_dtype(column):
        return _TEXT
    if pd.api.types.is_numeric_dtype(column):
        return _NUMBER
    if pd.api.types.is_datetime64_any_dtype(column):
        return _DATE
    if pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column):
        return _TEXT  # a pandas string column: no need to look at every value
    present = [v for v in _values(column) if not is_missing(v)]
    if present and all(_is_number(v) for v in present):
        return _NUMBER
    if present and all(isinstance(v, (date, datetime, pd.Timestamp)) for v in present):
        return _DATE
    return _TEXT


def _numbers(column: pd.Series) -> pd.Series:
    """Numeric column; whole numbers as ``Int64`` so ``12`` is not written ``12,0``."""
    values = pd.to_numeric(column, errors="coerce")
    present = values.dropna()
    if len(present) and pd.api.types.is_float_dtype(values) and bool((present == present.round()).all()) \
            and not pd.api.types.is_float_dtype(column):
        return values.astype("Int64")
    return values


def _values(column: pd.Series) -> np.ndarray:
    """The values as a NumPy object array: iterating it is ~5× faster than a pandas string column."""
    return column.to_numpy(dtype=object, na_value=None)


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Có" if value else "Không"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(str(v) for v in value)
    return str(value)


def _vietnamese_cells(table: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        kind = column_kind(column)
        if kind == _NUMBER:
            out[name] = _numbers(column)
        elif kind == _DATE:
            out[name] = [None if is_missing(v) else pd.Timestamp(v).strftime("%d/%m/%Y") for v in _values(column)]
        else:
            out[name] = [neutralise_formula(_text(v)) for v in _values(column)]
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as a Vietnamese CSV (UTF-8 with BOM, ``;``, decimal comma, ``dd/mm/yyyy``).

    Parameters
    ----------
    table : DataFrame
        Columns named as they should read (Vietnamese headers); values typed: numbers as numbers
        (int/float, NaN → empty), dates as ``date``/``Timestamp``, everything else as text (lists are
        joined by ``"; "``, booleans written ``Có``/``Không``). Headers are neutralised like any other text.

    Returns
    -------
    bytes
        Read back with ``pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")``.
        Formula-like text comes back with its leading ``'`` (:func:`neutralise_formula`).
    """
    cells = _vietnamese_cells(table)
    cells.columns = [neutralise_formula(str(c)) for c in table.columns]
    text = cells.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def plain_csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as a plain machine-readable CSV: UTF-8 (no BOM), ``,``, decimal point, ISO dates.

    Column names and values are written as given (codes, not labels); lists become ``;``-joined text;
    ``date``/``Timestamp`` values become ``yyyy-mm-dd``. Not neutralised (see the module docstring).
    """
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        kind = column_kind(column)
        if kind == _NUMBER:
            out[name] = _numbers(column)
        elif kind == _DATE:
            out[name] = [None if is_missing(v) else pd.Timestamp(v).date().isoformat() for v in _values(column)]
        else:
            out[name] = [";".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray))
                         else "" if is_missing(v) else str(v) for v in _values(column)]
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


#: XLSX number formats: Excel shows them with the reader's separators (1.234,5 in a Vietnamese locale).
_XLSX_FORMATS = {"int": "#,##0", "float": "#,##0.0", _DATE: "dd/mm/yyyy", _TEXT: "@"}


def xlsx_bytes(table: pd.DataFrame, *, sheet_name: str = "Bảng", title: str | None = None,
               widths: Iterable[float] | None = None) -> bytes:
    """``table`` as an .xlsx workbook of one sheet: the XLSX twin of :func:`csv_bytes`.

    Parameters
    ----------
    table : DataFrame
        As for :func:`csv_bytes`.
    sheet_name : str
        Worksheet name (at most 31 characters, Excel's limit).
    title : str, optional
        A bold line above the header row (then the header is row 3, else row 1).
    widths : iterable of float, optional
        Column widths in characters (default: fitted to the longest value, 10 to 50).

    Returns
    -------
    bytes
        Header row bold, frozen and filterable; numbers as numbers (``#,##0`` whole, ``#,##0.0``
        otherwise), dates as dates (``dd/mm/yyyy``), text as strings, formula-like text with Excel's
        quote prefix (never evaluated, even after editing). Same bytes for the same table.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2000, 1, 1)})  # no clock in the file: same table, same bytes
    ws = wb.add_worksheet(sheet_name[:31])
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#e8eaf6"})
    quoted = wb.add_format({"quote_prefix": True})
    header_row = 0
    if title:
        ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 13}))
        header_row = 2
    widths = list(widths) if widths is not None else [_fitted_width(table[name]) for name in table.columns]
    for c, name in enumerate(table.columns):
        ws.set_column(c, c, widths[c] if c < len(widths) else 14.0)
        ws.write_string(header_row, c, str(name), head)
    for c, name in enumerate(table.columns):
        _write_column(wb, ws, header_row + 1, c, table[name], quoted)
    last = header_row + len(table)
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, max(last, header_row), max(len(table.columns) - 1, 0))
    wb.close()
    return buffer.getvalue()


def _fitted_width(column: pd.Series) -> float:
    """Characters wide enough for the longest value of ``column`` (10 to 50; the header wraps)."""
    longest = max((len(_text(v)) for v in _values(column)), default=0)
    return float(min(max(longest + 2, 10), 50))


def _write_column(wb, ws, first_row: int, col: int, column: pd.Series, quoted) -> None:
    kind = column_kind(column)
    if kind == _NUMBER:
        values = _numbers(column)
        fmt = wb.add_format({"num_format": _XLSX_FORMATS["int" if str(values.dtype) == "Int64" else "float"]})
        for i, v in enumerate(values):
            if not is_missing(v):
                ws.write_number(first_row + i, col, float(v), fmt)
    elif kind == _DATE:
        fmt = wb.add_format({"num_format": _XLSX_FORMATS[_DATE]})
        for i, v in enumerate(_values(column)):
            if not is_missing(v):
                ws.write_datetime(first_row + i, col, pd.Timestamp(v).to_pydatetime().replace(tzinfo=None), fmt)
    else:
        for i, v in enumerate(_values(column)):
            text = _text(v)
            if text:
                ws.write_string(first_row + i, col, text, quoted if text.startswith(FORMULA_TRIGGERS) else None)
