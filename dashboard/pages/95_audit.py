"""Nhật ký kiểm tra (admin): read the append-only audit trail; filters by day, account and action.

Times are stored in UTC and shown in Vietnam time; the page only reads (the product offers no way to
change the trail: ``store.audit``).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

TITLE = "Nhật ký kiểm tra"
ICON = "🧾"
ORDER = 95

FROM_KEY, TO_KEY = "audit_from", "audit_to"
ACCOUNTS_KEY, ACTIONS_KEY = "audit_accounts", "audit_actions"


def render() -> None:
    from dashboard import auth, state
    from dashboard.admin_tables import VIETNAM_TIME, audit_table, vietnam_day_bounds
    from store import AuditTrail
    from vocab.roles import audit_action_label

    account = auth.require_page("read_audit")
    st.title(TITLE)
    today = datetime.now(UTC).astimezone(VIETNAM_TIME).date()
    left, right = st.columns(2)
    first = left.date_input("Từ ngày", value=today - timedelta(days=30), format="DD/MM/YYYY", key=FROM_KEY)
    last = right.date_input("Đến ngày", value=today, format="DD/MM/YYYY", key=TO_KEY)
    if first > last:
        st.error("«Từ ngày» cần trước hoặc bằng «Đến ngày».")
        return
    # a unit's administrator reads his units' entries only (store.visibility)
    frame = AuditTrail(state.store()).read(*vietnam_day_bounds(first, last), account=account)
    accounts = st.multiselect("Tài khoản", sorted(frame["account"].dropna().unique()), key=ACCOUNTS_KEY,
                              placeholder="Tất cả tài khoản")
    actions = st.multiselect("Thao tác", sorted(frame["action"].unique()), format_func=audit_action_label,
                             placeholder="Tất cả thao tác",
                             key=ACTIONS_KEY)
    table = audit_table(frame, accounts, actions)
    st.caption(f"{len(table)} bản ghi, giờ Việt Nam (UTC+7). Nhật ký chỉ được thêm, không sửa hay xoá được.")
    st.dataframe(table, hide_index=True, width="stretch")
