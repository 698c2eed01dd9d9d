"""Bulk reads in chunks: no single statement runs long, and no row is type-processed one by one (issue 13).

On PostgreSQL every statement of the store is bounded by ``statement_timeout`` (:mod:`store.pg_session`,
60 s by default). A province ledger of millions of events read as one ``SELECT`` is one statement whose time
grows with the ledger and the server's load. :func:`fetch_columns` reads through a server-side cursor
instead (SQLAlchemy ``stream_results``; psycopg ``DECLARE … CURSOR`` then ``FETCH FORWARD n``): each
``FETCH`` is its own statement, bounded by the limit whatever the size of the table, and all of them read the
one snapshot the cursor was opened on (a write committed meanwhile is in no chunk, never in some). The
query should need no sort on the server (no ``ORDER BY`` an index does not give), so a ``FETCH`` costs its
own rows only; the caller orders the columns. SQLite has no statement limit; there ``fetchmany`` steps the
same query.

The rows come back as the driver gives them (the selected columns typed ``NullType``, so SQLAlchemy builds
plain rows without a per-cell processor); each column's own SQLAlchemy result processor (SQLite: text →
``date``, 0/1 → ``bool``) is then applied once per distinct (type, value) (:func:`parsing.columns.map_distinct`).
The values are those a plain ``conn.execute(query).all()`` gives, column by column.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import Select, type_coerce
from sqlalchemy.types import NullType

from parsing.columns import map_distinct

#: Rows per ``FETCH`` (per ``fetchmany`` on SQLite): 50 000 ledger rows are well under a second of server time.
CHUNK_ROWS = 50_000


def fetch_columns(conn, query: Select, chunk_rows: int | None = None) -> dict[str, np.ndarray]:
    """The rows of ``query`` as columns, read ``chunk_rows`` at a time through a server-side cursor.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A read or write transaction (the cursor lives inside it; PostgreSQL: a cursor ``WITHOUT HOLD``).
    query : Select
        Of scalar columns (no arrays); its selected columns name the result's columns (labels).
    chunk_rows : int, optional
        Rows per ``FETCH``; default :data:`CHUNK_ROWS`.

    Returns
    -------
    dict of str to numpy.ndarray
        Column name → object array of the values in the order the server returned the rows, converted as
        SQLAlchemy converts them for the column's type (``None`` for SQL NULL).

    Raises
    ------
    sqlalchemy.exc.DBAPIError, psycopg.Error
        As ``conn.execute`` (a ``FETCH`` cancelled by ``statement_timeout`` is diagnosed by
        :mod:`store.engine` either way); ValueError when a stored value does not convert (as SQLAlchemy's
        processor).
    """
    size = int(chunk_rows or CHUNK_ROWS)
    typed = list(query.selected_columns)
    untyped = query.with_only_columns(*[type_coerce(c, NullType()).label(c.key) for c in typed],
                                      maintain_column_froms=True)
    # SQLite: a plain cursor is stepped by fetchmany already (stream_results would add a row buffer)
    options = {"stream_results": True, "max_row_buffer": size} if conn.dialect.name == "postgresql" else {}
    result = conn.execute(untyped, execution_options=options)   # this statement only (Connection.execution_options would stay)
    try:
        names, codes = list(result.keys()), [d[1] for d in result.cursor.description]
        first = [tuple(r) for r in result.fetchmany(1)]   # what SQLAlchemy buffered on executing, if anything
        chunks = [_block(first, len(names))]
        while first and (part := result.cursor.fetchmany(size)):   # the driver's tuples: no Row per row
            chunks.append(_block(part, len(names)))
    finally:
        result.close()
    block = np.concatenate(chunks)
    columns = {}
    for i, (name, column, code) in enumerate(zip(names, typed, codes)):
        processor = column.type.dialect_impl(conn.dialect).result_processor(conn.dialect, code)
        columns[name] = block[:, i] if processor is None or not len(block) else _processed(block[:, i], processor)
    return columns


def _block(rows: list, width: int) -> np.ndarray:
    """``rows`` (tuples of ``width`` values) as a 2-D object array whose cells are the values themselves."""
    if rows:
        try:
            block = np.array(rows, dtype=object)
        except ValueError:   # cells of different lengths
            block = None
        if block is not None and block.shape == (len(rows), width):
            return block
    block = np.empty((len(rows), width), dtype=object)   # a cell numpy took for a sequence: column by column
    for i in range(width):
        block[:, i] = [r[i] for r in rows] if rows else []
    return block


def _processed(values: np.ndarray, processor) -> np.ndarray:
    """``[processor(v) for v in values]``, called once per distinct (type, value)
    (:func:`parsing.columns.map_distinct`); a value that does not convert raises as the loop would."""
    failed: list[ValueError] = []

    def call(value):
        try:
            return processor(value)
        except ValueError as exc:
            failed.append(exc)
            raise

    out = np.empty(len(values), dtype=object)
    out[:] = map_distinct(values, call)
    if failed:
        raise failed[0]
    return out
