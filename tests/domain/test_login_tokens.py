"""Login tokens (domain.login_tokens): a reload takes its login back only while the session lives."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.login import SessionPolicy
from domain.login_tokens import MAX_TOKEN_LENGTH, LoginTokens

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_a_token_is_taken_back_and_records_activity():
    tokens = LoginTokens()
    token = tokens.issue("lan", T0, T0 - MIN)
    taken = tokens.resume(token, T0 + 10 * MIN, password_changed_at=T0 - MIN)
    assert (taken.username, taken.started_at, taken.last_seen_at) == ("lan", T0, T0 + 10 * MIN)
    # the idle clock restarted at the resume: 29 minutes later it still holds
    assert tokens.resume(token, T0 + 39 * MIN) is not None


def test_tokens_are_random_and_only_their_hash_is_kept():
    tokens = LoginTokens()
    a, b = tokens.issue("lan", T0), tokens.issue("lan", T0)
    assert a != b and len(a) >= 43
    assert a not in repr(tokens._sessions) and b not in repr(tokens._sessions)


def test_idle_and_absolute_limits_end_the_token():
    tokens = LoginTokens(SessionPolicy(idle_timeout=30 * MIN, absolute_timeout=timedelta(hours=8)))
    idle = tokens.issue("lan", T0)
    assert tokens.resume(idle, T0 + 31 * MIN) is None
    assert tokens.resume(idle, T0 + 32 * MIN) is None and len(tokens) == 0      # forgotten, not revived
    old = tokens.issue("lan", T0)
    for minutes in range(20, 8 * 60, 20):                                     # active all day
        tokens.touch(old, T0 + minutes * MIN)
    assert tokens.resume(old, T0 + 8 * 60 * MIN - MIN) is not None
    assert tokens.resume(old, T0 + 8 * 60 * MIN + MIN) is None


def test_a_password_changed_after_the_login_ends_it():
    tokens = LoginTokens()
    token = tokens.issue("lan", T0, password_seen_at=T0 - 60 * MIN)
    assert tokens.resume(token, T0 + MIN, password_changed_at=T0 - 60 * MIN) is not None
    assert tokens.resume(token, T0 + 2 * MIN, password_changed_at=T0 + MIN) is None


def test_a_renewed_token_keeps_the_absolute_limit_and_the_new_password():
    tokens = LoginTokens()
    renewed = tokens.issue("lan", T0 + 60 * MIN, password_seen_at=T0 + 59 * MIN, started_at=T0)
    taken = tokens.resume(renewed, T0 + 61 * MIN, password_changed_at=T0 + 59 * MIN)
    assert taken is not None and taken.started_at == T0
    assert tokens.resume(renewed, T0 + 8 * 60 * MIN + MIN) is None


def test_revoke_and_revoke_user():
    tokens = LoginTokens()
    mine, other_tab, someone = tokens.issue("lan", T0), tokens.issue("lan", T0), tokens.issue("hung", T0)
    tokens.revoke(mine)
    assert tokens.resume(mine, T0 + MIN) is None
    keep = tokens.issue("lan", T0)
    assert tokens.revoke_user("lan", keep=keep) == 1
    assert tokens.resume(other_tab, T0 + MIN) is None
    assert tokens.resume(keep, T0 + MIN) is not None and tokens.resume(someone, T0 + MIN) is not None


def test_room_is_made_from_expired_then_oldest_sessions():
    tokens = LoginTokens(max_sessions=3)
    expired = tokens.issue("a", T0)
    oldest = tokens.issue("b", T0 + 20 * MIN)
    newer = tokens.issue("c", T0 + 40 * MIN)
    tokens.issue("d", T0 + 45 * MIN)                    # "a" is idle past 30 min: it goes
    assert tokens.username_of(expired) is None and len(tokens) == 3
    tokens.issue("e", T0 + 46 * MIN)                    # nothing expired: the oldest login goes
    assert tokens.username_of(oldest) is None and tokens.username_of(newer) == "c"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=300)))
def test_any_cookie_value_but_an_issued_token_is_refused(value):
    tokens = LoginTokens()
    issued = tokens.issue("lan", T0)
    if value == issued:
        return
    assert tokens.resume(value, T0 + MIN) is None
    assert tokens.username_of(value) is None
    tokens.touch(value, T0 + MIN)
    tokens.revoke(value)
    assert tokens.resume(issued, T0 + MIN) is not None     # an odd value never disturbs a real token


def test_overlong_values_are_not_hashed():
    tokens = LoginTokens()
    assert tokens.resume("x" * (MAX_TOKEN_LENGTH + 1), T0) is None
