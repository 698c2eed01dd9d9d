"""Tài khoản người dùng (admin): the accounts, add one, disable one, reset a password.

Every change goes through :class:`store.accounts.Accounts`, which checks ``manage_users`` itself and
writes the audit row; the page only collects the request and shows the Vietnamese refusal.
"""
from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

TITLE = "Tài khoản người dùng"
ICON = "👥"
ORDER = 90

ADD_FORM, DISABLE_FORM, RESET_FORM = "users_add", "users_disable", "users_reset"


def _done(message: str) -> None:
    st.session_state["users_done"] = message
    st.rerun()


def _attempt(change) -> bool:
    """Run ``change()``; show a refusal in Vietnamese and return False if the store refuses it."""
    from domain.errors import GpmbError

    try:
        change()
    except GpmbError as exc:
        st.error(exc.message_vi)
        return False
    return True


def _add_form(admin, accounts, address) -> None:
    from domain.roles import ROLES
    from vocab.roles import role_label

    with st.form(ADD_FORM, clear_on_submit=True):  # no password kept in the session
        username = st.text_input("Tên đăng nhập (chữ thường không dấu, số, . _ -)")
        display_name = st.text_input("Tên hiển thị")
        role = st.selectbox("Vai trò", ROLES, format_func=role_label)
        communes = st.text_input("Xã, phường của cán bộ xã (cách nhau bởi dấu chấm phẩy)")
        password = st.text_input("Mật khẩu ban đầu (ít nhất 10 ký tự)", type="password")
        units = st.text_input("Đơn vị (mã hoặc tên, ví dụ 183 hay Huyện Cao Lộc; cách nhau bởi dấu chấm phẩy; "
                              "để trống: mọi đơn vị, tài khoản cấp tỉnh)")
        if not st.form_submit_button("Thêm tài khoản", type="primary"):
            return
    names = [c.strip() for c in communes.split(";") if c.strip()]
    unit_names = [u.strip() for u in units.split(";") if u.strip()]
    if _attempt(lambda: accounts.create_account(username, password, role=role, by=admin,
                                                display_name=display_name or None, communes=names,
                                                units=unit_names, client_address=address)):
        _done(f"Đã thêm tài khoản «{username.strip().lower()}».")


def _disable_form(admin, accounts, address, names) -> None:
    with st.form(DISABLE_FORM):
        username = st.selectbox("Tài khoản", names, key="users_disable_name")
        if not st.form_submit_button("Vô hiệu hoá"):
            return
    if _attempt(lambda: accounts.disable(username, by=admin, client_address=address)):
        _done(f"Đã vô hiệu hoá tài khoản «{username}».")


def _reset_form(admin, accounts, address, names) -> None:
    from dashboard.auth import MISMATCH_VI

    with st.form(RESET_FORM, clear_on_submit=True):
        username = st.selectbox("Tài khoản", names, key="users_reset_name")
        password = st.text_input("Mật khẩu mới (ít nhất 10 ký tự)", type="password")
        confirm = st.text_input("Nhập lại mật khẩu mới", type="password")
        if not st.form_submit_button("Đặt lại mật khẩu"):
            return
    if password != confirm:
        st.error(MISMATCH_VI)
    elif _attempt(lambda: accounts.set_password(username, password, by=admin, client_address=address)):
        _done(f"Đã đặt lại mật khẩu của «{username}»; tài khoản cũng được mở khoá.")


def render() -> None:
    from dashboard import auth
    from dashboard.admin_tables import accounts_table

    admin = auth.require_page("manage_users")
    accounts, address = auth.accounts(), auth.client_address()
    st.title(TITLE)
    done = st.session_state.pop("users_done", None)
    if done:
        st.success(done)
    listed = accounts.list()
    st.dataframe(accounts_table(listed, datetime.now(UTC)), hide_index=True, width="stretch")
    active = [a.username for a in listed if a.active]
    with st.expander("Thêm tài khoản", expanded=False):
        _add_form(admin, accounts, address)
    with st.expander("Vô hiệu hoá tài khoản"):
        _disable_form(admin, accounts, address, [n for n in active if n != admin.username])
    with st.expander("Đặt lại mật khẩu"):
        _reset_form(admin, accounts, address, [a.username for a in listed])
