"""Login rules (domain.login): password length, lock-out count, session expiry; pure functions."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.login import (
    MAX_PASSWORD_LENGTH,
    SESSION_ABSOLUTE,
    SESSION_IDLE,
    LockoutPolicy,
    SessionPolicy,
    WeakPasswordError,
    after_failure,
    check_new_password,
    is_locked,
    session_expiry,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_password_length_bounds():
    check_new_password("x" * 10)
    with pytest.raises(WeakPasswordError, match="ít nhất 10 ký tự"):
        check_new_password("x" * 9)
    with pytest.raises(WeakPasswordError, match="ít nhất 12 ký tự"):
        check_new_password("x" * 11, min_length=12)
    with pytest.raises(WeakPasswordError, match="tối đa"):
        check_new_password("x" * (MAX_PASSWORD_LENGTH + 1))


def test_fifth_failure_locks_for_fifteen_minutes_by_default():
    count, locked_until = 0, None
    for _ in range(4):
        count, locked_until = after_failure(count, T0)
        assert locked_until is None
    assert count == 4
    assert after_failure(count, T0) == (0, T0 + timedelta(minutes=15))


def test_lockout_policy_is_configurable():
    policy = LockoutPolicy(max_failures=2, lock_for=timedelta(hours=1))
    assert after_failure(0, T0, policy) == (1, None)
    assert after_failure(1, T0, policy) == (0, T0 + timedelta(hours=1))


def test_lock_ends_exactly_at_locked_until():
    until = T0 + timedelta(minutes=15)
    assert is_locked(until, T0) and is_locked(until, until - timedelta(seconds=1))
    assert not is_locked(until, until) and not is_locked(None, T0)


@pytest.mark.parametrize(("started", "last_seen", "expected"), [
    (T0, T0 + timedelta(minutes=29), None),
    (T0, T0 + timedelta(minutes=1), SESSION_IDLE),           # now = T0 + 31 min, idle 30 min
    (T0 - timedelta(hours=8), T0 + timedelta(minutes=30), SESSION_ABSOLUTE),
])
def test_session_expiry(started, last_seen, expected):
    now = T0 + timedelta(minutes=31)
    assert session_expiry(started, last_seen, now) == expected


def test_session_policy_is_data():
    policy = SessionPolicy(idle_timeout=timedelta(minutes=5), absolute_timeout=timedelta(hours=1))
    assert session_expiry(T0, T0, T0 + timedelta(minutes=5), policy) == SESSION_IDLE
    assert session_expiry(T0, T0 + timedelta(minutes=59), T0 + timedelta(hours=1), policy) == SESSION_ABSOLUTE
