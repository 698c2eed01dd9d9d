"""``cli.py users …`` and ``cli.py audit`` against a store on each backend (DATABASE_URL set by the fixture)."""
from __future__ import annotations

import io
import json

import pytest

import cli

ADMIN_PASSWORD = "mat-khau-quan-tri"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """The CLI builds its own ``Accounts``: give it the tests' cheap argon2 parameters."""
    import functools

    import argon2

    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(argon2.PasswordHasher, time_cost=1,
                                                                    memory_cost=1024, parallelism=1))


def run(capsys, monkeypatch, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def with_admin(store, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "users", "add", "admin", "--role", "admin", "--password-stdin",
                       stdin=ADMIN_PASSWORD + "\n")
    assert code == 0 and "«admin»" in out
    return store


def test_first_admin_without_as_then_as_is_required(with_admin, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "users", "add", "lan", "--role", "viewer", "--password-stdin",
                       stdin="mat-khau-lanh-dao\n")
    assert code == 2 and "--as" in err
    code, out, _ = run(capsys, monkeypatch, "users", "add", "lan", "--role", "commune_officer", "--commune",
                       "Kỳ Lừa", "--display-name", "Nguyễn Thị Lan", "--password-stdin", "--as", "admin",
                       stdin="mat-khau-can-bo-xa\n")
    assert code == 0 and "Cán bộ xã (Phường Kỳ Lừa)" in out


def test_users_list_json_has_no_hash(with_admin, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "users", "list", "--json", "--as", "admin")
    assert code == 0
    rows = json.loads(out)
    assert [r["username"] for r in rows] == ["admin"] and rows[0]["role"] == "admin"
    assert rows[0]["created_at"].endswith("+00:00")
    assert "argon2" not in out and "password_hash" not in out


def test_users_list_text_and_refusal_for_a_viewer(with_admin, capsys, monkeypatch):
    run(capsys, monkeypatch, "users", "add", "xem", "--role", "viewer", "--password-stdin", "--as", "admin",
        stdin="mat-khau-lanh-dao\n")
    code, out, _ = run(capsys, monkeypatch, "users", "list", "--as", "admin")
    assert code == 0 and "Lãnh đạo (chỉ xem)" in out and "hoạt động" in out
    code, out, err = run(capsys, monkeypatch, "users", "list", "--as", "xem")
    assert code == 1 and out == "" and "không được quản lý tài khoản" in err


def test_disable_and_set_password(with_admin, capsys, monkeypatch):
    from store import Accounts

    run(capsys, monkeypatch, "users", "add", "lan", "--role", "officer", "--password-stdin", "--as", "admin",
        stdin="mat-khau-can-bo\n")
    code, out, _ = run(capsys, monkeypatch, "users", "set-password", "lan", "--password-stdin", "--as", "lan",
                       stdin="mat-khau-moi-cua-lan\r\n")
    assert code == 0 and "mật khẩu mới" in out
    accounts = Accounts(with_admin)
    assert accounts.authenticate("lan", "mat-khau-moi-cua-lan").username == "lan"
    code, _, err = run(capsys, monkeypatch, "users", "set-password", "lan", "--password-stdin", "--as", "lan",
                       stdin="ngan\n")
    assert code == 1 and "ít nhất 10 ký tự" in err
    code, out, _ = run(capsys, monkeypatch, "users", "disable", "lan", "--as", "admin")
    assert code == 0 and not accounts.get("lan").active
    code, _, err = run(capsys, monkeypatch, "users", "disable", "lan", "--as", "lan")
    assert code == 2 and "Không có tài khoản đang hoạt động «lan»" in err


def test_password_is_never_read_from_the_command_line(with_admin, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "users", "add", "lan", "--role", "viewer", "--as", "admin")
    assert code == 2 and "--password-stdin" in err


def test_audit_lists_every_change_and_failed_login(with_admin, capsys, monkeypatch):
    from store import Accounts
    from store.accounts import AuthenticationFailedError

    run(capsys, monkeypatch, "users", "add", "lan", "--role", "officer", "--password-stdin", "--as", "admin",
        stdin="mat-khau-can-bo\n")
    with pytest.raises(AuthenticationFailedError):
        Accounts(with_admin).authenticate("\x1b[2Jke-gian", "sai", client_address="10.0.0.66")
    code, out, _ = run(capsys, monkeypatch, "audit", "--json", "--as", "admin")
    rows = json.loads(out)
    assert code == 0 and [r["action"] for r in rows] == ["store_initialised", "user_created", "user_created",
                                                         "login_failed"]
    assert rows[0]["account"] is None  # the store's creation, by the system (issue 10)
    assert rows[2]["account"] == "admin" and rows[2]["client_address"].startswith("cli:")
    assert rows[3]["target"] == "account:\x1b[2jke-gian" and rows[3]["client_address"] == "10.0.0.66"
    assert "\x1b" not in out  # escaped in the JSON text

    code, out, _ = run(capsys, monkeypatch, "audit", "--as", "admin")
    assert code == 0 and "Đăng nhập thất bại" in out and "admin (Quản trị)" in out
    assert "\x1b" not in out and "\\x1b[2jke-gian" in out


def test_audit_since_a_date_in_vietnam_time(with_admin, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "audit", "--since", "01/01/2100", "--json", "--as", "admin")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, monkeypatch, "audit", "--since", "2000-01-01", "--json", "--as", "admin")
    assert code == 0 and [r["action"] for r in json.loads(out)] == ["store_initialised", "user_created"]
    code, _, err = run(capsys, monkeypatch, "audit", "--since", "31/02/2026", "--as", "admin")
    assert code == 2 and "ngày không tồn tại" in err


def test_audit_needs_read_audit(with_admin, capsys, monkeypatch):
    run(capsys, monkeypatch, "users", "add", "hung", "--role", "officer", "--password-stdin", "--as", "admin",
        stdin="mat-khau-can-bo\n")
    code, out, err = run(capsys, monkeypatch, "audit", "--as", "hung")
    assert code == 1 and out == "" and "không được xem nhật ký kiểm tra" in err
    code, _, err = run(capsys, monkeypatch, "audit")
    assert code == 2 and "--as" in err


def test_a_refused_write_names_role_and_action_in_words(with_admin, capsys, monkeypatch):
    run(capsys, monkeypatch, "users", "add", "xem", "--role", "viewer", "--password-stdin", "--as", "admin",
        stdin="mat-khau-lanh-dao\n")
    milestone = with_admin.milestones()["milestone_id"].iloc[0]
    code, out, err = run(capsys, monkeypatch, "milestones", "set", milestone, "--target", "80", "--reason", "thử",
                         "--as", "xem")
    assert code == 1 and out == ""
    assert "Lãnh đạo (chỉ xem)" in err and "không được sửa mốc tiến độ và quy tắc" in err
    assert "edit_milestones" not in err and "viewer" not in err
