"""The README's nginx configuration (section "HTTPS qua reverse proxy"), without its TLS lines, in front of
``streamlit run app.py``: a browser logs in through the proxy (websocket upgrade of ``/_stcore/stream``),
the audit records the forwarded client address, and a forged ``X-Forwarded-For`` is overwritten.

Runs when an ``nginx`` binary is found (``$GPMB_TEST_NGINX`` or ``PATH``); skipped otherwise.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.store.sources_fixture import write_sources
from tests.support.browser import chromium_path, offline_page
from tests.support.login import admin_app, log_in
from tests.support.stores import copy_store_file, seed_store_file
from tests.support.streamlit_server import REPO, free_port, wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def nginx_binary() -> str:
    found = os.environ.get("GPMB_TEST_NGINX") or shutil.which("nginx")
    if not found:
        pytest.skip("nginx not installed")
    return found


def readme_server_block() -> str:
    """The first ``server { … }`` of the README's nginx snippet."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```nginx\n(.*?)```", readme, re.S).group(1)
    depth, out = 0, []
    for line in snippet.splitlines():
        out.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0 and out and "{" in "".join(out):
            return "\n".join(out)
    raise AssertionError("no complete server block in the README's nginx snippet")


def proxy_config(block: str, listen_port: int, upstream_port: int, folder: Path) -> str:
    """The README block listening on plain HTTP at ``listen_port``, upstream ``upstream_port``, in a
    minimal nginx.conf whose files all live in ``folder``."""
    block = "\n".join(line for line in block.splitlines() if "ssl_certificate" not in line)
    block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen_port};")
    block = block.replace("127.0.0.1:8501", f"127.0.0.1:{upstream_port}")
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    return (f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\nhttp {{\n"
            f"  access_log {folder / 'access.log'};\n  client_body_temp_path {temp['body']};\n"
            f"  proxy_temp_path {temp['proxy']};\n  fastcgi_temp_path {temp['fastcgi']};\n"
            f"  uwsgi_temp_path {temp['uwsgi']};\n  scgi_temp_path {temp['scgi']};\n{block}\n}}\n")


@pytest.fixture
def proxied(tmp_path):
    nginx = nginx_binary()
    chromium_path()
    template, sources = seed_store_file(tmp_path, write_sources, "seed.gpkg")
    url = copy_store_file(template, tmp_path)
    with admin_app(tmp_path, database_url=url, sources_dir=sources,
                   extra_args=("--server.fileWatcherType", "none")) as base:
        port = free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(proxy_config(readme_server_block(), port, int(base.rsplit(":", 1)[1]), tmp_path),
                        encoding="utf-8")
        subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], check=True, capture_output=True)
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                                stderr=subprocess.DEVNULL)
        try:
            assert wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, 30), \
                (tmp_path / "error.log").read_text()
            yield f"http://127.0.0.1:{port}", url, sources
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_login_through_the_readme_nginx_config(proxied):
    from playwright.sync_api import expect

    from store import AuditTrail
    from tests.support.stores import demo_store

    base, url, sources = proxied
    with offline_page() as (page, blocked):
        page.set_extra_http_headers({"X-Forwarded-For": "10.9.9.9"})   # forged by the browser
        log_in(page, base + "/")                                         # the websocket works through nginx
        expect(page.get_by_text("Quản trị", exact=False).first).to_be_visible()
    assert blocked == []
    with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as answer:
        assert answer.status == 200
    the_store = demo_store(url, sources_dir=sources)
    try:
        logins = AuditTrail(the_store).read().query("action == 'login'")
    finally:
        the_store.close()
    assert logins["client_address"].tolist() == ["127.0.0.1 (qua proxy)"]   # nginx's view, not 10.9.9.9
