"""The one date rule: day first, one two-digit-year pivot, one Excel serial range, month first refused."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsing.dates import (
    DATE_RANGE,
    EXCEL_SERIAL_RANGE,
    excel_serial_to_date,
    expand_two_digit_year,
    parse_date,
)
from vocab.format import fmt_date


@pytest.mark.parametrize("value, expected", [
    ("31/12/2024", date(2024, 12, 31)), ("30/6/85", date(1985, 6, 30)), ("30/6/24", date(2024, 6, 30)),
    ("2024-06-30", date(2024, 6, 30)), ("2024-06-30T08:15:00", date(2024, 6, 30)),
    ("05/03/2024", date(2024, 3, 5)), ("5/3/24", date(2024, 3, 5)), ("05-03-2024", date(2024, 3, 5)),
    ("05.03.2024", date(2024, 3, 5)), ("05/03/2024 00:00:00", date(2024, 3, 5)), (" 31/12/2024 ", date(2024, 12, 31)),
    ("01/02/2024", date(2024, 2, 1)), ("29/02/2024", date(2024, 2, 29)), ("1/1/99", date(1999, 1, 1)),
    ("1/1/68", date(2068, 1, 1)), ("1/1/69", date(1969, 1, 1)), ("1/1/00", date(2000, 1, 1)),
    (datetime(2024, 3, 5, 14, 30), date(2024, 3, 5)), (date(2024, 3, 5), date(2024, 3, 5)),
    (pd.Timestamp("2024-03-31 10:00"), date(2024, 3, 31)), (np.datetime64("2024-03-31"), date(2024, 3, 31)),
])
def test_accepted_forms(value, expected):
    assert parse_date(value) == expected


# Excel's 1900 system: day 0 is 30/12/1899, so serial n is that date + n days (45356 = 05/03/2024).
@pytest.mark.parametrize("value, expected", [
    (45356, date(2024, 3, 5)), (45356.0, date(2024, 3, 5)), ("45356", date(2024, 3, 5)), (45356.75, date(2024, 3, 5)),
    (np.int64(45473), date(2024, 6, 30)), (EXCEL_SERIAL_RANGE[0], date(1990, 1, 1)),
    (EXCEL_SERIAL_RANGE[1], date(2100, 12, 31)),
])
def test_excel_serials_in_range(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [EXCEL_SERIAL_RANGE[0] - 1, EXCEL_SERIAL_RANGE[1] + 1, 12, 500, -45356, "12345"])
def test_excel_serials_out_of_range_are_refused(value):
    with pytest.raises(ValueError, match="32874"):
        parse_date(value)


@pytest.mark.parametrize("text, day_first", [("06/30/2024", "30/06/2024"), ("03/15/2024", "15/03/2024")])
def test_month_first_is_never_guessed(text, day_first):
    with pytest.raises(ValueError, match="ngày viết trước tháng") as info:
        parse_date(text)
    assert day_first in str(info.value)  # the message shows how to write it


@pytest.mark.parametrize("value", ["31/02/2024", "29/02/2023", "2024-13-01", "32/01/2024"])
def test_impossible_days_are_refused(value):
    with pytest.raises(ValueError, match="ngày không tồn tại"):
        parse_date(value)


@pytest.mark.parametrize("value", ["hôm qua", "2024/03", "15/3", "2024/03/05", "5/3/2024/1", True])
def test_other_text_is_refused_naming_the_expected_form(value):
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date(value)


@pytest.mark.parametrize("value", [None, "", "  ", float("nan"), pd.NaT])
def test_blank_is_refused(value):
    with pytest.raises(ValueError, match="trống"):
        parse_date(value)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "31/12/1899", date(2200, 1, 1)])
def test_dates_outside_the_range_are_refused(value):
    with pytest.raises(ValueError, match="ngoài khoảng 1900–2199"):
        parse_date(value)


def test_two_digit_year_pivot_is_posix():
    assert [expand_two_digit_year(y) for y in (0, 24, 68, 69, 85, 99)] == [2000, 2024, 2068, 1969, 1985, 1999]
    assert datetime.strptime("30/6/68", "%d/%m/%y").year == expand_two_digit_year(68)  # same as Python's %y
    assert datetime.strptime("30/6/69", "%d/%m/%y").year == expand_two_digit_year(69)


def test_excel_serial_function_names_the_range():
    assert excel_serial_to_date(45473) == date(2024, 6, 30)
    with pytest.raises(ValueError, match="73415"):
        excel_serial_to_date(80000)


@settings(max_examples=400, deadline=None)
@given(d=st.dates(min_value=DATE_RANGE[0], max_value=DATE_RANGE[1]))
def test_fmt_date_round_trips_through_the_parser(d):
    assert parse_date(fmt_date(d)) == d
    assert parse_date(d.isoformat()) == d


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_excel_serials_round_trip(d):
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d
