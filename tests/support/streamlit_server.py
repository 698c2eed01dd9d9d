"""``streamlit run app.py`` on a free local port for browser tests, stopped afterwards.

The server runs from the repo root with ``--server.headless true`` on ``127.0.0.1`` and the given
``DATABASE_URL`` / ``GPMB_SOURCES_DIR`` (plus any other environment variables); its output goes to a
log file whose text is shown when it does not start.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (never 8501, the user's default)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 8501:
            return port


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> bool:
    """Poll ``url`` until it answers HTTP 200; ``False`` if ``proc`` exits or ``timeout_s`` (s) passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


@contextlib.contextmanager
def streamlit_app(log_dir: Path, *, database_url: str, sources_dir: Path | str | None = None,
                  extra_env: dict[str, str] | None = None, extra_args: tuple[str, ...] = (),
                  timeout_s: float = 120.0) -> Iterator[str]:
    """Run the dashboard and yield its base URL ``http://127.0.0.1:<port>``.

    Parameters
    ----------
    log_dir
        Folder for ``streamlit.log`` (a test's ``tmp_path``).
    database_url
        ``DATABASE_URL`` of the server (a store the test made, never the user's).
    sources_dir
        ``GPMB_SOURCES_DIR`` of the server; ``None`` keeps the caller's environment.
    extra_env
        More environment variables (``GPMB_ATTRIBUTE_MAPPING`` …).
    extra_args
        More ``streamlit run`` options (``--server.fileWatcherType none`` …).
    timeout_s
        Seconds to wait for ``/_stcore/health``.

    Raises
    ------
    pytest.fail.Exception
        When the server exits or does not answer in time; the message holds its log.
    """
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    if sources_dir is not None:
        env["GPMB_SOURCES_DIR"] = str(sources_dir)
    port = free_port()
    log_path = Path(log_dir) / "streamlit.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             *extra_args],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_healthy(base + "/_stcore/health", proc, timeout_s):
                pytest.fail("streamlit did not start: " + log_path.read_text(encoding="utf-8", errors="replace"))
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
