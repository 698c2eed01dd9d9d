"""The one number rule: Vietnamese and English grouping, ambiguity decided by the column/line or reported."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsing.numbers import (
    AmbiguousNumberError,
    decide_convention,
    number_convention,
    parse_int,
    parse_number,
    parse_number_column,
    parse_small_number,
)
from vocab.format import fmt_number

# text → (value, convention it proves); every value was worked out by hand from the rule in the docstring.
UNAMBIGUOUS = [
    ("1.234,5", 1234.5, "vi"), ("1,234.5", 1234.5, "en"), ("12,5", 12.5, "vi"), ("12.5", 12.5, "en"),
    ("2.421.100", 2421100.0, "vi"), ("1,234,567", 1234567.0, "en"), ("1.234.567,25", 1234567.25, "vi"),
    ("1,234,567.25", 1234567.25, "en"), ("0,5", 0.5, "vi"), ("0.125", 0.125, "en"), ("1234.567", 1234.567, "en"),
    ("1234,567", 1234.567, "vi"), (",5", 0.5, "vi"), ("-5.000.000", -5000000.0, "vi"), ("+12,5", 12.5, "vi"),
    ("1234", 1234.0, None), ("007", 7.0, None), ("1 250 000", 1250000.0, None), ("2 412 345,678", 2412345.678, "vi"),
    (" 820,5 m² ", 820.5, "vi"), ("820,5m2", 820.5, "vi"), ("1.500.000 đ", 1500000.0, "vi"),
    ("1.500.000 đồng", 1500000.0, "vi"), ("1.500.000 VNĐ", 1500000.0, "vi"), ("2,5 ha", 2.5, "vi"),
    ("1\u00a0234,5", 1234.5, "vi"), ("1234.5", 1234.5, "en"), ("1234,5", 1234.5, "vi"),
]


@pytest.mark.parametrize("text, value, convention", UNAMBIGUOUS)
def test_a_text_that_proves_its_convention_is_read_by_it_whatever_the_caller_says(text, value, convention):
    assert number_convention(text) == convention
    for decimal in (None, "vi", "en"):
        assert parse_number(text, decimal=decimal) == pytest.approx(value)


# text → (reading with "." or "," as thousands, reading as decimal sign)
AMBIGUOUS = [("450.800", 450800.0, 450.8), ("1.234", 1234.0, 1.234), ("1,234", 1234.0, 1.234),
             ("100.000", 100000.0, 100.0), ("-450.800", -450800.0, -450.8)]


@pytest.mark.parametrize("text, as_thousands, as_decimal", AMBIGUOUS)
def test_an_ambiguous_text_alone_is_reported_with_both_readings(text, as_thousands, as_decimal):
    assert number_convention(text) is None
    with pytest.raises(AmbiguousNumberError) as info:
        parse_number(text)
    assert set(info.value.readings.values()) == {as_thousands, as_decimal}
    message = str(info.value)
    assert f"«{text}»" in message and "không rõ" in message and f"{as_thousands:.0f}" in message


@pytest.mark.parametrize("text, as_thousands, as_decimal", AMBIGUOUS)
def test_an_ambiguous_text_is_read_by_the_convention_given(text, as_thousands, as_decimal):
    sep = text.lstrip("-")[-4]
    vi, en = (as_thousands, as_decimal) if sep == "." else (as_decimal, as_thousands)
    assert parse_number(text, decimal="vi") == pytest.approx(vi)
    assert parse_number(text, decimal="en") == pytest.approx(en)


@pytest.mark.parametrize("text", ["khoảng 400", "", "  ", "abc", "--4", "1.2.3,4", "12,34,5.6", "1,2,3",
                                  "1.23.456", "5.", "12,5,", "1.234,5.6", "0.123.456"])
def test_non_numbers_are_reported_in_vietnamese_naming_the_value(text):
    with pytest.raises(ValueError, match="số") as info:
        parse_number(text)
    assert not isinstance(info.value, AmbiguousNumberError)
    assert text.strip() in str(info.value)


def test_excel_numbers_are_taken_as_they_are_booleans_and_infinity_refused():
    assert parse_number(12) == 12.0 and parse_number(7.25) == 7.25 and parse_number(np.int64(3)) == 3.0
    for bad in (True, np.bool_(False), float("inf"), float("nan")):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_a_column_decides_its_ambiguous_cells():
    column = parse_number_column(["450.800", "1.234,5", None, "", 12])
    assert column.convention == "vi"
    assert column.problems == {}
    assert column.values[:2].tolist() == [450800.0, 1234.5]
    assert np.isnan(column.values[2]) and np.isnan(column.values[3]) and column.values[4] == 12.0


def test_an_english_column_decides_the_other_way():
    column = parse_number_column(["450.800", "1,234.5"])
    assert column.convention == "en" and column.values.tolist() == [450.8, 1234.5]


def test_a_line_decides_like_a_column():
    # the pasted coordinate line of issue 8: X = 2 421 100 m, Y = 450 800 m (not 450,8 m)
    assert parse_number_column(["2.421.100", "450.800"]).values.tolist() == [2421100.0, 450800.0]


def test_a_column_that_cannot_decide_reports_each_ambiguous_cell_by_position():
    column = parse_number_column(["450.800", "1234", "abc", "1.234"])
    assert column.convention is None
    assert sorted(column.problems) == [0, 2, 3]
    assert "«450.800»" in column.problems[0] and "«1.234»" in column.problems[3]
    assert column.values[1] == 1234.0 and np.isnan(column.values[0])


def test_a_mixed_column_cannot_decide():
    assert decide_convention(["1.234,5", "1,234.5", "450.800"]) is None
    column = parse_number_column(["1.234,5", "1,234.5", "450.800"])
    assert list(column.problems) == [2] and column.values[:2].tolist() == [1234.5, 1234.5]


def test_a_convention_decided_elsewhere_wins_over_the_column():
    column = parse_number_column(["450.800", "12,5"], decimal="en")
    assert column.convention == "en" and column.values.tolist() == [450.8, 12.5]


def test_whole_numbers_decide_by_their_kind():
    assert parse_int("1.234") == 1234 and parse_int("1,234") == 1234  # 1,234 households is impossible
    assert parse_int("012") == 12 and parse_int(12.0) == 12 and parse_int("7,0") == 7


@pytest.mark.parametrize("value, decimal", [("12,5", None), (7.5, None), ("1.234", "en"), ("abc", None)])
def test_not_whole_numbers_are_refused(value, decimal):
    with pytest.raises(ValueError, match="số nguyên"):
        parse_int(value, decimal=decimal)


@pytest.mark.parametrize("text, value", [("30.500", 30.5), ("106,123", 106.123), ("70.5", 70.5), ("12", 12.0)])
def test_small_numbers_read_a_lone_separator_as_the_decimal_sign(text, value):
    assert parse_small_number(text) == pytest.approx(value)


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(x=finite, decimals=st.integers(0, 4))
def test_fmt_number_round_trips_through_the_parser(x, decimals):
    text = fmt_number(x, decimals)
    assert parse_number(text, decimal="vi") == round(x, decimals)
    # alone, the text is either read back exactly or reported: never read as another number
    try:
        alone = parse_number(text)
    except AmbiguousNumberError:  # only the shapes "450.800" (0 decimals) and "450,800" (3 decimals)
        assert re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", text.lstrip("-")) and decimals in (0, 3)
    else:
        assert alone == round(x, decimals)


@settings(max_examples=200, deadline=None)
@given(xs=st.lists(finite, min_size=1, max_size=8), decimals=st.integers(1, 2))
def test_a_column_written_by_fmt_number_with_decimals_decides_itself(xs, decimals):
    column = parse_number_column([fmt_number(x, decimals) for x in xs])
    assert column.problems == {}
    assert column.values.tolist() == [round(x, decimals) for x in xs]
    assert column.convention == "vi"


@pytest.mark.parametrize("x", [0.5, 1234.5, 1234567.891, -98765.4321])
def test_the_english_form_proves_itself(x):
    english = f"{x:,.3f}"
    assert number_convention(english) == "en"
    assert parse_number(english) == round(x, 3)
