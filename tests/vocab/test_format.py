"""Vietnamese display formatting: separators, units, dates, missing values."""
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocab.format import MISSING, fmt_date, fmt_ha, fmt_m2, fmt_number, fmt_pct, fmt_vnd
from vocab.labels import risk_flag_label, risk_flags_text, status_label


@pytest.mark.parametrize("value, decimals, expected", [
    (1234567.891, 2, "1.234.567,89"),
    (1234.5, 1, "1.234,5"),
    (999, 0, "999"),
    (1000, 0, "1.000"),
    (-2500.25, 1, "-2.500,2"),      # half to even on the binary value 2500.25
    (-0.01, 1, "0,0"),              # no negative zero
    (np.float64(12.0), 0, "12"),
    (np.int64(5_000_000), 0, "5.000.000"),
])
def test_fmt_number_vietnamese_separators(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, np.nan])
def test_missing_values_show_a_dash(missing):
    assert fmt_number(missing) == MISSING
    assert fmt_ha(missing) == MISSING
    assert fmt_date(missing) == MISSING


def test_units():
    assert fmt_m2(12345.6) == "12.346 m²"
    assert fmt_ha(123_456) == "12,35 ha"          # 123 456 m² = 12,3456 ha
    assert fmt_ha(450_000, 0) == "45 ha"
    assert fmt_pct(70) == "70,0%"
    assert fmt_vnd(1_234_567_000) == "1.234.567.000 đ"


def test_dates_dd_mm_yyyy():
    assert fmt_date(date(2024, 6, 30)) == "30/06/2024"
    assert fmt_date(datetime(2024, 3, 1, 15, 0)) == "01/03/2024"
    assert fmt_date(pd.Timestamp("2024-12-31")) == "31/12/2024"
    assert fmt_date("2024-06-30") == "30/06/2024"
    assert fmt_date("30/6/2024") == "30/06/2024"
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        fmt_date("June 30")


def test_negative_decimals_rejected():
    with pytest.raises(ValueError):
        fmt_number(1, -1)


def test_status_and_flag_labels():
    assert [status_label(s) for s in ("met", "missed", "on_track", "at_risk", "behind")] == [
        "Đạt", "Không đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ"]
    assert "Kiểm đếm" in risk_flag_label("stuck_inventory")
    assert risk_flags_text(["complaint_open", "enforced"]) == "Khiếu nại chưa giải quyết; Cưỡng chế thu hồi đất"
    assert risk_flags_text([]) == ""


def test_separators_are_those_of_the_cldr_vi_locale():
    from babel import numbers

    from vocab import format as vf

    assert (
        numbers.get_decimal_symbol("vi"), numbers.get_group_symbol("vi"), numbers.get_minus_sign_symbol("vi")) == (vf.DECIMAL_SEP, vf.GROUP_SEP, vf.MINUS_SIGN)
    # Same digits as Babel's own formatter wherever Babel does not print a negative zero.
    for value in (0.5, 12.25, 999.95, 1234.5, 1_000_000.0, -2500.5, 123_456_789.125):
        assert fmt_number(value, 1) == numbers.format_decimal(round(value, 1), format="#,##0.0", locale="vi")


@pytest.mark.parametrize("value", [-0.04, -0.0, -1e-12])
def test_no_negative_zero_anywhere(value):
    assert fmt_number(value, 1) == "0,0"
    assert fmt_pct(value) == "0,0%"
    assert fmt_m2(value) == "0 m²"


def test_infinity_and_large_money():
    assert fmt_number(float("inf")) == "∞" and fmt_number(float("-inf")) == "-∞"
    assert fmt_vnd(12_345_678_901_234) == "12.345.678.901.234 đ"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_fmt_number_reads_back_as_the_rounded_value(value, decimals):
    text = fmt_number(value, decimals)
    whole, _, fraction = text.partition(",")
    assert len(fraction) == decimals
    assert all(len(group) == 3 for group in whole.lstrip("-").split(".")[1:])  # groups of three digits
    assert not text.startswith("-") or float(value) < 0                         # never "-0,0"
    assert float(whole.replace(".", "") + "." + (fraction or "0")) == pytest.approx(
        float(f"{value:.{decimals}f}"), abs=10 ** -decimals)
