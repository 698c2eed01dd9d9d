"""Zip and KMZ archives: checked from their directory before any member is decompressed, then
extracted member by member counting the bytes actually written.

Python's :mod:`zipfile` never returns more bytes than a member's central-directory size (it stops and
fails the CRC check), so the declared sizes bound what ``zipfile``-based readers (openpyxl, this package)
decompress; :func:`safe_extract_zip` still counts what it writes, in case a reader does not.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from parsing.limits.base import CHUNK_BYTES, DEFAULT_LIMITS, InputLimitError, InputLimits, KiB, escape_name, fmt_bytes
from vocab.format import fmt_number


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
    infos = named_members(source, limits)
    check_sizes(infos, limits)
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
    with open_zip(path, limits) as archive:
        for info in infos:
            destination = _destination(target, info)
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            budget -= _extract_member(archive, info, destination, budget, limits)
            written.append(destination)
    return written


def open_zip(source: str | Path | bytes | IO[bytes], limits: InputLimits) -> zipfile.ZipFile:
    """Open ``source`` as a zip after reading its end record: zipfile builds a ZipInfo for every entry of
    the central directory first, so millions of tiny entries would be a memory bomb of their own."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        declared = _declared_directory(source)
        if declared is not None:
            _check_directory(*declared, limits)
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise InputLimitError("Tệp nén bị hỏng hoặc không phải tệp zip (không đọc được danh mục tệp con).") from exc


def _check_directory(members: int, directory_bytes: int, limits: InputLimits) -> None:
    if members > limits.zip_members:
        raise InputLimitError(
            f"Tệp nén chứa {fmt_number(members)} tệp con, vượt giới hạn {fmt_number(limits.zip_members)} tệp.")
    if directory_bytes > limits.zip_directory_bytes:
        raise InputLimitError(
            f"Danh mục tệp con của tệp nén dài {fmt_bytes(directory_bytes)}, vượt giới hạn "
            f"{fmt_bytes(limits.zip_directory_bytes)}.")


def _declared_directory(source: str | Path | IO[bytes]) -> tuple[int, int] | None:
    """(entries, central-directory size in bytes) from the zip's end record (the ZIP64 one when present);
    None when there is no end record (zipfile then refuses the file)."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            return _declared_directory(fh)
    size = source.seek(0, io.SEEK_END)
    source.seek(max(0, size - (64 * KiB + 22 + 20)))  # the archive comment is at most 64 KiB
    tail = source.read()
    source.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0:
        return None
    entries, directory_bytes = struct.unpack_from("<HI", tail, end + 10)
    locator = end - 20
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        (zip64_offset,) = struct.unpack_from("<Q", tail, locator + 8)
        source.seek(zip64_offset)
        record = source.read(56)
        source.seek(0)
        if record[:4] == b"PK\x06\x06":
            entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    return entries, directory_bytes


def named_members(source: str | Path | IO[bytes], limits: InputLimits) -> list[zipfile.ZipInfo]:
    """The members of the archive, after the member count and every name are checked."""
    with open_zip(source, limits) as archive:
        infos = archive.infolist()
    _check_directory(len(infos), 0, limits)  # the end record may understate the count
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


def check_sizes(infos: list[zipfile.ZipInfo], limits: InputLimits) -> None:
    """Refuse a total uncompressed size or a compression ratio (per member, overall) above ``limits``."""
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
    name = escape_name(info.filename)
    ratio_cap = max(int(info.compress_size * limits.zip_ratio), limits.zip_ratio_min_bytes - 1)
    try:
        with archive.open(info) as source, destination.open("wb") as sink:
            written = copy_bounded(source, sink, min(budget, ratio_cap))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputLimitError(
            f"Tệp con «{name}» không giải nén được (dữ liệu hỏng hoặc kích thước khai báo sai).") from exc
    if written is not None:
        return written
    if ratio_cap < budget:
        raise InputLimitError(
            f"Tệp con «{name}» giải nén ra hơn {fmt_bytes(ratio_cap)} từ {fmt_bytes(info.compress_size)}: "
            f"tỷ lệ nén vượt giới hạn {fmt_number(limits.zip_ratio)}×, có thể là tệp «bom nén».")
    raise InputLimitError(
        f"Tệp nén giải nén ra hơn {fmt_bytes(limits.zip_total_bytes)}, vượt giới hạn "
        f"{fmt_bytes(limits.zip_total_bytes)} (dừng ở tệp con «{name}»).")


def copy_bounded(source: IO[bytes], sink: IO[bytes], max_bytes: int, chunk_bytes: int = CHUNK_BYTES) -> int | None:
    """Copy ``source`` to ``sink`` in chunks; return the bytes copied, or None as soon as more than
    ``max_bytes`` would be written (at most ``max_bytes`` are written then)."""
    copied = 0
    while chunk := source.read(min(chunk_bytes, max_bytes - copied + 1)):
        if copied + len(chunk) > max_bytes:
            return None
        sink.write(chunk)
        copied += len(chunk)
    return copied
