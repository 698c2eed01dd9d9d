"""Parcel cells of registers: several parcels in one cell, letter suffixes, numeric sort keys.

A register's ``Thửa`` cell may name several parcels (``17+175``, ``500+602``, ``12, 13``, a line break
between numbers) and a parcel number may carry a suffix (``263A``, ``635b``, ``389b-2``: a parcel split
after the survey). Parcel numbers are therefore TEXT keys; :func:`parcel_sort_key` keeps numeric order
(``9`` < ``10`` < ``263`` < ``263A`` < ``263B``).
"""
from __future__ import annotations

import numbers
import re

from parsing.parcel_keys import parcel_key, parcel_sort_key
from parsing.text import is_blank

__all__ = ["parcel_sort_key", "parse_parcel_cell"]

_SPLIT = re.compile(r"\s*(?:[+,;&]|\n|\r|\s-\s|\svà\s)\s*")


def parse_parcel_cell(value: object) -> list[str]:
    """The parcel numbers of one cell as canonical text keys (:func:`parsing.parcel_keys.parcel_key`).

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
        return [parcel_key(value)]
    tokens = []
    for part in _SPLIT.split(str(value).strip()):
        if not part:
            continue
        try:
            tokens.append(parcel_key(part))
        except ValueError:
            raise ValueError(f"số thửa «{part}» không hợp lệ; cần dạng 17, 263A, 389b-2, nhiều thửa nối bằng "
                             "dấu + hoặc xuống dòng (ví dụ 17+175)") from None
    return tokens
