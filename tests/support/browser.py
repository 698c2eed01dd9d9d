"""Headless Debian Chromium for the browser tests, offline by construction.

Every request that is not for ``127.0.0.1``/``localhost`` (any port) or a ``file://``, ``data:`` or
``about:`` URL is aborted and recorded, so a test can assert that a page (dashboard, exported HTML)
needs no network: no CDN, no tile server.
"""
from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: The flags every browser test uses (no sandbox in containers; no background traffic of its own).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_LOCAL = re.compile(r"https?://(127\.0\.0\.1|localhost)[:/]")


def chromium_path() -> str:
    """The Chromium executable: ``/usr/bin/chromium``, else ``chromium`` on ``PATH``.

    Raises
    ------
    pytest.skip.Exception
        When neither exists.
    """
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium not installed (needs /usr/bin/chromium)")
    return found


def is_allowed(url: str, *, allow_localhost: bool = True) -> bool:
    """Whether the request gate lets ``url`` through.

    ``file://``, ``data:`` and ``about:`` always pass; ``http(s)://127.0.0.1`` and ``localhost`` pass
    when ``allow_localhost``; everything else is refused.
    """
    if url.startswith(("file://", "data:", "about:")):
        return True
    return allow_localhost and bool(_LOCAL.match(url))


def block_outside(page, *, allow_localhost: bool = True) -> list[str]:
    """Route every request of ``page`` through the gate of :func:`is_allowed`.

    Returns
    -------
    list of str
        The refused URLs, in order; it fills while the page runs.
    """
    blocked: list[str] = []

    def gate(route):
        url = route.request.url
        if is_allowed(url, allow_localhost=allow_localhost):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", gate)
    return blocked


@contextlib.contextmanager
def chromium() -> Iterator:
    """A Playwright ``Browser`` on Debian Chromium with :data:`CHROMIUM_ARGS`, closed afterwards.

    Raises
    ------
    pytest.skip.Exception
        When Chromium is not installed.
    """
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def offline_page(*, allow_localhost: bool = True, **page_options) -> Iterator[tuple]:
    """A new Chromium page whose outside requests are blocked.

    Parameters
    ----------
    allow_localhost
        Let requests to ``127.0.0.1``/``localhost`` through (a streamlit server); ``False`` for pages
        that must work from ``file://`` alone (exported HTML).
    **page_options
        Passed to ``Browser.new_page`` (``viewport=…``).

    Yields
    ------
    (page, blocked)
        The Playwright page and the list of refused URLs (see :func:`block_outside`).
    """
    with chromium() as browser:
        page = browser.new_page(**page_options)
        yield page, block_outside(page, allow_localhost=allow_localhost)


#: The app's own frames (maps, previews), not the zero-height frame that keeps the login cookie
#: (``dashboard/session_cookie``), which every logged-in page draws first.
APP_FRAMES = 'iframe:not([title*="session_cookie"])'


def choose_option(page, select_input, name: str, *, attempts: int = 3, timeout_ms: int = 20_000) -> None:
    """Pick the option ``name`` of a Streamlit select box or multiselect.

    Types the name into the box first, so the option is in the (virtualised) drop-down list however
    long it is, and opens the list again when a rerun of the page closed it between the click and the
    pick (the login-cookie component reruns the page once after log-in).

    Raises
    ------
    playwright TimeoutError
        The option did not appear in ``attempts`` tries.
    """
    option = page.get_by_role("option", name=name, exact=True)
    for attempt in range(attempts):
        try:
            select_input.click()
            select_input.fill(name)
            option.click(timeout=timeout_ms)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(1000)
