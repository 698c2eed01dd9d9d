"""The people-side registers in the store: households, plans, payments, letters, lots, areas; lottery draws.

A register import is recorded like an upload: one ``uploads`` row (``source`` upload | cli | seed), one
``register_imports`` row (register, content SHA-256, counts) and the rows that are new or changed, each
tagged with that ``upload_id``. Reading a register gives, per key (:data:`domain.people.REGISTER_KEYS`),
the latest row of an upload that is not reverted, so a revert (:meth:`store.store.Store.revert_upload`)
takes an import's rows out without deleting anything, and the earlier version of a changed row comes
back. Every function here runs inside the caller's transaction.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Boolean, Column, Date, Double, ForeignKey, Integer, Table, Text, func, select

from domain.people import (
    IMPORT_KINDS,
    REGISTER_BOOL_COLUMNS,
    REGISTER_COLUMNS,
    REGISTER_DATE_COLUMNS,
    REGISTER_FLOAT_COLUMNS,
    REGISTER_INT_COLUMNS,
    REGISTER_KEYS,
    UNKNOWN_IMPORT_KIND,
)
from store import schema
from store.errors import StoreError
from store.types import UtcDateTime

#: Register → its table in the store.
REGISTER_TABLE_NAMES: dict[str, str] = {
    "households": "households", "plans": "compensation_plans", "payments": "payments",
    "complaints": "complaint_letters", "lots": "resettlement_lots", "areas": "resettlement_areas",
    "refusals": "payment_refusals", "transfers": "fund_transfers", "procedure": "procedure_steps",
}


def _sql_type(column: str):
    if column in REGISTER_DATE_COLUMNS:
        return Date
    if column in REGISTER_FLOAT_COLUMNS:
        return Double
    if column in REGISTER_INT_COLUMNS:
        return Integer
    if column in REGISTER_BOOL_COLUMNS:
        return Boolean
    return Text


TABLES: dict[str, Table] = {
    register: Table(
        name, schema.metadata,
        Column("row_id", Integer, primary_key=True, autoincrement=True),
        Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False),
        *[Column(c, _sql_type(c)()) for c in REGISTER_COLUMNS[register]],
    )
    for register, name in REGISTER_TABLE_NAMES.items()
}

register_imports = Table(
    "register_imports", schema.metadata,
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), primary_key=True, autoincrement=False),
    Column("register", Text, nullable=False),
    Column("project_id", Text),
    Column("content_sha256", Text, nullable=False),
    Column("rows_added", Integer, nullable=False),
    Column("rows_changed", Integer, nullable=False),
    Column("rows_unchanged", Integer, nullable=False),
    Column("events_added", Integer, nullable=False),
    Column("kind", Text),  # the import kind (migration 0017): domain.people.IMPORT_KINDS or "unknown"
)

lottery_draws = Table(
    "lottery_draws", schema.metadata,
    Column("draw_id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("seed", Text, nullable=False),
    Column("eligible_sha256", Text, nullable=False),
    Column("lots_sha256", Text, nullable=False),
    Column("inputs_sha256", Text, nullable=False),
    Column("draw_sha256", Text, nullable=False),
    Column("result_json", Text, nullable=False),
    Column("reason", Text),
    Column("supersedes_draw_id", Integer, ForeignKey("lottery_draws.draw_id")),
)

#: Columns of :func:`read_draws`.
DRAW_COLUMNS: tuple[str, ...] = ("draw_id", "area_id", "recorded_at", "recorded_by", "seed", "eligible_sha256",
                                 "lots_sha256", "inputs_sha256", "draw_sha256", "result", "reason",
                                 "supersedes_draw_id")


def check_register(register: str) -> None:
    """Raise :class:`StoreError` unless ``register`` is a key of :data:`REGISTER_TABLE_NAMES`."""
    if register not in TABLES:
        raise StoreError(f"Sổ không hợp lệ: {register!r}. Các sổ: {', '.join(TABLES)}.")


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _cell(column: str, value):
    """One cell as the store keeps it (``date``, float, int, bool, stripped text; None when missing)."""
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value) if value else None
    if _missing(value):
        return None
    if column in REGISTER_DATE_COLUMNS:
        return value.date() if isinstance(value, datetime) else value if isinstance(value, date) \
            else pd.Timestamp(value).date()
    if column in REGISTER_FLOAT_COLUMNS:
        return float(value)
    if column in REGISTER_INT_COLUMNS:
        return int(value)
    if column in REGISTER_BOOL_COLUMNS:
        return bool(value)
    text = str(value).strip()
    return text or None


def prepare_rows(register: str, rows: pd.DataFrame) -> list[dict]:
    """The rows of ``register`` as dicts of stored values, after checking columns and keys.

    Raises
    ------
    StoreError
        Unknown register, a missing key column or key cell, or a key repeated within ``rows``
        (naming the 1-based row), nothing written.
    """
    check_register(register)
    if not isinstance(rows, pd.DataFrame):
        raise StoreError("Dữ liệu sổ phải là một bảng (DataFrame).")
    keys = REGISTER_KEYS[register]
    missing = [k for k in keys if k not in rows.columns]
    if missing:
        raise StoreError(f"Sổ {register}: thiếu cột khoá {', '.join(missing)}.")
    columns = REGISTER_COLUMNS[register]
    out, seen = [], {}
    for i, record in enumerate(rows.to_dict("records"), start=1):
        row = {c: _cell(c, record.get(c)) for c in columns}
        key = tuple(row[k] for k in keys)
        if any(v is None for v in key):
            raise StoreError(f"Sổ {register}, dòng {i}: thiếu giá trị khoá ({', '.join(keys)}).")
        if key in seen:
            raise StoreError(f"Sổ {register}, dòng {i}: trùng khoá {key} với dòng {seen[key]}.")
        seen[key] = i
        out.append(row)
    return out


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _ordered(register: str, rows: list[dict]) -> list[dict]:
    keys = REGISTER_KEYS[register]
    return sorted(rows, key=lambda r: _canonical([r[k] for k in keys]))


def content_sha256(register: str, project_id: str | None, rows: list[dict], events: dict | None,
                   extras: dict[str, list[dict]] | None = None) -> str:
    """SHA-256 of what an import brings (register, project, rows in key order, events, and the rows of other
    registers it records, e.g. the matrix's procedure plan): its identity."""
    payload = {"register": register, "project_id": project_id, "rows": _ordered(register, rows),
               "events": events or {}}
    if extras:  # absent when there are none, so the hashes of earlier imports stay what they were
        payload["extra"] = {name: _ordered(name, extra) for name, extra in sorted(extras.items())}
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def earlier_import(conn, register: str, sha: str) -> int | None:
    """The upload id of a non-reverted import of ``register`` with content ``sha``, or None."""
    ri, rv = register_imports, schema.reverts
    return conn.execute(select(ri.c.upload_id).where(
        ri.c.register == register, ri.c.content_sha256 == sha, ri.c.upload_id.not_in(select(rv.c.upload_id)))
        .order_by(ri.c.upload_id).limit(1)).scalar()


def read_current(conn, register: str, where=None) -> pd.DataFrame:
    """The current rows of ``register``: per key, the latest row of a non-reverted upload.

    Returns
    -------
    DataFrame
        ``row_id``, ``upload_id`` and :data:`domain.people.REGISTER_COLUMNS` of the register; dates as
        ``datetime.date``, numbers float64 (NaN when missing), ``round`` Int64, flags bool.
    """
    check_register(register)
    table, rv = TABLES[register], schema.reverts
    keys = [table.c[k] for k in REGISTER_KEYS[register]]
    live = select(*keys, func.max(table.c.row_id).label("row_id")).where(
        table.c.upload_id.not_in(select(rv.c.upload_id))).group_by(*keys).subquery()
    query = select(table).where(table.c.row_id.in_(select(live.c.row_id))).order_by(table.c.row_id)
    if where is not None:
        query = query.where(where(table))
    result = conn.execute(query)
    frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    return typed(frame)


def read_versions(conn, register: str, where=None) -> pd.DataFrame:
    """Every version of every row of ``register`` recorded by a non-reverted upload, oldest first.

    Returns
    -------
    DataFrame
        As :func:`read_current` plus ``uploaded_at`` (UTC) of the row's upload: the history of each key
        (e.g. the construction progress of a resettlement area over its imports).
    """
    check_register(register)
    table, rv, up = TABLES[register], schema.reverts, schema.uploads
    query = (select(table, up.c.uploaded_at).select_from(table.join(up, up.c.upload_id == table.c.upload_id))
             .where(table.c.upload_id.not_in(select(rv.c.upload_id))).order_by(table.c.row_id))
    if where is not None:
        query = query.where(where(table))
    result = conn.execute(query)
    return typed(pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys())))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the register dtypes (see :func:`read_current`)."""
    for column in frame.columns:
        if column in REGISTER_FLOAT_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        elif column in REGISTER_INT_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif column in REGISTER_BOOL_COLUMNS:
            frame[column] = frame[column].fillna(False).astype(bool)
    return frame


def diff_rows(conn, register: str, rows: list[dict]) -> tuple[list[dict], int, int]:
    """The rows to record (new keys or changed content), and how many of them change an existing key,
    and how many rows equal the current one (not recorded again)."""
    keys = REGISTER_KEYS[register]
    columns = REGISTER_COLUMNS[register]
    current = read_current(conn, register)
    stored = {}
    for record in current.to_dict("records"):
        row = {c: _cell(c, record.get(c)) for c in columns}
        stored[tuple(row[k] for k in keys)] = row
    new, changed, unchanged = [], 0, 0
    for row in rows:
        before = stored.get(tuple(row[k] for k in keys))
        if before == row:
            unchanged += 1
            continue
        changed += before is not None
        new.append(row)
    return new, changed, unchanged


def insert_rows(conn, register: str, upload_id: int, rows: list[dict]) -> None:
    """Append ``rows`` (from :func:`diff_rows`) to the register's table under ``upload_id``."""
    if rows:
        conn.execute(TABLES[register].insert(), [{**row, "upload_id": upload_id} for row in rows])


def record_import(conn, upload_id: int, register: str, project_id: str | None, sha: str, counts: dict, *,
                  kind: str) -> None:
    """The ``register_imports`` row of an import; ``kind`` is the import kind (:func:`import_kind`)."""
    conn.execute(register_imports.insert().values(upload_id=upload_id, register=register, project_id=project_id,
                                                  content_sha256=sha, kind=kind, **counts))


def import_kind(register: str, kind: str | None) -> str:
    """The import kind recorded for an import of ``register``: ``kind`` checked, or ``register`` itself (e.g.
    ``procedure``, a register the store takes directly though no file kind writes it alone).

    The household × step matrix (``matrix``) is recorded in the ``households`` register; every other kind
    of :data:`domain.people.IMPORT_KINDS` writes the register of its own name.

    Raises
    ------
    StoreError
        ``kind`` is not an import kind, or not one that writes ``register``.
    """
    if kind is None:
        return register
    if kind not in IMPORT_KINDS or register != ("households" if kind == "matrix" else kind):
        raise StoreError(f"Loại nhập sổ không hợp lệ: {kind!r} cho sổ {register!r} ({', '.join(IMPORT_KINDS)}).")
    return kind


def read_imports(conn) -> pd.DataFrame:
    """Every register import with its upload (file, account, time) and whether it was reverted."""
    ri, up, rv = register_imports, schema.uploads, schema.reverts
    query = (select(ri, up.c.uploaded_at, up.c.uploaded_by, up.c.file_name, up.c.source,
                    rv.c.reverted_at).select_from(ri.join(up, up.c.upload_id == ri.c.upload_id)
                                                  .outerjoin(rv, rv.c.upload_id == ri.c.upload_id))
             .order_by(ri.c.upload_id))
    result = conn.execute(query)
    frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    frame["reverted"] = frame["reverted_at"].notna()
    frame["kind"] = frame["kind"].fillna(UNKNOWN_IMPORT_KIND)
    return frame


def read_draws(conn, area_id: str | None = None) -> pd.DataFrame:
    """Lottery draws, oldest first (:data:`DRAW_COLUMNS`; ``result`` is the parsed JSON)."""
    query = select(lottery_draws).order_by(lottery_draws.c.draw_id)
    if area_id is not None:
        query = query.where(lottery_draws.c.area_id == area_id)
    result = conn.execute(query)
    frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    frame["result"] = [json.loads(t) for t in frame.pop("result_json")] if len(frame) else []
    return frame.reindex(columns=list(DRAW_COLUMNS))


def last_draw_id(conn) -> int:
    """The id of the latest lottery draw of any area (0 when none): part of ``data_version``."""
    return int(conn.execute(select(func.max(lottery_draws.c.draw_id))).scalar() or 0)


def last_draw(conn, area_id: str) -> dict | None:
    """The latest draw of ``area_id`` as a dict (``draw_id``, ``draw_sha256``), or None."""
    row = conn.execute(select(lottery_draws.c.draw_id, lottery_draws.c.draw_sha256)
                       .where(lottery_draws.c.area_id == area_id)
                       .order_by(lottery_draws.c.draw_id.desc()).limit(1)).first()
    return None if row is None else {"draw_id": int(row.draw_id), "draw_sha256": row.draw_sha256}


def insert_draw(conn, area_id: str, result: dict, *, by: str, reason: str | None, supersedes: int | None,
                recorded_at) -> int:
    """Append one draw (``result`` = :meth:`milestones.lottery.LotteryResult.to_dict`); return its id."""
    needed = ("seed", "eligible_sha256", "lots_sha256", "inputs_sha256", "draw_sha256", "assignments")
    missing = [k for k in needed if k not in result]
    if missing:
        raise StoreError(f"Kết quả bốc thăm thiếu: {', '.join(missing)}.")
    return int(conn.execute(lottery_draws.insert().values(
        area_id=area_id, recorded_at=recorded_at, recorded_by=by, seed=str(result["seed"]),
        eligible_sha256=result["eligible_sha256"], lots_sha256=result["lots_sha256"],
        inputs_sha256=result["inputs_sha256"], draw_sha256=result["draw_sha256"],
        result_json=_canonical(result), reason=(reason or "").strip() or None, supersedes_draw_id=supersedes,
    ).returning(lottery_draws.c.draw_id)).scalar_one())
