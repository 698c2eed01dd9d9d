"""Tổng quan: per-project cards, milestone table, planned-vs-actual S-curve at the as-of date."""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.format import fmt_date

TITLE = "Tổng quan"
ICON = "📊"
ORDER = 10


def render() -> None:
    """Draw the overview page (work in progress)."""
    st.title("Tổng quan tiến độ GPMB")
    st.caption(f"Số liệu tính đến ngày {fmt_date(state.as_of())}")
    state.snapshot()
