"""Text keys and blanks shared by headers, cadastral field names, project and commune names."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parsing.text import fold_key, is_blank


@pytest.mark.parametrize("text, key", [
    ("Số thửa:", "sothua"), ("SO_THUA", "sothua"), ("Diện tích (m²)", "dientichm2"), ("Đến lý trình", "denlytrinh"),
    ("Cao tốc Hữu Nghị – Chi Lăng", "caotochuunghichilang"), (None, ""), (12, "12"),
])
def test_fold_key(text, key):
    assert fold_key(text) == key


@pytest.mark.parametrize("value, blank", [
    (None, True), ("", True), ("  \t", True), (float("nan"), True), (np.nan, True), (pd.NA, True), (pd.NaT, True),
    ("0", False), (0, False), ("x", False), (0.0, False),
])
def test_is_blank(value, blank):
    assert is_blank(value) is blank
