"""Login rules as data and pure functions: password length, lock-out after failures, session expiry.

The store (:mod:`store.accounts`) applies :class:`LockoutPolicy` and :func:`check_new_password`;
the dashboard checks :func:`session_expiry` on every rerun (issue 9). Times are aware UTC
``datetime`` values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import GpmbError

#: Shortest password accepted (characters).
MIN_PASSWORD_LENGTH = 10
#: Longest password accepted: bounds the hashing work a request can cause.
MAX_PASSWORD_LENGTH = 256

#: :func:`session_expiry` results.
SESSION_IDLE = "idle"
SESSION_ABSOLUTE = "absolute"


class WeakPasswordError(GpmbError):
    """A new password the rules refuse (too short or too long)."""


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``max_failures`` consecutive failed logins the account is locked for ``lock_for``.

    A success resets the count; a lock-out starts a new count once it ends.
    """

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SessionPolicy:
    """A login session ends after ``idle_timeout`` without activity or ``absolute_timeout`` after login."""

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=8)


def check_new_password(password: str, min_length: int = MIN_PASSWORD_LENGTH) -> None:
    """Refuse a new password shorter than ``min_length`` or longer than :data:`MAX_PASSWORD_LENGTH`.

    Raises
    ------
    WeakPasswordError
        With a Vietnamese message naming the limit (never the password).
    """
    if len(password) < min_length:
        raise WeakPasswordError(f"Mật khẩu quá ngắn: cần ít nhất {min_length} ký tự.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"Mật khẩu quá dài: tối đa {MAX_PASSWORD_LENGTH} ký tự.")


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Whether a lock-out ending at ``locked_until`` is still on at ``now``."""
    return locked_until is not None and now < locked_until


def after_failure(failed_logins: int, now: datetime,
                  policy: LockoutPolicy = LockoutPolicy()) -> tuple[int, datetime | None]:
    """Failure count and lock-out end after one more failed login.

    Returns
    -------
    (failed_logins, locked_until)
        ``(failed_logins + 1, None)`` below the limit; ``(0, now + policy.lock_for)`` when this failure
        reaches ``policy.max_failures``.
    """
    count = failed_logins + 1
    if count >= policy.max_failures:
        return 0, now + policy.lock_for
    return count, None


def session_expiry(started_at: datetime, last_seen_at: datetime, now: datetime,
                   policy: SessionPolicy = SessionPolicy()) -> str | None:
    """Why a session started at ``started_at`` and last active at ``last_seen_at`` has ended, if it has.

    Returns
    -------
    str or None
        :data:`SESSION_ABSOLUTE` (older than ``absolute_timeout``), :data:`SESSION_IDLE` (inactive
        longer than ``idle_timeout``), or ``None`` while the session is valid.
    """
    if now - started_at >= policy.absolute_timeout:
        return SESSION_ABSOLUTE
    if now - last_seen_at >= policy.idle_timeout:
        return SESSION_IDLE
    return None
