"""Source profiles: named attribute mappings kept in the store, picked by the user at import (issue 10).

A profile is what an office's files call their fields (``SHBD`` → ``map_sheet`` …): normalised
source column name → canonical field (``""`` = ignore the column), checked by the caller
(:func:`cadastre.attributes.profile_mapping`). Profiles live in the store so every client of a shared
store sees the same ones; each save is a new version (``source_profiles``: name, version, mapping,
author, time) with its audit row (``source_profile_saved``) in the same transaction, so an earlier
mapping is never overwritten. An import applies a profile only when the user names it.
"""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import CheckConstraint, Column, Integer, Table, Text, func, select

from domain.roles import Account
from store import audit, schema
from store.actors import check_actor
from store.engine import read_connection, write_transaction
from store.errors import StoreError
from store.layer_versions import utcnow
from store.types import UtcDateTime

profiles_table = Table(
    "source_profiles", schema.metadata,
    Column("name", Text, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("mapping_json", Text, nullable=False),
    Column("note", Text),
    Column("created_by", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("version >= 1", name="ck_source_profiles_version"),
)

#: Columns of :meth:`SourceProfiles.list`.
PROFILE_COLUMNS = ("name", "version", "mapping", "note", "created_by", "created_at")
MAX_NAME_CHARS = 80


def _check_name(name: str) -> str:
    name = str(name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS or any(ord(ch) < 32 for ch in name):
        raise StoreError(f"Tên hồ sơ nguồn phải có từ 1 đến {MAX_NAME_CHARS} ký tự, không có ký tự điều khiển.")
    return name


def _row(r) -> dict:
    return {"name": r.name, "version": int(r.version), "mapping": json.loads(r.mapping_json), "note": r.note or "",
            "created_by": r.created_by, "created_at": r.created_at}


class SourceProfiles:
    """Read and save the source profiles of one store (``SourceProfiles(open_store())``)."""

    def __init__(self, store) -> None:
        self.engine = store.engine

    def list(self) -> pd.DataFrame:
        """The latest version of every profile, by name: columns :data:`PROFILE_COLUMNS` (``created_at`` UTC)."""
        t = profiles_table
        latest = select(t.c.name, func.max(t.c.version).label("version")).group_by(t.c.name).subquery()
        query = select(t).join(latest, (t.c.name == latest.c.name) & (t.c.version == latest.c.version)).order_by(t.c.name)
        with read_connection(self.engine) as conn:
            rows = [_row(r) for r in conn.execute(query)]
        frame = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        return frame

    def get(self, name: str) -> dict:
        """The latest version of profile ``name``: ``name``, ``version``, ``mapping``, ``note``,
        ``created_by``, ``created_at`` (UTC).

        Raises
        ------
        StoreError
            No profile of that name (the message lists the known ones).
        """
        t = profiles_table
        with read_connection(self.engine) as conn:
            row = conn.execute(select(t).where(t.c.name == str(name).strip()).order_by(t.c.version.desc())
                               .limit(1)).first()
            if row is None:
                known = sorted({r[0] for r in conn.execute(select(t.c.name))})
                raise StoreError(f"Không có hồ sơ nguồn «{name}». Các hồ sơ: {', '.join(known) or '(chưa có)'}.")
        return _row(row)

    def save(self, name: str, mapping: dict[str, str], *, actor: Account, note: str = "",
             client_address: str | None = None) -> int:
        """Save ``mapping`` as a new version of profile ``name``; return the version (1 for a new name).

        Parameters
        ----------
        mapping : dict
            Normalised source column name → canonical field (``""`` = ignore), already checked.
        actor : Account
            Who saves (role ``import_cadastre``), recorded with the version and in the audit.

        Raises
        ------
        StoreError
            Empty or over-long name, or an empty mapping.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        name = _check_name(name)
        if not mapping:
            raise StoreError("Hồ sơ nguồn không có ánh xạ nào để lưu.")
        t = profiles_table
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "import_cadastre")
            before = conn.execute(select(func.max(t.c.version)).where(t.c.name == name)).scalar() or 0
            text = json.dumps(dict(sorted(mapping.items())), ensure_ascii=False)
            conn.execute(t.insert().values(name=name, version=before + 1, mapping_json=text, note=note or None,
                                           created_by=stored.username, created_at=utcnow()))
            audit.append(conn, actor=stored, action="source_profile_saved", target=f"source_profile:{name}",
                         before={"version": before or None}, after={"version": before + 1, "fields": len(mapping)},
                         client_address=client_address)
        return before + 1
