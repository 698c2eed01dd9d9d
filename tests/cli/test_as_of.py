"""The one ``--as-of`` argparse type (``commands._common.as_of_date``): spellings, range, messages."""
from __future__ import annotations

import argparse
from datetime import date

import pytest

from commands._common import MAX_AS_OF, MIN_AS_OF, add_as_of_argument, as_of_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-06-30", date(2024, 6, 30)),
    ("30/06/2024", date(2024, 6, 30)),
    (" 1/7/2025 ", date(2025, 7, 1)),       # day first, always; surrounding blanks ignored
    ("1900-01-01", date(1900, 1, 1)),       # both ends of the range are accepted
    ("31/12/2199", date(2199, 12, 31)),
])
def test_accepted_dates(text, expected):
    assert as_of_date(text) == expected


@pytest.mark.parametrize(("text", "phrase"), [
    ("0001-01-01", "«0001-01-01»: năm 1 ngoài khoảng 1900–2199"),
    ("9999-12-31", "năm 9999 ngoài khoảng 1900–2199"),
    ("1899-12-31", "ngoài khoảng"),
    ("2200-01-01", "ngoài khoảng"),
    ("2024-02-30", "«2024-02-30»: ngày không tồn tại"),
    ("06/30/2024", "ngày viết trước tháng"),   # month first is never guessed
    ("hôm qua", "«hôm qua» không phải ngày"),
])
def test_refused_dates_say_why(text, phrase):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        as_of_date(text)
    assert phrase in str(refused.value)


def test_the_range_fits_pandas_timestamps():
    import pandas as pd

    assert pd.Timestamp.min.date() < MIN_AS_OF < MAX_AS_OF < pd.Timestamp.max.date()


def test_the_argument_is_a_usage_error_in_a_parser(capsys):
    parser = argparse.ArgumentParser(prog="cli.py status")
    add_as_of_argument(parser)
    assert parser.parse_args([]).as_of is None
    assert parser.parse_args(["--as-of", "31/03/2024"]).as_of == date(2024, 3, 31)
    with pytest.raises(SystemExit) as usage:
        parser.parse_args(["--as-of", "9999-12-31"])
    assert usage.value.code == 2 and "ngoài khoảng" in capsys.readouterr().err
