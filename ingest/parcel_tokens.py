"""Parcel cells of registers: several parcels in one cell, letter suffixes, numeric sort keys.

A register's ``Thửa`` cell may name several parcels (``17+175``, ``500+602``, ``12, 13``, a line break
between numbers) and a parcel number may carry a suffix (``263A``, ``635b``, ``389b-2``: a parcel split
after the survey). Parcel numbers are therefore TEXT keys; :func:`parcel_sort_key` keeps numeric order
(``9`` < ``10`` < ``263`` < ``263A`` < ``263B``).
"""
from __future__ import annotations

import numbers
import re

from parsing.text import is_blank

_SPLIT = re.compile(r"\s*(?:[+,;&]|\n|\r|\s-\s|\svà\s)\s*")
_TOKEN = re.compile(r"(\d+)([A-Za-z]?)(?:-(\d+))?")


def parse_parcel_cell(value: object) -> list[str]:
    """The parcel numbers of one cell as canonical text keys (suffix letter upper-cased).

    ``"17+175"`` → ``["17", "175"]``; ``"263a"`` → ``["263A"]``; ``"389b-2"`` → ``["389B-2"]``; an Excel
    number ``17.0`` → ``["17"]``; blank → ``[]``.

    Raises
    ------
    ValueError
        A part that is not a parcel number (Vietnamese message naming it and the expected forms).
    """
    if is_blank(value):
        return []
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if float(value).is_integer() and value > 0:
            return [str(int(value))]
        raise ValueError(f"số thửa «{value}» không hợp lệ; cần số nguyên dương, ví dụ 17, 263A, 17+175")
    tokens = []
    for part in _SPLIT.split(str(value).strip()):
        if not part:
            continue
        m = _TOKEN.fullmatch(part)
        if not m or int(m[1]) == 0:
            raise ValueError(f"số thửa «{part}» không hợp lệ; cần dạng 17, 263A, 389b-2, nhiều thửa nối bằng "
                             "dấu + hoặc xuống dòng (ví dụ 17+175)")
        tokens.append(f"{int(m[1])}{m[2].upper()}" + (f"-{int(m[3])}" if m[3] else ""))
    return tokens


def parcel_sort_key(token: str) -> tuple[int, str, int]:
    """Numeric sort key of a canonical parcel key: ``"263A"`` → ``(263, "A", 0)``; ``"389B-2"`` → ``(389, "B", 2)``.

    Raises
    ------
    ValueError
        ``token`` is not a canonical parcel key (see :func:`parse_parcel_cell`).
    """
    m = _TOKEN.fullmatch(token)
    if not m:
        raise ValueError(f"«{token}» không phải số thửa")
    return int(m[1]), m[2], int(m[3] or 0)
