"""Column-at-once parsing (:mod:`parsing.columns`) gives exactly what the one-cell parsers give.

Hypothesis generates columns mixing the cells files carry (Vietnamese and English numbers, ambiguous
``450.800``, dates in every accepted and refused form, Excel numbers and serials, booleans, blanks, junk)
with repeats, and compares every cell: the same value of the same type, or a ValueError of the same
class with the same Vietnamese message.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from parsing.columns import blank_mask, map_distinct, parse_date_cells, parse_int_cells, parse_number_cells
from parsing.dates import parse_date
from parsing.numbers import parse_int, parse_number
from parsing.text import is_blank

_blanks = st.sampled_from([None, float("nan"), np.float64("nan"), "", "   ", pd.NA, pd.NaT])
_number_text = st.one_of(
    st.sampled_from(["450.800", "1.234", "1,234", "12,5", "12.5", "1.234,5", "1,234.5", "2.421.100", "007",
                     " 820,5 m² ", "1.500.000 đ", "-5", "1.23.456", "abc", "12,34,5.6", "1\u00a0234,5"]),
    st.integers(-10**7, 10**7).map(str),
    st.from_regex(r"\A[+-]?[0-9]{1,7}([.,][0-9]{1,3})?\Z", fullmatch=True),
)
_date_text = st.one_of(
    st.dates(dt.date(1890, 1, 1), dt.date(2210, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)).map(lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}"),
    st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["31/02/2024", "06/30/2024", "05/03/2024 00:00:00", "45000", "2024-13-01", "hôm qua", "1/1"]),
)
_excel = st.one_of(st.integers(-5, 80_000), st.floats(allow_nan=False), st.booleans(),
                   st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)),
                   st.datetimes(dt.datetime(1880, 1, 1), dt.datetime(2250, 1, 1)))
cells = st.one_of(_blanks, _number_text, _date_text, _excel, st.text(max_size=6))


def _column(base: list) -> list:
    return base + base[::2]  # repeats: the distinct-value cache must give each its own answer


def _same(column_results: list, cells_: list, one_cell) -> None:
    for got, cell in zip(column_results, cells_):
        try:
            want = one_cell(cell)
        except ValueError as exc:
            assert type(got) is type(exc) and str(got) == str(exc), (cell, got, exc)
            continue
        assert type(got) is type(want) and got == want, (cell, got, want)


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=30), st.sampled_from([None, "vi", "en"]))
def test_number_and_int_columns_equal_the_one_cell_parsers(base, decimal):
    column = _column(base)
    _same(parse_number_cells(column, decimal=decimal), column, lambda v: parse_number(v, decimal=decimal))
    _same(parse_int_cells(column, decimal=decimal), column, lambda v: parse_int(v, decimal=decimal))


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=30))
def test_date_columns_and_blanks_equal_the_one_cell_parsers(base):
    column = _column(base)
    _same(parse_date_cells(column), column, parse_date)
    assert blank_mask(column).tolist() == [is_blank(c) for c in column]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_blanks, _number_text, _date_text), max_size=40), st.sampled_from([None, "vi", "en"]))
def test_text_columns_as_a_csv_gives_them(base, decimal):
    """Text and blanks only (a CSV): the one-pass path, no grouping by type."""
    column = _column(base)
    _same(parse_number_cells(column, decimal=decimal), column, lambda v: parse_number(v, decimal=decimal))
    _same(parse_int_cells(column, decimal=decimal), column, lambda v: parse_int(v, decimal=decimal))
    _same(parse_date_cells(column), column, parse_date)
    assert blank_mask(column).tolist() == [is_blank(c) for c in column]


def test_equal_values_of_other_types_are_kept_apart():
    """``1``, ``1.0`` and ``True`` compare equal but parse differently: each keeps its own answer."""
    got = parse_number_cells([1, True, 1.0, "1", True])
    assert got[0] == 1.0 and got[2] == 1.0 and got[3] == 1.0
    assert isinstance(got[1], ValueError) and isinstance(got[4], ValueError)


def test_each_distinct_value_is_parsed_once():
    calls = []
    column = pd.Series(["12,5", "7", "12,5", None, "7"] * 1000, dtype=object)
    out = map_distinct(column, lambda v: calls.append(v) or v)
    assert out == column.tolist() and sorted(map(str, calls)) == ["12,5", "7", "None"]
