"""JSON and GeoJSON nesting depth, scanned as bytes in bounded memory, before ``json.loads`` (whose
recursion a deep file exhausts: a 200 000-deep GeoJSON gives a RecursionError)."""
from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from parsing.limits.base import DEFAULT_LIMITS, InputLimitError, InputLimits, KiB, fmt_bytes
from vocab.format import fmt_number

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

    A seekable file object is left where it was, ready for the parser.
    """
    size = _size_of(source)
    if size is not None and size > limits.json_bytes:
        raise InputLimitError(
            f"Tệp JSON/GeoJSON có dung lượng {fmt_bytes(size)}, vượt giới hạn {fmt_bytes(limits.json_bytes)}.")
    start = source.tell() if hasattr(source, "seekable") and source.seekable() else None
    depth = json_depth(source, stop_above=limits.json_depth)
    if start is not None:
        source.seek(start)  # the caller parses the same stream next
    if depth > limits.json_depth:
        raise InputLimitError(
            f"Tệp JSON/GeoJSON lồng nhau sâu {fmt_number(depth)} cấp trở lên, "
            f"vượt giới hạn {fmt_number(limits.json_depth)} cấp (mảng và đối tượng lồng trong nhau).")


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
