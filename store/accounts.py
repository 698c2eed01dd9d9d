"""Local accounts in the store (issue 9): argon2 password hashes, lock-out, roles, communes.

``Accounts(open_store())`` works on GeoPackage/SQLite and PostGIS alike (the store's SQLAlchemy
engine). Passwords are hashed with argon2id (``argon2-cffi``, RFC 9106 parameters); the plaintext is
never stored or logged, and :class:`domain.roles.Account` never carries the hash.

Every account change and every failed login writes an :mod:`store.audit` row in the same
transaction. Lock-out follows :class:`domain.login.LockoutPolicy` (default: 5 failures → 15 minutes).
An empty store accepts one account with no actor: the first administrator, created by the person
installing (``python cli.py users add admin --role admin --password-stdin``).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Integer, Table, Text, func, insert, select, text, update

from domain.errors import GpmbError
from domain.login import MIN_PASSWORD_LENGTH, LockoutPolicy, after_failure, check_new_password, is_locked
from domain.roles import (
    ADMIN,
    ALL_UNITS,
    COMMUNE_OFFICER,
    ROLES,
    Account,
    AccountDisabledError,
    commune_key,
    require,
    unit_scope,
)
from store import audit, schema
from store.engine import read_connection, write_transaction
from store.layers import table_exists
from store.types import UtcDateTime

if TYPE_CHECKING:
    from argon2 import PasswordHasher

accounts = Table(
    "accounts", schema.metadata,
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("communes", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime),
    Column("units", Text, nullable=False),
)

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_DISPLAY_NAME_CHARS = 100

#: The one refusal for an unknown user and a wrong password (a login never tells which).
LOGIN_FAILED_VI = "Tên đăng nhập hoặc mật khẩu không đúng."


class AuthenticationFailedError(GpmbError):
    """Unknown user or wrong password (one message for both: :data:`LOGIN_FAILED_VI`)."""

    def __init__(self) -> None:
        super().__init__(LOGIN_FAILED_VI)


class AccountLockedError(GpmbError):
    """Too many failed logins: the account is locked until ``locked_until`` (UTC)."""

    def __init__(self, locked_until: datetime, now: datetime) -> None:
        self.locked_until = locked_until
        minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
        super().__init__(f"Tài khoản tạm khoá do đăng nhập sai nhiều lần; thử lại sau {minutes} phút.")


class AccountError(GpmbError):
    """An account request the store refuses (bad name, role or commune; exists; unknown; last admin)."""


def normalise_username(username: str) -> str:
    """``username`` stripped and lower-cased (accounts are matched case-insensitively)."""
    return str(username).strip().lower()


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _account(row) -> Account:
    return Account(
        username=row["username"], display_name=row["display_name"], role=row["role"],
        communes=tuple(json.loads(row["communes"] or "[]")), active=bool(row["active"]),
        created_at=audit.utc(row["created_at"]), password_changed_at=audit.utc(row["password_changed_at"]),
        failed_logins=int(row["failed_logins"]),
        locked_until=_locked_until(row), units=tuple(json.loads(row.get("units") or "[]")),
    )


def _locked_until(row) -> datetime | None:
    return audit.utc(row["locked_until"]) if row["locked_until"] is not None else None


def _summary(account: Account) -> dict:
    """What the audit keeps of an account (no hash, no lock-out state)."""
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "communes": list(account.communes), "active": account.active, "units": list(account.units)}


class Accounts:
    """The accounts of one store.

    Parameters
    ----------
    store : store.Store
        The open store.
    lockout : LockoutPolicy, optional
        Failures before a lock-out and its length (default 5 → 15 minutes).
    min_password_length : int, optional
        Shortest new password (default :data:`domain.login.MIN_PASSWORD_LENGTH`).
    hasher : argon2.PasswordHasher, optional
        Default ``PasswordHasher()`` (argon2id, RFC 9106 low-memory profile); tests pass a cheaper one.
    clock : callable, optional
        Returns the current UTC time (tests pass a controllable clock).
    """

    def __init__(self, store, *, lockout: LockoutPolicy | None = None,
                 min_password_length: int = MIN_PASSWORD_LENGTH, hasher: PasswordHasher | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.engine = store.engine
        self.lockout = lockout or LockoutPolicy()
        self.min_password_length = min_password_length
        if hasher is None:
            from argon2 import PasswordHasher  # imported here: ``import store`` works without argon2-cffi

            hasher = PasswordHasher()
        self.hasher = hasher
        self.clock = clock or (lambda: datetime.now(UTC))
        self._dummy_hash: str | None = None

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        """Number of accounts (active or not); 0 on a fresh store."""
        with read_connection(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(accounts)).scalar_one()

    def get(self, username: str) -> Account | None:
        """The account ``username`` (case-insensitive), or ``None``."""
        with read_connection(self.engine) as conn:
            row = self._row(conn, normalise_username(username))
        return _account(row) if row is not None else None

    def list(self) -> list[Account]:
        """Every account, active or not, by user name."""
        with read_connection(self.engine) as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.username)).mappings().all()
        return [_account(r) for r in rows]

    @staticmethod
    def _row(conn, username: str):
        return conn.execute(select(accounts).where(accounts.c.username == username)).mappings().first()

    # ------------------------------------------------------------------ writing
    def create_account(self, username: str, password: str, *, role: str, by: Account | None,
                       display_name: str | None = None, communes: Iterable[str] = (),
                       units: Iterable[str] = (), client_address: str | None = None) -> Account:
        """Add an account; audited as ``user_created``.

        Parameters
        ----------
        username : str
            2–64 characters ``[a-z0-9._-]`` (stored lower case), starting with a letter or digit.
        password : str
            The new password (:func:`domain.login.check_new_password`); only its argon2 hash is stored.
        role : str
            One of :data:`domain.roles.ROLES`.
        by : Account or None
            Who creates it (needs ``manage_users``). ``None`` only on a store with no account yet and
            for ``role='admin'``: the first administrator.
        display_name : str, optional
            Shown name (default: ``username``); at most 100 characters, no control characters.
        communes : iterable of str
            The communes of a ``commune_officer`` (at least one; matched to ``communes.name`` of the
            store, case-insensitively, when the store has a communes layer); must be empty for
            other roles.
        units : iterable of str
            Codes or names of the units (``units`` table) whose projects the account sees and writes;
            empty (or ``"*"``) = every unit, a province-level account. An account with units creates only
            accounts within its own units.

        Raises
        ------
        AccountError
            Bad user name, role, display name, commune or unit; the user name exists; no actor on a
            store that already has accounts.
        WeakPasswordError, PermissionDeniedError, AccountDisabledError
            From the password rule and :func:`domain.roles.require`.
        """
        username = normalise_username(username)
        display_name = (display_name or username).strip()
        communes = [communes] if isinstance(communes, str) else list(communes)
        self._check_new_account(username, role, display_name, communes)
        check_new_password(password, self.min_password_length)
        if by is not None:
            require(by, "manage_users")
        password_hash = self.hasher.hash(password)
        with write_transaction(self.engine) as conn:
            if by is None:
                self._check_bootstrap(conn, role)
            if self._row(conn, username) is not None:
                raise AccountError(f"Tài khoản «{username}» đã có.")
            now = self.clock()
            account = Account(username=username, display_name=display_name, role=role,
                              communes=self._canonical_communes(conn, communes), active=True,
                              created_at=now, password_changed_at=now, units=_canonical_units(conn, units, by))
            conn.execute(insert(accounts).values(
                username=username, display_name=display_name, role=role,
                communes=json.dumps(list(account.communes), ensure_ascii=False), active=True,
                units=json.dumps(list(account.units), ensure_ascii=False),
                created_at=now, password_hash=password_hash, password_changed_at=now, failed_logins=0,
            ))
            audit.append(conn, actor=by, action="user_created", target=f"account:{username}",
                         after={**_summary(account), **({"first_admin": True} if by is None else {})},
                         client_address=client_address, now=now)
        return self.get(username)

    @staticmethod
    def _check_new_account(username: str, role: str, display_name: str, communes: Iterable[str]) -> None:
        if not USERNAME_PATTERN.fullmatch(username):
            raise AccountError("Tên đăng nhập cần 2–64 ký tự gồm chữ thường không dấu, chữ số, '.', '_' "
                               "hoặc '-', bắt đầu bằng chữ hoặc số.")
        if role not in ROLES:
            raise AccountError(f"Vai trò không hợp lệ; cần một trong: {', '.join(ROLES)}.")
        if not display_name or len(display_name) > MAX_DISPLAY_NAME_CHARS or _has_control_chars(display_name):
            raise AccountError(f"Tên hiển thị cần 1–{MAX_DISPLAY_NAME_CHARS} ký tự, không có ký tự điều khiển.")
        communes = list(communes)
        if role == COMMUNE_OFFICER and not communes:
            raise AccountError("Cán bộ xã cần ít nhất một xã, phường (--commune).")
        if role != COMMUNE_OFFICER and communes:
            raise AccountError("Chỉ tài khoản cán bộ xã (commune_officer) được gắn với xã, phường.")
        if any(_has_control_chars(str(c)) or not str(c).strip() for c in communes):
            raise AccountError("Tên xã, phường không được rỗng hay chứa ký tự điều khiển.")

    def _check_bootstrap(self, conn, role: str) -> None:
        if conn.execute(select(func.count()).select_from(accounts)).scalar_one() > 0:
            raise AccountError("Kho dữ liệu đã có tài khoản: hãy chỉ rõ người thực hiện (--as TÊN, "
                               "một quản trị viên).")
        if role != ADMIN:
            raise AccountError("Tài khoản đầu tiên phải là quản trị viên (--role admin).")

    @staticmethod
    def _canonical_communes(conn, communes: Iterable[str]) -> tuple[str, ...]:
        """Each commune as the full name of the store's communes layer (``Phường Kỳ Lừa``, as the
        parcels' ``commune`` column spells it); ``name`` or ``full_name`` accepted; refused when absent."""
        communes = [" ".join(str(c).split()) for c in communes]
        if not communes or not table_exists(conn, "communes"):
            return tuple(communes)
        known = {}
        for name, full_name in conn.execute(text("SELECT name, full_name FROM communes")).all():
            for spelling in (name, full_name):
                if spelling:
                    known[commune_key(spelling)] = full_name or name
        missing = [c for c in communes if commune_key(c) not in known]
        if missing:
            raise AccountError(f"Không có xã, phường {', '.join(f'«{c}»' for c in missing)} trong lớp ranh "
                               f"giới xã của kho dữ liệu.")
        return tuple(dict.fromkeys(known[commune_key(c)] for c in communes))

    def set_units(self, username: str, units: Iterable[str], *, by: Account,
                  client_address: str | None = None) -> Account:
        """Give ``username`` these units (codes or names; empty = every unit); audited as ``user_units_set``.

        Raises
        ------
        AccountError
            No such account, or a unit the store does not have or ``by`` does not have.
        PermissionDeniedError, AccountDisabledError
            ``by`` may not manage users.
        """
        require(by, "manage_users")
        username = normalise_username(username)
        with write_transaction(self.engine) as conn:
            row = self._existing(conn, username)
            before = _account(row)
            _check_within(by, before.units, "sửa")
            codes = _canonical_units(conn, units, by)
            conn.execute(update(accounts).where(accounts.c.username == username).values(
                units=json.dumps(list(codes), ensure_ascii=False)))
            audit.append(conn, actor=by, action="user_units_set", target=f"account:{username}",
                         before={"units": list(before.units)}, after={"units": list(codes)},
                         client_address=client_address, now=self.clock())
        return self.get(username)

    def set_password(self, username: str, password: str, *, by: Account,
                     client_address: str | None = None) -> None:
        """Set a new password (an account may change its own; others need ``manage_users``).

        Clears the failure count and any lock-out; audited as ``password_set`` (without the password).

        Raises
        ------
        AccountError
            No such account.
        WeakPasswordError, PermissionDeniedError, AccountDisabledError
        """
        username = normalise_username(username)
        if by.username != username:
            require(by, "manage_users")
        elif not by.active:
            raise AccountDisabledError(by.username)
        check_new_password(password, self.min_password_length)
        password_hash = self.hasher.hash(password)
        with write_transaction(self.engine) as conn:
            row = self._existing(conn, username)
            if by.username != username:
                _check_within(by, _account(row).units, "đặt mật khẩu cho")
            now = self.clock()
            conn.execute(update(accounts).where(accounts.c.username == username).values(
                password_hash=password_hash, password_changed_at=now, failed_logins=0, locked_until=None))
            audit.append(conn, actor=by, action="password_set", target=f"account:{username}",
                         after={"password_changed_at": now.isoformat(), "own_password": by.username == username},
                         client_address=client_address, now=now)

    def disable(self, username: str, *, by: Account, client_address: str | None = None) -> None:
        """Disable an account (it can no longer log in or act); audited as ``user_disabled``.

        Raises
        ------
        AccountError
            No such account, already disabled, or the last active administrator.
        PermissionDeniedError, AccountDisabledError
        """
        require(by, "manage_users")
        username = normalise_username(username)
        with write_transaction(self.engine) as conn:
            row = self._existing(conn, username)
            _check_within(by, _account(row).units, "vô hiệu hoá")
            if not row["active"]:
                raise AccountError(f"Tài khoản «{username}» đã bị vô hiệu hoá từ trước.")
            if row["role"] == ADMIN and self._active_admins(conn) <= 1:
                raise AccountError("Không thể vô hiệu hoá quản trị viên cuối cùng còn hoạt động.")
            conn.execute(update(accounts).where(accounts.c.username == username).values(active=False))
            audit.append(conn, actor=by, action="user_disabled", target=f"account:{username}",
                         before={"active": True}, after={"active": False}, client_address=client_address,
                         now=self.clock())

    def _existing(self, conn, username: str):
        row = self._row(conn, username)
        if row is None:
            raise AccountError(f"Không có tài khoản «{username}».")
        return row

    @staticmethod
    def _active_admins(conn) -> int:
        return conn.execute(select(func.count()).select_from(accounts).where(
            accounts.c.role == ADMIN, accounts.c.active.is_(True))).scalar_one()

    # ------------------------------------------------------------------ login
    def authenticate(self, username: str, password: str, *, client_address: str | None = None) -> Account:
        """Check a login; return the account, or raise after recording the failure in the audit.

        A locked account is refused without checking the password. A wrong password adds one to the
        failure count; the count reaching ``lockout.max_failures`` locks the account for
        ``lockout.lock_for``. A success clears the count (and rehashes a hash made with older
        parameters).

        Raises
        ------
        AuthenticationFailedError
            Unknown user or wrong password (the same message for both, and for a disabled account
            with a wrong password).
        AccountLockedError
            The account is locked (message says for how many more minutes).
        AccountDisabledError
            Right password, disabled account.
        """
        username = normalise_username(username)
        now = self.clock()
        with read_connection(self.engine) as conn:
            seen = self._row(conn, username)
        # argon2 runs outside the write transaction: a login never holds the store's write lock
        verified = self._check(seen, password, now)
        with write_transaction(self.engine) as conn:
            row = self._row(conn, username)
            if row is not None and (seen is None or row["password_hash"] != seen["password_hash"]):
                verified = self._check(row, password, now)  # changed meanwhile (rare): check again
            refusal = self._login_refusal(conn, row, verified, now)
            if refusal is not None:
                reason, after, error = refusal
                audit.append(conn, actor=None, action="login_failed", target=f"account:{username}",
                             after={"reason": reason, **after}, client_address=client_address, now=now)
            else:
                self._on_success(conn, row, password)
        if refusal is not None:
            raise error
        return _account({**row, "failed_logins": 0, "locked_until": None})

    def _check(self, row, password: str, now: datetime) -> bool:
        """Whether ``password`` matches ``row``; a dummy hash for an unknown user (no timing oracle),
        no work at all for a locked account (its password is not checked)."""
        if row is None:
            self._verify(self._dummy(), password)
            return False
        if is_locked(_locked_until(row), now):
            return False
        return self._verify(row["password_hash"], password)

    def _login_refusal(self, conn, row, verified: bool, now: datetime):
        """``(reason, audit summary, error)`` for a refused login (counting a wrong password), or None."""
        if row is None:
            return "unknown_user", {}, AuthenticationFailedError()
        locked_until = _locked_until(row)
        if is_locked(locked_until, now):
            return "locked", {"locked_until": locked_until.isoformat()}, AccountLockedError(locked_until, now)
        if not verified:
            count, locked_until = after_failure(int(row["failed_logins"]), now, self.lockout)
            conn.execute(update(accounts).where(accounts.c.username == row["username"]).values(
                failed_logins=count, locked_until=locked_until))
            summary = {"failed_logins": count, "locked_until": locked_until.isoformat() if locked_until else None}
            return "wrong_password", summary, AuthenticationFailedError()
        if not row["active"]:
            return "disabled", {}, AccountDisabledError(row["username"])
        return None

    def _on_success(self, conn, row, password: str) -> None:
        values = {"failed_logins": 0, "locked_until": None}
        if self.hasher.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = self.hasher.hash(password)
        if row["failed_logins"] or row["locked_until"] is not None or "password_hash" in values:
            conn.execute(update(accounts).where(accounts.c.username == row["username"]).values(**values))

    def _verify(self, password_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("not a password: equalises the work for unknown users")
        return self._dummy_hash


def _canonical_units(conn, units: Iterable[str], by: Account | None) -> tuple[str, ...]:
    """The unit codes of ``units`` (codes or names, ``*`` = every unit → empty), within ``by``'s units."""
    from store.units import resolve_unit  # here: store.units imports the schema this module extends

    units = [units] if isinstance(units, str) else list(units)
    if ALL_UNITS in units:
        units = []
    try:
        codes = tuple(dict.fromkeys(resolve_unit(conn, u) for u in units))
    except GpmbError as exc:
        raise AccountError(exc.message_vi) from None
    _check_within(by, codes, "tạo hoặc giao")
    return codes


def _check_within(by: Account | None, codes: tuple[str, ...], verb: str) -> None:
    """An account with units manages only accounts whose units are among its own (never a province one)."""
    scope = unit_scope(by)
    if scope is None:
        return
    if not codes or not set(codes) <= scope:
        raise AccountError(f"Tài khoản «{by.username}» chỉ {verb} được tài khoản thuộc đơn vị của mình "
                           f"({', '.join(sorted(scope))}), không phải tài khoản cấp tỉnh hay của đơn vị khác.")
