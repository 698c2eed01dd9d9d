"""Content-level duplicates of an upload: rows already in the ledger, and rows repeated in the file.

A row is a duplicate when its :func:`store.fingerprint.fingerprint` equals that of an event of a
non-reverted upload (reverting an upload frees its fingerprints: the same rows can be committed
again), or of an earlier row of the same upload (the first one is committed, the repeats are not).
The ledger is asked once per upload (one join of the upload's fingerprints with the ledger's
fingerprint index, :func:`ledger_fingerprints`), never once per row.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from store.errors import Duplicates

__all__ = ["Duplicates", "find_duplicates", "ledger_fingerprints"]


#: Temporary table holding the fingerprints of the upload being checked (one per connection).
_TEMP = "gpmb_upload_fingerprints"


def ledger_fingerprints(conn, fingerprints: Sequence[str]) -> dict[str, int]:
    """Fingerprint → earliest upload id, for those of ``fingerprints`` counted in the ledger.

    One query: the upload's distinct fingerprints go into a temporary table (COPY on PostgreSQL,
    ``executemany`` on SQLite), joined with ``events`` through ``ix_events_fingerprint``, reverted
    uploads excluded. The cost follows the size of the upload, not of the ledger. The temporary
    table lives in the connection's own temporary schema and is emptied afterwards.
    """
    unique = sorted(set(fingerprints))
    if not unique:
        return {}
    _fill_temp(conn, unique)
    try:
        rows = conn.execute(text(
            f"SELECT t.fingerprint, MIN(e.upload_id) FROM {_TEMP} t JOIN events e ON e.fingerprint = t.fingerprint "
            "WHERE e.upload_id NOT IN (SELECT upload_id FROM reverts) GROUP BY t.fingerprint")).all()
    finally:
        conn.execute(text(f"DELETE FROM {_TEMP}"))
    return {fp: int(upload_id) for fp, upload_id in rows}


def _fill_temp(conn, unique: list[str]) -> None:
    conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {_TEMP} (fingerprint TEXT PRIMARY KEY)"))
    conn.execute(text(f"DELETE FROM {_TEMP}"))
    if conn.dialect.name == "postgresql":
        with (conn.connection.driver_connection.cursor() as cursor,
              cursor.copy(f"COPY {_TEMP} (fingerprint) FROM STDIN") as copy):
            for fp in unique:
                copy.write_row((fp,))
        conn.execute(text(f"ANALYZE {_TEMP}"))  # the planner then knows its size: index probes or a hash join
        return
    conn.exec_driver_sql(f"INSERT INTO {_TEMP} (fingerprint) VALUES (?)", [(fp,) for fp in unique])


def find_duplicates(conn, fingerprints: Sequence[str]) -> Duplicates:
    """The duplicates among rows with these ``fingerprints`` (row order): in the ledger, then in the upload."""
    known = ledger_fingerprints(conn, fingerprints)
    in_ledger, in_file, first = [], [], {}
    for position, fp in enumerate(fingerprints):
        if fp in known:
            in_ledger.append((position, known[fp]))
        elif fp in first:
            in_file.append((position, first[fp]))
        else:
            first[fp] = position
    return Duplicates(tuple(in_ledger), tuple(in_file))
