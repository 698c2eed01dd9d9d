"""Parse a whole column of cells at once, with exactly the results of the one-cell parsers.

A column of a field-count sheet holds few distinct values (a stage, a date, ``512,5`` repeated on
thousands of rows). :func:`map_distinct` groups the cells by (type, value) with :func:`pandas.factorize`
(C speed), calls the one-cell function once per distinct value and spreads the results back by the
codes, so the rule stays in the one parser (:mod:`parsing.numbers`, :mod:`parsing.dates`) and a column of
100 000 cells costs 100 000 array lookups instead of 100 000 parser calls. Values of different types
that compare equal (``1``, ``1.0``, ``True``) are kept apart: the parsers treat them differently.

A failing cell gives its :class:`ValueError` (the same object type and Vietnamese message as the one-cell
parser raises) in its place, so the caller adds the row and the column as it does for one cell.
"""
from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from parsing.dates import parse_date
from parsing.numbers import DecimalConvention, parse_int, parse_number
from parsing.text import is_blank

__all__ = ["blank_mask", "map_distinct", "parse_date_cells", "parse_int_cells", "parse_number_cells"]


def _caught(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(value):
        try:
            return fn(value)
        except ValueError as exc:
            return exc
    return call


def map_distinct(cells: Sequence, fn: Callable[[Any], Any]) -> list:
    """``[fn(c) for c in cells]`` with ``fn`` called once per distinct (type, value); a ValueError is returned
    in its cell's place instead of raised.

    ``fn`` must be a pure function of its argument (the parsers of :mod:`parsing` are). Missing cells (None,
    NaN, ``pd.NA``, ``NaT``) are told apart by their type only; the others are factorised in one pass when no
    two of their types can compare equal (one numeric type and one date type at most, e.g. text and NaN
    from a CSV), else type by type. Unhashable cells are passed to ``fn`` one by one.
    """
    values = cells.tolist() if isinstance(cells, (pd.Series, pd.Index, np.ndarray)) else list(cells)
    call = _caught(fn)
    column = np.empty(len(values), dtype=object)
    try:
        column[:] = values
    except ValueError:  # cells that are sequences of one length: numpy would nest them
        column = _objects(values)
    out = np.empty(len(values), dtype=object)
    missing = pd.isna(column)
    if missing.any():
        by_type: dict[type, Any] = {}
        missing_cells = column[missing].tolist()
        for v in missing_cells:
            if type(v) not in by_type:
                by_type[type(v)] = call(v)
        out[missing] = _objects([by_type[type(v)] for v in missing_cells])
    present = ~missing
    if present.any():
        out[present] = _distinct_results(column[present], call)
    return out.tolist()


def _objects(items: list) -> np.ndarray:
    """An object array of ``items`` (never broadcast: tuples stay elements)."""
    arr = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        arr[i] = item
    return arr


def _may_compare_equal(types: set[type]) -> bool:
    """True when two of ``types`` hold values that compare equal (``1 == 1.0 == True``, a datetime and a Timestamp)."""
    numeric = [t for t in types if issubclass(t, (numbers.Number, np.bool_))]
    dated = [t for t in types if issubclass(t, (dt.date, np.datetime64))]
    return len(numeric) > 1 or len(dated) > 1


def _distinct_results(cells: np.ndarray, call: Callable[[Any], Any]) -> np.ndarray:
    """``call`` of each (non-missing) cell, once per distinct (type, value)."""
    types = set(map(type, cells))
    groups = _type_groups(cells) if _may_compare_equal(types) else [np.arange(len(cells))]
    out = np.empty(len(cells), dtype=object)
    for where in groups:
        group = cells[where]
        try:
            codes, _ = pd.factorize(group, use_na_sentinel=False)
        except TypeError:  # unhashable cells (lists …): one call each
            out[where] = _objects([call(v) for v in group])
            continue
        # each distinct value's first cell, not factorize's uniques (which may convert values)
        _, first = np.unique(codes, return_index=True)
        out[where] = _objects([call(group[j]) for j in first])[codes]
    return out


def _type_groups(cells: np.ndarray) -> list[np.ndarray]:
    kinds = pd.Series([type(v) for v in cells], dtype=object)
    return list(kinds.groupby(kinds, sort=False).indices.values())


def blank_mask(cells: Sequence) -> np.ndarray:
    """Boolean array: :func:`parsing.text.is_blank` of each cell (None, NaN, ``pd.NA``/``NaT``, spaces)."""
    return np.array(map_distinct(cells, is_blank), dtype=bool)


def parse_number_cells(cells: Sequence, *, decimal: DecimalConvention | None = None) -> list:
    """:func:`parsing.numbers.parse_number` of each cell (float, or the ValueError it raises)."""
    return map_distinct(cells, lambda v: parse_number(v, decimal=decimal))


def parse_int_cells(cells: Sequence, *, decimal: DecimalConvention | None = None) -> list:
    """:func:`parsing.numbers.parse_int` of each cell (int, or the ValueError it raises)."""
    return map_distinct(cells, lambda v: parse_int(v, decimal=decimal))


def parse_date_cells(cells: Sequence) -> list:
    """:func:`parsing.dates.parse_date` of each cell (``datetime.date``, or the ValueError it raises)."""
    return map_distinct(cells, parse_date)
