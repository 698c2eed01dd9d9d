"""Chuyển tọa độ: the surveyors' converter (VN-2000 TM-3 of any province, VN-2000 UTM, WGS 84).

Single point or a pasted list / CSV. Order in and out as surveyors write it: X (northing) then Y
(easting) for grids; latitude then longitude for geographic CRS, in decimal degrees or d°m′s″. The page
only calls :mod:`cadastre.coords` (the same functions as ``python cli.py transform``).
"""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from dashboard.uploader import file_uploader_vi
from exports.table_files import csv_bytes
from vocab.escape import markdown_text

TITLE = "Chuyển tọa độ"
ICON = "🧭"
ORDER = 65

log = logging.getLogger(__name__)

FROM_KEY = "conv_from"
TO_KEY = "conv_to"
A_KEY = "conv_a"
B_KEY = "conv_b"
DMS_KEY = "conv_dms"
BATCH_KEY = "conv_batch"


def _fmt(value: float | None, geographic: bool, dms: bool) -> str:
    from cadastre.coords import format_dms
    from vocab.format import fmt_number

    if value is None:
        return ""
    if geographic:
        return format_dms(value) if dms else fmt_number(value, 9)
    return fmt_number(value, 3)


def render() -> None:
    """Draw the converter page."""
    from pyproj import CRS

    from cadastre.coords import (
        axis_labels,
        convert,
        convert_text_rows,
        crs_choices,
        operation_description,
        parse_coordinate_pair,
    )

    st.title("Chuyển tọa độ VN-2000 ⇄ WGS 84")
    st.caption("Thứ tự nhập và kết quả theo cách ghi của trắc địa Việt Nam: **X (hướng Bắc) rồi Y (hướng Đông)** "
               "với hệ lưới (mét); **vĩ độ rồi kinh độ** với hệ địa lý (độ thập phân hoặc độ°phút′giây″, "
               "ví dụ 21°48'12.9\"). VN-2000 → WGS 84 dùng 7 tham số của QĐ 05/2007/QĐ-BTNMT (EPSG:6960).")
    choices = crs_choices()
    labels = [label for label, _ in choices]
    codes = dict(choices)
    left, right = st.columns(2)
    src_label = left.selectbox("Hệ tọa độ nguồn", labels, index=0, key=FROM_KEY)
    dst_label = right.selectbox("Hệ tọa độ đích", labels, index=1, key=TO_KEY)
    src, dst = CRS.from_epsg(codes[src_label]), CRS.from_epsg(codes[dst_label])
    dms = st.checkbox("Hiển thị độ dạng độ°phút′giây″", value=True, key=DMS_KEY)
    a_label, b_label = axis_labels(src)
    out_a, out_b = axis_labels(dst)

    single, batch = st.tabs(["Một điểm", "Nhiều điểm (dán danh sách hoặc tải CSV)"])
    with single:
        c1, c2 = st.columns(2)
        a_text = c1.text_input(a_label, key=A_KEY, placeholder="2412000" if not src.is_geographic else "21°48'12.9\"")
        b_text = c2.text_input(b_label, key=B_KEY, placeholder="450000" if not src.is_geographic else "106°46'05.9\"")
        if a_text.strip() and b_text.strip():
            try:
                a, b = parse_coordinate_pair(a_text, b_text, src)
                point = convert(a, b, src, dst)
            except ValueError as exc:
                st.error(markdown_text(exc))
            else:
                r1, r2 = st.columns(2)
                r1.metric(out_a, _fmt(point.a, dst.is_geographic, dms))
                r2.metric(out_b, _fmt(point.b, dst.is_geographic, dms))
                st.caption(f"Phép chuyển của PROJ: {operation_description(src, dst)}")
    with batch:
        st.write(f"Mỗi dòng một điểm: `[tên] {a_label.split(' (')[0]} {b_label.split(' (')[0]}`, phân cách bằng tab, "
                 "dấu chấm phẩy hoặc khoảng trắng (dán thẳng từ Excel được).")
        uploaded = file_uploader_vi("hoặc tải tệp CSV/TXT", types=["csv", "txt"], key="conv_upload")
        text = st.text_area("Danh sách điểm", key=BATCH_KEY, height=160)
        lines = text.splitlines()
        if uploaded is not None:
            try:
                lines = uploaded.getvalue().decode("utf-8-sig").splitlines()
            except UnicodeDecodeError:
                st.error("Tệp không phải UTF-8; hãy lưu lại dạng CSV UTF-8.")
                lines = []
        if any(line.strip() for line in lines):
            rows = convert_text_rows(lines, src, dst)
            table = pd.DataFrame({
                "Dòng": [r["line"] for r in rows],
                "Tên điểm": [r["name"] or "" for r in rows],
                f"{a_label} (vào)": [_fmt(r["in_a"], src.is_geographic, dms) for r in rows],
                f"{b_label} (vào)": [_fmt(r["in_b"], src.is_geographic, dms) for r in rows],
                out_a: [_fmt(r["out_a"], dst.is_geographic, dms) for r in rows],
                out_b: [_fmt(r["out_b"], dst.is_geographic, dms) for r in rows],
                "Lỗi": [r["error"] or "" for r in rows],
            })
            st.dataframe(table, hide_index=True, width="stretch")
            bad = sum(1 for r in rows if r["error"])
            if bad:
                st.warning(f"{bad} dòng không chuyển được (xem cột Lỗi).")
            csv = csv_bytes(pd.DataFrame({  # numbers stay numbers (full precision), Vietnamese headers
                "Dòng": [r["line"] for r in rows],
                "Tên điểm": [r["name"] or "" for r in rows],
                f"{a_label} (vào)": [r["in_a"] for r in rows], f"{b_label} (vào)": [r["in_b"] for r in rows],
                out_a: [r["out_a"] for r in rows], out_b: [r["out_b"] for r in rows],
                "Lỗi": [r["error"] or "" for r in rows],
            }))
            st.download_button("Tải kết quả CSV", csv, file_name="ket_qua_chuyen_toa_do.csv", mime="text/csv")
