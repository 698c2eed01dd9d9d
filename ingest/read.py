"""Read an uploaded field-count file (CSV or XLSX) into a raw table keyed by the sheet's row numbers.

What is accepted (issue 3): CSV in UTF-8, UTF-8 with BOM, UTF-16 (Excel "Unicode text", tab
separated) or Windows-1258 (detected with charset-normalizer; its combining tone marks are
normalised to NFC); separator ``,``, ``;`` or tab; XLSX with a title block above a one- or two-row
header. Text typed with the legacy Vietnamese font encodings TCVN3 (ABC) or VNI, saved as such or
stored as UTF-8 ("NguyÔn V¨n"), is detected per column (:mod:`parsing.legacy`) and converted to
Unicode NFC; the table's ``notes`` say which columns were converted. The file type is decided by the content, not the name (an XLSX renamed ``.csv`` is read as
XLSX; a PNG renamed ``.csv`` is refused).

Everything refused raises :class:`IngestError` with a Vietnamese message; nothing is written by
this module.
"""
from __future__ import annotations

import contextlib
import csv
import io
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetTypeEnum  # with the module: the worker's fork server has it

from domain.errors import GpmbError
from ingest.headers import CANONICAL_HEADERS, HeaderMatch, find_header
from parsing.legacy import DECODERS as LEGACY_DECODERS
from parsing.legacy import ENCODING_LABELS_VI, detect_column_encoding, vietnamese_score
from parsing.limits import InputLimitError, check_xlsx
from parsing.text import is_blank
from vocab.format import fmt_number

log = logging.getLogger(__name__)

#: Largest file accepted, in bytes (50 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Most data rows accepted in one file.
MAX_ROWS = 200_000
#: Largest uncompressed size of an XLSX (guards against zip bombs), in bytes.
MAX_XLSX_UNCOMPRESSED = 600 * 1024 * 1024
#: Rows searched for the header below a title block.
HEADER_SEARCH_ROWS = 30

_MAGIC = {
    b"\x89PNG": "ảnh PNG",
    b"\xff\xd8\xff": "ảnh JPEG",
    b"GIF8": "ảnh GIF",
    b"%PDF": "tệp PDF",
    b"\xd0\xcf\x11\xe0": "tệp Excel cũ (.xls) hoặc Word (.doc)",
    b"MZ": "tệp chương trình",
    b"\x1f\x8b": "tệp nén gzip",
    b"Rar!": "tệp nén RAR",
    b"7z\xbc\xaf": "tệp nén 7z",
}


class IngestError(GpmbError, ValueError):
    """A file refused as a whole; ``message_vi`` is shown to the user (Vietnamese)."""

    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass
class RawTable:
    """A sheet read from a file, before any value is interpreted.

    Attributes
    ----------
    data
        DataFrame, one row per non-blank data row, index ``row`` = the row number the user sees in
        Excel (1-based, title block and header included); columns = the recognised fields of
        :data:`ingest.headers.CANONICAL_HEADERS` (and ``area_ha``/``amount_million_vnd``… when the
        header names another unit); values as read (``str`` from CSV; ``str``/``int``/``float``/
        ``datetime`` from XLSX), never evaluated.
    formula_rows
        ``{row: [field, …]}``: XLSX cells holding a formula with no computed value saved.
    text_conversions
        Columns whose text was in a legacy Vietnamese font encoding and was converted to Unicode NFC:
        dicts ``field``, ``column`` (Vietnamese header), ``encoding`` (``tcvn3`` | ``vni`` |
        ``utf8_as_latin1``), ``encoding_vi``, ``values_converted`` (cells changed), ``samples``
        (up to 3 ``(before, after)`` pairs).
    notes
        File-level remarks in Vietnamese for the validation report (one per converted column).
    """

    data: pd.DataFrame
    file_kind: str  # "csv" | "xlsx"
    encoding: str | None = None  # CSV: Python codec name, or "tcvn3"/"vni" for a one-byte legacy-font file
    separator: str | None = None
    sheet: str | None = None
    header_row: int = 1  # 1-based row number of the (first) header row
    header_rows: int = 1
    ignored_columns: list[str] = field(default_factory=list)
    formula_rows: dict[int, list[str]] = field(default_factory=dict)
    formulas_read_as_values: int = 0
    text_conversions: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        """The recognised fields, in sheet order."""
        return list(self.data.columns)

    def __getstate__(self) -> dict:
        """The state pickled through the worker pipe of :func:`parsing.limits.run_with_time_limit` (and any
        cache): ``data`` as :func:`_packed_frame`, several times smaller and faster than pickled cells."""
        return {**self.__dict__, "data": _packed_frame(self.data)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({**state, "data": _unpacked_frame(state["data"])})


#: Cell classes whose equality never mixes classes or values (no float: NaN and -0.0; no bool: True == 1).
_FACTORIZABLE = frozenset({str, int, type(None), date, datetime, time, timedelta})


def _packed_frame(frame: pd.DataFrame) -> object:
    """A frame of object columns as ``("packed", index, labels, [(name, codes, uniques) | (name, None, cells)])``:
    a column whose cells are all of :data:`_FACTORIZABLE` classes becomes int codes (``pd.factorize``,
    -1 = None) and its distinct values; any other column keeps its cells. A frame that is not all object
    columns with unique names is returned as it is."""
    if not frame.columns.is_unique or any(dtype != np.dtype(object) for dtype in frame.dtypes):
        return frame
    columns = []
    for name in frame.columns:
        cells = frame[name].to_numpy(dtype=object)
        if set(map(type, cells)) <= _FACTORIZABLE:
            codes, uniques = pd.factorize(cells, use_na_sentinel=True)
            columns.append((name, codes.astype(np.int16 if len(uniques) < 2**15 else np.int32), uniques))
        else:
            columns.append((name, None, cells))
    return ("packed", frame.index, frame.columns, columns)


def _unpacked_frame(packed: object) -> pd.DataFrame:
    """The frame :func:`_packed_frame` packed, cell for cell (same values, classes and order)."""
    if isinstance(packed, pd.DataFrame):
        return packed
    _, index, labels, columns = packed
    data = {}
    for name, codes, values in columns:
        if codes is not None:
            values = np.append(values, None)[codes]   # code -1 picks the None appended last
        data[name] = values
    return pd.DataFrame(data, index=index, columns=labels, dtype=object)


def read_table(source: str | Path | bytes, file_name: str | None = None) -> RawTable:
    """Read a CSV or XLSX field-count file.

    Parameters
    ----------
    source
        A path, or the file's bytes (an upload).
    file_name
        Shown in messages; defaults to the path's name.

    Returns
    -------
    RawTable
        The data rows keyed by their Excel row number.

    Raises
    ------
    IngestError
        Empty file; file larger than :data:`MAX_FILE_BYTES`; more than :data:`MAX_ROWS` data rows;
        an image, PDF, old ``.xls`` or other binary file; undecodable text; no header row with at
        least two known columns in the first :data:`HEADER_SEARCH_ROWS` rows.
    """
    if isinstance(source, (bytes, bytearray)):
        size = len(source)
        data = bytes(source)
    else:
        path = Path(source)
        file_name = file_name or path.name
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(_too_big(size))
        data = path.read_bytes()
    if size > MAX_FILE_BYTES:
        raise IngestError(_too_big(size))
    if not data.strip():
        raise IngestError("Tệp rỗng: không có dữ liệu nào. Hãy dùng tệp mẫu (lệnh template) và điền số liệu.")
    if data[:4] == b"PK\x03\x04":
        try:
            check_xlsx(data)  # cells, shared strings, sheets and zip sizes, before openpyxl sees the file
        except InputLimitError as exc:
            raise IngestError(exc.message_vi) from exc
        return _read_xlsx(data)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            hint = " Hãy mở bằng Excel và lưu thành .xlsx." if "xls" in what else ""
            raise IngestError(f"Tệp này là {what}, không phải bảng CSV hoặc XLSX.{hint}")
    return _read_csv(data)


#: Cells one CSV record may have for the file to be read without a worker process (see
#: :func:`csv_bounded`): the template has 20 columns; the reader's time grows fastest with the width of
#: a record (one line of 400 000 cells, 2 MB, took 23 s on the shared machine).
IN_PROCESS_RECORD_CELLS = 64
#: The bytes that can separate cells, whichever separator the file turns out to use (:data:`_SEPARATORS`).
_IS_SEPARATOR = np.zeros(256, dtype=np.int8)
_IS_SEPARATOR[list(b";,\t|")] = 1


def csv_bounded(data: bytes) -> bool:
    """True when the raw bytes prove that reading ``data`` as a CSV stays small and linear, so it may be read
    in the caller's process instead of the time-limited worker (:func:`parsing.limits.run_with_time_limit`).

    The proof, on bytes only (one pass, numpy): not a zip (an XLSX can expand), no NUL byte (UTF-16 or binary,
    where a newline byte is not a line end), no ``"`` (a quoted cell may hide separators or join lines), at
    most :data:`MAX_FILE_BYTES`, and no line with more than :data:`IN_PROCESS_RECORD_CELLS` − 1 bytes among
    ``; , TAB |``: every record then has at most :data:`IN_PROCESS_RECORD_CELLS` cells whatever the separator,
    and the reader's time is linear in the size. Anything else (XLSX, quotes, UTF-16, a wide line, CR-only
    line ends) returns False and keeps the worker and its time limit. The file's other checks (rows, header,
    encoding) are :func:`read_table`'s either way.
    """
    if len(data) > MAX_FILE_BYTES or data[:4] == b"PK\x03\x04" or b"\x00" in data or b'"' in data:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    if not len(raw):
        return True
    starts = np.concatenate([[0], np.flatnonzero(raw[:-1] == ord("\n")) + 1])
    per_line = np.add.reduceat(_IS_SEPARATOR[raw], starts, dtype=np.int32)   # separator bytes of each line
    return int(per_line.max()) < IN_PROCESS_RECORD_CELLS


def _too_big(size: int) -> str:
    mb = size / 1024 / 1024
    limit = MAX_FILE_BYTES // 1024 // 1024
    return f"Tệp quá lớn ({fmt_number(mb, 1)} MB; tối đa {limit} MB). Hãy tách thành nhiều tệp nhỏ hơn."


# ----------------------------------------------------------------------------------------- CSV
def _decodings(data: bytes) -> list[tuple[str, str]]:
    """Candidate (encoding, text) decodings, most likely first."""
    if data.startswith(b"\xef\xbb\xbf"):
        return [("utf-8-sig", data.decode("utf-8-sig", errors="strict"))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [("utf-16", data.decode("utf-16"))]
    head = data[:4000]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without BOM: every other byte is NUL
        le = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        enc = "utf-16-le" if le else "utf-16-be"
        return [(enc, data.decode(enc, errors="strict"))]
    if b"\x00" in head:
        raise UnicodeDecodeError("binary", head, 0, 1, "NUL byte")
    try:
        return [("utf-8", data.decode("utf-8", errors="strict"))]
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    candidates: list[tuple[str, str]] = []
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        with contextlib.suppress(UnicodeDecodeError, LookupError):  # a guess that does not decode is dropped
            candidates.append((best.encoding, data.decode(best.encoding)))
    if not any(enc == "cp1258" for enc, _ in candidates):
        candidates.append(("cp1258", data.decode("cp1258", errors="replace")))
    return candidates


_SEPARATORS = (";", ",", "\t", "|")
_UNICODE_CODECS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be")


def _read_csv(data: bytes) -> RawTable:
    try:
        decodings = _decodings(data)
    except UnicodeDecodeError:
        raise IngestError("Tệp không phải văn bản (có byte nhị phân): không đọc được như CSV. "
                          "Hãy gửi tệp .csv hoặc .xlsx.") from None
    if decodings[0][0] not in _UNICODE_CODECS:
        return _read_csv_8bit(data, decodings)
    best: tuple[int, str, str, list[list[str]], int, HeaderMatch] | None = None
    for encoding, text in decodings:
        text = unicodedata.normalize("NFC", text)
        if _control_ratio(text[:20000]) > 0.01:
            continue
        sample = text[:65536]
        for sep in _SEPARATORS:
            rows = _csv_records(sample, sep, HEADER_SEARCH_ROWS + 2, strict=False)
            found = _find_header_any(rows)
            if found and (best is None or len(found[1].fields) > best[0]):
                best = (len(found[1].fields), encoding, sep, rows, found[0], found[1])
    if best is None:
        if all(_control_ratio(unicodedata.normalize("NFC", t)[:20000]) > 0.01 for _, t in decodings):
            raise IngestError("Tệp không phải văn bản (nhiều ký tự điều khiển): không đọc được như CSV. "
                              "Hãy gửi tệp .csv hoặc .xlsx.")
        raise IngestError(_no_header_message())
    _, encoding, sep, _, header_index, match = best
    text = unicodedata.normalize("NFC", dict(decodings)[encoding])
    if text.count("\n") > MAX_ROWS + HEADER_SEARCH_ROWS + 10:
        raise IngestError(_too_many_rows())
    records = _csv_records(text, sep, None, strict=True)
    table = _build_table(records, header_index, match)
    _convert_legacy_columns(table)
    log.info("CSV read: encoding=%s separator=%r rows=%d", encoding, sep, len(table.data))
    table.file_kind, table.encoding, table.separator = "csv", encoding, sep
    return table


def _read_csv_8bit(data: bytes, decodings: list[tuple[str, str]]) -> RawTable:
    """A CSV in a one-byte code page (not UTF-8/16): Windows-1258, or the TCVN3/VNI font encodings.

    The file is split into cells on its Latin-1 reading (one character per byte, so the cells hold
    the file's exact bytes); the header is looked for in every candidate reading of those cells
    (the code pages of :func:`_decodings`, TCVN3, VNI); then each column is decoded on its own:
    TCVN3/VNI when :mod:`parsing.legacy` says so and that reading is more plausibly Vietnamese
    than the code page's, else the code page (NFC).
    """
    latin = data.decode("latin-1")
    natives = [enc for enc, text in decodings
               if _control_ratio(unicodedata.normalize("NFC", text)[:20000]) <= 0.01]
    if not natives:
        raise IngestError("Tệp không phải văn bản (nhiều ký tự điều khiển): không đọc được như CSV. "
                          "Hãy gửi tệp .csv hoặc .xlsx.")
    readers = [(enc, _native_decoder(enc)) for enc in natives] + [
        (name, LEGACY_DECODERS[name]) for name in ("tcvn3", "vni")]
    sample = latin[:65536]
    best: tuple[int, str, str, int, HeaderMatch] | None = None
    for reading, decode in readers:
        for sep in _SEPARATORS:
            rows = _csv_records(sample, sep, HEADER_SEARCH_ROWS + 2, strict=False)
            found = find_header(_map_cells(rows, decode), HEADER_SEARCH_ROWS)
            if found and (best is None or len(found[1].fields) > best[0]):
                best = (len(found[1].fields), reading, sep, found[0], found[1])
    if best is None:
        raise IngestError(_no_header_message())
    _, reading, sep, header_index, match = best
    if reading in natives:
        codec = reading
    else:  # headers typed in TCVN3/VNI: other text most likely in the Vietnamese code page
        codec = "cp1258" if "cp1258" in natives else natives[0]
    if latin.count("\n") > MAX_ROWS + HEADER_SEARCH_ROWS + 10:
        raise IngestError(_too_many_rows())
    records = _csv_records(latin, sep, None, strict=True)
    table = _build_table(records, header_index, match)
    text_columns = _convert_legacy_columns(table, native=_native_decoder(codec))
    legacy = {c["encoding"] for c in table.text_conversions}
    # The file's encoding as the report shows it: the font encoding when the headers, or every column
    # with non-ASCII text, are in it; else the code page.
    all_legacy = len(legacy) == 1 and len(table.text_conversions) == text_columns
    encoding = reading if reading not in natives else (legacy.pop() if all_legacy else codec)
    log.info("CSV read: encoding=%s separator=%r rows=%d", encoding, sep, len(table.data))
    table.file_kind, table.encoding, table.separator = "csv", encoding, sep
    return table


def _native_decoder(encoding: str):
    """Latin-1 cell (the file's bytes) → text in ``encoding``, NFC."""
    def decode(cell: str) -> str:
        return unicodedata.normalize("NFC", cell.encode("latin-1").decode(encoding, errors="replace"))
    return decode


def _map_cells(rows: list[list[object]], decode) -> list[list[object]]:
    return [[decode(c) if isinstance(c, str) and not c.isascii() else c for c in row] for row in rows]


def _find_header_any(rows: list[list[object]]) -> tuple[int, HeaderMatch] | None:
    """:func:`find_header` on the cells as read, or (when that recognises more fields) read as
    TCVN3/VNI: headers typed with a legacy font and saved as UTF-8 or in an XLSX."""
    best = find_header(rows, HEADER_SEARCH_ROWS)
    if not any(isinstance(c, str) and not c.isascii() for row in rows[:HEADER_SEARCH_ROWS + 2] for c in row):
        return best
    for name in ("tcvn3", "vni"):
        found = find_header(_map_cells(rows, LEGACY_DECODERS[name]), HEADER_SEARCH_ROWS)
        if found and (best is None or len(found[1].fields) > len(best[1].fields)):
            best = found
    return best


def _convert_legacy_columns(table: RawTable, native=None) -> int:
    """Decode each text column of ``table.data`` in place, converting legacy font encodings.

    Parameters
    ----------
    table
        Its text cells are the file's text (``native`` None: UTF-8/16 CSV or XLSX, where TCVN3/VNI
        text may have been stored as UTF-8) or Latin-1 readings of a one-byte CSV's bytes.
    native
        Decoder of a one-byte CSV's code page (Latin-1 cell → NFC text), used for the columns not in
        a legacy encoding and as the baseline a legacy reading must beat.

    Notes
    -----
    Detection is :func:`parsing.legacy.detect_column_encoding` (valid Vietnamese syllables per
    reading). A converted column is listed in ``table.text_conversions`` and explained in
    ``table.notes`` (Vietnamese, with up to 3 before/after samples).

    Returns
    -------
    int
        Number of columns holding non-ASCII text (converted or not).
    """
    text_columns = 0
    for col in table.data.columns:
        column = table.data[col]
        texts = [v for v in pd.unique(column.to_numpy(dtype=object)) if isinstance(v, str) and not v.isascii()]
        if not texts:
            continue
        text_columns += 1
        decision = detect_column_encoding(str(col), texts)
        chosen = None
        if decision.encoding != "unicode":
            baseline = decision.scores.get("unicode", 0)
            if native is not None:
                baseline = vietnamese_score([native(t) for t in texts[:300]])
            if decision.scores[decision.encoding] > baseline:
                chosen = decision.encoding
        decode = LEGACY_DECODERS[chosen] if chosen else (native or _nfc)
        changed = {t: after for t in texts if (after := decode(t)) != t}
        if not changed:
            continue
        table.data[col] = [changed.get(v, v) if isinstance(v, str) else v for v in column.tolist()]
        if chosen:
            header = CANONICAL_HEADERS.get(col, col)
            samples = [(native(t) if native else t, changed[t]) for t in texts if t in changed][:3]
            table.text_conversions.append({"field": col, "column": header, "encoding": chosen,
                                           "encoding_vi": ENCODING_LABELS_VI[chosen],
                                           "values_converted": int(column.isin(list(changed)).sum()),
                                           "samples": samples})
            shown = "; ".join(f"«{b}» → «{a}»" for b, a in samples)
            table.notes.append(f"Cột '{header}': chữ mã {ENCODING_LABELS_VI[chosen]} đã được chuyển sang Unicode"
                               f" (ví dụ: {shown}).")
    return text_columns


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _csv_records(text: str, sep: str, limit: int | None, *, strict: bool) -> list[list[str]]:
    """Parse CSV text (any line ends). ``strict``: a malformed file raises :class:`IngestError`;
    otherwise the records read before the problem are returned (header sniffing on a sample)."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for record in reader:
            records.append(record)
            if limit is not None and len(records) >= limit:
                break
    except csv.Error as exc:
        if strict:
            log.warning("csv error at record %d: %s", reader.line_num, exc)
            raise IngestError(f"Tệp CSV hỏng gần dòng {reader.line_num}: dấu ngoặc kép (\") không đóng hoặc ô quá dài. "
                              "Hãy mở bằng Excel và lưu lại.") from None
    return records


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\r\n\t") or c == "\ufffd")
    return bad / len(text)


def _too_many_rows() -> str:
    return f"Tệp có quá nhiều dòng (tối đa {fmt_number(MAX_ROWS)} dòng dữ liệu). Hãy tách thành nhiều tệp nhỏ hơn."


def _no_header_message() -> str:
    headers = ", ".join(CANONICAL_HEADERS.values())
    return ("Không tìm thấy dòng tiêu đề trong 30 dòng đầu: cần ít nhất hai cột có tên quen thuộc "
            f"(các cột của mẫu: {headers}). Hãy dùng tệp mẫu (lệnh template).")


def _is_column_number_row(cells: list[object]) -> bool:
    """A row under the header numbering the columns: ``(1) (2) (3)`` or ``1 2 3``."""
    values = [str(c).strip() for c in cells if not is_blank(c)]
    if len(values) < 2:
        return False
    stripped = [v.strip("()") for v in values]
    return all(v.isdigit() for v in stripped) and [int(v) for v in stripped] == list(
        range(int(stripped[0]), int(stripped[0]) + len(stripped)))


def _build_table(records: list[list[object]], header_index: int, match: HeaderMatch,
                 first_row_number: int = 1, *, excel_values: bool = False) -> RawTable:
    """Rows after the header → DataFrame of the recognised fields indexed by Excel row number.

    Parameters
    ----------
    records
        The sheet's rows as lists of cells (CSV: ``str``; XLSX: python-calamine values), row 1 first.
    header_index, match
        Where the header is and what its columns are (:func:`ingest.headers.find_header`).
    excel_values
        XLSX cells, given openpyxl's terms on the way (:func:`_openpyxl_cells`): ``""`` → None, a whole
        float → ``int``.

    Returns
    -------
    RawTable
        ``data``: object columns, index ``row`` (int64). A row whose recognised cells are all blank
        (:func:`parsing.text.is_blank`: None, NaN, text of spaces) is left out; a row of column numbers
        ``1 2 3 …`` right under the header is skipped; a missing cell (short CSV line) is None.

    Raises
    ------
    IngestError
        More than :data:`MAX_ROWS` data rows.

    Notes
    -----
    Column by column, each a plain list pass (100 000 rows × 10 fields in ~0,15 s); the blank test runs only
    on the rows still blank in every column before (usually the first column settles it).
    ``tests.ingest.read_reference.build_table_reference`` is the frame-wise reference it equals.
    """
    keep = [(i, f) for i, f in enumerate(match.columns) if f and not f.startswith("_")]
    start = header_index + match.header_rows
    body = records[start:]
    skip_first = bool(body) and _is_column_number_row(list(body[0]))
    if skip_first:
        body = body[1:]
    shortest = min(map(len, body), default=0)
    columns = {f: _cells(body, i, shortest, excel_values) for i, f in keep}
    still_blank = list(range(len(body)))
    for cells in columns.values():
        if not still_blank:
            break
        still_blank = [j for j in still_blank if _is_blank_cell(cells[j])]
    kept = np.ones(len(body), dtype=bool)
    kept[still_blank] = False
    if int(kept.sum()) > MAX_ROWS:
        raise IngestError(_too_many_rows())
    numbers = np.arange(len(body), dtype=np.int64) + first_row_number + start + int(skip_first)
    index = pd.Index(numbers[kept], name="row", dtype="int64")
    frame = pd.DataFrame({f: _object_array(cells, kept) for f, cells in columns.items()}, index=index,
                         dtype=object)
    return RawTable(data=frame, file_kind="", header_row=first_row_number + header_index,
                    header_rows=match.header_rows, ignored_columns=list(match.unknown))


def _cells(body: list[list[object]], i: int, shortest: int, excel_values: bool) -> list[object]:
    """Column ``i`` of every row (None past a short row's end: ``shortest`` is the shortest row's length);
    NaN → None; XLSX values in openpyxl's terms (:func:`_openpyxl_cells`)."""
    cells = map(itemgetter(i), body) if i < shortest else (r[i] if len(r) > i else None for r in body)
    if excel_values:
        return _openpyxl_cells(cells)
    return [None if v is not None and v != v else v for v in cells]  # NaN: not from a CSV, but a caller's


def _is_blank_cell(value: object) -> bool:
    """:func:`parsing.text.is_blank` of a cell already through :func:`_cells` (NaN is None there)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _object_array(cells: list[object], kept: np.ndarray) -> np.ndarray:
    """``cells`` as a 1-D object array (never nested, whatever a cell holds), the rows of ``kept`` only."""
    values = np.fromiter(cells, dtype=object, count=len(cells))
    return values if kept.all() else values[kept]


# ---------------------------------------------------------------------------------------- XLSX
def _read_xlsx(data: bytes) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_XLSX_UNCOMPRESSED:
                raise IngestError("Tệp XLSX khi giải nén quá lớn. Hãy tách thành nhiều tệp nhỏ hơn.")
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise IngestError("Tệp nén ZIP này không phải bảng tính XLSX. Hãy gửi tệp .csv hoặc .xlsx.")
            has_formulas = any(
                _has_formula(zf, i.filename) for i in infos if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, IngestError):
            raise
        raise IngestError("Tệp XLSX bị hỏng (không giải nén được). Hãy mở bằng Excel và lưu lại.") from None
    sheets = _calamine_sheets(data)
    try:
        wb_formulas = _formula_workbook(data) if has_formulas else None
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError("Không mở được tệp XLSX (tệp hỏng). Hãy mở bằng Excel và lưu lại.") from None
    try:
        best: tuple[int, str, int, HeaderMatch] | None = None
        for title, rows in sheets.items():
            found = _find_header_any(rows[:HEADER_SEARCH_ROWS + 2])
            if found and (best is None or len(found[1].fields) > best[0]):
                best = (len(found[1].fields), title, found[0], found[1])
        if best is None:
            raise IngestError(_no_header_message())
        _, title, header_index, match = best
        records = sheets[title]
        if len(records) > MAX_ROWS + HEADER_SEARCH_ROWS + 10:
            raise IngestError(_too_many_rows())
        table = _build_table(records, header_index, match, excel_values=True)
        if wb_formulas is not None:
            _mark_formulas(table, wb_formulas[title], records, match)
        _convert_legacy_columns(table)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet is parsed lazily, while iterating
        log.warning("openpyxl failed while reading formulas: %r", exc)
        raise IngestError("Không đọc được nội dung tệp XLSX (tệp hỏng). Hãy mở bằng Excel và lưu lại.") from None
    finally:
        if wb_formulas is not None:
            wb_formulas.close()
    table.file_kind, table.sheet = "xlsx", title
    log.info("XLSX read: sheet=%s header_row=%d rows=%d", title, table.header_row, len(table.data))
    return table


def _formula_workbook(data: bytes):
    """openpyxl's read-only workbook of the formulas, imported only here: most uploads have no formula, and
    its import (~0,25 s) would be paid again in every worker process of :func:`parsing.limits.run_with_time_limit`."""
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)


def _calamine_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """Every worksheet's cached values, row 1 first (python-calamine, ~10× faster than openpyxl on large
    sheets), in openpyxl's terms: an empty cell is ``None``, a whole number an ``int``.

    Leading empty rows and columns are kept, so list index + 1 is the Excel row number a message names.
    The workbook was bounded by :func:`parsing.limits.check_xlsx` before this reads it.
    """
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, list[list[object]]] = {}
        for meta in workbook.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet:
                rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                head = HEADER_SEARCH_ROWS + 2       # the header search sees openpyxl values; the rest is
                rows[:head] = [_openpyxl_cells(row) for row in rows[:head]]  # the rest: by column, later
                sheets[meta.name] = rows
        return sheets
    except Exception as exc:  # noqa: BLE001 - calamine raises Zip/Xml/Password/ValueError… for broken files
        log.warning("calamine could not read workbook: %r", exc)
        raise IngestError("Không mở được tệp XLSX (tệp hỏng hoặc không phải bảng tính Excel). "
                          "Hãy mở bằng Excel và lưu lại.") from None


#: A float beyond this magnitude is kept a float (openpyxl's int conversion stops where floats stop being exact).
_EXACT_INT = 2.0**53


def _openpyxl_cells(cells: Iterable[object]) -> list[object]:
    """python-calamine cells in openpyxl's terms, in one list pass: ``""`` (an empty cell) and NaN → None, a
    whole float below 2**53 in magnitude → ``int``; other values (text, bool, dates, times) unchanged."""
    return [None if v == "" or v != v else
            (int(v) if isinstance(v, float) and v.is_integer() and -_EXACT_INT < v < _EXACT_INT else v)
            for v in cells]


#: The start of a formula element, ``<f>`` or ``<f …>`` (one regex pass is ~4× faster than two ``in`` tests).
_FORMULA_TAG = re.compile(rb"<f[ >]")


def _has_formula(zf: zipfile.ZipFile, name: str) -> bool:
    with zf.open(name) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-4:]
    return False


def _mark_formulas(table: RawTable, ws_formulas, records: list[list[object]], match: HeaderMatch) -> None:
    """Record formula cells: with a saved value they are read as that value; without, flagged."""
    columns = {i: f for i, f in enumerate(match.columns) if f and not f.startswith("_")}
    wanted = set(table.data.index)
    for row_number, formula_row in enumerate(ws_formulas.iter_rows(values_only=True), start=1):
        if row_number not in wanted:
            continue
        value_row = records[row_number - 1]
        for i, fld in columns.items():
            f = formula_row[i] if i < len(formula_row) else None
            v = value_row[i] if i < len(value_row) else None
            if isinstance(f, str) and f.startswith("=") and f != v:
                if v is None or v == "":
                    table.formula_rows.setdefault(row_number, []).append(fld)
                else:
                    table.formulas_read_as_values += 1
