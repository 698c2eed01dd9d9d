"""Network defaults (issue 9): ``streamlit run app.py`` with the repo's ``.streamlit/config.toml`` binds
to loopback only and makes no outbound request at start (Streamlit looks up the external IP at an
outside service unless ``server.address`` is set).

Nothing is patched: the server runs under a Python audit hook (PEP 578) that records every
``socket.bind``, ``socket.connect`` and ``socket.getaddrinfo`` the process makes, and the listening
sockets of its PID are read from ``/proc/<pid>/fd`` and ``/proc/net/tcp*``. A control run without the
repo config (a bare app in an empty folder) shows the hook does see Streamlit's lookups.
"""
from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.support.streamlit_server import REPO, free_port, wait_healthy

pytestmark = pytest.mark.slow

LAUNCHER = r"""
import json, sys
record = open(sys.argv[1], "a", encoding="utf-8")
def hook(event, args):
    if event in ("socket.bind", "socket.connect", "socket.getaddrinfo", "socket.sendto"):
        host = args[0] if event == "socket.getaddrinfo" else args[1]
        host = host[0] if isinstance(host, tuple) else host
        host = host.decode() if isinstance(host, bytes) else str(host)
        record.write(json.dumps([event, host]) + "\n")
        record.flush()
sys.addaudithook(hook)
sys.argv = ["streamlit", "run", "app.py", "--server.headless", "true", "--server.port", sys.argv[2]]
from streamlit.web.cli import main
main()
"""


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.startswith("/"):   # '' and None (every interface) are not loopback
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listening(pid: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of the TCP sockets in LISTEN state owned by ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:   # 0A = TCP_LISTEN
                found.append(fields[1])
    return found


def _hex_is_loopback(local: str) -> bool:
    address = local.split(":")[0]
    if len(address) == 8:   # IPv4, little-endian
        return ipaddress.IPv4Address(bytes.fromhex(address)[::-1]).is_loopback
    raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))
    return ipaddress.IPv6Address(raw).is_loopback


def _run(cwd: Path, record: Path, settle_s: float) -> tuple[list[tuple[str, str]], list[str]]:
    """Start the launcher in ``cwd``; once healthy (and ``settle_s`` later) return the recorded socket
    events ``(event, host)`` and the listening addresses of the process; stop it."""
    port = free_port()
    launcher = record.with_suffix(".py")
    launcher.write_text(LAUNCHER, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{record.parent / 'net.gpkg'}"}
    proc = subprocess.Popen([sys.executable, str(launcher), str(record), str(port)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, 120), "streamlit did not start"
        time.sleep(settle_s)
        listening = _listening(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    events = [tuple(json.loads(line)) for line in record.read_text(encoding="utf-8").splitlines()]
    return events, listening


def test_repo_config_binds_loopback():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert ipaddress.ip_address(config["server"]["address"]).is_loopback
    assert config["browser"]["gatherUsageStats"] is False


def test_streamlit_run_app_opens_no_outside_socket(tmp_path):
    events, listening = _run(REPO, tmp_path / "repo.jsonl", settle_s=3)
    assert listening and all(_hex_is_loopback(a) for a in listening), listening
    assert any(e == "socket.bind" for e, _ in events)           # the hook saw the server's own bind
    outside = [(e, h) for e, h in events if not _is_loopback(h)]
    assert outside == []


def test_control_without_the_config_the_hook_sees_the_lookup(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "app.py").write_text("import streamlit as st\nst.write('x')\n", encoding="utf-8")
    events, listening = _run(bare, tmp_path / "bare.jsonl", settle_s=3)
    outside = [(e, h) for e, h in events if not _is_loopback(h)]
    assert outside, events   # Streamlit's internal/external IP lookups (8.8.8.8, checkip.amazonaws.com …)
    assert not all(_hex_is_loopback(a) for a in listening)       # and it listens on every interface
