"""The append-only audit trail (issue 9): who did what, when, to what, from where.

One ``audit_log`` row per write (account change, failed login, and — as they are wired — upload,
revert, import, restore, milestone change, export with personal data). The interface offers
:func:`append` / :meth:`AuditTrail.append` and :meth:`AuditTrail.read` only; the database itself
refuses UPDATE and DELETE on the table (triggers of migration 0003), so not even a bug in this
code can rewrite history.

Write the audit row in the same transaction as the change it records (:func:`append` takes the
caller's connection): both commit, or neither does.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Column, Integer, Table, Text, insert, select

from domain.roles import Account, require
from store import schema
from store.engine import read_connection, write_transaction
from store.types import UtcDateTime

audit_log = Table(
    "audit_log", schema.metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("account", Text),
    Column("role", Text),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("client_address", Text),
)

#: Columns of :meth:`AuditTrail.read`.
AUDIT_COLUMNS = ("audit_id", "recorded_at", "account", "role", "action", "target", "before", "after",
                 "client_address")

#: Longest ``target``/``client_address`` kept: a hostile login name cannot fill the table.
MAX_TEXT_CHARS = 200


def _json(summary: Mapping[str, Any] | None) -> str | None:
    if summary is None:
        return None
    return json.dumps(dict(summary), ensure_ascii=False, sort_keys=True, default=str)


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive one is taken as UTC, as SQLite returns them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _clip(value: str | None) -> str | None:
    return None if value is None else str(value)[:MAX_TEXT_CHARS]


def append(conn, *, actor: Account | None, action: str, target: str | None = None,
           before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
           client_address: str | None = None, now: datetime | None = None) -> int:
    """Add one audit row on ``conn`` (inside the caller's write transaction).

    Parameters
    ----------
    actor : Account or None
        Who acted (``username`` and ``role`` are recorded); ``None`` for nobody logged in (a failed
        login, the installer creating the first administrator).
    action : str
        Audit action code (``user_created``, ``user_disabled``, ``password_set``, ``login_failed`` …;
        Vietnamese names in :data:`vocab.roles.AUDIT_ACTION_LABELS_VI`).
    target : str, optional
        What was acted on, as ``kind:key`` (``account:lan``, ``upload:12``, ``layer:parcels``).
    before, after : mapping, optional
        Summaries of the state before/after (JSON-serialisable; other values stored as text). Never
        a password, a hash or personal data beyond what the action needs.
    client_address : str, optional
        The browser's address, or ``cli:<os user>@<host>`` for the command line.
    now : datetime, optional
        UTC time of the record (default: now).

    Returns
    -------
    int
        The new ``audit_id`` (increasing).
    """
    values = dict(
        recorded_at=utc(now or datetime.now(UTC)),
        account=actor.username if actor else None, role=actor.role if actor else None,
        action=action, target=_clip(target), before_json=_json(before), after_json=_json(after),
        client_address=_clip(client_address),
    )
    return conn.execute(insert(audit_log).values(**values).returning(audit_log.c.audit_id)).scalar_one()


class AuditTrail:
    """Append to and read the audit trail of one store (``AuditTrail(open_store())``).

    Parameters
    ----------
    store : store.Store
        The open store (its SQLAlchemy engine is used; GeoPackage and PostGIS alike).
    clock : callable, optional
        Returns the current UTC time (tests pass a fixed clock).
    """

    def __init__(self, store, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = store.engine
        self.clock = clock or (lambda: datetime.now(UTC))

    def append(self, *, actor: Account | None, action: str, target: str | None = None,
               before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
               client_address: str | None = None) -> int:
        """Add one row in its own write transaction; see :func:`append` for the parameters."""
        with write_transaction(self.engine) as conn:
            return append(conn, actor=actor, action=action, target=target, before=before, after=after,
                          client_address=client_address, now=self.clock())

    def read(self, since: datetime | None = None, until: datetime | None = None, *,
             account: Account | None = None) -> pd.DataFrame:
        """Audit rows, oldest first, recorded at or after ``since`` and before ``until`` (UTC).

        With ``account`` (the reader): refused unless its role grants ``read_audit``; a unit-scoped account gets
        only the entries of its units (:func:`store.visibility.visible_audit`; entries of no unit — accounts,
        logins, settings, rules, layers replaced by a province account — are for province-level accounts). None = every row (the store's own use).

        Returns
        -------
        DataFrame
            Columns :data:`AUDIT_COLUMNS`: ``audit_id`` (int64), ``recorded_at`` (UTC timestamps),
            ``account``, ``role``, ``action``, ``target``, ``before``/``after`` (dict or None),
            ``client_address``.
        """
        query = select(audit_log).order_by(audit_log.c.audit_id)
        if since is not None:
            query = query.where(audit_log.c.recorded_at >= utc(since))
        if until is not None:
            query = query.where(audit_log.c.recorded_at < utc(until))
        if account is not None:
            require(account, "read_audit")
        with read_connection(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
            frame = _frame(rows)
            if account is None:
                return frame
            from store import visibility  # it reads uploads and proposals, which write audit rows

            return visibility.visible_audit(conn, frame, account)


def _frame(rows) -> pd.DataFrame:
    """Audit rows (mappings) as :meth:`AuditTrail.read` returns them."""
    frame = pd.DataFrame(
        [{**{k: row[k] for k in AUDIT_COLUMNS if k in row},
          "before": json.loads(row["before_json"]) if row["before_json"] else None,
          "after": json.loads(row["after_json"]) if row["after_json"] else None} for row in rows],
        columns=list(AUDIT_COLUMNS),
    )
    for name in ("account", "role", "target", "client_address"):  # NULL stays None, not NaN
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
    return frame.astype({"audit_id": "int64"})
