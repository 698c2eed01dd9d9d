"""Accounts that act in tests: every store write takes an ``actor`` (issue 9), made here in one place.

:func:`make_account` creates an account in the test store with a cheap argon2 hasher (the first one as
the installer does, later ones by that first administrator). :func:`office_admin` is the actor of the
tests that exercise the store's mechanics rather than maker–checker: an administrator of a
one-person office, with ``maker_checker`` switched off (an audited setting change), so reverts,
restores and parcel-removing replacements run at once as they did before issue 9.
"""
from __future__ import annotations

from argon2 import PasswordHasher

from domain.roles import Account

#: Cheap argon2id parameters: the same algorithm and checks, a thousandth of the work.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

#: Password of every test account (never a real one).
TEST_PASSWORD = "mat-khau-kiem-thu"


def make_account(store, username: str, role: str = "admin", communes: tuple[str, ...] = ()) -> Account:
    """The account ``username`` of ``store``, created if absent (by the first admin once one exists)."""
    from store import Accounts

    accounts = Accounts(store, hasher=FAST_HASHER)
    existing = accounts.get(username)
    if existing is not None:
        return existing
    creator = next((a for a in accounts.list() if a.role == "admin" and a.active), None)
    if creator is None and role != "admin":
        creator = accounts.create_account("quan_tri", TEST_PASSWORD, role="admin", by=None)
    return accounts.create_account(username, TEST_PASSWORD, role=role, by=creator, communes=communes)


def office_admin(store, username: str = "quan_tri") -> Account:
    """An administrator of ``store`` with ``maker_checker`` off (actions run at once)."""
    from store.settings import Settings

    admin = make_account(store, username, "admin")
    Settings(store).set("maker_checker", "off", actor=admin)
    return admin
