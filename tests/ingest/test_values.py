"""Cell parsers: numbers in both conventions, dates in the forms communes write, stages, chainages, flags."""
from __future__ import annotations

from datetime import date, datetime

import pytest

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


@pytest.mark.parametrize("text, expected", [
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1234.5", 1234.5), ("1234", 1234.0), ("1234,5", 1234.5),
    ("1.234.567", 1234567.0), ("1,234,567.25", 1234567.25), ("0,5", 0.5), ("0.125", 0.125),
    (" 820,5 m² ", 820.5), ("1 250 000", 1250000.0), ("-5.000.000", -5000000.0), (12, 12.0), (7.25, 7.25),
])
def test_numbers_in_both_conventions(text, expected):
    assert parse_number(text) == pytest.approx(expected)


def test_ambiguous_thousands_follow_the_file_convention():
    # "1.234": Vietnamese usage reads a thousands dot; an English file reads a decimal point.
    assert number_convention("1.234") is None
    assert parse_number("1.234", decimal="vi") == 1234.0
    assert parse_number("1.234", decimal="en") == pytest.approx(1.234)
    assert parse_number("1,234", decimal="en") == 1234.0
    assert parse_number("1,234", decimal="vi") == pytest.approx(1.234)


@pytest.mark.parametrize("text", ["khoảng 400", "", "1.2.3,4", "12,34,5.6", "abc", "1,2,3", "--4", "1.23.456"])
def test_non_numbers_raise_vietnamese_message(text):
    with pytest.raises(ValueError, match="số"):
        parse_number(text)


def test_booleans_and_infinity_are_not_numbers():
    with pytest.raises(ValueError):
        parse_number(True)
    with pytest.raises(ValueError):
        parse_number(float("inf"))


def test_integers():
    assert parse_int("012") == 12
    assert parse_int(12.0) == 12
    with pytest.raises(ValueError, match="số nguyên"):
        parse_int("12,5")


@pytest.mark.parametrize("value, expected", [
    ("05/03/2024", date(2024, 3, 5)), ("5/3/24", date(2024, 3, 5)), ("2024-03-05", date(2024, 3, 5)),
    ("05-03-2024", date(2024, 3, 5)), ("05.03.2024", date(2024, 3, 5)), ("05/03/2024 00:00:00", date(2024, 3, 5)),
    (45356, date(2024, 3, 5)), ("45356", date(2024, 3, 5)), (45356.0, date(2024, 3, 5)),
    (datetime(2024, 3, 5, 14, 30), date(2024, 3, 5)), (date(2024, 3, 5), date(2024, 3, 5)),
    ("1/1/99", date(1999, 1, 1)), ("29/02/2024", date(2024, 2, 29)),
])
def test_dates(value, expected):
    # Excel serial 45356: 1899-12-30 + 45356 days = 2024-03-05 (Excel's 1900 system).
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["03/15/2024", "31/02/2024", "hôm qua", "2024/03", 12, "15/3", "29/02/2023"])
def test_bad_dates(value):
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date(value)


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
