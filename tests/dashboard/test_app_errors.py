"""app.py shows errors as Vietnamese ``st.error`` messages, never as a traceback: a GpmbError's own
``message_vi``; anything unexpected as a short message naming only the kind of error."""
from __future__ import annotations

import pytest

from dashboard import state
from domain.errors import GpmbError


def raising(exc: BaseException):
    def fail(*_args, **_kwargs):
        raise exc
    return fail


@pytest.mark.parametrize("where", ["render_sidebar", "snapshot"])
def test_a_gpmb_error_shows_its_message(fake_backend, main_app, monkeypatch, where):
    monkeypatch.setattr(state, where, raising(GpmbError("Không mở được kho dữ liệu: tệp chỉ cho phép đọc.")))
    at = main_app().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Không mở được kho dữ liệu: tệp chỉ cho phép đọc."]
    assert "minh họa" in "\n".join(c.value for c in at.caption)  # the footer is still drawn


def test_an_unexpected_error_shows_a_short_message(fake_backend, main_app, monkeypatch):
    monkeypatch.setattr(state, "snapshot", raising(RuntimeError("chi tiết nội bộ không dành cho người dùng")))
    at = main_app().run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert "lỗi ngoài dự kiến" in message and "RuntimeError" in message
    assert "chi tiết nội bộ" not in message
