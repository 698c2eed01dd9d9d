"""Login in front of app.py (issue 9), in Streamlit's AppTest on a real GeoPackage store with accounts:
the login form and nothing else before login, one refusal for unknown user and wrong password, the
lock-out message, session expiry, a disabled account's session ending, the first-administrator form,
and the account, users and audit pages."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import auth
from domain.roles import VIEWER
from store.accounts import LOGIN_FAILED_VI
from tests.store.sources_fixture import make_projects, write_sources
from tests.support.login import TEST_PASSWORD, add_account, preset_login
from tests.support.stores import copy_store_file, seed_store_file

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_store_file(tmp_path_factory.mktemp("login"), write_sources)


@pytest.fixture
def store_url(tmp_path, seeded, monkeypatch):
    """A copy of the seeded store (no account yet) as the dashboard's ``DATABASE_URL``; fresh caches."""
    template, sources = seeded
    url = copy_store_file(template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def with_admin(store_url, seeded):
    add_account(store_url, "admin", sources_dir=seeded[1])
    add_account(store_url, "lan", VIEWER, sources_dir=seeded[1])
    return store_url


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=90)


def page_app(module: str) -> AppTest:
    return AppTest.from_string(f"import importlib\nimportlib.import_module('dashboard.pages.{module}').render()\n",
                               default_timeout=90)


def shown_text(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "text", "info", "error", "warning", "success")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def log_in(at, username: str, password: str):
    at.text_input(key=auth.USERNAME_KEY).set_value(username)
    at.text_input(key=auth.PASSWORD_KEY).set_value(password)
    return at.button[0].click().run()


def audit_actions(url: str) -> list[tuple[str | None, str, str | None]]:
    from store import AuditTrail
    from tests.support.stores import demo_store

    the_store = demo_store(url)
    try:
        frame = AuditTrail(the_store).read()
    finally:
        the_store.close()
    return [(a if isinstance(a, str) else None, act, c) for a, act, c in
            zip(frame["account"], frame["action"], frame["client_address"], strict=True)]


def test_anonymous_sees_only_the_login_form(with_admin):
    at = app().run()
    assert not at.exception and not at.error
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert not at.date_input and not at.dataframe and not at.table and not at.sidebar.children
    text = shown_text(at)
    assert "Đăng nhập" in text
    for name in make_projects()["name"].tolist() + make_projects()["short_name"].tolist() + ["%", "ha"]:
        assert name not in text


@pytest.mark.parametrize("username", ["admin", "khong-co"])
def test_wrong_password_and_unknown_user_get_one_message(with_admin, username):
    at = log_in(app().run(), username, "sai-mat-khau-123")
    assert [e.value for e in at.error] == [LOGIN_FAILED_VI]
    assert auth.SESSION_KEY not in at.session_state
    assert "login_failed" in [a for _, a, _ in audit_actions(with_admin)]


def test_a_locked_account_is_told_the_minutes_left(with_admin):
    at = app().run()
    for _ in range(5):                     # LockoutPolicy: 5 failures lock for 15 minutes
        log_in(at, "admin", "sai-mat-khau-123")
    log_in(at, "admin", TEST_PASSWORD)     # even the right password is refused while locked
    (message,) = [e.value for e in at.error]
    assert "tạm khoá" in message and ("15 phút" in message or "14 phút" in message)
    assert auth.SESSION_KEY not in at.session_state


def test_a_viewer_logs_in_and_sees_who_and_which_role(with_admin):
    at = log_in(app().run(), "lan", TEST_PASSWORD)
    assert not at.exception
    sidebar = "\n".join(e.value for e in [*at.sidebar.text, *at.sidebar.caption])
    assert "(lan)" in sidebar and "Lãnh đạo (chỉ xem)" in sidebar
    assert at.session_state[auth.SESSION_KEY].account.role == VIEWER
    assert ("lan", "login", None) in audit_actions(with_admin)   # AppTest has no browser: no address


@pytest.mark.parametrize(("started_min", "idle_min", "message"), [
    (9 * 60, 1, auth.ENDED_VI["absolute"]),
    (60, 31, auth.ENDED_VI["idle"]),
])
def test_an_expired_session_returns_to_the_login_form(with_admin, started_min, idle_min, message):
    from store import Accounts
    from tests.support.stores import demo_store

    the_store = demo_store(with_admin)
    account = Accounts(the_store).get("lan")
    the_store.close()
    now = datetime.now(UTC)
    at = preset_login(app(), account, started_at=now - timedelta(minutes=started_min),
                      last_seen_at=now - timedelta(minutes=idle_min)).run()
    assert [i.value for i in at.info] == [message]
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert auth.SESSION_KEY not in at.session_state


def test_a_session_still_valid_is_kept_and_touched(with_admin):
    at = log_in(app().run(), "lan", TEST_PASSWORD)
    first_seen = at.session_state[auth.SESSION_KEY].last_seen_at
    at.run()
    assert at.session_state[auth.SESSION_KEY].last_seen_at > first_seen
    assert auth.PASSWORD_KEY not in [t.key for t in at.text_input]


def test_disabling_an_account_ends_its_session(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    at = log_in(app().run(), "lan", TEST_PASSWORD)
    the_store = demo_store(with_admin)
    accounts = Accounts(the_store)
    accounts.disable("lan", by=accounts.get("admin"))
    the_store.close()
    at.run()
    assert [i.value for i in at.info] == [auth.GONE_VI]
    assert auth.SESSION_KEY not in at.session_state


def test_logout_clears_the_session(with_admin):
    at = log_in(app().run(), "admin", TEST_PASSWORD)
    at.sidebar.button(key="logout_sidebar").click().run()
    assert auth.SESSION_KEY not in at.session_state
    assert [i.value for i in at.info] == [auth.LOGGED_OUT_VI]
    assert ("admin", "logout", None) in audit_actions(with_admin)


def test_first_admin_form_on_an_empty_store_from_this_machine(store_url, monkeypatch):
    monkeypatch.setattr(auth, "request_is_local", lambda: True)
    at = app().run()
    assert "Tạo tài khoản quản trị" in shown_text(at)
    at.text_input(key=auth.NEW_DISPLAY_KEY).set_value("Trần Quản Trị")
    at.text_input(key=auth.NEW_PASSWORD_KEY).set_value(TEST_PASSWORD)
    at.text_input(key=auth.NEW_CONFIRM_KEY).set_value(TEST_PASSWORD + "x")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [auth.MISMATCH_VI]
    at.text_input(key=auth.NEW_PASSWORD_KEY).set_value(TEST_PASSWORD)
    at.text_input(key=auth.NEW_CONFIRM_KEY).set_value(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state[auth.SESSION_KEY].account.role == "admin"
    assert (None, "user_created", None) in audit_actions(store_url)


def test_no_first_admin_form_from_another_machine(store_url):
    at = app().run()   # AppTest has no loopback connection: treated as remote
    assert [w.value for w in at.warning] == [auth.FIRST_ADMIN_REMOTE_VI]
    assert not at.text_input


def test_password_change_on_the_account_page(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    the_store = demo_store(with_admin)
    lan = Accounts(the_store).get("lan")
    at = preset_login(page_app("80_account"), lan).run()
    new = "mat-khau-moi-cua-lan-2026"
    fields = at.text_input
    fields[0].set_value("sai-mat-khau-123")
    fields[1].set_value(new)
    fields[2].set_value(new)
    at.button[0].click().run()
    assert [e.value for e in at.error] == [LOGIN_FAILED_VI]
    at.text_input[0].set_value(TEST_PASSWORD)
    at.text_input[1].set_value(new)
    at.text_input[2].set_value(new)
    at.button[0].click().run()
    assert [s.value for s in at.success] == ["Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản này đã kết thúc."]
    assert Accounts(the_store).authenticate("lan", new).username == "lan"
    the_store.close()


def test_own_password_change_keeps_this_session_and_a_reset_ends_it(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    at = log_in(app().run(), "lan", TEST_PASSWORD)
    session = at.session_state[auth.SESSION_KEY]
    old_token = session.token
    assert old_token and auth.login_tokens().username_of(old_token) == "lan"
    the_store = demo_store(with_admin)
    accounts = Accounts(the_store)
    new = "mat-khau-moi-cua-lan-2026"
    accounts.set_password("lan", new, by=accounts.get("lan"))          # as the account page does it …
    at.session_state[auth.SESSION_KEY].password_seen_at = accounts.get("lan").password_changed_at  # … own change
    at.run()
    assert auth.SESSION_KEY in at.session_state                          # still logged in
    # an administrator's reset, a few seconds later (the store keeps whole seconds)
    later = Accounts(the_store, clock=lambda: datetime.now(UTC) + timedelta(seconds=5))
    later.set_password("lan", new + "-2", by=later.get("admin"))
    the_store.close()
    at.run()
    assert [i.value for i in at.info] == [auth.PASSWORD_CHANGED_VI]
    assert auth.SESSION_KEY not in at.session_state
    assert auth.login_tokens().username_of(old_token) is None            # its token went with it


def test_users_page_adds_and_disables_an_account(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    the_store = demo_store(with_admin)
    accounts = Accounts(the_store)
    at = preset_login(page_app("90_users"), accounts.get("admin")).run()
    assert not at.exception
    assert sorted(at.dataframe[0].value["Tên đăng nhập"]) == ["admin", "lan"]
    at.text_input[0].set_value("hoa")
    at.selectbox[0].set_value("commune_officer")
    at.text_input[2].set_value("Kỳ Lừa")
    at.text_input[3].set_value(TEST_PASSWORD)
    at.text_input[4].set_value("Huyện Cao Lộc")
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert accounts.get("hoa").communes == ("Phường Kỳ Lừa",)
    assert accounts.get("hoa").units == ("183",)  # the unit's name, stored as its code
    table = at.dataframe[0].value.set_index("Tên đăng nhập")
    assert table.loc["hoa", "Đơn vị"] == "183" and table.loc["admin", "Đơn vị"] == "Tất cả (cấp tỉnh)"
    at.selectbox(key="users_disable_name").set_value("lan")
    at.button[1].click().run()
    assert accounts.get("lan").active is False
    the_store.close()


def test_users_page_refuses_a_viewer(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    the_store = demo_store(with_admin)
    lan = Accounts(the_store).get("lan")
    the_store.close()
    at = preset_login(page_app("90_users"), lan).run()
    (message,) = [e.value for e in at.error]
    assert "không được mở trang này" in message and not at.dataframe


def test_audit_page_shows_vietnam_time_and_filters(with_admin):
    from store import Accounts
    from tests.support.stores import demo_store

    log_in(app().run(), "khong-co", "sai-mat-khau-123")        # one login_failed row
    the_store = demo_store(with_admin)
    admin = Accounts(the_store).get("admin")
    the_store.close()
    at = preset_login(page_app("95_audit"), admin).run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert {"Đăng nhập thất bại", "Tạo tài khoản"} <= set(table["Thao tác"])
    at.multiselect(key="audit_actions").set_value(["login_failed"]).run()
    table = at.dataframe[0].value
    assert table["Thao tác"].tolist() == ["Đăng nhập thất bại"]
    assert table["Đối tượng"].tolist() == ["account:khong-co"]
