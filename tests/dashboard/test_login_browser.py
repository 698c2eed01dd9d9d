"""Login in Chromium (issue 9): ``streamlit run app.py`` on a small store with accounts, every non-local
request blocked. An anonymous visit sees only the login form (no project name, no figure); a wrong
password is refused in Vietnamese; a viewer sees the overview but not the upload, import, users or
audit pages; an admin sees users and audit; logout returns to the form; on an empty store the
first-administrator form (from this machine) creates the admin."""
from __future__ import annotations

import re

import pytest

from domain.roles import VIEWER
from store.accounts import LOGIN_FAILED_VI
from tests.store.sources_fixture import make_projects, write_sources
from tests.support.browser import chromium_path, offline_page
from tests.support.login import TEST_PASSWORD, add_account, log_in
from tests.support.stores import copy_store_file, seed_store_file
from tests.support.streamlit_server import streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN_ONLY = ("Nhập bản đồ địa chính", "Tài khoản người dùng", "Nhật ký kiểm tra")
NOT_FOR_VIEWERS = ("Tải lên số liệu kiểm đếm", "Xuất báo cáo", *ADMIN_ONLY)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    chromium_path()  # skips when chromium is not installed
    return seed_store_file(tmp_path_factory.mktemp("login_browser"), write_sources)


@pytest.fixture(scope="module")
def server(seeded, tmp_path_factory):
    """One server for the module on a store with an admin and a viewer (``lan``)."""
    template, sources = seeded
    folder = tmp_path_factory.mktemp("login_server")
    url = copy_store_file(template, folder)
    add_account(url, "admin", sources_dir=sources)
    add_account(url, "lan", VIEWER, sources_dir=sources)
    with streamlit_app(folder, database_url=url, sources_dir=sources,
                       extra_args=("--server.fileWatcherType", "none")) as base:
        yield base


def nav_text(page) -> str:
    return page.locator("[data-testid='stSidebarNav']").inner_text()


def test_anonymous_sees_only_the_login_form_and_a_wrong_password_is_refused(server, tmp_path):
    from playwright.sync_api import expect

    with offline_page(viewport={"width": 1200, "height": 800}) as (page, blocked):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server + "/")
        expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "login.png"), full_page=True)
        body = page.inner_text("body")
        for name in [*make_projects()["name"], *make_projects()["short_name"]]:
            assert name not in body
        assert "%" not in body and not re.search(r"\d+,\d+ ha", body)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        for path in ("/upload", "/parcels"):              # a page's URL shows the same form, nothing else
            page.goto(server + path)
            expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible(timeout=60_000)
            assert "Nguyễn Văn" not in page.inner_text("body") and "Page not found" not in page.inner_text("body")
        page.get_by_label("Tên đăng nhập").fill("admin")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau-123")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_text(LOGIN_FAILED_VI)).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "login_refused.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
    assert blocked == [] and dialogs == []


def test_a_viewer_sees_the_overview_but_not_the_write_and_admin_pages(server, tmp_path):
    from playwright.sync_api import expect

    with offline_page(viewport={"width": 1400, "height": 1000}) as (page, blocked):
        log_in(page, server + "/", "lan")
        expect(page.get_by_text("Lãnh đạo (chỉ xem)")).to_be_visible()
        nav = nav_text(page)
        assert "Tổng quan" in nav and "Bản đồ" in nav and "Tài khoản của tôi" in nav
        assert not [title for title in NOT_FOR_VIEWERS if title in nav]
        expect(page.get_by_text("QL4B").first).to_be_visible(timeout=90_000)   # the overview's figures
        page.screenshot(path=str(tmp_path / "viewer_overview.png"), full_page=True)
        for path in ("/users", "/upload"):            # a page the role may not open, its URL typed
            page.goto(server + path)                  # (the login is kept by the cookie)
            expect(page.get_by_text("không được mở trang này")).to_be_visible(timeout=60_000)
            body = page.inner_text("body")
            assert "Page not found" not in body and "Thêm tài khoản" not in body
            assert not [title for title in NOT_FOR_VIEWERS if title in nav_text(page)]
        page.screenshot(path=str(tmp_path / "viewer_refused.png"), full_page=True)
    assert blocked == []


def test_an_admin_sees_users_and_audit_and_logout_returns_to_the_form(server, tmp_path):
    from playwright.sync_api import expect

    with offline_page(viewport={"width": 1400, "height": 1000}) as (page, blocked):
        log_in(page, server + "/audit", "admin")        # a page's URL opens that page after login
        expect(page.get_by_role("heading", name="Nhật ký kiểm tra")).to_be_visible(timeout=60_000)
        nav = nav_text(page)
        assert all(title in nav for title in ADMIN_ONLY)
        expect(page.get_by_text(re.compile(r"\d+ bản ghi, giờ Việt Nam"))).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Tài khoản người dùng").click()
        expect(page.get_by_role("heading", name="Tài khoản người dùng")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "users.png"), full_page=True)
        page.get_by_role("button", name="Đăng xuất").first.click()
        expect(page.get_by_text("Đã đăng xuất.")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
        page.wait_for_timeout(1000)       # the page list of the logged-in run must go, not linger
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert blocked == []


def test_the_first_admin_form_on_an_empty_store_creates_the_admin(seeded, tmp_path):
    from playwright.sync_api import expect

    from store import Accounts
    from tests.support.stores import demo_store

    template, sources = seeded
    url = copy_store_file(template, tmp_path)
    with streamlit_app(tmp_path, database_url=url, sources_dir=sources,
                       extra_args=("--server.fileWatcherType", "none")) as base, \
            offline_page(viewport={"width": 1200, "height": 900}) as (page, blocked):
        page.goto(base + "/")
        expect(page.get_by_role("button", name="Tạo tài khoản quản trị")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "first_admin.png"), full_page=True)
        page.get_by_label("Tên hiển thị").fill("Trần Quản Trị")
        page.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill(TEST_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Tạo tài khoản quản trị").click()
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=60_000)
        assert "Tài khoản người dùng" in nav_text(page)
    assert blocked == []
    the_store = demo_store(url, sources_dir=sources)
    try:
        admin = Accounts(the_store).get("admin")
        assert admin is not None and admin.role == "admin" and admin.display_name == "Trần Quản Trị"
    finally:
        the_store.close()
