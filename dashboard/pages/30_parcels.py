"""Danh sách thửa đất: the parcel table at the as-of date with the sidebar filters, downloadable as CSV/XLSX.

Rows and columns come from ``dashboard.tables.parcel_table`` (Vietnamese headers, no personal names);
the downloads are the same rows through the one table writer (``exports.table_files``): a CSV that
Excel with Vietnamese regional settings opens by double-click (BOM, ``;``, decimal comma) and an XLSX.
"""
from __future__ import annotations

import streamlit as st

from dashboard import auth, state
from dashboard.tables import parcel_csv, parcel_table, parcel_xlsx
from exports.personal import for_account
from milestones.filters import apply_filters
from vocab.format import fmt_date, fmt_m2, fmt_number

TITLE = "Danh sách thửa đất"
ICON = "📋"
ORDER = 30


@st.cache_data(show_spinner=False, max_entries=16)
def _download(kind, as_of_date, the_filters, url, version, personal: bool) -> bytes:
    snap = state.snapshot(as_of_date)
    shown = apply_filters(snap.parcels, the_filters)
    if not personal:  # decided from the account below (exports.personal.for_account)
        shown = for_account(shown, None)
    if kind == "xlsx":
        return parcel_xlsx(shown, state.project_names(snap), title=f"Danh sách thửa đất tại ngày {fmt_date(as_of_date)}")
    return parcel_csv(shown, state.project_names(snap))


def render() -> None:
    """Draw the parcel list at ``state.as_of()`` with ``state.filters()``."""
    day = state.as_of()
    chosen = state.filters()
    st.title("Danh sách thửa đất")
    snap = state.snapshot(day)
    names = state.project_names(snap)
    account = auth.current_account()
    shown = for_account(apply_filters(snap.parcels, chosen), account)  # no owner names for a viewer
    total_m2 = float(shown["area_to_recover_m2"].sum()) if len(shown) else 0.0
    st.caption(
        f"Tính đến ngày **{fmt_date(day)}** · {fmt_number(len(shown))} thửa, tổng diện tích thu hồi "
        f"{fmt_m2(total_m2)}. Thửa đất là dữ liệu minh họa; không hiển thị họ tên chủ sử dụng đất "
        "(dữ liệu cá nhân)."
    )
    if shown.empty:
        st.warning("Không có thửa đất nào khớp bộ lọc đang chọn.")
        return
    key = (day, chosen, state.database_url(), state.data_version_key(), "owner_name" in shown)
    left, right = st.columns(2)
    left.download_button(
        "⬇️ Tải danh sách (CSV, mở được bằng Excel)",
        data=_download("csv", *key),
        file_name=f"danh_sach_thua_dat_{day:%Y%m%d}.csv",
        mime="text/csv",
    )
    right.download_button(
        "⬇️ Tải danh sách (Excel .xlsx)",
        data=_download("xlsx", *key),
        file_name=f"danh_sach_thua_dat_{day:%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.dataframe(parcel_table(shown, names), hide_index=True, width="stretch", height=600)
