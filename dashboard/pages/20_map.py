"""Bản đồ: the offline progress map at the as-of date, with the sidebar filters (project, commune, stage).

The map HTML is built by ``mapview`` once per (as-of date, filters, data version) and cached
(``state.map_html``); it is shown in an ``srcdoc`` iframe (``st.iframe``, the successor of
``streamlit.components.v1.html``) so Leaflet comes from the vendored files inside the HTML, never from
a CDN (``st_folium`` would fetch it from the internet).
"""
from __future__ import annotations

import streamlit as st

from dashboard import state
from mapview.sandbox import sandboxed_document
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
    html = sandboxed_document(state.map_html(day, chosen))
    if hasattr(st, "iframe"):  # Streamlit ≥ 1.5x: successor of components.v1.html (same srcdoc iframe)
        st.iframe(html, height=MAP_HEIGHT_PX)
    else:
        import streamlit.components.v1 as components

        components.html(html, height=MAP_HEIGHT_PX)
