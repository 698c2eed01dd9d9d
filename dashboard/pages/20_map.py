"""Bản đồ: the offline progress map at the as-of date, with the sidebar filters (project, commune, stage).

A persistent map (``dashboard.map_component``): the map page, built by ``mapview`` once per (project
filter, data version) with Leaflet from the vendored files (never a CDN), is sent to the browser once;
a new as-of date or another commune / stage / at-risk filter sends only the state vector
(``state.map_state``), and the live map restyles itself.
"""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.map_component import live_map
from milestones.filters import apply_filters
from vocab.format import fmt_date, fmt_number

TITLE = "Bản đồ"
ICON = "🗺️"
ORDER = 20

MAP_HEIGHT_PX = 720


def render() -> None:
    """Draw the map page at ``state.as_of()`` with ``state.filters()``."""
    day = state.as_of()
    chosen = state.filters()
    st.title("Bản đồ tiến độ GPMB")
    snap = state.snapshot(day)
    shown = apply_filters(snap.parcels, chosen)
    at_risk = int(shown["at_risk"].fillna(False).astype(bool).sum()) if "at_risk" in shown else 0
    st.caption(
        f"Tính đến ngày **{fmt_date(day)}** · {fmt_number(len(shown))} thửa đang hiển thị, trong đó "
        f"{fmt_number(at_risk)} thửa có rủi ro tiến độ (viền đỏ, chấm đỏ). Di chuột lên thửa để xem chi tiết; "
        "bật/tắt lớp ở góc trên bên phải. Lọc theo dự án, xã, giai đoạn ở thanh bên trái."
    )
    if shown.empty:
        st.warning("Không có thửa đất nào khớp bộ lọc đang chọn.")
    live_map(state.map_key(chosen), lambda: state.map_document(chosen), state.map_state(day, chosen),
             height=MAP_HEIGHT_PX)
