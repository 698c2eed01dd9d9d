"""Login tokens: a browser reload keeps its login (the cookie ``gpmb_session``), nothing else does.

A login issues a random token (``secrets.token_urlsafe``, 256 bits). The browser keeps it in a cookie;
the server keeps only its SHA-256 with the username and the session's times, in memory: a server
restart ends every session, and a token read from a database or a log is worth nothing. A token is
taken back (:meth:`LoginTokens.resume`) only while its session has not expired under
:class:`domain.login.SessionPolicy` (30 min idle, 8 h after login — the same rule as the open tab), and
not when the account's password changed after the login saw it (a password set by an administrator or on
another machine ends the sessions that came before it). Logout revokes the token; a password change
revokes the account's other tokens.

OWASP Session Management Cheat Sheet: a random identifier of ≥ 64 bits of entropy, absolute and idle
timeouts enforced on the server, invalidated at logout; the cookie is ``SameSite=Strict``, ``Path=/``,
``Secure`` behind HTTPS (set by the dashboard).
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from domain.login import SessionPolicy, session_expiry

#: Name of the browser cookie that carries the token.
COOKIE_NAME = "gpmb_session"
#: Longest token accepted from a cookie (``token_urlsafe(32)`` is 43 characters): bounds the hashing.
MAX_TOKEN_LENGTH = 128
#: Most sessions kept at once; beyond it the expired ones are dropped, then the oldest.
MAX_SESSIONS = 10_000


@dataclass
class TokenSession:
    """What the server knows of one token: the account's username and the session's UTC times."""

    username: str
    started_at: datetime
    last_seen_at: datetime
    #: The account's ``password_changed_at`` as the login saw it: a later change ends the session.
    password_seen_at: datetime | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _password_changed(session: TokenSession, password_changed_at: datetime | None) -> bool:
    """Whether the account's password is not the one the login saw: any other stored value (the store keeps
    whole seconds, so "later" cannot be told within one second), or, without a seen value, one set after
    the login."""
    if password_changed_at is None:
        return False
    if session.password_seen_at is not None:
        return password_changed_at != session.password_seen_at
    return password_changed_at > session.started_at


class LoginTokens:
    """The tokens of the logged-in browsers of one dashboard process (thread-safe)."""

    def __init__(self, policy: SessionPolicy | None = None, max_sessions: int = MAX_SESSIONS) -> None:
        self.policy, self.max_sessions = policy or SessionPolicy(), max_sessions
        self._sessions: dict[str, TokenSession] = {}
        self._lock = threading.Lock()

    def issue(self, username: str, now: datetime, password_seen_at: datetime | None = None, *,
              started_at: datetime | None = None) -> str:
        """A new token for a login of ``username`` at ``now`` (aware UTC). ``started_at`` (default ``now``)
        keeps the absolute limit of a session whose token is renewed (after its own password change)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._make_room(now)
            self._sessions[_digest(token)] = TokenSession(username, started_at or now, now, password_seen_at)
        return token

    def resume(self, token: str | None, now: datetime, password_changed_at: datetime | None = None,
               ) -> TokenSession | None:
        """The session of ``token`` (its last activity set to ``now``), or ``None`` — and the token
        forgotten — when it is unknown, malformed, expired, or older than ``password_changed_at``."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = _digest(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if session_expiry(session.started_at, session.last_seen_at, now, self.policy) is not None or \
                    _password_changed(session, password_changed_at):
                del self._sessions[key]
                return None
            session.last_seen_at = now
            return TokenSession(session.username, session.started_at, now, session.password_seen_at)

    def username_of(self, token: str | None) -> str | None:
        """The username a token was issued to (expired or not), or ``None``; no activity recorded."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        with self._lock:
            session = self._sessions.get(_digest(token))
        return session.username if session is not None else None

    def touch(self, token: str | None, now: datetime) -> None:
        """Record activity of an open tab on its token (the idle clock of a later reload)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return
        with self._lock:
            session = self._sessions.get(_digest(token))
            if session is not None:
                session.last_seen_at = max(session.last_seen_at, now)

    def revoke(self, token: str | None) -> None:
        """Forget ``token`` (logout)."""
        if token and len(token) <= MAX_TOKEN_LENGTH:
            with self._lock:
                self._sessions.pop(_digest(token), None)

    def revoke_user(self, username: str, keep: str | None = None) -> int:
        """Forget every token of ``username`` except ``keep``; returns how many went."""
        kept = _digest(keep) if keep else None
        with self._lock:
            gone = [k for k, s in self._sessions.items() if s.username == username and k != kept]
            for k in gone:
                del self._sessions[k]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _make_room(self, now: datetime) -> None:
        if len(self._sessions) < self.max_sessions:
            return
        expired = [k for k, s in self._sessions.items()
                   if session_expiry(s.started_at, s.last_seen_at, now, self.policy) is not None]
        for k in expired:
            del self._sessions[k]
        while len(self._sessions) >= self.max_sessions:   # still full: the oldest login goes first
            del self._sessions[min(self._sessions, key=lambda k: self._sessions[k].started_at)]
