"""Change the declared type of one column of an existing table, keeping its rows, on both backends.

PostgreSQL: ``ALTER TABLE … ALTER COLUMN … TYPE … USING …``. SQLite cannot change a column's type in
place, so the table is rebuilt by the procedure of the SQLite manual ("Making other kinds of table schema
changes"): a copy with the new declaration is filled, the old table dropped, the copy renamed, and the
table's indexes and triggers created again from their saved SQL. The table keeps its name, its ``fid``
values and its AUTOINCREMENT counter, so its GeoPackage registrations (``gpkg_contents``,
``gpkg_geometry_columns``, ``gpkg_data_columns``, ``gpkg_extensions``) stay true and its R-tree
(``rtree_<table>_<geometry>``, keyed by ``fid``) stays in step; the R-tree triggers are among those
created again. Used by migrations; inside the caller's transaction.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import inspect, text

from store.errors import StoreError

__all__ = ["columns_of_type", "retype_column"]

#: SQL type names per backend for the kinds a migration changes between.
_SQL_TYPES = {"sqlite": {"text": "TEXT", "integer": "INTEGER"},
              "postgresql": {"text": "text", "integer": "bigint"}}


def columns_of_type(conn, column: str, kinds: tuple[str, ...], only: Callable[[str], bool] | None = None) -> list[str]:
    """Tables of the connection's schema (those ``only`` accepts) that have ``column`` declared as one of
    ``kinds`` (upper-case type names as reflected, e.g. ``("INTEGER", "BIGINT")``), sorted."""
    inspector = inspect(conn)
    return sorted(table for table in inspector.get_table_names() if only is None or only(table)
                  if any(col["name"] == column and str(col["type"]).upper() in kinds
                         for col in inspector.get_columns(table)))


def retype_column(conn, table: str, column: str, kind: str, *, using: str | None = None) -> None:
    """Declare ``table.column`` as ``kind`` (``"text"`` or ``"integer"``), converting each value.

    Parameters
    ----------
    using
        SQL expression of the new value from ``"<column>"`` (default: a CAST to the new type; an SQLite
        text value is kept as written when converting to integer fails, as SQLite's INTEGER affinity does).

    Raises
    ------
    StoreError
        The table's CREATE statement does not declare the column in the form the store writes (a table
        made by other software: refused rather than guessed).
    """
    backend = conn.dialect.name
    sql_type = _SQL_TYPES[backend][kind]
    if backend == "postgresql":
        expr = using or f'"{column}"::{sql_type}'
        conn.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {sql_type} USING {expr}'))
        return
    _rebuild_sqlite(conn, table, column, sql_type, using or _sqlite_cast(column, kind))


def _sqlite_cast(column: str, kind: str) -> str:
    c = f'"{column}"'
    if kind == "text":
        # numbers become their digits (12 → '12', a whole 12.0 too); text and NULL stay as they are
        return (f"CASE WHEN typeof({c}) = 'integer' THEN CAST({c} AS TEXT) "
                f"WHEN typeof({c}) = 'real' AND {c} = CAST({c} AS INTEGER) THEN CAST(CAST({c} AS INTEGER) AS TEXT) "
                f"ELSE {c} END")
    return f"CASE WHEN {c} GLOB '[0-9]*' AND NOT {c} GLOB '*[^0-9]*' THEN CAST({c} AS INTEGER) ELSE {c} END"


def _rebuild_sqlite(conn, table: str, column: str, sql_type: str, expr: str) -> None:
    create = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                          {"t": table}).scalar_one()
    new_create, n = re.subn(rf'([(,]\s*"?{re.escape(column)}"?\s+)[A-Za-z]+\b', rf"\g<1>{sql_type}", create)
    temp = f"{table}__retype"
    new_create, m = re.subn(rf'^CREATE TABLE\s+"?{re.escape(table)}"?\s*\(', f'CREATE TABLE "{temp}" (', new_create)
    if n != 1 or m != 1:
        raise StoreError(f"Không đổi được kiểu cột {column!r} của bảng {table!r}: câu lệnh tạo bảng không như kho "
                         "dữ liệu tạo ra; chưa đổi gì.")
    extras = conn.execute(text("SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger') "
                               "AND sql IS NOT NULL ORDER BY type, name"), {"t": table}).scalars().all()
    has_sequence = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")).scalar()
    seq = (conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}).scalar()
           if has_sequence else None)
    names = [row[1] for row in conn.execute(text(f'PRAGMA table_info("{table}")'))]
    listed = ", ".join(f'"{c}"' for c in names)
    values = ", ".join(expr if c == column else f'"{c}"' for c in names)
    conn.execute(text(new_create))
    conn.execute(text(f'INSERT INTO "{temp}" ({listed}) SELECT {values} FROM "{table}"'))
    conn.execute(text(f'DROP TABLE "{table}"'))
    # legacy rename: do not re-check the other tables' triggers and views while the table is renamed
    conn.execute(text("PRAGMA legacy_alter_table = ON"))
    try:
        conn.execute(text(f'ALTER TABLE "{temp}" RENAME TO "{table}"'))
    finally:
        conn.execute(text("PRAGMA legacy_alter_table = OFF"))
    for statement in extras:
        conn.execute(text(statement))
    if seq is not None:
        conn.execute(text("UPDATE sqlite_sequence SET seq = max(seq, :s) WHERE name = :t"), {"s": seq, "t": table})
