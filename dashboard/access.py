"""Which action of :data:`domain.roles.ACTIONS` each dashboard page needs (issue 9).

The table is keyed by the page's ``url_path`` (``dashboard.pages.PageInfo.url_path``: the module name
without its order digits), so the page modules need no change. A page missing from the table is
shown to nobody (fail closed) and logged: a new page must be added here before anyone sees it.

``None`` means "every logged-in account" (the account page: password change, logout).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TypeVar

from domain.roles import PERMISSIONS, Account

log = logging.getLogger(__name__)

#: url_path → action code the account's role must grant (at any scope), or None for every account.
PAGE_ACTIONS: dict[str, str | None] = {
    "overview": "read_figures",
    "blockers": "read_figures",
    "map": "read_figures",
    "parcels": "read_figures",
    "upload": "upload_counts",      # a commune officer's grant is for his communes: rows are checked below
    "exports": "export",
    "import": "import_cadastre",
    "converter": "read_figures",
    "milestones": "read_figures",   # viewing; changing milestones and rules needs edit_milestones (checked by the store)
    "proposals": "revert",          # confirming needs the action's role; the store checks each decision
    "account": None,
    "users": "manage_users",
    "audit": "read_audit",
    "households": "read_figures",   # owner names only with read_personal (checked by the store's read)
    "complaints": "read_figures",
    "resettlement": "read_figures", # the lottery form only with draw_lottery (checked again by the store)
    "register_upload": "upload_counts",  # a commune officer's registers: his communes' rows (checked below)
}

Page = TypeVar("Page")


def grants(account: Account, action: str | None) -> bool:
    """Whether ``account`` is active and its role grants ``action`` at some scope (``None``: always).

    A commune-scoped grant counts: the page opens, and :func:`domain.roles.require` refuses the rows
    of other communes one by one.
    """
    if not account.active:
        return False
    return action is None or action in PERMISSIONS.get(account.role, {})


def may_open(account: Account, url_path: str) -> bool:
    """Whether ``account`` may open the page at ``url_path``; an unlisted page is refused (and logged)."""
    if url_path not in PAGE_ACTIONS:
        log.warning("page %r is not in dashboard.access.PAGE_ACTIONS: shown to nobody", url_path)
        return False
    return grants(account, PAGE_ACTIONS[url_path])


def visible_pages(account: Account, pages: Iterable[Page]) -> list[Page]:
    """The pages (objects with a ``url_path``, e.g. ``PageInfo``) ``account`` may open, order kept."""
    return [p for p in pages if may_open(account, p.url_path)]
