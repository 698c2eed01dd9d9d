"""A logged-in dashboard session for tests (issue 9: every page is behind the login form).

Two ways in, one module:

- **AppTest** (``streamlit.testing``): :func:`preset_login` puts a
  :class:`dashboard.auth.LoginSession` into the test's session state, and :func:`stub_accounts` lets
  ``dashboard.auth`` re-read the account from a list instead of a store (for the synthetic store of
  ``tests/dashboard``, which has no accounts table).
- **Browser** (a real ``streamlit run app.py``): :func:`add_account` creates an account in the test
  store before the server starts, :func:`log_in` fills the login form in Chromium (after clearing the
  browser's cookies: a reload keeps a login through the ``gpmb_session`` cookie, and a test switching
  accounts must not inherit the previous one).
  :func:`admin_app` starts the server on a store with that administrator: the one place the
  browser tests of the pages get their logged-in session.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from domain.roles import ADMIN, Account

#: Password of every test account (long enough for ``domain.login.MIN_PASSWORD_LENGTH``).
TEST_PASSWORD = "mat-khau-thu-nghiem-2026"
#: The account :func:`preset_login` uses unless told otherwise.
TEST_ADMIN = Account(username="admin", display_name="Quản trị thử nghiệm", role=ADMIN)


class StubAccounts:
    """The reading half of :class:`store.accounts.Accounts` over a fixed list of accounts."""

    def __init__(self, accounts: Iterable[Account]) -> None:
        self.by_name = {a.username: a for a in accounts}

    def get(self, username: str) -> Account | None:
        return self.by_name.get(username)

    def count(self) -> int:
        return len(self.by_name)

    def list(self) -> list[Account]:
        return sorted(self.by_name.values(), key=lambda a: a.username)


def stub_accounts(monkeypatch, *accounts: Account) -> StubAccounts:
    """Make ``dashboard.auth.accounts()`` return a :class:`StubAccounts` of ``accounts`` (default
    :data:`TEST_ADMIN`) for the rest of the test."""
    from dashboard import auth

    stub = StubAccounts(accounts or (TEST_ADMIN,))
    monkeypatch.setattr(auth, "accounts", lambda: stub)
    return stub


def preset_login(at, account: Account = TEST_ADMIN, *, started_at: datetime | None = None,
                 last_seen_at: datetime | None = None):
    """Log ``account`` into the AppTest ``at`` (times default to now, UTC); returns ``at``."""
    from dashboard import auth

    now = datetime.now(UTC)
    at.session_state[auth.SESSION_KEY] = auth.LoginSession(
        account=account, started_at=started_at or now, last_seen_at=last_seen_at or started_at or now)
    return at


def add_account(database_url: str, username: str = "admin", role: str = ADMIN, *,
                password: str = TEST_PASSWORD, sources_dir: Path | str | None = None,
                communes: Iterable[str] = ()) -> Account:
    """Create an account in the store at ``database_url`` (the first one must be an admin; later ones
    are created by the first admin). Uses cheap argon2id parameters (the server verifies any
    parameters and rehashes to its own at the first login)."""
    from argon2 import PasswordHasher

    from store import Accounts
    from tests.support.stores import demo_store

    store = demo_store(database_url, sources_dir=sources_dir)
    try:
        accounts = Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        admins = [a for a in accounts.list() if a.role == ADMIN and a.active]
        return accounts.create_account(username, password, role=role, by=admins[0] if admins else None,
                                       communes=communes, client_address="tests")
    finally:
        store.close()


def log_in(page, url: str, username: str = "admin", password: str = TEST_PASSWORD,
           timeout_ms: float = 120_000) -> None:
    """Open ``url`` in the Playwright ``page``, fill the login form and wait until the sidebar shows
    the logout button (the page at ``url`` is then drawn for the account). The context's cookies are
    cleared first, so a login kept by the browser (``gpmb_session``) never stands in for this one."""
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("Tên đăng nhập").fill(username, timeout=timeout_ms)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=timeout_ms)


@contextlib.contextmanager
def admin_app(log_dir: Path, *, database_url: str, sources_dir: Path | str | None = None,
              **server_options) -> Iterator[str]:
    """:func:`tests.support.streamlit_server.streamlit_app` on a store holding the administrator
    ``admin`` / :data:`TEST_PASSWORD` (created first when the store has no account); yields the base
    URL. Open pages with :func:`log_in` (``log_in(page, base + "/upload")``)."""
    from store import Accounts
    from tests.support.stores import demo_store
    from tests.support.streamlit_server import streamlit_app

    store = demo_store(database_url, sources_dir=sources_dir)
    try:
        empty = Accounts(store).count() == 0
    finally:
        store.close()
    if empty:
        add_account(database_url, "admin", sources_dir=sources_dir)
    with streamlit_app(log_dir, database_url=database_url, sources_dir=sources_dir, **server_options) as base:
        yield base


@contextlib.contextmanager
def seeded_admin_app(tmp_path: Path):
    """A Streamlit server on a store seeded from the test sources (``tests.ingest.fixture_data``) with
    the installer's administrator; yields ``(url, database_url, sources_dir)``. Skips without Chromium.

    The one set-up of the upload, personal-data, commune-officer and maker–checker browser tests."""
    import os
    import subprocess
    import sys

    from tests.ingest.fixture_data import write_sources
    from tests.support.browser import chromium_path
    from tests.support.streamlit_server import REPO

    chromium_path()
    sources = write_sources(tmp_path / "sources")
    database_url = f"sqlite:///{tmp_path / 'e2e.gpkg'}"
    env = {**os.environ, "DATABASE_URL": database_url, "GPMB_SOURCES_DIR": str(sources)}
    subprocess.run([sys.executable, "-c", "from tests.support.stores import demo_store; demo_store().close()"], cwd=REPO, env=env,
                   check=True, timeout=120)
    with admin_app(tmp_path, database_url=database_url, sources_dir=sources,
                   extra_args=("--server.fileWatcherType", "none", "--server.runOnSave", "false")) as url:
        yield url, database_url, sources
