"""Content-level duplicates of an upload: rows already in the ledger, and rows repeated in the file.

A row is a duplicate when its :func:`store.fingerprint.fingerprint` equals that of an event of a
non-reverted upload (reverting an upload frees its fingerprints: the same rows can be committed
again), or of an earlier row of the same upload (the first one is committed, the repeats are not).
The ledger is asked once per upload (one query over the projects the upload concerns, indexed by
``events.project_id``), never once per row.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select

from store import schema
from store.errors import Duplicates

__all__ = ["Duplicates", "find_duplicates", "ledger_fingerprints"]


def ledger_fingerprints(conn, project_ids: Sequence) -> dict[str, int]:
    """Fingerprint → earliest upload id, over the counted events of ``project_ids`` (None included
    when given). One query."""
    ev, rv = schema.events, schema.reverts
    named = sorted({p for p in project_ids if p is not None})
    scope = [ev.c.project_id.in_(named)] if named else []
    if any(p is None for p in project_ids):
        scope.append(ev.c.project_id.is_(None))
    if not scope:
        return {}
    query = (select(ev.c.fingerprint, func.min(ev.c.upload_id))
             .where(or_(*scope), ev.c.fingerprint.is_not(None), ev.c.upload_id.not_in(select(rv.c.upload_id)))
             .group_by(ev.c.fingerprint))
    return {fp: int(upload_id) for fp, upload_id in conn.execute(query).all()}


def find_duplicates(conn, project_ids: Sequence, fingerprints: Sequence[str]) -> Duplicates:
    """The duplicates among rows with these ``fingerprints`` (row order) and ``project_ids``."""
    known = ledger_fingerprints(conn, project_ids) if fingerprints else {}
    in_ledger, in_file, first = [], [], {}
    for position, fp in enumerate(fingerprints):
        if fp in known:
            in_ledger.append((position, known[fp]))
        elif fp in first:
            in_file.append((position, first[fp]))
        else:
            first[fp] = position
    return Duplicates(tuple(in_ledger), tuple(in_file))
