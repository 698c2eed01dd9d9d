"""Đề xuất chờ duyệt (maker–checker, issue 9): a revert, a restore or a layer replacement that removes parcels
is proposed by one account and carried out only when another confirms. The store checks who may decide
(not the proposer, with the action's role) and audits every decision; the page only offers the buttons.
An administrator also switches maker–checker on or off here (a one-person office), audited.
"""
from __future__ import annotations

import streamlit as st

TITLE = "Đề xuất chờ duyệt"
ICON = "✅"
ORDER = 85

CHOICE_KEY, REASON_KEY, RESULT_KEY = "proposal_choice", "proposal_reason", "proposal_result"


def _decide(the_store, proposal_id: int, decision: str, reason: str) -> tuple[str, str]:
    """Run ``decision`` (confirm | reject | cancel) as the logged-in account; (kind, Vietnamese message)."""
    from dashboard import auth
    from domain.errors import GpmbError

    who = {"actor": auth.current_account(), "client_address": auth.client_address()}
    try:
        if decision == "confirm":
            the_store.confirm_proposal(proposal_id, **who)
            return "success", f"Đã duyệt và thực hiện đề xuất số {proposal_id}."
        if decision == "reject":
            the_store.reject_proposal(proposal_id, reason=reason, **who)
            return "success", f"Đã từ chối đề xuất số {proposal_id}."
        the_store.cancel_proposal(proposal_id, **who)
        return "success", f"Đã huỷ đề xuất số {proposal_id}."
    except GpmbError as exc:
        return "error", exc.message_vi


def _pending_section(the_store) -> None:
    from dashboard import auth
    from dashboard.admin_tables import proposals_table

    pending = the_store.proposals("pending", account=auth.current_account())  # those of his units only
    st.subheader("Đang chờ duyệt")
    if pending.empty:
        st.info("Không có đề xuất nào đang chờ duyệt.")
        return
    st.dataframe(proposals_table(pending), hide_index=True, width="stretch", key="proposals_pending")
    ids = pending["proposal_id"].astype(int).tolist()[::-1]
    chosen = st.selectbox("Đề xuất", ids, key=CHOICE_KEY, format_func=lambda i: f"Đề xuất số {i}")
    reason = st.text_input("Lý do (bắt buộc khi từ chối)", key=REASON_KEY)
    confirm, reject, cancel = st.columns(3)
    decision = None
    if confirm.button("Duyệt và thực hiện", type="primary", key="proposal_confirm"):
        decision = "confirm"
    if reject.button("Từ chối", key="proposal_reject", disabled=not reason.strip()):
        decision = "reject"
    if cancel.button("Huỷ (người đề xuất)", key="proposal_cancel"):
        decision = "cancel"
    if decision:
        st.session_state[RESULT_KEY] = _decide(the_store, int(chosen), decision, reason.strip())
        st.cache_data.clear()
        st.rerun()


def _setting_section(the_store) -> None:
    from dashboard import auth
    from domain.errors import GpmbError
    from domain.roles import allows
    from store.settings import Settings

    settings = Settings(the_store)
    on = settings.get("maker_checker") == "on"
    st.subheader("Cài đặt duyệt hai người (maker–checker)")
    st.write("Đang **bật**: thao tác xoá/hoàn tác cần người thứ hai duyệt." if on else
             "Đang **tắt**: thao tác chạy ngay; nhật ký ghi «không qua bước duyệt».")
    account = auth.current_account()
    if not allows(account, "change_settings"):
        return
    if st.button("Tắt (văn phòng một người)" if on else "Bật lại", key="maker_checker_toggle"):
        try:
            settings.set("maker_checker", "off" if on else "on", actor=account, client_address=auth.client_address())
            st.session_state[RESULT_KEY] = ("success", "Đã lưu cài đặt.")
        except GpmbError as exc:
            st.session_state[RESULT_KEY] = ("error", exc.message_vi)
        st.rerun()


def _history_section(the_store) -> None:
    from dashboard import auth
    from dashboard.admin_tables import proposals_table

    decided = the_store.proposals(account=auth.current_account())
    decided = decided[decided["status"] != "pending"]
    if not decided.empty:
        with st.expander(f"Đã quyết định ({len(decided)})"):
            st.dataframe(proposals_table(decided), hide_index=True, width="stretch", key="proposals_done")


def render() -> None:
    from dashboard import auth, state

    auth.require_page("revert")
    st.title(TITLE)
    result = st.session_state.pop(RESULT_KEY, None)
    if result:
        getattr(st, result[0])(result[1])
    the_store = state.store()
    _pending_section(the_store)
    _history_section(the_store)
    _setting_section(the_store)
