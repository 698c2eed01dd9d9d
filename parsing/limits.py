"""Bounds on every expansion of an uploaded file, checked before anything is extracted or parsed.

A small file can expand into a huge one (a 2 MB zip of 2 GiB of zeros, an XLSX whose shared strings
grow to hundreds of MB, a sheet declaring 16 million cells, a GeoJSON nested 200 000 deep). The checks
here read only headers, the central directory and streams of bytes, in bounded memory, and refuse with
one exception, :class:`InputLimitError`, whose Vietnamese message names the limit and the value found.

- :class:`InputLimits`: the limits as data (defaults below; override with ``dataclasses.replace``).
- :func:`check_zip`, :func:`safe_extract_zip`: zip and KMZ archives.
- :func:`check_xlsx`: XLSX workbooks (a zip too: the zip checks run first).
- :func:`json_depth`, :func:`check_json_depth`: JSON and GeoJSON nesting, scanned without recursion.
- :func:`run_with_time_limit`: a parse step in a worker process that is killed at its deadline.

Python's :mod:`zipfile` never returns more bytes than a member's central-directory size (it stops and
fails the CRC check), so the declared sizes bound what ``zipfile``-based readers (openpyxl, this module)
decompress; :func:`safe_extract_zip` still counts the bytes it actually writes.
"""
from __future__ import annotations

import io
import multiprocessing
import re
import resource
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar

import numpy as np

from domain.errors import GpmbError
from vocab.format import fmt_number

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

_CHUNK_BYTES = 1 * MiB
T = TypeVar("T")


@dataclass(frozen=True)
class InputLimits:
    """Limits on what one uploaded file may expand to. All sizes in bytes, times in seconds.

    The defaults fit the largest legitimate inputs of a district (a cadastral zip of every map sheet,
    a field-count workbook of ``ingest.read.MAX_ROWS`` = 200 000 rows × 40 columns) with room to spare.
    """

    #: Sum of the uncompressed sizes of all members of a zip or KMZ (and of an XLSX).
    zip_total_bytes: int = 512 * MiB
    #: Uncompressed ÷ compressed size, per member and for the whole archive. Shapefiles compress 3–10×.
    zip_ratio: float = 100.0
    #: Members smaller than this are not ratio-checked (a 200 kB run of spaces is harmless).
    zip_ratio_min_bytes: int = 1 * MiB
    #: Number of members (files and folders) in an archive.
    zip_members: int = 10_000
    #: Cells of one sheet: rows × columns of its ``<dimension>``, or the cells it really holds if more.
    xlsx_cells: int = 8_000_000
    #: Uncompressed size of the shared-strings part (``xl/sharedStrings.xml``).
    xlsx_shared_strings_bytes: int = 64 * MiB
    #: Number of sheets in a workbook.
    xlsx_sheets: int = 256
    #: Nesting depth of JSON arrays and objects (a GeoJSON MultiPolygon needs 6 inside a Feature).
    json_depth: int = 64
    #: Size of a JSON or GeoJSON file.
    json_bytes: int = 256 * MiB
    #: Wall-clock time of one parse step run through :func:`run_with_time_limit`.
    parse_seconds: float = 120.0


DEFAULT_LIMITS = InputLimits()


class InputLimitError(GpmbError):
    """A file exceeds one of the :class:`InputLimits` or is not the archive it claims to be (exit code 1)."""


# ------------------------------------------------------------------------------------------ messages
def fmt_bytes(size_bytes: int | float) -> str:
    """A size with binary units and Vietnamese decimals: ``2 * GiB`` → ``"2,0 GiB"``, ``512 * MiB`` → ``"512 MiB"``."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size_bytes >= scale:
            value = size_bytes / scale
            return f"{fmt_number(value, 0 if value == int(value) else 1)} {unit}"
    return f"{fmt_number(size_bytes)} byte"


def escape_name(name: str, max_chars: int = 120) -> str:
    """A file or member name safe to show in a message: control and format characters (ESC, NUL,
    right-to-left overrides) become ``\\x1b``-style escapes, and long names are cut with ``…``.

    Markup (``<img …>``) is left as text: escaping it for HTML or Markdown is the view's job.
    """
    shown = "".join(_escape_char(c) for c in name[:max_chars])
    return shown + ("…" if len(name) > max_chars else "")


def _escape_char(char: str) -> str:
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


# ------------------------------------------------------------------------------------------- zip/KMZ
def check_zip(source: str | Path | bytes | IO[bytes], limits: InputLimits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """Check a zip or KMZ archive from its directory alone, before any member is decompressed.

    Parameters
    ----------
    source : path, bytes or binary file object
        The archive.
    limits : InputLimits
        ``zip_members``, ``zip_total_bytes``, ``zip_ratio`` and ``zip_ratio_min_bytes`` apply.

    Returns
    -------
    list of zipfile.ZipInfo
        The members, in archive order.

    Raises
    ------
    InputLimitError
        Not a zip; more members than allowed (counted from the end record, before the directory is
        read); a member name that is absolute, holds ``..`` or NUL; total uncompressed size or a
        compression ratio (per member or overall) above the limit.
    """
    infos = _named_members(source, limits)
    _check_sizes(infos, limits)
    return infos


def safe_extract_zip(path: str | Path, target_dir: str | Path, limits: InputLimits = DEFAULT_LIMITS) -> list[Path]:
    """Check the archive (:func:`check_zip`), then extract it member by member into ``target_dir``,
    counting the bytes actually written: extraction stops at ``zip_total_bytes`` or at a member's
    ratio limit even if the directory lies about the sizes.

    Returns
    -------
    list of Path
        The files written, in archive order (folders are created, not listed).

    Raises
    ------
    InputLimitError
        As :func:`check_zip`; a size or ratio limit reached while writing; a member that does not
        decompress (broken data, or a size or CRC that does not match its header). Files written before
        the refusal are left in ``target_dir`` for the caller's temporary folder to remove.
    """
    target = Path(target_dir).resolve()
    infos = check_zip(path, limits)
    written: list[Path] = []
    budget = limits.zip_total_bytes
    with _open_zip(path, limits) as archive:
        for info in infos:
            destination = _destination(target, info)
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            budget -= _extract_member(archive, info, destination, budget, limits)
            written.append(destination)
    return written


def _open_zip(source: str | Path | bytes | IO[bytes], limits: InputLimits) -> zipfile.ZipFile:
    """Open ``source`` as a zip after counting its members from the end record (zipfile would build a
    ZipInfo for every entry first: millions of tiny entries are a memory bomb of their own)."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        members = _declared_member_count(source)
        if members is not None and members > limits.zip_members:
            raise InputLimitError(
                f"Tệp nén chứa {fmt_number(members)} tệp con, vượt giới hạn {fmt_number(limits.zip_members)} tệp.")
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise InputLimitError("Tệp không phải tệp nén zip hợp lệ (không đọc được danh mục tệp con).") from exc


def _declared_member_count(source: str | Path | IO[bytes]) -> int | None:
    """Entries in the zip's end-of-central-directory record (ZIP64 record when present); None if absent."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            return _declared_member_count(fh)
    source.seek(0, io.SEEK_END)
    size = source.tell()
    tail_start = max(0, size - (64 * KiB + 22 + 20))  # the comment is at most 64 KiB
    source.seek(tail_start)
    tail = source.read()
    source.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0:
        return None
    (entries,) = struct.unpack_from("<H", tail, end + 10)
    locator = end - 20
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        (zip64_offset,) = struct.unpack_from("<Q", tail, locator + 8)
        source.seek(zip64_offset)
        record = source.read(56)
        source.seek(0)
        if record[:4] == b"PK\x06\x06":
            (entries,) = struct.unpack_from("<Q", record, 32)
    return entries


def _named_members(source: str | Path | IO[bytes], limits: InputLimits) -> list[zipfile.ZipInfo]:
    """The members of the archive, after the member count and every name are checked."""
    with _open_zip(source, limits) as archive:
        infos = archive.infolist()
    for info in infos:
        _check_member_name(info)
    return infos


def _check_member_name(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename  # zipfile cuts ``filename`` at a NUL; the original keeps it
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if "\0" in name:
        problem = "chứa ký tự NUL"
    elif name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        problem = "là đường dẫn tuyệt đối"
    elif ".." in parts:
        problem = "chứa thành phần '..' (trỏ ra ngoài thư mục giải nén)"
    else:
        return
    raise InputLimitError(f"Tệp nén có tệp con mang tên không an toàn «{escape_name(name)}»: tên {problem}.")


def _check_sizes(infos: list[zipfile.ZipInfo], limits: InputLimits) -> None:
    total = sum(info.file_size for info in infos)
    if total > limits.zip_total_bytes:
        raise InputLimitError(
            f"Tệp nén giải nén ra {fmt_bytes(total)}, vượt giới hạn {fmt_bytes(limits.zip_total_bytes)}.")
    for info in infos:
        _check_ratio(info.file_size, info.compress_size, limits, f"tệp con «{escape_name(info.filename)}»")
    _check_ratio(total, sum(info.compress_size for info in infos), limits, "cả tệp nén")


def _check_ratio(uncompressed: int, compressed: int, limits: InputLimits, what: str) -> None:
    if uncompressed < limits.zip_ratio_min_bytes:
        return
    ratio = uncompressed / max(compressed, 1)
    if ratio > limits.zip_ratio:
        raise InputLimitError(
            f"Tỷ lệ nén của {what} là {fmt_number(ratio)}× ({fmt_bytes(uncompressed)} từ {fmt_bytes(compressed)}), "
            f"vượt giới hạn {fmt_number(limits.zip_ratio)}×: có thể là tệp «bom nén».")


def _destination(target: Path, info: zipfile.ZipInfo) -> Path:
    destination = (target / info.filename).resolve()
    if not destination.is_relative_to(target):  # names were checked; this guards symlinked folders
        raise InputLimitError(f"Tệp con «{escape_name(info.filename)}» trỏ ra ngoài thư mục giải nén.")
    return destination


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int,
                    limits: InputLimits) -> int:
    """Write one member, at most ``budget`` bytes and within the ratio limit; return the bytes written."""
    member_limit = budget
    if info.compress_size * limits.zip_ratio >= limits.zip_ratio_min_bytes:
        member_limit = min(budget, int(info.compress_size * limits.zip_ratio))
    try:
        with archive.open(info) as source, destination.open("wb") as sink:
            written = copy_bounded(source, sink, member_limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputLimitError(
            f"Tệp con «{escape_name(info.filename)}» không giải nén được (dữ liệu hỏng hoặc kích thước khai báo sai).") from exc
    if written is None:
        if member_limit < budget:
            _check_ratio(member_limit + 1, info.compress_size, limits, f"tệp con «{escape_name(info.filename)}»")
        raise InputLimitError(
            f"Tệp nén giải nén ra hơn {fmt_bytes(limits.zip_total_bytes)}, vượt giới hạn "
            f"{fmt_bytes(limits.zip_total_bytes)} (dừng ở tệp con «{escape_name(info.filename)}»).")
    return written


def copy_bounded(source: IO[bytes], sink: IO[bytes], max_bytes: int, chunk_bytes: int = _CHUNK_BYTES) -> int | None:
    """Copy ``source`` to ``sink`` in chunks; return the bytes copied, or None as soon as more than
    ``max_bytes`` would be written (at most ``max_bytes`` are written then)."""
    copied = 0
    while chunk := source.read(min(chunk_bytes, max_bytes - copied + 1)):
        if copied + len(chunk) > max_bytes:
            return None
        sink.write(chunk)
        copied += len(chunk)
    return copied


# ---------------------------------------------------------------------------------------------- XLSX
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
    infos = _named_members(source, limits)
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise InputLimitError("Tệp nén này không phải bảng tính XLSX (thiếu xl/workbook.xml).")
    for info in infos:
        if _SHARED_STRINGS_PART.match(info.filename) and info.file_size > limits.xlsx_shared_strings_bytes:
            raise InputLimitError(
                f"Bảng chuỗi dùng chung (sharedStrings) của tệp XLSX giải nén ra {fmt_bytes(info.file_size)}, "
                f"vượt giới hạn {fmt_bytes(limits.xlsx_shared_strings_bytes)}.")
    _check_sizes(infos, limits)
    with _open_zip(source, limits) as archive:
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
    in_head = True  # <dimension> comes before <sheetData> (ECMA-376 §18.3.1.99): search only there
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
            while chunk := stream.read(_CHUNK_BYTES):
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


# ---------------------------------------------------------------------------------------------- JSON
_JSON_CHUNK_BYTES = 256 * KiB  # ~8 int32 arrays of this length are alive at once: ~8 MB
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


def json_depth(source: bytes | str | Path | IO[bytes], stop_above: int | None = None,
               chunk_bytes: int = _JSON_CHUNK_BYTES) -> int:
    """Deepest nesting of arrays and objects in a JSON text, scanned as bytes in chunks (no parser, no
    recursion, memory of a few chunks): ``b'{"a": [1, [2]]}'`` → 3; brackets inside strings do not count.

    The text may be UTF-8 with or without a BOM, or a qgis2web ``var x = {…};`` script. On a text that is
    not valid JSON the result is that of its longest valid-looking prefix (the parser reports the error).

    Parameters
    ----------
    source : bytes, path or binary file object
        The JSON text (a ``str`` is taken as a path).
    stop_above : int, optional
        Stop scanning as soon as the depth exceeds this and return the depth reached so far.
    chunk_bytes : int
        Bytes scanned at a time.
    """
    deepest = depth = 0
    in_string, odd_backslashes = False, False
    for chunk in _byte_chunks(source, chunk_bytes):
        codes = np.frombuffer(chunk, dtype=np.uint8)
        escaped, odd_backslashes = _escaped(codes, odd_backslashes)
        quotes = (codes == _QUOTE) & ~escaped
        inside = (np.cumsum(quotes, dtype=np.int32) + in_string) % 2 == 1
        levels = depth + np.cumsum(np.where(inside, 0, _STEP[codes]), dtype=np.int32)
        deepest = max(deepest, int(levels.max()))
        depth, in_string = int(levels[-1]), bool(inside[-1])
        if stop_above is not None and deepest > stop_above:
            break
    return deepest


def _escaped(codes: np.ndarray, odd_backslashes_before: bool) -> tuple[np.ndarray, bool]:
    """True for each byte preceded by an odd run of backslashes (the run may begin in the previous chunk),
    and whether the chunk ends in an odd run."""
    is_backslash = codes == _BACKSLASH
    positions = np.arange(len(codes), dtype=np.int32)
    last_other = np.maximum.accumulate(np.where(is_backslash, -1, positions))
    run = positions - last_other  # length of the backslash run ending at each byte (0 on other bytes)
    run[last_other == -1] += int(odd_backslashes_before)
    before = np.concatenate((np.array([odd_backslashes_before], dtype=np.int32), run[:-1]))
    return before % 2 == 1, bool(run[-1] % 2)


def _byte_chunks(source: bytes | str | Path | IO[bytes], chunk_bytes: int) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), chunk_bytes):
            yield bytes(view[start:start + chunk_bytes])
    elif isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            yield from _byte_chunks(fh, chunk_bytes)
    else:
        while chunk := source.read(chunk_bytes):
            yield chunk


def check_json_depth(source: bytes | str | Path | IO[bytes], limits: InputLimits = DEFAULT_LIMITS) -> None:
    """Refuse a JSON or GeoJSON file larger than ``limits.json_bytes`` or nested deeper than
    ``limits.json_depth``, before ``json.loads`` (whose recursion a deep file would exhaust).

    Raises
    ------
    InputLimitError
        With the size or the depth found (the scan stops just past the limit).
    """
    size = _size_of(source)
    if size is not None and size > limits.json_bytes:
        raise InputLimitError(
            f"Tệp JSON/GeoJSON có dung lượng {fmt_bytes(size)}, vượt giới hạn {fmt_bytes(limits.json_bytes)}.")
    depth = json_depth(source, stop_above=limits.json_depth)
    if depth > limits.json_depth:
        raise InputLimitError(
            f"Tệp JSON/GeoJSON lồng nhau sâu hơn {fmt_number(limits.json_depth)} cấp (đã gặp {fmt_number(depth)} cấp), "
            f"vượt giới hạn {fmt_number(limits.json_depth)} cấp.")


def _size_of(source: bytes | str | Path | IO[bytes]) -> int | None:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    if isinstance(source, (str, Path)):
        return Path(source).stat().st_size
    if source.seekable():
        here = source.tell()
        size = source.seek(0, io.SEEK_END) - here
        source.seek(here)
        return size
    return None


# ---------------------------------------------------------------------------------------- time limit
def run_with_time_limit(fn: Callable[..., T], *args: Any, seconds: float = DEFAULT_LIMITS.parse_seconds,
                        memory_bytes: int | None = None, start_method: str = "forkserver", **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in a worker process and return its result; kill it at the deadline.

    A parse step that loops or swaps cannot be interrupted inside the server process (a thread cannot
    be killed, and a signal does not reach C code), so it runs in a process of its own.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the worker); its arguments and result must pickle.
    seconds : float
        Wall-clock limit, worker start-up included.
    memory_bytes : int, optional
        Address-space limit of the worker (``RLIMIT_AS``); a ``MemoryError`` there is refused as a limit.
    start_method : str
        ``"forkserver"`` (default: safe in a multi-threaded server such as Streamlit), ``"fork"``
        (faster start, inherits imported modules) or ``"spawn"``.

    Raises
    ------
    InputLimitError
        The deadline passed (the worker is killed), or the worker ran out of ``memory_bytes`` or died.
    Exception
        Whatever ``fn`` raised, re-raised in the caller.
    """
    context = multiprocessing.get_context(start_method)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, fn, args, kwargs, memory_bytes), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise InputLimitError(
                f"Việc đọc tệp kéo dài quá {fmt_number(seconds)} giây (giới hạn thời gian xử lý) và đã bị dừng. "
                "Hãy kiểm tra tệp hoặc tách thành nhiều tệp nhỏ hơn.")
        try:
            ok, value = receiver.recv()
        except EOFError:
            raise InputLimitError("Tiến trình đọc tệp dừng bất thường (có thể do tệp quá lớn).") from None
    finally:
        receiver.close()
        if worker.is_alive():  # past the deadline, or done but still exiting: nothing more is wanted
            worker.kill()
        worker.join()
        worker.close()
    if ok:
        return value
    raise value


def _worker(sender: Any, fn: Callable[..., Any], args: tuple, kwargs: dict, memory_bytes: int | None) -> None:
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome = (True, fn(*args, **kwargs))
    except MemoryError:
        outcome = (False, InputLimitError(
            f"Việc đọc tệp cần hơn {fmt_bytes(memory_bytes or 0)} bộ nhớ (giới hạn bộ nhớ xử lý) và đã bị dừng."))
    except BaseException as exc:  # noqa: BLE001 - every failure of fn travels back to the caller
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    sender.close()


__all__ = ["DEFAULT_LIMITS", "GiB", "InputLimitError", "InputLimits", "KiB", "MiB", "check_json_depth",
           "check_xlsx", "check_zip", "copy_bounded", "escape_name", "fmt_bytes", "json_depth",
           "run_with_time_limit", "safe_extract_zip"]
