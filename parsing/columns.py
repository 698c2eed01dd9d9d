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

    ``fn`` must be a pure function of its argument (the parsers of :mod:`parsing` are). Unhashable cells are
    passed to ``fn`` one by one.
    """
    values = cells.tolist() if isinstance(cells, (pd.Series, pd.Index, np.ndarray)) else list(cells)
    call = _caught(fn)
    out: list = [None] * len(values)
    kinds = pd.Series([type(v) for v in values], dtype=object)
    for where in kinds.groupby(kinds, sort=False).indices.values():
        group = np.empty(len(where), dtype=object)
        group[:] = [values[i] for i in where]
        try:
            codes, _ = pd.factorize(group, use_na_sentinel=False)
        except TypeError:  # unhashable cells (lists …): one call each
            for i in where:
                out[i] = call(values[i])
            continue
        # each distinct value's first cell, not factorize's uniques (which turn None into NaN)
        _, first = np.unique(codes, return_index=True)
        results = np.empty(len(first), dtype=object)
        results[:] = [call(group[j]) for j in first]
        for i, r in zip(where.tolist(), results[codes].tolist()):
            out[i] = r
    return out


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
