"""Which pages each role may open (dashboard.access), who counts as "this machine" and which address the
audit records (dashboard.auth), and the administrator tables (dashboard.admin_tables)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from dashboard import access, auth, pages
from dashboard.admin_tables import accounts_table, audit_table, vietnam_day_bounds, vietnam_time
from domain.roles import ADMIN, COMMUNE_OFFICER, OFFICER, PERMISSIONS, ROLES, VIEWER, Account

READING = {"overview", "blockers", "map", "parcels", "converter", "account", "milestones", "households", "complaints",
           "resettlement"}


def account(role: str, **kw) -> Account:
    return Account(username=f"u-{role}", display_name=role, role=role, **kw)


def test_every_page_of_the_package_is_in_the_table():
    found, failures = pages.discover()
    assert not failures
    assert {p.url_path for p in found} == set(access.PAGE_ACTIONS)


@pytest.mark.parametrize(("role", "expected"), [
    (VIEWER, READING),
    (COMMUNE_OFFICER, READING | {"upload", "register_upload"}),
    (OFFICER, READING | {"upload", "register_upload", "exports"}),
    (ADMIN, set(access.PAGE_ACTIONS)),
])
def test_pages_by_role(role, expected):
    found, _ = pages.discover()
    assert {p.url_path for p in access.visible_pages(account(role), found)} == expected


def test_the_table_follows_the_permission_matrix():
    # A page is open exactly when the role grants its action (at any scope), for every role.
    for role in ROLES:
        for url_path, action in access.PAGE_ACTIONS.items():
            assert access.may_open(account(role), url_path) == (action is None or action in PERMISSIONS[role])


def test_disabled_accounts_and_unknown_pages_are_refused():
    assert not access.may_open(account(ADMIN, active=False), "overview")
    assert not access.may_open(account(ADMIN), "a_page_nobody_listed")


@pytest.mark.parametrize(("headers", "ip", "local"), [
    ({"Host": "127.0.0.1:8501"}, None, True),
    ({"Host": "localhost:8501"}, None, True),
    ({"Host": "[::1]:8501"}, None, True),
    ({"Host": "192.168.1.20:8501"}, None, False),          # loopback socket, but a LAN name: a proxy
    ({"Host": "127.0.0.1:8501", "X-Forwarded-For": "192.168.1.7"}, None, False),
    ({"Host": "gpmb.local", "Forwarded": "for=192.168.1.7"}, None, False),
    ({"Host": "127.0.0.1:8501"}, "192.168.1.7", False),    # Streamlit reports a LAN peer's address
    ({}, None, False),                                     # no browser at all
])
def test_is_local(headers, ip, local):
    assert auth.is_local(headers, ip) is local


@pytest.mark.parametrize(("headers", "ip", "address"), [
    ({"Host": "x", "X-Forwarded-For": "192.168.1.7, 10.0.0.1"}, None, "192.168.1.7 (qua proxy)"),
    ({"Host": "x"}, "192.168.1.8", "192.168.1.8"),
    ({"Host": "127.0.0.1:8501"}, None, "127.0.0.1"),
    ({}, None, None),
])
def test_address_of(headers, ip, address):
    assert auth.address_of(headers, ip) == address


def test_vietnam_day_bounds_are_utc_plus_7():
    since, until = vietnam_day_bounds(date(2026, 12, 1), date(2026, 12, 1))
    assert since == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert until - since == timedelta(days=1)


def test_audit_table_newest_first_filtered_in_vietnam_time():
    frame = pd.DataFrame({
        "audit_id": [1, 2, 3],
        "recorded_at": pd.to_datetime(["2026-12-01 01:00", "2026-12-01 16:30", "2026-12-01 17:05"], utc=True),
        "account": [None, "admin", "admin"], "role": [None, "admin", "admin"],
        "action": ["login_failed", "user_created", "login_failed"],
        "target": ["account:x", "account:lan", "account:admin"],
        "before": [None, None, None], "after": [{"reason": "unknown_user"}, {"role": "viewer"}, None],
        "client_address": [None, "127.0.0.1", "127.0.0.1"],
    })
    table = audit_table(frame)
    assert table["Thời điểm (giờ Việt Nam)"].tolist() == ["02/12/2026 00:05:00", "01/12/2026 23:30:00",
                                                          "01/12/2026 08:00:00"]
    assert table["Thao tác"].tolist() == ["Đăng nhập thất bại", "Tạo tài khoản", "Đăng nhập thất bại"]
    assert table["Tài khoản"].tolist()[-1] == "—" and table["Vai trò"].tolist()[0] == "Quản trị"
    only = audit_table(frame, accounts=["admin"], actions=["login_failed"])
    assert only["Đối tượng"].tolist() == ["account:admin"]
    assert '"reason": "unknown_user"' in audit_table(frame, actions=["login_failed"])["Sau"].iloc[-1]


def test_accounts_table_shows_a_lockout_only_while_it_lasts():
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    rows = accounts_table([
        account(VIEWER, locked_until=now + timedelta(minutes=10)),
        account(COMMUNE_OFFICER, communes=("Phường Kỳ Lừa",), locked_until=now - timedelta(minutes=1)),
        account(ADMIN, active=False),
    ], now)
    assert rows["Khoá đến (giờ Việt Nam)"].tolist() == ["01/12/2026 10:10:00", "—", "—"]
    assert rows["Vai trò"].tolist() == ["Lãnh đạo (chỉ xem)", "Cán bộ xã", "Quản trị"]
    assert rows["Xã, phường"].tolist() == ["—", "Phường Kỳ Lừa", "—"]
    assert rows["Đơn vị"].tolist() == ["Tất cả (cấp tỉnh)"] * 3
    assert accounts_table([account(VIEWER, units=("183", "184"))], now)["Đơn vị"].tolist() == ["183, 184"]
    assert rows["Trạng thái"].tolist()[-1] == "Đã vô hiệu hoá"
    assert "password_hash" not in rows.columns


def test_vietnam_time_of_nothing_is_missing():
    assert vietnam_time(None) == "—"
