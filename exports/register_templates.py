"""Templates of the people-side registers: XLSX with drop-down lists, or CSV through the one CSV writer.

The columns are those of :data:`ingest.register_rows.REGISTERS` (Vietnamese headers, required ones
marked ``*`` in the XLSX guide row); a column of choices gets a drop-down list of its Vietnamese words,
kept on a sheet ``Danh mục``. The CSV (:func:`exports.table_files.csv_bytes`) is the header line only.
"""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from exports.table_files import csv_bytes
from ingest.register_rows import REGISTERS, Field
from vocab.people import PEOPLE_TABLES

#: Titles of the registers (sheet titles of their templates).
REGISTER_TITLES_VI: dict[str, str] = {
    "households": "Danh sách hộ", "plans": "Phương án BT, HT & TĐC", "payments": "Chi trả",
    "complaints": "Đơn thư", "lots": "Lô tái định cư", "refusals": "Mời nhận tiền, gửi tạm giữ",
    "transfers": "Kinh phí đã chuyển", "areas": "Khu tái định cư",
}
_DATE_COLUMNS = ("date",)


def register_template_csv(register: str) -> bytes:
    """The CSV template of ``register`` (a key of :data:`REGISTERS`): the header line only."""
    return csv_bytes(pd.DataFrame(columns=[f.header_vi for f in REGISTERS[register]]))


def register_template_xlsx(register: str, data_rows: int = 2000) -> bytes:
    """The XLSX template of ``register``: header row, drop-down lists on the first ``data_rows`` rows,
    dates typed ``dd/mm/yyyy``, codes kept as text; the lists on sheet ``Danh mục``.

    Raises
    ------
    KeyError
        ``register`` is not a key of :data:`REGISTERS`.
    """
    fields = REGISTERS[register]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#e3f2fd", "border": 1, "text_wrap": True})
    sheet = wb.add_worksheet(REGISTER_TITLES_VI[register][:31])
    lists = wb.add_worksheet("Danh mục")
    list_col = 0
    for col, f in enumerate(fields):
        sheet.write(0, col, f.header_vi + (" *" if f.required else ""), head)
        sheet.set_column(col, col, max(12, len(f.header_vi) + 4), _format(wb, f))
        if f.choices:
            words = list(PEOPLE_TABLES[f.choices][1].values())
            lists.write(0, list_col, f.header_vi, head)
            lists.write_column(1, list_col, words)
            letter = xl_col_to_name(list_col)
            sheet.data_validation(1, col, data_rows, col, {
                "validate": "list", "source": f"='Danh mục'!${letter}$2:${letter}${len(words) + 1}",
                "error_title": "Giá trị không hợp lệ",
                "error_message": "Chọn một giá trị trong danh sách (trang 'Danh mục')."})
            list_col += 1
        elif f.column.endswith(_DATE_COLUMNS):
            sheet.data_validation(1, col, data_rows, col, {
                "validate": "date", "criteria": "between", "minimum": date(1990, 1, 1),
                "maximum": date(2100, 12, 31), "error_message": "Ngày dạng dd/mm/yyyy."})
    sheet.freeze_panes(1, 0)
    wb.close()
    return buffer.getvalue()


def _format(wb: xlsxwriter.Workbook, f: Field):
    if f.column.endswith(_DATE_COLUMNS):
        return wb.add_format({"num_format": "dd/mm/yyyy"})
    if f.column.endswith(("_vnd", "_m2")):
        return wb.add_format({"num_format": "#,##0"})
    return wb.add_format({"num_format": "@"})

