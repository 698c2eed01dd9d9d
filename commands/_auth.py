"""What the account commands share: ``--as USER``, reading a password, safe terminal text, errors.

Who runs a CLI write: ``--as USER`` names an active account of the store, and the action is checked
against that account's role (:func:`domain.roles.require`) and recorded under its name in the audit.
The CLI does not ask for that account's password: whoever can run it already holds the store's
database credentials (the GeoPackage file or ``DATABASE_URL``) and could write to the database
directly, so ``--as`` gives attribution and role checks, not authentication. The one exception is an
empty store: ``users add NAME --role admin`` without ``--as`` creates the first administrator.
"""
from __future__ import annotations

import getpass
import json
import socket
import sys
from datetime import datetime, timedelta, timezone

from commands._common import default_user
from domain.errors import GpmbError, UsageError
from domain.roles import Account, PermissionDeniedError
from vocab.escape import terminal_json, terminal_text
from vocab.roles import permission_denied_text

#: Vietnam time (UTC+7, no daylight saving): times are stored in UTC and shown in it.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


def when_vn(moment: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time, ``""`` for None (``moment`` is an aware UTC time)."""
    return "" if moment is None else moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


def add_as_argument(parser) -> None:
    """``--as USER``: the account the command acts as (stored in ``args.as_user``)."""
    parser.add_argument("--as", dest="as_user", metavar="USER", default=None,
                        help="tài khoản thực hiện (quyền được kiểm tra theo vai trò của tài khoản này)")


def acting_account(accounts, username: str | None) -> Account:
    """The active account named by ``--as``.

    Raises
    ------
    UsageError
        ``--as`` missing, no such account, or the account is disabled.
    """
    if not username:
        raise UsageError("Cần chỉ rõ tài khoản thực hiện: --as TÊN_ĐĂNG_NHẬP.")
    account = accounts.get(username)
    if account is None or not account.active:
        raise UsageError(f"Không có tài khoản đang hoạt động «{printable(username)}» (--as).")
    return account


def acting_in(store, args) -> Account:
    """The account of ``--as`` (``args.as_user``) in ``store``; see :func:`acting_account`."""
    from store import Accounts

    return acting_account(Accounts(store), getattr(args, "as_user", None))


def reader_for(store, args):
    """What the read commands compute on: with ``--as USER`` the store limited to that account's units
    (``store.scoped``, issue 10), else the whole store."""
    if not getattr(args, "as_user", None):
        return store
    return store.scoped(acting_in(store, args))


def outcome_text(outcome, done: str) -> str:
    """One line for a write that may wait for a second account: ``done`` when executed, else the proposal."""
    if outcome.executed:
        return done
    return (f"Đã ghi đề xuất số {outcome.proposal_id}, chờ một tài khoản khác duyệt "
            f"(cli.py proposals confirm {outcome.proposal_id} --as TÊN); chưa thay đổi dữ liệu.")


def client_address() -> str:
    """``cli:<os user>@<host>``: the audit's client address for a command-line run."""
    return f"cli:{default_user()}@{socket.gethostname()}"


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin (``--password-stdin``), or typed twice at a terminal.

    A password is never taken from the command line, where other users of the machine see it.

    Raises
    ------
    UsageError
        No ``--password-stdin`` and no terminal, an empty line, or the two typed passwords differ.
    """
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu mới: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise UsageError("Hai lần nhập mật khẩu không giống nhau.")
    else:
        raise UsageError("Cần --password-stdin (mật khẩu không được ghi trên dòng lệnh).")
    if not password:
        raise UsageError("Mật khẩu rỗng.")
    return password


def printable(text) -> str:
    """``text`` with control and format characters (terminal escapes, bidi overrides) shown as ``\\xNN``."""
    return terminal_text(text)


def dumps(value) -> str:
    """JSON for the terminal: Vietnamese kept, every control/format character escaped as ``\\uXXXX``."""
    return terminal_json(json.dumps(value, ensure_ascii=False, indent=2))


def report(error: GpmbError) -> int:
    """Print the Vietnamese message of ``error`` on stderr; return its exit code."""
    message = permission_denied_text(error) if isinstance(error, PermissionDeniedError) else error.message_vi
    print(printable(message), file=sys.stderr)
    return error.exit_code
