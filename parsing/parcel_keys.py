"""The one rule for parcel numbers (số thửa): a TEXT key with a numeric sort order.

A parcel number is digits, optionally a letter suffix and a part number (a parcel split after the
survey): ``263``, ``263A``, ``389B-2``. Registers, field counts and cadastral layers write it in many
ways (``263a``, ``" 263 A "``, ``0012``, an Excel or shapefile number ``12.0``); :func:`parcel_key` turns
each into its canonical key, so the register's ``263a`` and the cadastre's ``263A`` compare equal.
:func:`parcel_sort_key` orders keys by number first (``17 < 175 < 263 < 263A < 263B < 389B-2``), never
lexically (``"175" < "17A"``).
"""
from __future__ import annotations

import numbers
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from domain.tables import PARCEL_KEY_PATTERN
from parsing.columns import map_distinct
from parsing.text import is_blank

__all__ = ["PARCEL_KEY_EXAMPLES", "PARCEL_KEY_PATTERN", "parcel_key", "parcel_key_cells", "parcel_number_cell",
           "parcel_rank", "parcel_sort_column", "parcel_sort_key",
           "try_parcel_key"]

#: The forms a message names when a cell is not a parcel number.
PARCEL_KEY_EXAMPLES = "17, 263A, 389B-2"

_KEY = re.compile(r"(\d+)([A-Za-z]?)(?:-(\d+))?")
_WHOLE_DECIMAL = re.compile(r"(\d+)[.,]0+")  # "12.0": a float field written out as text
_SPACES = re.compile(r"\s*([A-Za-z-])\s*")  # "263 a", "389b - 2"; "17 175" stays refused (two numbers)


def parcel_key(value: object) -> str:
    """The canonical key of one parcel number.

    Spaces around the letter and the hyphen are dropped (``"17 175"`` is two numbers: refused), leading
    zeros of the number and of the part removed, the suffix letter upper-cased: ``"263a"`` → ``"263A"``;
    ``" 389 b-2 "`` → ``"389B-2"``; ``"0012"`` → ``"12"``; an int ``12`` or a whole float ``12.0`` (Excel, shapefile Real fields) → ``"12"``. Idempotent:
    ``parcel_key(parcel_key(v)) == parcel_key(v)``.

    Raises
    ------
    ValueError
        Blank, zero, negative, fractional, a bool, or text not of the form digits + optional letter +
        optional ``-part`` (Vietnamese message naming the value and the expected forms).
    """
    if isinstance(value, (bool, np.bool_)) or is_blank(value):
        raise ValueError(f"số thửa trống hoặc không hợp lệ; cần dạng {PARCEL_KEY_EXAMPLES}")
    if isinstance(value, numbers.Real):
        if float(value).is_integer() and value > 0:
            return str(int(value))
        raise ValueError(f"số thửa «{value}» không hợp lệ; cần số nguyên dương hoặc dạng {PARCEL_KEY_EXAMPLES}")
    text = _SPACES.sub(r"\1", str(value).strip())
    whole = _WHOLE_DECIMAL.fullmatch(text)
    m = _KEY.fullmatch(whole[1] if whole else text)
    if not m or int(m[1]) == 0 or (m[3] is not None and int(m[3]) == 0):
        shown = str(value).strip()[:40]
        raise ValueError(f"số thửa «{shown}» không hợp lệ; cần dạng {PARCEL_KEY_EXAMPLES} "
                         "(số, có thể thêm một chữ cái và -số phần)")
    return f"{int(m[1])}{m[2].upper()}" + (f"-{int(m[3])}" if m[3] else "")


def try_parcel_key(value: object) -> str | None:
    """:func:`parcel_key`, or None when ``value`` is not a parcel number (for keys read from a store)."""
    try:
        return parcel_key(value)
    except ValueError:
        return None


def parcel_sort_key(key: str) -> tuple[int, str, int]:
    """Numeric sort key of a parcel number: ``"263A"`` → ``(263, "A", 0)``; ``"389B-2"`` → ``(389, "B", 2)``.

    ``key`` is canonicalised first (:func:`parcel_key`), so ``"263a"`` and ``263`` sort as ``263A`` and ``263``.

    Raises
    ------
    ValueError
        ``key`` is not a parcel number.
    """
    m = _KEY.fullmatch(parcel_key(key))
    return int(m[1]), m[2], int(m[3] or 0)


def parcel_key_cells(cells: Sequence) -> list:
    """:func:`parcel_key` of each cell (str, or the ValueError it raises), each distinct value parsed once."""
    return map_distinct(cells, parcel_key)


def parcel_rank(values: pd.Series) -> pd.Series:
    """Integer rank of each value in parcel order (:func:`parcel_sort_key`), for ``sort_values(key=…)``.

    Equal keys share a rank; values that are not parcel numbers (blank, text) rank after every parcel
    number, in text order among themselves. Same index as ``values``.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)

    def order(i: int):
        v = uniques[i]
        key = try_parcel_key(v)
        return (0, parcel_sort_key(key), "") if key is not None else (1, (0, "", 0), str(v))

    rank_of = np.empty(len(uniques) + 1, dtype="int64")
    rank_of[sorted(range(len(uniques)), key=order)] = np.arange(len(uniques))
    rank_of[-1] = len(uniques)  # missing values (code -1) last
    return pd.Series(rank_of[codes], index=values.index, name=values.name)


def parcel_sort_column(column: pd.Series) -> pd.Series:
    """``key=`` of :meth:`pandas.DataFrame.sort_values`: a ``parcel_number`` column in parcel order
    (:func:`parcel_rank`), any other column as it is.

    >>> frame.sort_values(["map_sheet", "parcel_number"], key=parcel_sort_column)   # doctest: +SKIP
    """
    return parcel_rank(column) if column.name == "parcel_number" else column


def parcel_number_cell(value: object) -> int | str | None:
    """A parcel number for a table cell: a pure number as int (an Excel number cell, filtered and summed as
    Excel users expect), a suffixed key as its text (``263A``), a missing value as None."""
    key = try_parcel_key(value)
    if key is None:
        return None if is_blank(value) else str(value)
    return int(key) if key.isdigit() else key
