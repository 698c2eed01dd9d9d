"""A commune officer's register rows outside his communes, found before the store refuses the write.

The store refuses a register import with any row outside a commune officer's communes
(:meth:`store.people.PeopleStore.commit_register`); this finds those rows first, so that the preview and
the report list them row by row (row, column, the communes) like the field-count upload
(:func:`ingest.importer.restrict_to_communes`). A row's commune is decided as the store decides it: a
household's or a letter's ``commune``; a plan's, payment's or refusal's household's commune in the
store's households register (a household not there yet is undecided, refused). Lots and the investor's
transfers belong to no commune (refused as a permission, :class:`NoCommuneRegisterError`), and the matrix
needs its commune named (refused whole).
Other roles get no problem here (the store checks them too).
"""
from __future__ import annotations

import pandas as pd

from domain.errors import GpmbError
from domain.roles import PERMISSIONS, SCOPE_OWN_COMMUNES, Account, PermissionDeniedError, allows
from ingest.register_rows import REGISTERS
from ingest.report import RowProblem

#: Registers a commune officer may never import (no commune of theirs to check).
NO_COMMUNE_KINDS: tuple[str, ...] = ("lots", "transfers", "areas")
_BY_HOUSEHOLD = ("plans", "payments", "refusals")


def is_commune_scoped(actor: Account) -> bool:
    """Whether ``actor``'s role may import registers only for its own communes."""
    return PERMISSIONS.get(actor.role, {}).get("upload_counts") == SCOPE_OWN_COMMUNES


class NoCommuneRegisterError(PermissionDeniedError):
    """A commune officer asked to import a register that belongs to no commune (lots, transfers, areas)."""

    def __init__(self, account: Account, kind: str) -> None:
        self.username, self.role, self.action, self.commune, self.unit = (
            account.username, account.role, "upload_counts", None, None)
        GpmbError.__init__(self, f"Tài khoản «{account.username}» (cán bộ xã) không được nhập sổ này ({kind}): lô "
                                 "và khu tái định cư, kinh phí chủ đầu tư chuyển không thuộc riêng một xã; cần tài khoản "
                                 "cấp dự án. Chưa ghi gì.")


def check_kind(kind: str, actor: Account) -> None:
    """Refuse a commune officer a register of :data:`NO_COMMUNE_KINDS` (the store would refuse its rows).

    Raises
    ------
    NoCommuneRegisterError
    """
    if is_commune_scoped(actor) and kind in NO_COMMUNE_KINDS:
        raise NoCommuneRegisterError(actor, kind)


def refusal_vi(kind: str, actor: Account, commune: str | None) -> str | None:
    """Why ``actor`` may not import this ``kind`` file as asked (a commune officer's matrix needs its commune)."""
    if not is_commune_scoped(actor):
        return None
    if kind == "matrix" and not commune:
        return (f"Tài khoản «{actor.username}» (cán bộ xã) cần chọn xã của bảng hộ × bước "
                f"({', '.join(actor.communes) or 'chưa được giao xã nào'}). Chưa ghi gì.")
    return None


def row_communes(kind: str, rows: pd.DataFrame, store, project_id: str) -> pd.Series:
    """The commune of each row of ``rows`` (register columns, index = file row), None when undecided."""
    if kind in _BY_HOUSEHOLD:
        homes = store.register("households", project_id=project_id)
        where = dict(zip(homes["household_id"], homes["commune"], strict=True))
        return rows["household_id"].map(lambda h: where.get(h))
    if "commune" in rows:
        return rows["commune"]
    return pd.Series(None, index=rows.index, dtype=object)


def outside_communes(kind: str, rows: pd.DataFrame, actor: Account, store, project_id: str) -> list[RowProblem]:
    """One problem per row of ``rows`` whose commune is not one of ``actor``'s (commune officers only).

    Parameters
    ----------
    kind : str
        ``households``, ``plans``, ``payments``, ``refusals`` or ``complaints`` (others: no row check).
    rows : DataFrame
        Validated rows (:data:`domain.people.REGISTER_COLUMNS` of ``kind``), index = the file's row number.
    """
    if not is_commune_scoped(actor) or rows.empty or kind not in (*_BY_HOUSEHOLD, "households", "complaints"):
        return []
    headers = {f.column: f.header_vi for f in REGISTERS[kind]}
    column = headers["household_id"] if kind in _BY_HOUSEHOLD else headers["commune"]
    allowed = ", ".join(actor.communes) or "(chưa được giao xã nào)"
    problems = []
    for row, commune in row_communes(kind, rows, store, project_id).items():
        if isinstance(commune, str) and commune and allows(actor, "upload_counts", commune):
            continue
        known = isinstance(commune, str) and bool(commune)
        where = f"dòng này thuộc {commune}" if known else "không xác định được xã của dòng này"
        problems.append(RowProblem(int(row), column, f"tài khoản «{actor.username}» chỉ được nhập sổ của "
                                                     f"{allowed}; {where}", commune if known else ""))
    return problems
