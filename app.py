"""GPMB Tracker dashboard: ``streamlit run app.py``.

Nothing is shown before login (issue 9): :func:`dashboard.auth.login_screen` draws the login form
(or, on a store without accounts and from this machine, the first-administrator form) and nothing else
until an account of the store logs in. Then the navigation holds only the pages the account's role may
open (:mod:`dashboard.access`), and the sidebar shows who is logged in.

Builds the navigation from ``dashboard/pages/*.py`` (each module defines TITLE, ICON, ORDER and
render()), draws the shared sidebar (as-of date picker and filters, see ``dashboard.state``) and a
footer with the data caveats and attributions. The store is ``$DATABASE_URL`` or ``data/gpmb.gpkg``.

No traceback reaches the screen: the sidebar and the page run inside :func:`shown_as_message`, which
shows a :class:`domain.errors.GpmbError`'s ``message_vi`` with ``st.error`` and anything unexpected as a
short Vietnamese message (the traceback goes to the server log). ``.streamlit/config.toml`` sets
``showErrorDetails = "none"`` for whatever escapes.
"""
from __future__ import annotations

import contextlib
import logging

import streamlit as st

from dashboard import access, auth, pages, state
from domain.errors import GpmbError

log = logging.getLogger("app")

UNEXPECTED_VI = ("Đã xảy ra lỗi ngoài dự kiến, phần này của trang chưa hiển thị được. Chi tiết kỹ thuật đã được "
                 "ghi vào nhật ký máy chủ ({kind}).")

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


@contextlib.contextmanager
def shown_as_message():
    """Run the block; show its error as a Vietnamese ``st.error`` instead of a traceback.

    A :class:`GpmbError` shows its ``message_vi``; any other exception :data:`UNEXPECTED_VI` (logged
    with its traceback). Streamlit's own control flow (``st.stop()``, ``st.rerun()``) derives from
    ``BaseException`` and passes through.
    """
    try:
        yield
    except GpmbError as exc:
        log.info("refused: %s", exc.message_vi)
        st.error(exc.message_vi)
    except Exception as exc:
        log.exception("dashboard page failed")
        st.error(UNEXPECTED_VI.format(kind=type(exc).__name__))


def _nothing() -> None:
    """What every page draws before login (the form is drawn by :func:`dashboard.auth.login_screen`)."""


def _hidden_navigation(found: list[pages.PageInfo]) -> None:
    """Before login: every page's URL known but drawing nothing, the page list hidden. A page's URL
    (``/upload``) then shows the login form without Streamlit's "Page not found" dialog and opens that
    page after login; the browser drops the page list a logged-out session showed."""
    st.navigation([st.Page(_nothing, title="Đăng nhập", url_path=p.url_path, default=(i == 0))
                   for i, p in enumerate(found)] or [st.Page(_nothing, title="Đăng nhập")], position="hidden")


def _refusal(page: pages.PageInfo):
    """What a page the role may not open draws when its URL is typed (kept with a reload): the Vietnamese
    refusal of :func:`dashboard.auth.require_page`, not Streamlit's English «Page not found»."""
    def refused() -> None:
        auth.refuse_page()

    refused.__name__ = f"refused_{page.url_path}"
    return refused


def main() -> None:
    """Entry point run by Streamlit on every rerun."""
    st.set_page_config(page_title="GPMB Tracker – Tiến độ GPMB", page_icon="🗺️", layout="wide")
    found, failures = pages.discover()
    account = None
    with shown_as_message():
        account = auth.session_account()
        if account is None:  # the login form only: no page, no figures, no footer naming projects
            _hidden_navigation(found)  # first: a login sent while the form draws keeps the page's URL
            auth.login_screen()
    # a reload keeps the login (dashboard.auth): the token in the browser's cookie, written by a zero-height frame
    # drawn before the page, so a reload soon after the login still finds it (browser tests skip this frame:
    # tests.support.browser.APP_FRAMES); logged out, a cookie the server no longer takes is expired
    auth.sync_cookie()
    if account is None:
        return
    allowed = access.visible_pages(account, found)
    if not allowed:
        st.error("Không có trang nào dành cho vai trò của tài khoản này.")
        auth.sidebar_identity(account)
        return
    nav = [
        st.Page(p.render, title=p.title, icon=p.icon, url_path=p.url_path, default=(i == 0))
        for i, p in enumerate(allowed)
    ] + [st.Page(_refusal(p), title=p.title, url_path=p.url_path, visibility="hidden")
         for p in found if p not in allowed]
    current = st.navigation(nav, expanded=True)  # every page listed (15 for an admin), no «View more»
    st.sidebar.markdown("### GPMB Tracker")
    auth.sidebar_identity(account)
    auth.expiry_watch()
    for _, message in failures:
        st.sidebar.warning(message)
    with shown_as_message():  # a sidebar that failed leaves no as-of date for the page: skip both
        state.render_sidebar()
        state.render_store_footer()
        current.run()
    st.divider()
    st.caption(FOOTER_MD)


logging.basicConfig(level=logging.INFO)
main()
