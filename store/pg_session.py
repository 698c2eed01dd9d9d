"""PostgreSQL session limits of the store: timeouts and TCP keepalives, so nothing waits forever.

A province server is shared by many clients over networks that drop: a client that freezes mid-COPY
must not hold the write lock (:data:`store.engine.WRITE_LOCK_KEY`) for ever, and a client whose link
froze must fail in bounded time instead of hanging. Every connection of the store therefore starts
with (issue 10, "A shared province server"):

==========================================  ==========  ==============================================
setting                                      default     bounds
==========================================  ==========  ==============================================
``statement_timeout``                        ``60s``     one statement (a COPY included) on the server
``lock_timeout``                             ``10s``     waiting for a lock, the store's write lock too
``idle_in_transaction_session_timeout``      ``60s``     a transaction left open by a silent client
``keepalives`` / ``keepalives_idle``         1 / 30 s    libpq TCP keepalives: a dead peer is noticed
``keepalives_interval`` / ``keepalives_count``  10 s / 3  … after idle + interval × count = 60 s
``tcp_user_timeout``                         ``30000``   ms that sent data may stay unacknowledged
``connect_timeout``                          ``10``      s to open a connection
==========================================  ==========  ==============================================

Each is set, first found wins, by the URL query (``?lock_timeout=2s&keepalives_idle=5``: the server
settings as PostgreSQL writes durations — ``500ms``, ``10s``, ``2min`` or plain milliseconds; libpq
keys as libpq takes them), by the environment (``GPMB_PG_`` + the name in capitals, e.g.
``GPMB_PG_STATEMENT_TIMEOUT=120s``), or by the default above. ``0`` switches a server timeout off.
The three server settings travel in libpq's ``options`` (``-c name=value``), so they cost no round trip;
so do the server's own keepalives on the session (``tcp_keepalives_idle``/``_interval``/``_count`` and
``tcp_user_timeout``, the same values as the client's): a client whose link died mid-COPY is noticed
by the server, which ends the session and so releases the write lock (``statement_timeout`` does not
fire while the server waits for COPY data from the client).
"""
from __future__ import annotations

import os
import re

from sqlalchemy.engine import URL

from store.errors import StoreUnavailableError

#: Server settings (PostgreSQL GUCs) → default.
SERVER_DEFAULTS: dict[str, str] = {
    "statement_timeout": "60s",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "60s",
}

#: libpq connection keys → default.
LIBPQ_DEFAULTS: dict[str, str] = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
    "connect_timeout": "10",
}

#: The server's own keepalives on the session (GUC → the libpq key whose value it takes): the server
#: notices a dead client in the same bound and ends its session, which releases the write lock.
SERVER_KEEPALIVES: dict[str, str] = {
    "tcp_keepalives_idle": "keepalives_idle",
    "tcp_keepalives_interval": "keepalives_interval",
    "tcp_keepalives_count": "keepalives_count",
    "tcp_user_timeout": "tcp_user_timeout",
}

ENV_PREFIX = "GPMB_PG_"

_DURATION = re.compile(r"^\d{1,9}(ms|s|min|h)?$")
_INTEGER = re.compile(r"^\d{1,9}$")


def _chosen(url: URL, name: str, default: str) -> str:
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[-1]
    if value is None:
        value = os.environ.get(ENV_PREFIX + name.upper())
    value = str(default if value is None else value).strip().replace(" ", "")
    pattern = _DURATION if name in SERVER_DEFAULTS else _INTEGER
    if not pattern.match(value):
        raise StoreUnavailableError(
            f"Không mở được kho dữ liệu: giá trị {value!r} của {name} (trong DATABASE_URL hoặc biến môi trường "
            f"{ENV_PREFIX}{name.upper()}) không hợp lệ; cần một số nguyên"
            + (" kèm đơn vị ms, s, min hoặc h (ví dụ 60s)." if name in SERVER_DEFAULTS else "."))
    return value


def session_settings(url: URL) -> dict[str, str]:
    """Every setting of the module table as chosen for ``url`` (name → value text)."""
    return {name: _chosen(url, name, default) for name, default in {**SERVER_DEFAULTS, **LIBPQ_DEFAULTS}.items()}


def connect_arguments(url: URL) -> tuple[URL, dict[str, str]]:
    """``url`` without the server-setting keys, and the ``connect_args`` for psycopg.

    Raises
    ------
    StoreUnavailableError
        A value that is not a duration (server settings) or an integer (libpq keys).
    """
    chosen = session_settings(url)
    server = {**{name: chosen[name] for name in SERVER_DEFAULTS},
              **{guc: chosen[key] for guc, key in SERVER_KEEPALIVES.items()}}
    options = " ".join(f"-c {name}={value}" for name, value in server.items())
    given = url.query.get("options")
    if given:
        options = f"{given if isinstance(given, str) else ' '.join(given)} {options}"
    args = {"options": options, **{k: chosen[k] for k in LIBPQ_DEFAULTS}}
    return url.difference_update_query([*SERVER_DEFAULTS, *LIBPQ_DEFAULTS, "options"]), args


def duration_text_vi(value: str) -> str:
    """``"10s"`` → ``"10 giây"``, ``"500ms"`` → ``"500 mili giây"``, ``"2min"`` → ``"2 phút"`` (for messages)."""
    number, unit = re.match(r"^(\d+)(\D*)$", value).groups()
    return f"{number} " + {"": "mili giây", "ms": "mili giây", "s": "giây", "min": "phút", "h": "giờ"}[unit]
