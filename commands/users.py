"""``python cli.py users add|list|disable|set-password``: the accounts of the store (issue 9).

- ``users add NAME --role ROLE [--commune NAME ...] [--unit CODE ...] [--display-name TEXT] --password-stdin
  --as ADMIN``; ``--unit`` (code or name of the store's units, repeatable) limits the account to those units'
  projects (none or ``*``: every unit, a province-level account);
  on an empty store ``users add NAME --role admin --password-stdin`` (no ``--as``) creates the first
  administrator.
- ``users list [--json] --as ADMIN``: user name, display name, role, communes, state (``--json``: ISO
  timestamps in UTC; never a password hash).
- ``users disable NAME --as ADMIN``.
- ``users set-units NAME [--unit CODE ...] --as ADMIN`` (no ``--unit``: every unit).
An administrator with units lists and manages only accounts of his units.
- ``users set-password NAME --password-stdin --as USER`` (an account may change its own password).

``--as`` is explained in :mod:`commands._auth`. Every change is recorded in the audit
(``cli.py audit``). Exit code 0; 1 when refused (Vietnamese message on stderr) or the store cannot be
opened; 2 on usage errors (no ``--as``, no password, unknown acting account).
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from commands._auth import (
    acting_account,
    add_as_argument,
    client_address,
    dumps,
    printable,
    read_password,
    report,
    when_vn,
)
from commands._common import add_database_url_argument
from domain.errors import GpmbError
from domain.login import is_locked
from domain.roles import ROLES, require, unit_scope
from store import open_store
from vocab.roles import role_label

NAME = "users"
HELP = "Quản lý tài khoản: thêm, liệt kê, vô hiệu hoá, đặt mật khẩu"

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="users_command", metavar="LỆNH", required=True)
    add = sub.add_parser("add", help="thêm tài khoản", description="Thêm tài khoản (mật khẩu đọc từ stdin)")
    add.add_argument("username", metavar="NAME", help="tên đăng nhập (chữ thường không dấu, số, . _ -)")
    add.add_argument("--role", required=True, choices=ROLES, help="vai trò")
    add.add_argument("--commune", action="append", default=[], metavar="NAME",
                     help="xã, phường của cán bộ xã (lặp lại cho nhiều xã)")
    add.add_argument("--unit", action="append", default=[], metavar="CODE",
                     help="đơn vị (mã hoặc tên, ví dụ 183 hay «Huyện Cao Lộc»; lặp lại cho nhiều đơn vị; "
                          "bỏ trống: mọi đơn vị, tài khoản cấp tỉnh)")
    add.add_argument("--display-name", default=None, help="tên hiển thị (mặc định: tên đăng nhập)")
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng stdin")
    listing = sub.add_parser("list", help="liệt kê tài khoản", description="Liệt kê tài khoản")
    listing.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    disable = sub.add_parser("disable", help="vô hiệu hoá tài khoản", description="Vô hiệu hoá tài khoản")
    disable.add_argument("username", metavar="NAME")
    password = sub.add_parser("set-password", help="đặt mật khẩu mới", description="Đặt mật khẩu mới")
    password.add_argument("username", metavar="NAME")
    password.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng stdin")
    set_units = sub.add_parser("set-units", help="giao đơn vị cho tài khoản",
                               description="Giao đơn vị cho tài khoản (không có --unit: mọi đơn vị)")
    set_units.add_argument("username", metavar="NAME")
    set_units.add_argument("--unit", action="append", default=[], metavar="CODE", help="mã hoặc tên đơn vị")
    for p in (add, listing, disable, password, set_units):
        add_as_argument(p)
        add_database_url_argument(p)


def run(args) -> int:
    from store import Accounts

    store = open_store(args.database_url)  # a GpmbError reaches cli.py
    accounts = Accounts(store)
    try:
        return _COMMANDS[args.users_command](accounts, args)
    except GpmbError as exc:
        return report(exc)
    finally:
        store.close()


def _add(accounts, args) -> int:
    bootstrap = args.as_user is None and accounts.count() == 0
    by = None if bootstrap else acting_account(accounts, args.as_user)
    password = read_password(args.password_stdin)
    account = accounts.create_account(args.username, password, role=args.role, by=by,
                                      display_name=args.display_name, communes=args.commune,
                                      units=args.unit, client_address=client_address())
    where = f" ({', '.join(account.communes)})" if account.communes else ""
    where += f", đơn vị {', '.join(account.units)}" if account.units else ""
    print(printable(f"Đã tạo tài khoản «{account.username}», vai trò {role_label(account.role)}{where}."))
    return 0


def _list(accounts, args) -> int:
    scope = None
    if accounts.count() > 0:
        by = acting_account(accounts, args.as_user)
        require(by, "manage_users")
        scope = unit_scope(by)
    rows = [a for a in accounts.list() if scope is None or (a.units and set(a.units) <= scope)]
    if args.json:
        print(dumps([to_record(a) for a in rows]))
    else:
        print(format_table(rows))
    return 0


def _disable(accounts, args) -> int:
    accounts.disable(args.username, by=acting_account(accounts, args.as_user), client_address=client_address())
    print(printable(f"Đã vô hiệu hoá tài khoản «{args.username.strip().lower()}»."))
    return 0


def _set_password(accounts, args) -> int:
    by = acting_account(accounts, args.as_user)
    accounts.set_password(args.username, read_password(args.password_stdin), by=by,
                          client_address=client_address())
    print(printable(f"Đã đặt mật khẩu mới cho tài khoản «{args.username.strip().lower()}»."))
    return 0


def _set_units(accounts, args) -> int:
    account = accounts.set_units(args.username, args.unit, by=acting_account(accounts, args.as_user),
                                 client_address=client_address())
    print(printable(f"Tài khoản «{account.username}»: đơn vị "
                    f"{', '.join(account.units) if account.units else 'tất cả (cấp tỉnh)'}."))
    return 0


_COMMANDS = {"add": _add, "list": _list, "disable": _disable, "set-password": _set_password, "set-units": _set_units}


def to_record(account) -> dict:
    """One account as a JSON-ready dict (UTC ISO 8601 times; no hash)."""
    def iso(moment):
        return moment.isoformat() if moment is not None else None

    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "communes": list(account.communes), "units": list(account.units), "active": account.active,
            "created_at": iso(account.created_at), "password_changed_at": iso(account.password_changed_at),
            "failed_logins": account.failed_logins, "locked_until": iso(account.locked_until)}


def format_table(rows) -> str:
    """Plain-text list of accounts, one line each, Vietnamese headings, times in Vietnam time."""
    if not rows:
        return "Chưa có tài khoản nào."
    header = (f"{'Tên đăng nhập':<16} | {'Tên hiển thị':<24} | {'Vai trò':<18} | {'Tạo lúc (giờ VN)':<16} | "
              f"{'Trạng thái':<22} | {'Đơn vị':<10} | Xã, phường")
    lines = [header]
    now = datetime.now(UTC)
    for a in rows:
        state = "hoạt động" if a.active else "đã vô hiệu hoá"
        if is_locked(a.locked_until, now):
            state += f", khoá đến {when_vn(a.locked_until)[-5:]}"
        lines.append(printable(f"{a.username:<16} | {a.display_name[:24]:<24} | {role_label(a.role):<18} | "
                               f"{when_vn(a.created_at):<16} | {state:<22} | {', '.join(a.units) or 'tất cả':<10} | "
                               f"{', '.join(a.communes)}"))
    return "\n".join(lines)
