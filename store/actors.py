"""Who acts on a store write: the account as the store holds it NOW, checked against its role.

Every write method of the store takes ``actor: Account`` and calls :func:`check_actor` inside its
write transaction, so the role check sits below every view (CLI, dashboard) and uses the role,
communes and active flag stored at that moment, not a copy a session may have kept since login.
"""
from __future__ import annotations

from collections.abc import Sequence

from domain.roles import PERMISSIONS, SCOPE_OWN_COMMUNES, Account, AccountDisabledError, PermissionDeniedError, require
from store.accounts import _account, accounts
from store.errors import StoreError

#: The ``commune`` of a refusal for a row whose commune could not be decided.
UNDECIDED_COMMUNE = "không xác định được xã"


def check_actor(conn, actor: Account, action: str, commune: str | None = None, *,
                row_communes: Sequence[frozenset[str]] | None = None) -> Account:
    """The stored account of ``actor``, after :func:`domain.roles.require` (``action``, ``commune``).

    When the stored role grants ``action`` only in its own communes and ``row_communes`` is given
    (the communes each row of a write concerns, :func:`store.ledger.event_communes`), every commune
    of every row must be one of the account's; a row whose set is empty is refused as
    :data:`UNDECIDED_COMMUNE`.

    Raises
    ------
    StoreError
        ``actor`` is not an :class:`Account`, or no such account in this store.
    AccountDisabledError
        The account is disabled (now, even if it was active when the session began).
    domain.roles.PermissionDeniedError
        The stored role does not grant ``action`` (in ``commune`` when given).
    """
    if not isinstance(actor, Account):
        raise StoreError("Mọi thao tác ghi cần tài khoản thực hiện (actor: Account).")
    row = conn.execute(accounts.select().where(accounts.c.username == actor.username)).mappings().first()
    if row is None:
        raise StoreError(f"Không có tài khoản «{actor.username}» trong kho dữ liệu.")
    stored = _account(row)
    if not stored.active:
        raise AccountDisabledError(stored.username)
    if row_communes is not None and PERMISSIONS.get(stored.role, {}).get(action) == SCOPE_OWN_COMMUNES:
        for names in row_communes:
            if not names:
                raise PermissionDeniedError(stored, action, UNDECIDED_COMMUNE)
            for name in sorted(names):
                require(stored, action, name)
        return stored
    require(stored, action, commune)
    return stored
