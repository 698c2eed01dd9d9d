"""The append-only ledger: record an upload with its events, record a revert, read events and uploads.

Each ``*_in`` function works inside the caller's write transaction (``conn``); the readers take a
read connection. Nothing is ever deleted: a revert is an ``uploads`` row (``source='revert'``) and a
``reverts`` row, and reverted events are only filtered out on reading. Row checks are
:mod:`store.ledger`.
"""
from __future__ import annotations

from datetime import UTC

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from domain.tables import EVENT_COLUMNS
from store import schema
from store.bulk_read import fetch_columns
from store.duplicates import find_duplicates
from store.errors import Duplicates, StoreError, UploadResult
from store.fingerprint import fingerprints
from store.layer_versions import utcnow
from store.ledger import insert_events, ledger_page_cache, pause_for_tests

#: ``uploads.source`` values (``revert``: the row recording a revert).
UPLOAD_SOURCES = ("seed", "upload", "cli", "revert")

#: Sources a caller may commit events under (a revert is recorded by :func:`revert_in`).
COMMIT_SOURCES = ("seed", "upload", "cli")


def check_commit(source: str, file_sha256: str) -> str:
    """The lower-case SHA-256 of an upload, after checking ``source`` and the hash.

    Raises
    ------
    StoreError
        ``source`` not one of :data:`COMMIT_SOURCES`, or the hash not 64 hexadecimal characters.
    """
    if source not in COMMIT_SOURCES:
        raise StoreError(f"Nguồn tải lên không hợp lệ: {source!r} (seed, upload, cli).")
    sha = str(file_sha256 or "").lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise StoreError("Mã băm SHA-256 của tệp không hợp lệ (cần 64 ký tự hex).")
    return sha


def commit_in(conn, columns: dict, *, file_name: str, file_sha256: str, uploaded_by: str, rows_read: int,
              source: str) -> UploadResult:
    """Record an upload and its event ``columns`` (:func:`store.ledger.prepare_events`).

    A non-reverted upload with the same ``file_sha256`` makes this a no-op (``created=False``,
    ``same_file=True``). Otherwise each row gets its content fingerprint (:mod:`store.fingerprint`);
    rows whose content is already counted in the ledger, or repeats an earlier row of the upload,
    are not written and are returned in ``duplicates`` (:func:`store.duplicates.find_duplicates`,
    one query). When no row is left, nothing is written (``created=False``).
    """
    up, rv = schema.uploads, schema.reverts
    earlier = conn.execute(
        select(up.c.upload_id, up.c.rows_committed)
        .where(up.c.file_sha256 == file_sha256, up.c.upload_id.not_in(select(rv.c.upload_id)))
        .order_by(up.c.upload_id).limit(1)
    ).first()
    if earlier is not None:
        return UploadResult(int(earlier.upload_id), False, int(earlier.rows_committed), same_file=True)
    with ledger_page_cache(conn):   # the duplicate search and the insert walk the same index pages
        columns, duplicates = _without_duplicates(conn, columns)
        n = len(columns["kind"])
        if duplicates.in_ledger and n == 0:
            return UploadResult(min(u for _, u in duplicates.in_ledger), False, 0, duplicates)
        upload_id = conn.execute(up.insert().values(
            uploaded_at=utcnow(), uploaded_by=uploaded_by, file_name=file_name, file_sha256=file_sha256,
            rows_read=rows_read, rows_committed=n, source=source,
        ).returning(up.c.upload_id)).scalar_one()
        if n:
            insert_events(conn, int(upload_id), columns)
    pause_for_tests()
    return UploadResult(int(upload_id), True, n, duplicates)


def _without_duplicates(conn, columns: dict) -> tuple[dict, Duplicates]:
    """``columns`` with their ``fingerprint`` and without the duplicate rows, and the duplicates found."""
    fps = fingerprints(columns)
    duplicates = find_duplicates(conn, fps)
    columns = {**columns, "fingerprint": fps}
    skipped = duplicates.skipped()
    if skipped:
        keep = [i for i in range(len(fps)) if i not in skipped]
        columns = {name: [values[i] for i in keep] for name, values in columns.items()}
    return columns, duplicates


def revertable(conn, upload_id: int) -> dict:
    """What the audit keeps of an upload that may be reverted: ``upload_id``, ``file_name``,
    ``rows_committed``, ``uploaded_by``, ``reverted`` (False).

    Raises
    ------
    StoreError
        If ``upload_id`` does not exist, is itself a revert, or is already reverted.
    """
    up, rv = schema.uploads, schema.reverts
    target = conn.execute(select(up.c.source, up.c.file_name, up.c.rows_committed, up.c.uploaded_by)
                          .where(up.c.upload_id == upload_id)).first()
    if target is None:
        raise StoreError(f"Không có lần tải lên số {upload_id}.")
    if target.source == "revert":
        raise StoreError(f"Lần tải lên số {upload_id} là một thao tác hoàn tác, không hoàn tác được.")
    done = conn.execute(select(rv.c.reverted_by_upload_id, rv.c.reverted_at)
                        .where(rv.c.upload_id == upload_id)).first()
    if done is not None:
        raise StoreError(f"Lần tải lên số {upload_id} đã được hoàn tác trước đó "
                         f"(thao tác số {done.reverted_by_upload_id}).")
    return {"upload_id": upload_id, "file_name": target.file_name, "rows_committed": int(target.rows_committed),
            "uploaded_by": target.uploaded_by, "reverted": False}


def revert_in(conn, upload_id: int, *, by: str, reason: str) -> int:
    """Record the revert of ``upload_id`` by the account ``by``; return the revert's ``uploads`` id.

    Raises
    ------
    StoreError
        As :func:`revertable`.
    """
    up, rv = schema.uploads, schema.reverts
    revertable(conn, upload_id)
    now = utcnow()
    revert_id = conn.execute(up.insert().values(
        uploaded_at=now, uploaded_by=by, file_name=f"hoàn tác lần tải lên số {upload_id}",
        file_sha256=None, rows_read=0, rows_committed=0, source="revert",
    ).returning(up.c.upload_id)).scalar_one()
    conn.execute(rv.insert().values(upload_id=upload_id, reverted_by_upload_id=revert_id, reverted_at=now,
                                    reverted_by=by, reason=reason or ""))
    return int(revert_id)


def counted_events(conn) -> int:
    """Events that count (those of uploads not reverted): the audit's before/after of an upload or revert."""
    ev, rv = schema.events, schema.reverts
    return int(conn.execute(select(func.count()).select_from(ev)
                            .where(ev.c.upload_id.not_in(select(rv.c.upload_id)))).scalar_one())


def read_events(conn, include_reverted: bool = False, where=None) -> pd.DataFrame:
    """The ledger in ``event_id`` order, columns :data:`domain.tables.EVENT_COLUMNS` (dtypes in
    :meth:`store.store.Store.events`); ``where`` (SQL expression on :data:`store.schema.events`) filters.

    A bulk read (:func:`store.bulk_read.fetch_columns`): in chunks through a server-side cursor, so on
    PostgreSQL no statement outlives ``statement_timeout`` however long the ledger; unsorted on the server
    (a sort would make the first ``FETCH`` read the whole ledger), put in ``event_id`` order here.
    """
    ev, rv = schema.events, schema.reverts
    query = select(*[ev.c[n] for n in EVENT_COLUMNS])
    if not include_reverted:
        query = query.where(ev.c.upload_id.not_in(select(rv.c.upload_id)))
    if where is not None:
        query = query.where(where)
    frame = pd.DataFrame(fetch_columns(conn, query), columns=list(EVENT_COLUMNS)).infer_objects()
    ids = frame["event_id"].to_numpy()
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():   # append-only: stored order is id order but for concurrent inserts
        frame = frame.iloc[np.argsort(ids, kind="stable")].reset_index(drop=True)
    return frame.astype(_EVENT_DTYPES)


#: Dtypes of :func:`read_events` beyond those pandas infers (text columns: ``str``, or object when all empty).
_EVENT_DTYPES = {"event_id": "int64", "upload_id": "int64", "is_correction": "bool", "chainage_from_m": "float64",
                 "chainage_to_m": "float64", "area_m2": "float64", "amount_vnd": "float64", "households": "Int64"}


def read_uploads(conn) -> pd.DataFrame:
    """Every upload, oldest first, with its revert (columns in :meth:`store.store.Store.uploads`)."""
    up, rv = schema.uploads, schema.reverts
    target = rv.alias("target")
    query = (
        select(up, rv.c.reverted_by_upload_id, rv.c.reverted_at, rv.c.reverted_by,
               rv.c.reason.label("revert_reason"), target.c.upload_id.label("reverts_upload_id"))
        .select_from(up.outerjoin(rv, rv.c.upload_id == up.c.upload_id)
                     .outerjoin(target, target.c.reverted_by_upload_id == up.c.upload_id))
        .order_by(up.c.upload_id)
    )
    result = conn.execute(query)
    frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    frame["reverted_at"] = pd.to_datetime(frame["reverted_at"], utc=True)
    return frame.astype({"upload_id": "int64", "rows_read": "int64", "rows_committed": "int64",
                         "reverted_by_upload_id": "Int64", "reverts_upload_id": "Int64"})


def read_data_version(conn) -> dict:
    """``last_upload_id``, ``last_config_change_id``, ``last_change_at`` (UTC) and ``layers`` (name → version): see
    :meth:`store.store.Store.data_version`."""
    up, lv, cc = schema.uploads, schema.layer_versions, schema.config_changes
    last_id, last_up = conn.execute(select(func.max(up.c.upload_id), func.max(up.c.uploaded_at))).one()
    layer_rows = conn.execute(select(lv.c.layer_name, func.max(lv.c.version), func.max(lv.c.created_at))
                              .group_by(lv.c.layer_name)).all()
    last_config, last_config_at = conn.execute(select(func.max(cc.c.change_id), func.max(cc.c.recorded_at))).one()
    stamps = [pd.Timestamp(t, tz="UTC") if pd.Timestamp(t).tzinfo is None else pd.Timestamp(t)
              for t in [last_up, last_config_at, *[r[2] for r in layer_rows]] if t is not None]
    return dict(
        last_upload_id=int(last_id or 0),
        last_config_change_id=int(last_config or 0),
        last_change_at=max(stamps).tz_convert("UTC").to_pydatetime().astimezone(UTC) if stamps else None,
        layers={r[0]: int(r[1]) for r in sorted(layer_rows)},
    )
