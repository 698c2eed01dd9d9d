"""Đơn thư: open and overdue letters per competent body, the letters with their legal clock, monthly counts.

Clocks of the Law on Complaints 2011 (arts. 27, 28, 37) and the Law on Denunciations 2018 (art. 30), days
configurable in ``rules.yaml`` (:mod:`milestones.complaints`); an open letter is an obstacle of its parcels
on the «Điểm nghẽn» page.
"""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.people_view import cards, figures_and_names, table
from exports.people_tables import BODY_COLS, LETTER_COLS, MONTH_COLS, body_records, letter_records, month_records
from vocab.format import fmt_date

TITLE = "Đơn thư"
ICON = "✉️"
ORDER = 72

OPEN_ONLY_KEY = "complaints_open_only"
RULE_TEXT = ("Thời hạn: thụ lý trong 10 ngày, giải quyết lần đầu 30 ngày (phức tạp 45, vùng sâu vùng xa 45/60) kể từ "
             "ngày thụ lý (Luật Khiếu nại 2011, điều 27, 28); lần hai 45 ngày (điều 37); tố cáo 30 ngày (Luật Tố cáo "
             "2018, điều 30). Đơn chưa giải quyết là vướng mắc của thửa liên quan.")


def render() -> None:
    """Draw the page at ``state.as_of()`` for the sidebar's projects."""
    day = state.as_of()
    st.title("Đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh")
    st.caption(f"Tính đến ngày **{fmt_date(day)}** · {RULE_TEXT}")
    figures, names = figures_and_names(day)
    cards(figures, ("open_complaints", "overdue_complaints"))
    st.subheader("Đơn quá hạn theo cơ quan có thẩm quyền")
    table(body_records(figures), BODY_COLS,
          "Không có đơn thư nào chưa giải quyết.")
    st.subheader("Danh sách đơn")
    open_only = st.checkbox("Chỉ đơn chưa giải quyết", value=True, key=OPEN_ONLY_KEY)
    table(letter_records(figures, names, open_only=open_only), LETTER_COLS,
          "Không có đơn thư nào.")
    st.subheader("Nhận, giải quyết, tồn theo tháng")
    table(month_records(figures, names), MONTH_COLS, "Chưa có đơn thư nào.")

