"""Hộ dân & chi trả: households paid and to pay, late payments (Land Law 2024 art. 94), totals per commune,
households that refuse the money (invitations, treasury deposit, art. 94(5)), the funds needed vs transferred and
the project's procedure plan (the matrix's steps sheet).

Figures from :func:`milestones.people.people_figures` (``dashboard.state.people``), tables from
:mod:`exports.people_tables`. Owner names only for accounts that may read personal data
(``read_personal``): read through ``store.register(…, include_personal=True, actor=…)``, which checks it.
"""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.auth import current_account
from dashboard.people_view import cards, figures_and_names, table
from exports.people_tables import (
    FUND_COLS,
    LATE_PLAN_COLS,
    PAYMENT_TOTAL_COLS,
    PROCEDURE_COLS,
    REFUSAL_COLS,
    REGISTER_PROGRESS_COLS,
    fund_records,
    late_plan_records,
    payment_total_records,
    procedure_records,
    refusal_records,
    register_progress_records,
)
from vocab.format import fmt_date
from vocab.people import PEOPLE_HEADERS_VI

TITLE = "Hộ dân & chi trả"
ICON = "💰"
ORDER = 70

RULE_TEXT = ("Hạn chi trả: 30 ngày kể từ ngày quyết định phê duyệt phương án có hiệu lực (Luật Đất đai 2024, "
             "điều 94; sửa được trong rules.yaml). Hộ đã nhận đủ: tổng các lần chi trả đạt số tiền được phê duyệt.")


REFUSAL_TEXT = ("Hộ không đến nhận tiền được mời lần 1, 2, 3; sau đó tiền được gửi vào tài khoản tạm giữ tại Kho "
                "bạc (Luật Đất đai 2024, điều 94 khoản 5): ngày gửi dừng việc tính chậm chi trả, chưa phải là đã nhận.")


def _with_names(records: list[dict]) -> tuple[list[dict], list]:
    from exports.personal import may_read_personal_data

    account = current_account()
    if not records or not may_read_personal_data(account):
        return records, LATE_PLAN_COLS
    homes = state.store().register("households", include_personal=True, actor=account)
    names = dict(zip(zip(homes["project_id"], homes["household_id"]), homes["name"], strict=True))
    cols = LATE_PLAN_COLS[:3] + [("name", PEOPLE_HEADERS_VI["name"], "text", 22)] + LATE_PLAN_COLS[3:]
    return [{**r, "name": names.get((r["project_id"], r["household_id"]), "")} for r in records], cols


def render() -> None:
    """Draw the page at ``state.as_of()`` for the sidebar's projects."""
    day = state.as_of()
    st.title("Hộ dân, phương án và chi trả")
    st.caption(f"Tính đến ngày **{fmt_date(day)}** · {RULE_TEXT}")
    figures, names = figures_and_names(day)
    cards(figures, ("households_paid", "households_to_pay", "households_late", "households_refusing",
                    "households_deposited"))
    st.subheader("Chi trả theo dự án và xã, phường")
    table(payment_total_records(figures, names), PAYMENT_TOTAL_COLS,
          "Chưa có phương án nào được phê duyệt.")
    st.subheader("Hộ chưa nhận đủ tiền")
    records, cols = _with_names(late_plan_records(figures, names))
    table(records, cols, "Mọi hộ có phương án đã phê duyệt đã nhận đủ tiền.")
    st.subheader("Hộ đã mời nhận tiền chưa nhận, gửi tiền tạm giữ")
    st.caption(REFUSAL_TEXT)
    table(refusal_records(figures, names), REFUSAL_COLS, "Không có hộ nào từ chối nhận tiền.")
    st.subheader("Kinh phí: cần theo phương án đã duyệt và chủ đầu tư đã chuyển")
    table(fund_records(figures, names), FUND_COLS, "Chưa có phương án nào được phê duyệt.")
    st.subheader("Tiến độ theo sổ hộ dân (bảng hộ × bước)")
    st.caption("Số hộ và diện tích theo sổ ở từng giai đoạn, kể cả dự án chưa có bản đồ địa chính.")
    table(register_progress_records(figures, names), REGISTER_PROGRESS_COLS, "Chưa nhập bảng hộ × bước.")
    st.subheader("Kế hoạch trình tự thủ tục của dự án")
    st.caption("Từ trang danh sách bước của bảng hộ × bước (nhập bằng import-register): ngày theo kế hoạch, "
               "cơ quan chủ trì, số ngày tối thiểu; bước chưa làm đã quá ngày kế hoạch tính số ngày chậm.")
    table(procedure_records(figures, names), PROCEDURE_COLS, "Chưa nhập danh sách bước của dự án.")
