"""Mốc tiến độ (issue 10): the milestones and rules kept in the store, their change history, and for
the accounts whose role grants ``edit_milestones`` a form to change a milestone and the rules text.

The store checks the role, records every change (who, when, before, after, reason) and, with
maker–checker on, keeps it as a proposal until another account confirms it («Đề xuất chờ duyệt»).
The page only draws the tables (``dashboard.config_tables``) and calls the store; the rules text is
checked by ``milestones.rules_check.validate_rules_text`` before the store is asked.
"""
from __future__ import annotations

import streamlit as st

TITLE = "Mốc tiến độ"
ICON = "🎯"
ORDER = 70

RESULT_KEY = "milestones_result"
CHOICE_KEY, TARGET_KEY, DUE_KEY, LABEL_KEY, REASON_KEY = ("ms_choice", "ms_target", "ms_due", "ms_label",
                                                          "ms_reason")
RULES_KEY, RULES_REASON_KEY = "rules_text", "rules_reason"


def _outcome_message(outcome, done: str) -> tuple[str, str]:
    if not outcome.executed:
        return "info", (f"Đã ghi đề xuất số {outcome.proposal_id}; thay đổi có hiệu lực khi một tài khoản khác "
                        "duyệt ở trang «Đề xuất chờ duyệt».")
    if outcome.result is None:
        return "info", "Không có gì khác với giá trị hiện hành; không ghi gì."
    return "success", done


def _write(call, done: str) -> None:
    """Run a store write; keep its message for the next run, refresh the cached figures, rerun."""
    from domain.errors import GpmbError
    from vocab.escape import markdown_text

    try:
        st.session_state[RESULT_KEY] = _outcome_message(call(), done)
    except GpmbError as exc:
        st.error(markdown_text(exc.message_vi))
        return
    st.cache_data.clear()
    st.rerun()


def _edit_milestone(the_store, milestones, account) -> None:
    from dashboard import auth
    from dashboard.config_tables import form_defaults

    st.subheader("Sửa một mốc")
    ids = milestones["milestone_id"].tolist()
    chosen = st.selectbox("Mốc", ids, key=CHOICE_KEY)
    start = form_defaults(milestones, chosen)
    target = st.number_input("Chỉ tiêu (%)", min_value=0.0, max_value=100.0, step=1.0,
                             value=start["target_percent"], key=f"{TARGET_KEY}_{chosen}")
    due = st.date_input("Hạn", value=start["due_date"], format="DD/MM/YYYY", key=f"{DUE_KEY}_{chosen}")
    label = st.text_input("Tên mốc", value=start["label"], key=f"{LABEL_KEY}_{chosen}")
    reason = st.text_input("Lý do thay đổi (bắt buộc)", key=REASON_KEY)
    if st.button("Lưu mốc", type="primary", key="ms_save", disabled=not reason.strip()):
        changes = {"target_percent": target, "label": label}
        if due is not None:
            changes["due_date"] = due
        _write(lambda: the_store.set_milestone(chosen, changes, actor=account, reason=reason,
                                               client_address=auth.client_address()),
               f"Đã sửa mốc {chosen}.")


def _rules_section(the_store, account, may_edit: bool) -> None:
    from dashboard import auth
    from dashboard.config_tables import history_view
    from milestones.rules_check import validate_rules_text

    st.subheader("Quy tắc tính toán")
    current = the_store.rules_text() or ""
    if not may_edit:
        st.code(current, language="yaml")
    else:
        text = st.text_area("Nội dung (YAML)", value=current, height=320, key=RULES_KEY)
        reason = st.text_input("Lý do thay đổi quy tắc (bắt buộc)", key=RULES_REASON_KEY)
        if st.button("Lưu quy tắc", key="rules_save", disabled=not reason.strip()):
            _write(lambda: the_store.set_rules(text, actor=account, reason=reason, validate=validate_rules_text,
                                               client_address=auth.client_address()),
                   "Đã lưu quy tắc.")
    with st.expander("Lịch sử thay đổi quy tắc"):
        st.dataframe(history_view(the_store.config_history("rules")), hide_index=True, width="stretch",
                     key="rules_history")


def render() -> None:
    from dashboard import auth, state
    from dashboard.config_tables import history_view, milestones_view
    from domain.roles import allows
    from vocab.escape import markdown_text

    account = auth.require_page("read_figures")
    st.title(TITLE)
    st.caption("Mốc và quy tắc lưu trong kho dữ liệu. Báo cáo tại một ngày dùng mốc có hiệu lực vào ngày đó: "
               "thay đổi ghi sau ngày báo cáo không làm đổi báo cáo cũ.")
    result = st.session_state.pop(RESULT_KEY, None)
    if result:
        getattr(st, result[0])(markdown_text(result[1]))
    the_store = state.store()
    milestones = the_store.milestones()
    st.subheader("Mốc đang áp dụng")
    st.dataframe(milestones_view(milestones), hide_index=True, width="stretch", key="milestones_table")
    may_edit = allows(account, "edit_milestones")
    if may_edit and len(milestones):
        _edit_milestone(the_store, milestones, account)
    st.subheader("Lịch sử thay đổi mốc")
    st.dataframe(history_view(the_store.config_history("milestone")), hide_index=True, width="stretch",
                 key="milestones_history")
    _rules_section(the_store, account, may_edit)
