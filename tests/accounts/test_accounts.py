"""Accounts in the store (store.accounts) on GeoPackage and PostGIS: hashing, login, lock-out, audit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from domain.login import WeakPasswordError
from domain.roles import AccountDisabledError, PermissionDeniedError, require
from store import AuditTrail
from store.accounts import LOGIN_FAILED_VI, AccountError, AccountLockedError, AuthenticationFailedError

PASSWORD = "mat-khau-can-bo-xa"


def audit_rows(store, action=None):
    """The audit rows after the store's own first row (``store_initialised``, by the system, issue 10)."""
    frame = AuditTrail(store).read()
    assert frame.action.iloc[0] == "store_initialised" and frame.account.iloc[0] is None
    frame = frame.iloc[1:].reset_index(drop=True)
    return frame if action is None else frame[frame.action == action].reset_index(drop=True)


@pytest.fixture
def lan(accounts, admin):
    return accounts.create_account("Lan", PASSWORD, role="commune_officer", by=admin,
                                   display_name="Nguyễn Thị Lan", communes=["kỳ lừa"])


# ------------------------------------------------------------------------------------------ hashing
def test_only_an_argon2id_hash_is_stored(store, lan):
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM accounts WHERE username = 'lan'")).scalar_one()
        whole_table = " ".join(str(v) for row in conn.execute(text("SELECT * FROM accounts")) for v in row)
        whole_audit = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_log")) for v in row)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in whole_table and PASSWORD not in whole_audit
    assert "argon2" not in whole_audit  # the hash does not go into the audit either
    assert not hasattr(lan, "password_hash")


def test_same_password_gets_a_different_salt(store, accounts, admin):
    accounts.create_account("mot", PASSWORD, role="viewer", by=admin)
    accounts.create_account("hai", PASSWORD, role="viewer", by=admin)
    with store.engine.connect() as conn:
        hashes = conn.execute(text("SELECT password_hash FROM accounts WHERE username IN ('mot', 'hai')")).scalars()
        assert len(set(hashes)) == 2


def test_a_hash_with_old_parameters_is_upgraded_at_login(store, accounts, admin):
    from argon2 import PasswordHasher

    from store import Accounts

    stronger = Accounts(store, hasher=PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    stronger.authenticate("admin", "mat-khau-quan-tri")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM accounts WHERE username = 'admin'")).scalar_one()
    assert "m=2048,t=2" in stored
    assert accounts.authenticate("admin", "mat-khau-quan-tri").username == "admin"


# ------------------------------------------------------------------------------------------ creating
def test_created_account_reads_back(accounts, lan):
    assert lan.username == "lan" and lan.display_name == "Nguyễn Thị Lan" and lan.active
    assert lan.communes == ("Phường Kỳ Lừa",)  # spelled as the communes layer's full name
    assert accounts.get("LAN") == lan
    assert [a.username for a in accounts.list()] == ["admin", "lan"]


def test_commune_officer_is_refused_for_another_commune(accounts, lan):
    """The stored commune is spelled as the parcels' ``commune`` column, so row checks match it."""
    require(lan, "upload_counts", commune="Phường Kỳ Lừa")
    with pytest.raises(PermissionDeniedError):
        require(lan, "upload_counts", commune="Xã Đồng Đăng")
    one = accounts.create_account("hoa", PASSWORD, role="commune_officer", by=accounts.get("admin"),
                                  communes="Đồng Đăng")  # one name, not its letters
    assert one.communes == ("Xã Đồng Đăng",)


def test_first_account_must_be_an_admin_and_only_the_first_needs_no_actor(accounts):
    with pytest.raises(AccountError, match="quản trị viên"):
        accounts.create_account("lanhdao", PASSWORD, role="viewer", by=None)
    accounts.create_account("admin", PASSWORD, role="admin", by=None)
    with pytest.raises(AccountError, match="--as"):
        accounts.create_account("admin2", PASSWORD, role="admin", by=None)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(username="x"), "Tên đăng nhập"),
    (dict(username="lan hoa"), "Tên đăng nhập"),
    (dict(role="root"), "Vai trò không hợp lệ"),
    (dict(role="commune_officer"), "ít nhất một xã"),
    (dict(communes=["Kỳ Lừa"]), "Chỉ tài khoản cán bộ xã"),
    (dict(role="commune_officer", communes=["Xã Không Có"]), "«Xã Không Có»"),
    (dict(display_name="Lan\x1b[2J"), "ký tự điều khiển"),
    (dict(role="commune_officer", communes=["Kỳ Lừa\x07"]), "ký tự điều khiển"),
])
def test_bad_accounts_are_refused_in_vietnamese(accounts, admin, kwargs, message):
    arguments = {**dict(username="moi", role="viewer", communes=(), display_name=None), **kwargs}
    username = arguments.pop("username")
    with pytest.raises(AccountError, match=message):
        accounts.create_account(username, PASSWORD, by=admin, **arguments)
    assert accounts.get(username) is None


def test_duplicate_and_short_password_refused(accounts, admin, lan):
    with pytest.raises(AccountError, match="đã có"):
        accounts.create_account("LAN", PASSWORD, role="viewer", by=admin)
    with pytest.raises(WeakPasswordError):
        accounts.create_account("ngan", "short", role="viewer", by=admin)


def test_only_manage_users_may_create(accounts, lan):
    with pytest.raises(PermissionDeniedError):
        accounts.create_account("moi", PASSWORD, role="admin", by=lan)
    assert accounts.get("moi") is None


# ------------------------------------------------------------------------------------------ login
def test_right_password_logs_in(accounts, lan):
    assert accounts.authenticate(" LAN ", PASSWORD) == accounts.get("lan")


def test_unknown_user_and_wrong_password_get_the_same_message(accounts, lan):
    messages = []
    for username, password in (("khongco", PASSWORD), ("lan", "sai-mat-khau")):
        with pytest.raises(AuthenticationFailedError) as refused:
            accounts.authenticate(username, password)
        messages.append(refused.value.message_vi)
    assert messages == [LOGIN_FAILED_VI, LOGIN_FAILED_VI]


def test_fifth_failure_locks_and_the_lock_ends_after_fifteen_minutes(store, accounts, lan, clock):
    for _ in range(4):
        with pytest.raises(AuthenticationFailedError):
            accounts.authenticate("lan", "sai-mat-khau")
    assert accounts.get("lan").failed_logins == 4
    with pytest.raises(AuthenticationFailedError):
        accounts.authenticate("lan", "sai-mat-khau")
    lock_ends = clock.now + timedelta(minutes=15)
    assert accounts.get("lan").locked_until == lock_ends

    clock.advance(minutes=14)
    with pytest.raises(AccountLockedError, match="thử lại sau 1 phút"):
        accounts.authenticate("lan", PASSWORD)  # even the right password while locked
    clock.advance(minutes=1)
    assert accounts.authenticate("lan", PASSWORD).username == "lan"
    assert accounts.get("lan").failed_logins == 0 and accounts.get("lan").locked_until is None

    failed = audit_rows(store, "login_failed")
    assert [row["reason"] for row in failed.after] == ["wrong_password"] * 5 + ["locked"]
    assert failed.after[4]["locked_until"] == lock_ends.isoformat() and failed.after[3]["locked_until"] is None
    assert set(failed.target) == {"account:lan"} and failed.account.isna().all()


def test_lock_out_is_configurable(store, accounts, lan, clock):
    from domain.login import LockoutPolicy
    from store import Accounts

    strict = Accounts(store, lockout=LockoutPolicy(max_failures=2, lock_for=timedelta(hours=1)),
                      hasher=accounts.hasher, clock=clock)
    for _ in range(2):
        with pytest.raises(AuthenticationFailedError):
            strict.authenticate("lan", "sai-mat-khau")
    with pytest.raises(AccountLockedError, match="60 phút"):
        strict.authenticate("lan", PASSWORD)


def test_a_success_resets_the_failure_count(accounts, lan):
    for _ in range(3):
        with pytest.raises(AuthenticationFailedError):
            accounts.authenticate("lan", "sai-mat-khau")
    accounts.authenticate("lan", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthenticationFailedError):
            accounts.authenticate("lan", "sai-mat-khau")
    assert accounts.get("lan").locked_until is None


def test_disabled_account_is_refused(store, accounts, admin, lan):
    accounts.disable("lan", by=admin)
    with pytest.raises(AccountDisabledError, match="vô hiệu hoá"):
        accounts.authenticate("lan", PASSWORD)
    with pytest.raises(AuthenticationFailedError):  # a wrong password tells nothing more
        accounts.authenticate("lan", "sai-mat-khau")
    with pytest.raises(AccountDisabledError):
        require(accounts.get("lan"), "read_figures")
    assert [row["reason"] for row in audit_rows(store, "login_failed").after] == ["disabled", "wrong_password"]


def test_the_last_active_admin_cannot_be_disabled(accounts, admin):
    with pytest.raises(AccountError, match="cuối cùng"):
        accounts.disable("admin", by=admin)
    second = accounts.create_account("admin2", PASSWORD, role="admin", by=admin)
    accounts.disable("admin", by=second)
    assert not accounts.get("admin").active


# ------------------------------------------------------------------------------------------ passwords
def test_set_password_own_or_by_admin(accounts, admin, lan, clock):
    clock.advance(days=1)
    accounts.set_password("lan", "mat-khau-moi-cua-lan", by=lan)
    assert accounts.get("lan").password_changed_at == clock.now
    with pytest.raises(AuthenticationFailedError):
        accounts.authenticate("lan", PASSWORD)
    accounts.set_password("lan", "mat-khau-admin-dat", by=admin)
    assert accounts.authenticate("lan", "mat-khau-admin-dat").username == "lan"
    with pytest.raises(PermissionDeniedError):
        accounts.set_password("admin", "chiem-quyen-quan-tri", by=lan)
    with pytest.raises(WeakPasswordError):
        accounts.set_password("lan", "ngan", by=lan)


def test_set_password_clears_a_lock(accounts, admin, lan):
    for _ in range(5):
        with pytest.raises(AuthenticationFailedError):
            accounts.authenticate("lan", "sai-mat-khau")
    accounts.set_password("lan", "mat-khau-moi-cua-lan", by=admin)
    assert accounts.authenticate("lan", "mat-khau-moi-cua-lan").locked_until is None


# ------------------------------------------------------------------------------------------ audit
def test_every_account_change_is_audited_with_who_and_what(store, accounts, admin, lan, clock):
    accounts.set_password("lan", "mat-khau-moi-cua-lan", by=lan, client_address="10.0.0.7")
    accounts.disable("lan", by=admin, client_address="10.0.0.2")
    rows = audit_rows(store)
    assert rows.action.tolist() == ["user_created", "user_created", "password_set", "user_disabled"]
    assert rows.account.tolist() == [None, "admin", "lan", "admin"]
    assert rows.role.tolist() == [None, "admin", "commune_officer", "admin"]
    assert rows.target.tolist() == ["account:admin", "account:lan", "account:lan", "account:lan"]
    assert rows.after[0]["first_admin"] is True and rows.after[1]["communes"] == ["Phường Kỳ Lừa"]
    assert rows.after[2]["own_password"] is True
    assert (rows.before[3], rows.after[3]) == ({"active": True}, {"active": False})
    assert rows.client_address.tolist()[2:] == ["10.0.0.7", "10.0.0.2"]
    assert (rows.recorded_at == clock.now).all() and str(rows.recorded_at.dt.tz) == "UTC"


def test_a_refused_change_writes_nothing(store, accounts, lan):
    before = len(audit_rows(store))
    with pytest.raises(PermissionDeniedError):
        accounts.disable("admin", by=lan)
    assert accounts.get("admin").active and len(audit_rows(store)) == before


def test_hostile_login_name_is_recorded_bounded(store, accounts, admin):
    with pytest.raises(AuthenticationFailedError):
        accounts.authenticate("<script>" + "x" * 5000, PASSWORD, client_address="10.0.0.9")
    row = audit_rows(store, "login_failed").iloc[0]
    assert row.target.startswith("account:<script>") and len(row.target) == 200
    assert row.after == {"reason": "unknown_user"} and row.client_address == "10.0.0.9"
