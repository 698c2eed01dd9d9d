"""Login in front of every page (issue 9): the login form, the session, logout, password change.

Local accounts of the store (:class:`store.accounts.Accounts`: argon2id hashes, lock-out, audit of
failed logins); nothing here hashes or compares a password. The session lives in
``st.session_state`` (one per browser tab) and ends after :class:`domain.login.SessionPolicy` (30 min
idle, 8 h after login), checked on every rerun. A reload or a typed URL starts a new Streamlit session:
it takes the login back from the browser's cookie ``gpmb_session`` (:mod:`domain.login_tokens`: a
random token, only its hash kept, in this server process) while the session has not expired and the
password has not changed since; audited as ``login_resumed``. Logout and a password change end it.

* :func:`session_account` – called first by ``app.py`` on every rerun: the logged-in account, or
  ``None``; then :func:`login_screen` draws the login form (or, on a store with no account and a
  request from this machine, the "Tạo tài khoản quản trị" form).
* :func:`current_account` – the logged-in :class:`domain.roles.Account` for pages and the layer
  below (``None`` before login).
* :func:`require_page` – a page's own check (refuses and stops unless the role grants the action).
* :func:`expiry_watch` – an open page returns to the login form once its session expires, even idle.
* :func:`logout`, :func:`password_change_form`, :func:`sidebar_identity`, :func:`client_address`.

Logins and logouts are recorded in the audit (``login``/``logout``) with the client address.
"""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import streamlit as st

from dashboard import access, session_cookie, session_files, state
from domain.errors import GpmbError
from domain.login import SESSION_ABSOLUTE, SESSION_IDLE, SessionPolicy, session_expiry
from domain.login_tokens import LoginTokens
from domain.roles import ADMIN, Account
from vocab.roles import role_label

if TYPE_CHECKING:
    from store import Accounts
    from store.store import Store

log = logging.getLogger(__name__)

#: Session-state keys (also used by tests to preset a session).
SESSION_KEY = "auth_session"
FLASH_KEY = "auth_flash"
#: Widget keys of the forms.
USERNAME_KEY, PASSWORD_KEY = "login_username", "login_password"
NEW_USERNAME_KEY, NEW_DISPLAY_KEY = "first_admin_username", "first_admin_display_name"
NEW_PASSWORD_KEY, NEW_CONFIRM_KEY = "first_admin_password", "first_admin_confirm"

SESSION_POLICY = SessionPolicy()
#: How often an open page checks, without counting as activity, whether its session has expired.
EXPIRY_CHECK_EVERY = timedelta(minutes=1)

ENDED_VI = {
    SESSION_IDLE: "Phiên làm việc đã hết hạn do không thao tác quá 30 phút; hãy đăng nhập lại.",
    SESSION_ABSOLUTE: "Phiên làm việc đã quá 8 giờ kể từ khi đăng nhập; hãy đăng nhập lại.",
}
GONE_VI = "Tài khoản không còn hoạt động; hãy liên hệ quản trị viên."
PASSWORD_CHANGED_VI = "Mật khẩu của tài khoản vừa được đổi; hãy đăng nhập lại bằng mật khẩu mới."
LOGGED_OUT_VI = "Đã đăng xuất."
MISMATCH_VI = "Hai lần nhập mật khẩu mới không khớp."
NOT_LOGGED_IN_VI = "Cần đăng nhập để xem trang này."
PAGE_REFUSED_VI = "Tài khoản «{username}» ({role}) không được mở trang này."
FIRST_ADMIN_REMOTE_VI = (
    "Kho dữ liệu chưa có tài khoản nào. Người cài đặt tạo tài khoản quản trị đầu tiên trên chính máy chủ: "
    "mở http://127.0.0.1:8501 trên máy đó, hoặc chạy `python cli.py users add admin --role admin "
    "--password-stdin`.")
#: Headers a reverse proxy adds: a request carrying one did not come straight from this machine.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass
class LoginSession:
    """One browser session's login: the account (re-read from the store on every rerun) and times (UTC)."""

    account: Account
    started_at: datetime
    last_seen_at: datetime
    #: The login token kept in the browser's cookie (:mod:`domain.login_tokens`); ``None`` under AppTest presets.
    token: str | None = None
    #: ``account.password_changed_at`` as this session knows it: a later change (an administrator's reset,
    #: ``cli.py users set-password``) ends the session.
    password_seen_at: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------------- the store side
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_accounts(_the_store: Store, store_id: int) -> Accounts:
    from store import Accounts  # imported late: the dashboard starts even if the store is broken

    return Accounts(_the_store)  # one per store: its dummy hash (for unknown users) is made once


@st.cache_resource(show_spinner=False)
def login_tokens() -> LoginTokens:
    """The login tokens of this dashboard process (one registry for every browser session)."""
    return LoginTokens(SESSION_POLICY)


def accounts() -> Any:
    """:class:`store.accounts.Accounts` of the dashboard's store (:func:`dashboard.state.store`)."""
    the_store = state.store()
    return _cached_accounts(the_store, id(the_store))


def _audit(account: Account, action: str) -> None:
    from store import AuditTrail

    try:
        AuditTrail(state.store()).append(actor=account, action=action, target=f"account:{account.username}",
                                         client_address=client_address())
    except Exception:  # a login must not fail because its audit row could not be written: log it
        log.exception("audit %s of %s not recorded", action, account.username)


# ------------------------------------------------------------------------------------ the client
def address_of(headers: Mapping[str, str], ip_address: str | None) -> str | None:
    """The browser's address for the audit, from the request ``headers`` and Streamlit's
    ``ip_address`` (``None`` for loopback): the first ``X-Forwarded-For`` entry behind a reverse proxy
    (as the proxy reports it, noted ``qua proxy``), else ``ip_address``, else ``127.0.0.1`` for a
    browser on this machine; ``None`` with no browser (no headers)."""
    forwarded = (headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    if forwarded:
        return f"{forwarded} (qua proxy)"
    if ip_address:
        return ip_address
    return "127.0.0.1" if headers else None


def _is_loopback_host(host: str) -> bool:
    """Whether a ``Host`` header (``127.0.0.1:8501``, ``localhost``, ``[::1]:8501``) names this machine."""
    name = host.strip()
    if name.startswith("["):
        name = name[1:name.find("]")]
    elif name.count(":") == 1:
        name = name.split(":")[0]
    if name.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_local(headers: Mapping[str, str], ip_address: str | None) -> bool:
    """Whether the browser runs on this machine: a loopback connection (Streamlit reports it as
    ``ip_address`` ``None``), a loopback ``Host`` and no reverse-proxy header (:data:`FORWARDING_HEADERS`)."""
    if not headers or ip_address is not None:
        return False
    if any(headers.get(name) for name in FORWARDING_HEADERS):
        return False
    return _is_loopback_host(headers.get("Host", ""))


def _request() -> tuple[Mapping[str, str], str | None]:
    """This session's request headers and non-loopback address (``st.context``; headers are empty
    and the address is no ``str`` without a browser, as under AppTest)."""
    headers, ip = st.context.headers, st.context.ip_address
    return (headers, ip) if headers else ({}, None)


def client_address() -> str | None:
    """:func:`address_of` this session's request."""
    return address_of(*_request())


def request_is_local() -> bool:
    """:func:`is_local` for this session's request: may the first administrator be created here?"""
    return is_local(*_request())


# ----------------------------------------------------------------------------------- the session
def current_account() -> Account | None:
    """The logged-in account of this browser session, or ``None`` (checked by ``app.py`` first)."""
    session = st.session_state.get(SESSION_KEY)
    return session.account if isinstance(session, LoginSession) else None


def require_page(action: str | None) -> Account:
    """The logged-in account if its role grants ``action`` (see :func:`dashboard.access.grants`);
    otherwise a Vietnamese refusal and ``st.stop()``. A page's own check, under the navigation's."""
    account = current_account()
    if account is None:
        st.error(NOT_LOGGED_IN_VI)
        st.stop()
    if not access.grants(account, action):
        refuse_page()
    return account


def refuse_page() -> None:
    """Tell the logged-in account that its role may not open this page, and stop the page."""
    account = current_account()
    if account is None:
        st.error(NOT_LOGGED_IN_VI)
    else:
        st.error(PAGE_REFUSED_VI.format(username=account.username, role=role_label(account.role)))
    st.stop()


def _start(account: Account) -> None:
    now = _now()
    token = login_tokens().issue(account.username, now, account.password_changed_at)
    st.session_state[SESSION_KEY] = LoginSession(account=account, started_at=now, last_seen_at=now, token=token,
                                                 password_seen_at=account.password_changed_at)
    _audit(account, "login")


def _end(message: str) -> None:
    """Forget this session's login and everything the pages kept in it (the next user sees nothing)."""
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, LoginSession):
        login_tokens().revoke(session.token)
    st.session_state.clear()
    st.session_state[FLASH_KEY] = message


def _resumed() -> Account | None:
    """The login the browser's cookie carries (a reload, a typed URL), or ``None``: no cookie, or a token
    this process does not take back (unknown, expired, password changed since, account disabled)."""
    token = session_cookie.request_token()
    username = login_tokens().username_of(token)
    if username is None:
        return None
    fresh = accounts().get(username)
    if fresh is None or not fresh.active:
        login_tokens().revoke(token)
        return None
    now = _now()
    taken = login_tokens().resume(token, now, fresh.password_changed_at)
    if taken is None:
        return None
    st.session_state[SESSION_KEY] = LoginSession(account=fresh, started_at=taken.started_at, last_seen_at=now,
                                                 token=token, password_seen_at=taken.password_seen_at)
    _audit(fresh, "login_resumed")
    return fresh


def _continued(session: LoginSession) -> Account | None:
    """The session's account re-read from the store, or ``None`` (session ended) when it expired or
    the account was disabled or removed meanwhile."""
    now = _now()
    reason = session_expiry(session.started_at, session.last_seen_at, now, SESSION_POLICY)
    if reason is not None:
        _end(ENDED_VI[reason])
        return None
    fresh = accounts().get(session.account.username)
    if fresh is None or not fresh.active:
        _end(GONE_VI)
        return None
    if session.password_seen_at is not None and fresh.password_changed_at != session.password_seen_at:
        _end(PASSWORD_CHANGED_VI)
        return None
    session.account, session.last_seen_at = fresh, now
    login_tokens().touch(session.token, now)
    return fresh


@st.fragment(run_every=EXPIRY_CHECK_EVERY)
def expiry_watch() -> None:
    """Every :data:`EXPIRY_CHECK_EVERY`, without counting as activity: once the session has expired,
    rerun the app (back to the login form), so an idle tab does not keep its figures on screen."""
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, LoginSession) and session_expiry(session.started_at, session.last_seen_at, _now(),
                                                            SESSION_POLICY):
        st.rerun(scope="app")


def session_account() -> Account | None:
    """The logged-in account of this session, re-read from the store; ``None`` when nobody is logged
    in or the session just ended (expired, account disabled: a message for :func:`login_screen`).
    Called by ``app.py`` before anything else on every rerun."""
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, LoginSession):
        return _continued(session)
    if st.session_state.get(FLASH_KEY):   # this session just ended: the cookie's token is gone with it
        return None
    return _resumed()


def sync_cookie() -> None:
    """Keep the browser's cookie in line with this session: the token while logged in, expired when the
    browser sent one and nobody is logged in. Called by ``app.py`` on every rerun, after the login check."""
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, LoginSession) and session.token:
        session_cookie.write(session.token, SESSION_POLICY)
    elif session_cookie.request_token() is not None:
        session_cookie.clear()


def login_screen() -> None:
    """The form to log in, or on a store with no account the form to create the first administrator
    (only for a browser on this machine); after the message of a session that just ended."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.info(flash)
    if accounts().count() == 0:
        _first_admin_form()
    else:
        _login_form()


def logout() -> None:
    """End the session (audited as ``logout``) and go back to the login form."""
    account = current_account()
    if account is not None:
        _audit(account, "logout")
    session_files.cleanup_session_temp()  # (the session's token is revoked by _end)  # this session's uploads leave the disk with it
    _end(LOGGED_OUT_VI)
    st.rerun()


# ------------------------------------------------------------------------------------- the forms
def _login_form() -> None:
    st.title("GPMB Tracker – Đăng nhập")
    with st.form("login_form", clear_on_submit=True):  # no password left in the session
        username = st.text_input("Tên đăng nhập", key=USERNAME_KEY)
        password = st.text_input("Mật khẩu", type="password", key=PASSWORD_KEY)
        submitted = st.form_submit_button("Đăng nhập", type="primary")
    if not submitted:
        return
    try:
        account = accounts().authenticate(username, password, client_address=client_address())
    except GpmbError as exc:  # unknown user / wrong password (one message), locked, disabled
        st.error(exc.message_vi)
        return
    _start(account)
    st.rerun()


def _first_admin_form() -> None:
    st.title("GPMB Tracker – Tạo tài khoản quản trị")
    if not request_is_local():
        st.warning(FIRST_ADMIN_REMOTE_VI)
        return
    st.info("Kho dữ liệu chưa có tài khoản nào. Hãy tạo tài khoản quản trị đầu tiên; sau đó quản trị viên "
            "thêm tài khoản cho các cán bộ ở trang «Tài khoản người dùng».")
    with st.form("first_admin_form", clear_on_submit=True):
        username = st.text_input("Tên đăng nhập", value="admin", key=NEW_USERNAME_KEY)
        display_name = st.text_input("Tên hiển thị", key=NEW_DISPLAY_KEY)
        password = st.text_input("Mật khẩu (ít nhất 10 ký tự)", type="password", key=NEW_PASSWORD_KEY)
        confirm = st.text_input("Nhập lại mật khẩu", type="password", key=NEW_CONFIRM_KEY)
        submitted = st.form_submit_button("Tạo tài khoản quản trị", type="primary")
    if not submitted:
        return
    if password != confirm:
        st.error(MISMATCH_VI)
        return
    try:
        account = accounts().create_account(username, password, role=ADMIN, by=None,
                                            display_name=display_name or None, client_address=client_address())
    except GpmbError as exc:
        st.error(exc.message_vi)
        return
    _start(account)
    st.rerun()


def password_change_form(account: Account) -> None:
    """Change the account's own password: the current one is checked by a login (failures count
    towards the lock-out and are audited), the new one by :func:`domain.login.check_new_password`."""
    with st.form("password_change_form", clear_on_submit=True):
        current = st.text_input("Mật khẩu hiện tại", type="password")
        new = st.text_input("Mật khẩu mới (ít nhất 10 ký tự)", type="password")
        confirm = st.text_input("Nhập lại mật khẩu mới", type="password")
        submitted = st.form_submit_button("Đổi mật khẩu", type="primary")
    if not submitted:
        return
    if new != confirm:
        st.error(MISMATCH_VI)
        return
    try:
        accounts().authenticate(account.username, current, client_address=client_address())
        accounts().set_password(account.username, new, by=account, client_address=client_address())
    except GpmbError as exc:
        st.error(exc.message_vi)
        return
    _renew_after_own_password_change(account.username)
    st.success("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản này đã kết thúc.")


def _renew_after_own_password_change(username: str) -> None:
    """This session goes on under the new password (same absolute limit, a new token); every other
    session of the account ends (its token revoked; an open tab sees the change on its next rerun)."""
    session = st.session_state.get(SESSION_KEY)
    fresh = accounts().get(username)
    if not isinstance(session, LoginSession) or fresh is None:
        return
    login_tokens().revoke_user(username)
    session.password_seen_at = fresh.password_changed_at
    session.token = login_tokens().issue(username, _now(), fresh.password_changed_at, started_at=session.started_at)


def sidebar_identity(account: Account) -> None:
    """Who is logged in and the role, with a logout button (plain text: names are not Markdown)."""
    st.sidebar.text(f"👤 {account.display_name} ({account.username})")
    st.sidebar.caption(f"Vai trò: {role_label(account.role)}")
    if st.sidebar.button("Đăng xuất", key="logout_sidebar"):
        logout()
