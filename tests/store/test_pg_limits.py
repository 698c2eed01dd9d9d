"""PostgreSQL limits (issue 10): a writer waiting for the lock, a statement too long, a silent client and a
frozen link each fail in bounded time with a Vietnamese message, leaving nothing half-written.

The frozen link is real on the client's side: the store connects through a TCP forwarder started here
that stops reading and forwarding in the middle of the COPY of an upload (as a link that freezes
mid-transfer does); the client must give up by its ``tcp_user_timeout`` with the Vietnamese message,
nothing half-written, and once the link is gone another writer gets the write lock.
"""
from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from datetime import date, timedelta

import pandas as pd
import psycopg
import pytest
from sources_fixture import PARCEL_IDS
from sqlalchemy import text
from sqlalchemy.engine import make_url

from store import open_store
from store.engine import WRITE_LOCK_KEY, make_engine, write_transaction
from store.errors import StoreUnavailableError
from store.store import Store
from tests.support.actors import office_admin
from tests.support.postgis import postgis_database
from tests.support.stores import demo_store

pytestmark = pytest.mark.postgis


@pytest.fixture
def pg_url(postgis_template, sources_dir, monkeypatch):
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    with postgis_database("limits", postgis_template) as url:
        demo_store(url, sources_dir=sources_dir).close()  # seeded, at head
        yield url


def _with(url: str, **query) -> str:
    return make_url(url).update_query_dict({k: str(v) for k, v in query.items()}).render_as_string(
        hide_password=False)


def _events(rows: int, tag: str) -> pd.DataFrame:
    return pd.DataFrame({
        "kind": "parcel", "project_id": "QL4B", "parcel_id": [PARCEL_IDS[i % 3] for i in range(rows)],
        "event": "notice", "event_date": [date(2024, 1, 1) + timedelta(days=i % 300) for i in range(rows)],
        "amount_vnd": [float(i) for i in range(rows)], "note": [f"{tag}-{i}" for i in range(rows)],
    })


def _commit(store: Store, actor, rows: int, tag: str):
    return store.commit_upload(_events(rows, tag), actor=actor, file_name=f"{tag}.csv",
                               file_sha256=hashlib.sha256(tag.encode()).hexdigest(), rows_read=rows)


def _counts(url: str) -> tuple[int, int]:
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as c:
        return (c.execute("SELECT COUNT(*) FROM events").fetchone()[0],
                c.execute("SELECT COUNT(*) FROM uploads").fetchone()[0])


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_limits_reach_every_connection_from_url_and_environment(pg_url, monkeypatch):
    monkeypatch.setenv("GPMB_PG_LOCK_TIMEOUT", "3s")
    engine = make_engine(_with(pg_url, statement_timeout="1500ms", keepalives_idle=7))
    with engine.connect() as conn:
        shown = {n: conn.execute(text(f"SHOW {n}")).scalar() for n in
                 ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")}
        params = conn.connection.driver_connection.info.get_parameters()
        server_keepalive = conn.execute(text("SHOW tcp_keepalives_idle")).scalar()
    engine.dispose()
    assert shown == {"statement_timeout": "1500ms", "lock_timeout": "3s", "idle_in_transaction_session_timeout": "1min"}
    assert (params["keepalives"], params["keepalives_idle"], params["keepalives_count"]) == ("1", "7", "3")
    assert params["tcp_user_timeout"] == "30000"
    assert server_keepalive == "7"  # the server watches the client with the same keepalives


@pytest.mark.parametrize("query", [{"lock_timeout": "10 giây"}, {"statement_timeout": "1;DROP"},
                                   {"keepalives_idle": "-1"}])
def test_a_bad_limit_is_refused_before_connecting(pg_url, query):
    with pytest.raises(StoreUnavailableError, match=f"của {next(iter(query))}"):
        make_engine(_with(pg_url, **query))


def test_a_writer_behind_a_held_write_lock_fails_within_lock_timeout(pg_url):
    store = Store(_with(pg_url, lock_timeout="1s"), make_engine(_with(pg_url, lock_timeout="1s")))
    actor = office_admin(store)
    before = _counts(pg_url)
    with psycopg.connect(_libpq(pg_url)) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))  # holder's transaction stays open
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError) as refused:
            _commit(store, actor, 100, "cho_khoa")
        waited = time.monotonic() - started
    assert 0.9 <= waited < 5, waited
    assert "đang bận" in refused.value.message_vi and "1 giây" in refused.value.message_vi
    assert "chưa ghi gì" in refused.value.message_vi
    assert _counts(pg_url) == before
    assert _commit(store, actor, 100, "cho_khoa").created  # the lock released: the same upload goes through
    store.close()


def test_a_statement_over_statement_timeout_fails_cleanly(pg_url):
    actor = office_admin(open_store(pg_url))
    before = _counts(pg_url)
    tiny = _with(pg_url, statement_timeout="1ms")
    store = Store(tiny, make_engine(tiny))
    with pytest.raises(StoreUnavailableError) as refused:
        _commit(store, actor, 50_000, "qua_lau")  # the COPY of 50 000 rows takes longer than 1 ms
    assert "chạy quá 1 mili giây" in refused.value.message_vi
    assert _counts(pg_url) == before  # nothing half-written: no upload row, no event

    slow = _with(pg_url, statement_timeout="300ms")
    engine = make_engine(slow)
    with pytest.raises(StoreUnavailableError, match="300 mili giây"), write_transaction(engine) as conn:
        conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('nua_chung', 'x')"))
        conn.execute(text("SELECT pg_sleep(2)"))
    engine.dispose()
    with psycopg.connect(_libpq(pg_url)) as c:
        assert c.execute("SELECT COUNT(*) FROM store_meta WHERE key = 'nua_chung'").fetchone()[0] == 0
    store.close()


def test_a_silent_client_in_a_transaction_loses_the_lock_after_idle_timeout(pg_url):
    idle = _with(pg_url, idle_in_transaction_session_timeout="1s")
    frozen_engine = make_engine(idle)
    store = open_store(pg_url)
    actor = office_admin(store)
    outcome: dict = {}

    def silent_writer():
        try:
            with write_transaction(frozen_engine) as conn:
                conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('im_lang', 'x')"))
                outcome["locked"] = time.monotonic()
                time.sleep(4)  # the client says nothing while holding the write lock
                conn.execute(text("SELECT 1"))
        except StoreUnavailableError as exc:
            outcome["error"] = exc.message_vi

    thread = threading.Thread(target=silent_writer)
    thread.start()
    while "locked" not in outcome:
        time.sleep(0.02)
    result = _commit(store, actor, 10, "sau_im_lang")
    waited = time.monotonic() - outcome["locked"]
    thread.join(30)
    assert result.created and waited < 3.5, waited  # the server ended the silent session, not the sleep
    assert "giao dịch để treo quá 1 giây" in outcome["error"] or "Mất kết nối" in outcome["error"]
    with psycopg.connect(_libpq(pg_url)) as c:
        assert c.execute("SELECT COUNT(*) FROM store_meta WHERE key = 'im_lang'").fetchone()[0] == 0
    frozen_engine.dispose()
    store.close()


class FreezingForwarder:
    """A TCP forwarder to the PostgreSQL server that, once ``freeze_after`` bytes came from the client,
    stops reading and forwarding in both directions while keeping both sockets open (a frozen link)."""

    def __init__(self, target: tuple[str, int], freeze_after: int):
        self.target, self.freeze_after = target, freeze_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen_at: float | None = None
        self.sockets: list[socket.socket] = []
        self.done = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.done.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16_384)  # little buffered on the way
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        seen = 0
        try:
            while not self.done.is_set():
                if self.frozen_at is not None:
                    time.sleep(0.05)
                    continue
                data = src.recv(65_536)
                if not data:
                    return
                dst.sendall(data)
                seen += len(data) if from_client else 0
                if from_client and seen > self.freeze_after and self.frozen_at is None:
                    self.frozen_at = time.monotonic()
        except OSError:
            return

    def close(self) -> None:
        """Tear the link down: FIN to both ends (shutdown also wakes a pump blocked in recv)."""
        self.done.set()
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def test_a_link_frozen_mid_copy_fails_in_bounded_time_and_frees_the_lock(pg_url):
    store = open_store(pg_url)
    actor = office_admin(store)
    before = _counts(pg_url)
    target = make_url(pg_url)
    forwarder = FreezingForwarder((target.host, target.port or 5432), freeze_after=2_000_000)
    through = make_url(pg_url).set(host="127.0.0.1", port=forwarder.port)
    frozen_url = _with(through.render_as_string(hide_password=False), tcp_user_timeout=3000,
                       keepalives_idle=2, keepalives_interval=1, keepalives_count=2, statement_timeout="4s")
    frozen = Store(frozen_url, make_engine(frozen_url))
    outcome: dict = {}

    def upload():
        try:
            _commit(frozen, actor, 400_000, "dong_bang")  # tens of MB of COPY: the link freezes in the middle
            outcome["error"] = None
        except StoreUnavailableError as exc:
            outcome["error"] = exc.message_vi
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=upload, daemon=True)
    thread.start()
    try:
        while forwarder.frozen_at is None and thread.is_alive():
            time.sleep(0.05)
        assert forwarder.frozen_at is not None, outcome
        thread.join(60)
        assert not thread.is_alive(), "the client still hangs a minute after the link froze"
    finally:
        # The link goes away for good. (A user-space forwarder cannot drop the server's keepalive probes,
        # its kernel answers them; on a dead link the server's own keepalives, set per session, end it.)
        forwarder.close()
    client_bound = outcome["ended"] - forwarder.frozen_at
    print(f"client failed {client_bound:.1f} s after the link froze")
    assert client_bound < 30, client_bound  # tcp_user_timeout 3 s once the send buffers are full
    assert outcome["error"] and "Mất kết nối tới máy chủ PostgreSQL" in outcome["error"], outcome
    assert _commit(store, actor, 10, "sau_dong_bang").created  # the write lock was given back
    after = _counts(pg_url)
    assert after == (before[0] + 10, before[1] + 1)  # only the other writer's upload: nothing half-written
    frozen.close()
    store.close()
