"""Every layer that reads typed values agrees with parsing/ (issue 8: "1.234" was 1234 in ingest and 1.234 in
cadastre; "30/6/85" was 1985 in one date parser and 2085 in the other)."""
from __future__ import annotations

from datetime import date

import pytest

from cadastre.attributes import parse_area, parse_int_key
from ingest.values import parse_date as ingest_date
from ingest.values import parse_number as ingest_number
from milestones.rules import resolve_rules
from milestones.status import parse_due_date, parse_percent
from parsing.dates import parse_date
from parsing.numbers import AmbiguousNumberError, parse_number


@pytest.mark.parametrize("text", ["30/6/85", "31/12/2024", "2024-06-30", "1/1/69", "1/1/68", 45473, "45473"])
def test_upload_and_milestone_dates_agree(text):
    assert ingest_date(text) == parse_due_date(text) == parse_date(text)


def test_thirty_june_85_is_1985_everywhere():
    assert ingest_date("30/6/85") == parse_due_date("30/6/85") == date(1985, 6, 30)


@pytest.mark.parametrize("bad", ["06/30/2024", 20000, 80000, "31/02/2024"])
def test_upload_and_milestone_dates_refuse_the_same_values(bad):
    for parse in (ingest_date, parse_due_date):
        with pytest.raises(ValueError):
            parse(bad)


@pytest.mark.parametrize("text, value", [("1.234,5", 1234.5), ("1,234.5", 1234.5), ("12,5", 12.5),
                                         ("2.421.100", 2421100.0), ("1 234,5", 1234.5)])
def test_upload_and_cadastre_numbers_agree(text, value):
    assert ingest_number(text) == parse_area(text) == parse_number(text) == value


def test_an_ambiguous_cadastral_area_is_reported_not_read_as_1_234():
    with pytest.raises(AmbiguousNumberError):
        parse_area("1.234")
    assert parse_area("1.234", decimal="vi") == 1234.0
    assert parse_int_key("1.234") == 1234  # a parcel number is whole: only one reading fits


@pytest.mark.parametrize("text, value", [("70", 70.0), ("70,5", 70.5), ("70.5", 70.5), ("70,5%", 70.5),
                                         (" 100 % ", 100.0), (70, 70.0)])
def test_percentages(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize("bad", ["101", "-1", "bảy mươi", "", None])
def test_bad_percentages(bad):
    with pytest.raises(ValueError):
        parse_percent(bad)


def test_rules_numbers_follow_the_rule():
    rules = resolve_rules({"forecast_window_days": "45", "at_risk_rate_factor": "2,5",
                           "stage_limits": {"inventory": "1.234,0"}})
    assert rules["forecast_window_days"] == 45.0 and rules["at_risk_rate_factor"] == 2.5
    assert rules["stage_limits_days"]["inventory"] == 1234.0
    with pytest.raises(ValueError, match=r"inventory.*không rõ"):
        resolve_rules({"stage_limits": {"inventory": "1.000"}})
