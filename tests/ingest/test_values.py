"""Cell parsers: numbers in both conventions, dates in the forms communes write, stages, chainages, flags."""
from __future__ import annotations

from datetime import date, datetime

import pytest

import parsing.chainage
import parsing.dates
import parsing.numbers
from ingest.values import (
    looks_active,
    number_convention,
    parse_chainage,
    parse_date,
    parse_flag,
    parse_int,
    parse_number,
    parse_stage,
    parse_text,
)


def test_numbers_and_dates_are_the_one_parser_s():
    # the validation of an upload reads cells through ingest.values: the names must be parsing's own
    assert parse_number is parsing.numbers.parse_number and parse_int is parsing.numbers.parse_int
    assert number_convention is parsing.numbers.number_convention
    assert parse_date is parsing.dates.parse_date
    assert parse_chainage is parsing.chainage.parse_chainage_or_metres


def test_ambiguous_cells_follow_the_file_convention():
    # ingest.validate decides one convention per file and passes it as ``decimal``
    assert parse_number("1.234", decimal="vi") == 1234.0
    assert parse_number("1.234", decimal="en") == pytest.approx(1.234)
    assert parse_number("1,234", decimal="en") == 1234.0
    assert parse_number("1,234", decimal="vi") == pytest.approx(1.234)
    assert parse_number(" 820,5 m² ", decimal="en") == 820.5  # a cell that proves its own convention


def test_integers_and_dates_as_communes_write_them():
    assert parse_int("012") == 12 and parse_int(12.0) == 12
    with pytest.raises(ValueError, match="số nguyên"):
        parse_int("12,5")
    assert parse_date("5/3/24") == date(2024, 3, 5) and parse_date(45356) == date(2024, 3, 5)
    assert parse_date(datetime(2024, 3, 5, 14, 30)) == date(2024, 3, 5)
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date("03/15/2024")


@pytest.mark.parametrize("text, code", [
    ("Bàn giao mặt bằng", "handed_over"), ("BAN GIAO MAT BANG", "handed_over"), ("handed_over", "handed_over"),
    ("kiem dem", "inventory"), ("Chi trả", "paid"), ("Khiếu nại", "complaint"), ("Cưỡng chế", "enforced"),
])
def test_stages(text, code):
    assert parse_stage(text) == code


def test_stage_not_started_is_a_state_not_an_event():
    with pytest.raises(ValueError, match="Chưa triển khai"):
        parse_stage("Chưa triển khai")
    with pytest.raises(ValueError, match="Giá trị cho phép"):
        parse_stage("Đã xong")


@pytest.mark.parametrize("value, metres", [
    ("Km3+700", 3700.0), ("Km 3+700", 3700.0), ("km3+700,5", 3700.5), ("3700", 3700.0), (3700, 3700.0),
    ("Km18+000", 18000.0),
])
def test_chainage(value, metres):
    assert parse_chainage(value) == pytest.approx(metres)


@pytest.mark.parametrize("value", ["Km3+1200", "ba km", "Km-3+100"])
def test_bad_chainage(value):
    with pytest.raises(ValueError):
        parse_chainage(value)


def test_correction_flag():
    assert parse_flag("x") and parse_flag("Có") and parse_flag(1) and parse_flag("TRUE")
    assert not parse_flag("") and not parse_flag(None) and not parse_flag("không") and not parse_flag(0)
    with pytest.raises(ValueError, match="'x'"):
        parse_flag("có lẽ")


def test_text_is_kept_verbatim_and_flagged_when_active():
    for text in ['=HYPERLINK("http://x")', "<script>alert(1)</script>", "+84 912", "@SUM(A1)"]:
        assert parse_text(text) == text
        assert looks_active(text)
    assert not looks_active("Hộ ông Nguyễn Văn Hùng, 3 < 5 thửa")
    assert parse_text("Ho\u0302\u0300") == "Hồ"  # NFC
