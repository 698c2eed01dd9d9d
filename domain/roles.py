"""Roles, actions and the permission matrix (issue 9), as data; :func:`require` is the one check.

Four roles (codes in English; Vietnamese names in :mod:`vocab.roles`):

- ``viewer`` (lãnh đạo): reads figures and maps; no personal data, no writes.
- ``commune_officer`` (cán bộ xã): uploads field counts for his own commune(s) only.
- ``officer`` (cán bộ TTPTQĐ): uploads for all communes, exports, sees personal data.
- ``admin`` (quản trị): everything, including users, cadastral imports, reverts, restores and settings
  (``change_settings``: maker–checker on/off).

Every write is checked here, in the layer below the views (store, CLI, dashboard all call
:func:`require`), not only by hiding buttons. Personal data (owner names, ID numbers, phones,
addresses) is protected under Decree 13/2023/NĐ-CP, hence the separate ``read_personal`` and
``export_personal`` actions.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import GpmbError

VIEWER = "viewer"
COMMUNE_OFFICER = "commune_officer"
OFFICER = "officer"
ADMIN = "admin"

#: Role codes, least to most privileged.
ROLES: tuple[str, ...] = (VIEWER, COMMUNE_OFFICER, OFFICER, ADMIN)

#: Action codes checked by :func:`require`.
ACTIONS: tuple[str, ...] = (
    "read_figures",      # progress figures, milestones, maps
    "read_personal",     # owner names, ID numbers, phones, addresses
    "upload_counts",     # field counts, complaints and other registers (scope: own communes or all)
    "export",            # Excel / HTML / PDF reports without personal data
    "export_personal",   # exports that carry personal data
    "import_cadastre",   # cadastral parcels, clearance boundaries, alignments, commune boundaries
    "revert",            # revert an upload
    "restore",           # restore an earlier layer version
    "edit_milestones",   # milestones and rules
    "manage_users",      # accounts: add, disable, set passwords
    "read_audit",        # the audit trail
    "change_settings",   # store settings such as maker_checker
    "draw_lottery",      # record a resettlement lottery draw (issue 12)
)

#: Store settings (``store.settings``) → default value; changed only with ``change_settings``.
SETTINGS_DEFAULTS: dict[str, str] = {"maker_checker": "on"}

#: Values a setting may take.
SETTINGS_VALUES: dict[str, tuple[str, ...]] = {"maker_checker": ("on", "off")}

#: Scope of a granted action: everywhere, or only in the account's own communes.
SCOPE_ALL = "all"
SCOPE_OWN_COMMUNES = "own_communes"

_EVERYTHING = dict.fromkeys(ACTIONS, SCOPE_ALL)

#: role → {action: scope}. An action missing from a role's row is refused.
PERMISSIONS: dict[str, dict[str, str]] = {
    VIEWER: {"read_figures": SCOPE_ALL},
    COMMUNE_OFFICER: {"read_figures": SCOPE_ALL, "upload_counts": SCOPE_OWN_COMMUNES},
    OFFICER: {"read_figures": SCOPE_ALL, "read_personal": SCOPE_ALL, "upload_counts": SCOPE_ALL,
              "export": SCOPE_ALL, "export_personal": SCOPE_ALL, "draw_lottery": SCOPE_ALL},
    ADMIN: _EVERYTHING,
}


@dataclass(frozen=True)
class Account:
    """One user account as the store returns it (never with its password hash).

    Attributes
    ----------
    username : str
        Login name, lower case (``[a-z0-9._-]``, 2–64 characters).
    display_name : str
        Name shown in the dashboard and the audit.
    role : str
        One of :data:`ROLES`.
    communes : tuple of str
        The 2025 communes/wards of a ``commune_officer`` (``communes.name``); empty for other roles.
    units : tuple of str
        Codes of the units (``units.unit_code``: a district before 1/7/2025, after it the commune-level
        unit owning the project) whose projects the account sees and writes; empty = every unit (a
        province-level account). See :func:`unit_scope`.
    active : bool
        False once disabled (the account can no longer log in or act).
    created_at, password_changed_at : datetime
        UTC.
    failed_logins : int
        Consecutive failed logins since the last success or lock-out.
    locked_until : datetime or None
        UTC end of the current lock-out, if any.
    """

    username: str
    display_name: str
    role: str
    communes: tuple[str, ...] = ()
    active: bool = True
    units: tuple[str, ...] = ()
    created_at: datetime | None = None
    password_changed_at: datetime | None = None
    failed_logins: int = 0
    locked_until: datetime | None = field(default=None)


class PermissionDeniedError(GpmbError):
    """An account asked for an action its role does not grant (or outside its communes).

    Attributes ``username``, ``role``, ``action`` and ``commune`` carry the codes, so that a view can
    word the refusal with :func:`vocab.roles.permission_denied_text`.
    """

    def __init__(self, account: Account, action: str, commune: str | None = None, unit: str | None = None) -> None:
        self.username, self.role, self.action, self.commune = account.username, account.role, action, commune
        self.unit = unit
        where = f" tại «{commune}»" if commune is not None else ""
        where += f" thuộc đơn vị «{unit}» (ngoài các đơn vị của tài khoản)" if unit is not None else ""
        super().__init__(f"Tài khoản «{account.username}» (vai trò {account.role}) không có quyền "
                         f"thực hiện thao tác {action}{where}.")


class UnitScopeError(PermissionDeniedError):
    """A unit-scoped account asked for a write that reaches beyond its units (a layer shared by every
    unit, a restore of a whole layer, rows of another unit changed); ``message_vi`` says which."""

    def __init__(self, account: Account, action: str, message_vi: str) -> None:
        self.username, self.role, self.action, self.commune, self.unit = (
            account.username, account.role, action, None, None)
        GpmbError.__init__(self, message_vi)


class AccountDisabledError(GpmbError):
    """A disabled account tried to log in or act."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"Tài khoản «{username}» đã bị vô hiệu hoá; hãy liên hệ quản trị viên.")


def commune_key(name: str) -> str:
    """Comparison key of a commune name: Unicode NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


#: What an account's ``units`` holds to mean "every unit" (a province-level account), besides nothing.
ALL_UNITS = "*"


def unit_scope(account: Account | None) -> frozenset[str] | None:
    """The unit codes ``account`` sees and writes, or None for every unit.

    None for no account (a process acting for the whole store, e.g. the seed) and for a
    province-level account (``units`` empty or containing :data:`ALL_UNITS`).
    """
    units = tuple(getattr(account, "units", ()) or ())
    if not units or ALL_UNITS in units:
        return None
    return frozenset(str(u) for u in units)


def sees_unit(account: Account | None, unit: str | None) -> bool:
    """Whether ``unit`` is one of ``account``'s units (always, for a province-level account).

    A row with no unit (None) is seen only by province-level accounts.
    """
    scope = unit_scope(account)
    return scope is None or (unit is not None and str(unit) in scope)


def allows(account: Account, action: str, commune: str | None = None, unit: str | None = None) -> bool:
    """Whether ``account`` may do ``action`` (in ``commune``, on a row of ``unit`` when given); see :func:`require`.

    Raises
    ------
    ValueError
        ``action`` is not one of :data:`ACTIONS` (a programming error, not a user's).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    if not account.active:
        return False
    if unit is not None and not sees_unit(account, unit):
        return False
    scope = PERMISSIONS.get(account.role, {}).get(action)
    if scope == SCOPE_ALL:
        return True
    if scope == SCOPE_OWN_COMMUNES:
        return commune is not None and commune_key(commune) in {commune_key(c) for c in account.communes}
    return False


def require(account: Account, action: str, commune: str | None = None, unit: str | None = None) -> None:
    """Refuse unless ``account`` may do ``action`` (for a row of ``commune`` and of ``unit`` when given).

    A commune-scoped grant (``commune_officer`` uploading counts) needs ``commune``: the check runs
    once per row, so that rows of other communes are refused row by row. ``unit`` (the unit code of
    the row's project) is refused when it is not one of the account's units (:func:`unit_scope`), for
    every role: a shared province server holds several units' projects.

    Raises
    ------
    AccountDisabledError
        The account is disabled.
    PermissionDeniedError
        The role does not grant ``action``, or grants it only for other communes.
    ValueError
        ``action`` is not one of :data:`ACTIONS`.
    """
    if not account.active:
        raise AccountDisabledError(account.username)
    if unit is not None and not sees_unit(account, unit):
        raise PermissionDeniedError(account, action, commune, unit)
    if not allows(account, action, commune):
        raise PermissionDeniedError(account, action, commune)


def commune_scoped(account: Account | None) -> bool:
    """Whether ``account`` acts for its own communes only (its role grants ``upload_counts`` at
    :data:`SCOPE_OWN_COMMUNES`: a commune officer)."""
    return PERMISSIONS.get(getattr(account, "role", None), {}).get("upload_counts") == SCOPE_OWN_COMMUNES


def sees_units(account: Account | None, units) -> bool:
    """Whether a record concerning the units ``units`` (codes; None = a row of no or an unknown unit) is
    ``account``'s to see in a list (register and field-count imports, audit entries, proposals).

    The rule: a province-level account (:func:`unit_scope` None) sees every record; a unit-scoped account
    only a record that concerns at least one unit and no unit outside its own, so a record with no unit
    (account administration, logins, settings, the shared rules and layers) is for province-level accounts only.
    """
    scope = unit_scope(account)
    if scope is None:
        return True
    units = set(units)
    return bool(units) and None not in units and {str(u) for u in units} <= scope


def sees_communes(account: Account | None, communes) -> bool:
    """Whether a record concerning the 2025 communes ``communes`` is ``account``'s to see in a list.

    An account that is not :func:`commune_scoped` sees every record; a commune officer only a record that
    concerns at least one commune and none outside his (:func:`commune_key` comparison; None = a row whose
    commune is undecided, outside), so an import of other communes — its file name included — or of an
    undecided commune (a lot, an area, a transfer) is not listed to him.
    """
    if not commune_scoped(account):
        return True
    communes = set(communes)
    if not communes or None in communes:  # None: a row whose commune could not be decided
        return False
    return {commune_key(c) for c in communes} <= {commune_key(c) for c in account.communes}
