"""The login cookie ``gpmb_session`` (:mod:`domain.login_tokens`): read from the request, written and
cleared through a zero-height component (``dashboard/session_cookie/``, plain JavaScript in the repository).

Streamlit cannot set a cookie from Python; its component frames share the app's origin, so the
component's ``document.cookie`` reaches the next connection of this browser (a reload, a typed URL).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from domain.login import SessionPolicy
from domain.login_tokens import COOKIE_NAME, MAX_TOKEN_LENGTH

_COMPONENT = components.declare_component("gpmb_session_cookie",
                                          path=str(Path(__file__).resolve().parent / "session_cookie"))
_WIDGET_KEY = "gpmb_session_cookie"


def request_token() -> str | None:
    """The token the browser sent with this session's connection, or ``None`` (none, or too long)."""
    try:
        token = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser (AppTest, bare mode): no cookie
        return None
    return token if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH else None


def write(token: str, policy: SessionPolicy) -> None:
    """Keep ``token`` in the browser for the absolute session limit (drawn on every rerun while logged in)."""
    _COMPONENT(key=_WIDGET_KEY, default=None, name=COOKIE_NAME, token=token,
               max_age_s=int(policy.absolute_timeout.total_seconds()))


def clear() -> None:
    """Expire the cookie in the browser (logout, a token the server no longer takes)."""
    _COMPONENT(key=_WIDGET_KEY, default=None, name=COOKIE_NAME, token=None, max_age_s=0)
