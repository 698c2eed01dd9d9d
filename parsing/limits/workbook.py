"""XLSX workbooks: sheets, shared strings and cells, counted from streams of XML before any reader
builds a workbook."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from parsing.limits.archive import check_sizes, named_members, open_zip
from parsing.limits.base import CHUNK_BYTES, DEFAULT_LIMITS, InputLimitError, InputLimits, KiB, escape_name, fmt_bytes
from vocab.format import fmt_number

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS_PART = re.compile(r"^xl/sharedstrings\d*\.xml$", re.IGNORECASE)
_TAG_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_DIMENSION = re.compile(_TAG_PREFIX + rb"dimension\b[^>]*?\bref=[\"']\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?[\"']")
_WORKSHEET = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
_ROW_NUMBER = re.compile(rb"[^>]*?\br=[\"'](\d+)[\"']")
_MAX_TAG_BYTES = 64 * KiB
_SHEET_ENTRY = re.compile(_TAG_PREFIX + rb"sheet(?=[\s/>])")


def check_xlsx(source: str | Path | bytes | IO[bytes], limits: InputLimits = DEFAULT_LIMITS) -> None:
    """Check an XLSX workbook before openpyxl (or any reader) parses it.

    The zip checks of :func:`check_zip` run first (the shared-strings size just before the sizes and
    ratios, so that its own message is the one shown). Then, reading only streams of XML in chunks:
    the number of sheets (``<sheet>`` entries of ``xl/workbook.xml``); the uncompressed size of the
    shared-strings part; and the cells of every sheet: rows × columns of its ``<dimension ref>``, and,
    since a dimension may be missing or lie, the ``<c>`` cells counted and the last ``<row r>`` number
    (read-only openpyxl pads every row up to the dimension's width).

    Raises
    ------
    InputLimitError
        Not a zip, or a zip limit exceeded (see :func:`check_zip`); no ``xl/workbook.xml``; more sheets,
        a larger shared-strings part or more cells than ``limits`` allow.
    """
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    infos = named_members(source, limits)
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise InputLimitError("Tệp nén này không phải bảng tính XLSX (thiếu xl/workbook.xml).")
    for info in infos:
        if _SHARED_STRINGS_PART.match(info.filename) and info.file_size > limits.xlsx_shared_strings_bytes:
            raise InputLimitError(
                f"Bảng chuỗi dùng chung (sharedStrings) của tệp XLSX giải nén ra {fmt_bytes(info.file_size)}, "
                f"vượt giới hạn {fmt_bytes(limits.xlsx_shared_strings_bytes)}.")
    check_sizes(infos, limits)
    with open_zip(source, limits) as archive:
        _check_sheet_count(archive, limits)
        for info in infos:
            if _SHEET_PART.match(info.filename):
                _check_sheet_cells(archive, info, limits)


def _check_sheet_count(archive: zipfile.ZipFile, limits: InputLimits) -> None:
    sheets = sum(len(_SHEET_ENTRY.findall(piece)) for piece in _xml_pieces(archive, "xl/workbook.xml"))
    if sheets > limits.xlsx_sheets:
        raise InputLimitError(
            f"Tệp XLSX có {fmt_number(sheets)} trang tính, vượt giới hạn {fmt_number(limits.xlsx_sheets)} trang.")


def _check_sheet_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: InputLimits) -> None:
    sheet = escape_name(PurePosixPath(info.filename).stem)
    prefix: bytes | None = None
    in_head = True  # the schema (CT_Worksheet) puts <dimension> before <sheetData>: search only there
    declared_columns = cells = last_row = 0
    for piece in _xml_pieces(archive, info.filename):
        if prefix is None:
            root = _WORKSHEET.search(piece)
            prefix = (root.group(1) if root else None) or b""
        if in_head:
            data_start = piece.find(b"sheetData")
            in_head = data_start < 0
            if dimension := _DIMENSION.search(piece, 0, len(piece) if in_head else data_start):
                declared_rows, declared_columns = _dimension_size(dimension)
                _refuse_cells(declared_rows * declared_columns, limits, sheet, "khai báo")
        cells += piece.count(b"<" + prefix + b"c ") + piece.count(b"<" + prefix + b"c>")  # no attributes: rare
        last_row = _last_row_number(piece, prefix, last_row)
        _refuse_cells(max(cells, last_row * declared_columns), limits, sheet, "chứa")


def _last_row_number(piece: bytes, prefix: bytes, previous: int) -> int:
    """The number of the last ``<row>`` in ``piece``: its ``r`` attribute, or ``previous`` + rows counted."""
    opening = b"<" + prefix + b"row"
    last = max(piece.rfind(opening + b" "), piece.rfind(opening + b">"))
    if last < 0:
        return previous
    tag_end = piece.find(b">", last)
    number = _ROW_NUMBER.match(piece, last + len(opening), tag_end if tag_end >= 0 else len(piece))
    if number:
        return int(number.group(1))
    return previous + piece.count(opening + b" ") + piece.count(opening + b">")


def _dimension_size(match: re.Match[bytes]) -> tuple[int, int]:
    """Rows and columns of a ``<dimension ref="A1:XFD1048576">`` (``ref="A1"`` is one cell)."""
    first_column, first_row = _column_number(match.group(1)), int(match.group(2))
    last_column = _column_number(match.group(3)) if match.group(3) else first_column
    last_row = int(match.group(4)) if match.group(4) else first_row
    return abs(last_row - first_row) + 1, abs(last_column - first_column) + 1


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - ord("A") + 1)
    return number


def _refuse_cells(cells: int, limits: InputLimits, sheet: str, verb: str) -> None:
    if cells > limits.xlsx_cells:
        raise InputLimitError(
            f"Trang tính {sheet} của tệp XLSX {verb} {fmt_number(cells)} ô, vượt giới hạn "
            f"{fmt_number(limits.xlsx_cells)} ô. Hãy tách thành nhiều tệp nhỏ hơn.")


def _xml_pieces(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The decompressed bytes of one XML part in chunks, each cut just before its last ``<`` (the rest is
    carried into the next piece), so that no start tag shorter than ``_MAX_TAG_BYTES`` is ever split."""
    carry = b""
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                buffer = carry + chunk
                cut = buffer.rfind(b"<")
                if cut < 0 or len(buffer) - cut > _MAX_TAG_BYTES:
                    cut = len(buffer)  # no tag, or a "tag" too long to be one: nothing worth carrying
                carry = buffer[cut:]
                yield buffer[:cut]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputLimitError(f"Phần {escape_name(name)} của tệp XLSX không giải nén được (tệp hỏng).") from exc
    if carry:
        yield carry
