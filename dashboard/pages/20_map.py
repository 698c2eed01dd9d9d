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
    # The counts come with the map's state (cached per date and filters): no filtering of the parcels here.
    map_state = state.map_state(day, chosen)
    st.caption(
        f"Tính đến ngày **{fmt_date(day)}** · {fmt_number(map_state['count'])} thửa đang hiển thị, trong đó "
        f"{fmt_number(map_state['at_risk_count'])} thửa có rủi ro tiến độ (viền đỏ, chấm đỏ). Di chuột lên thửa để "
        "xem chi tiết; bật/tắt lớp ở góc trên bên phải. Lọc theo dự án, xã, giai đoạn ở thanh bên trái. Ở mức thu "
        "nhỏ với nhiều thửa, mỗi xã là một vòng tròn theo tỷ lệ thửa đã bàn giao; phóng to để xem từng thửa."
    )
    if map_state["count"] == 0:
        st.warning("Không có thửa đất nào khớp bộ lọc đang chọn.")
    # Above state.viewport_above() parcels the page carries none: each view the map shows asks for its own.
    by_view = state.map_by_viewport(chosen)
    live_map(state.map_key(chosen), lambda: state.map_document(chosen), map_state, height=MAP_HEIGHT_PX,
             view=(lambda v: state.map_view(v, day, chosen)) if by_view else None)
