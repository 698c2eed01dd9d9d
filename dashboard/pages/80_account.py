"""Tài khoản: the logged-in account, its own password change, logout (every role)."""
from __future__ import annotations

import streamlit as st

TITLE = "Tài khoản của tôi"
ICON = "👤"
ORDER = 80


def render() -> None:
    from dashboard import auth
    from vocab.roles import role_label

    account = auth.require_page(None)
    st.title(TITLE)
    st.text(f"Tên đăng nhập: {account.username}\nTên hiển thị: {account.display_name}")
    st.caption(f"Vai trò: {role_label(account.role)}"
               + (f" – xã, phường: {', '.join(account.communes)}" if account.communes else ""))
    st.subheader("Đổi mật khẩu")
    auth.password_change_form(account)
    st.subheader("Đăng xuất")
    if st.button("Đăng xuất", key="logout_page"):
        auth.logout()
