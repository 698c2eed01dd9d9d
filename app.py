"""GPMB Tracker dashboard: ``streamlit run app.py``.

Builds the navigation from ``dashboard/pages/*.py`` (each module defines TITLE, ICON, ORDER and
render()), draws the shared sidebar (as-of date picker and filters, see ``dashboard.state``) and a
footer with the data caveats and attributions. The store is ``$DATABASE_URL`` or ``data/gpmb.gpkg``.
"""
from __future__ import annotations

import logging

import streamlit as st

from dashboard import pages, state

FOOTER_MD = (
    "**Lưu ý:** các thửa đất là **dữ liệu minh họa** (không phải bản đồ địa chính thật); tuyến cao tốc "
    "Hữu Nghị – Chi Lăng là **hướng tuyến gần đúng** (chưa có hồ sơ tuyến chính thức), được vẽ nét đứt trên "
    "bản đồ.  \n"
    "**Nguồn dữ liệu:** ranh giới xã, phường (2025) © 2021 Thang Le Quoc, *Vietnamese Provinces Database* "
    "(github.com/thanglequoc/vietnamese-provinces-database, giấy phép MIT), theo Bản đồ tham chiếu đơn vị "
    "hành chính (sapnhap.bando.com.vn), NXB Tài nguyên – Môi trường và Bản đồ Việt Nam; đường giao thông, "
    "đường sắt: CTU-SematX/LegoCity (CC BY-SA 4.0); bản đồ nền Leaflet 1.9.4 (BSD-2-Clause). "
    "Chi tiết trong data/SOURCES.md."
)


def main() -> None:
    """Entry point run by Streamlit on every rerun."""
    st.set_page_config(page_title="GPMB Tracker – Tiến độ GPMB", page_icon="🗺️", layout="wide")
    found, failures = pages.discover()
    if not found:
        st.error("Không tìm thấy trang nào trong dashboard/pages.")
        return
    nav = [
        st.Page(p.render, title=p.title, icon=p.icon, url_path=p.url_path, default=(i == 0))
        for i, p in enumerate(found)
    ]
    current = st.navigation(nav)
    st.sidebar.markdown("### GPMB Tracker")
    state.render_sidebar()
    for _, message in failures:
        st.sidebar.warning(message)
    current.run()
    st.divider()
    st.caption(FOOTER_MD)


logging.basicConfig(level=logging.INFO)
main()
