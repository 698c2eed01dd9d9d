"""The ledger read as it was before the chunked bulk read (issue 13): one ``SELECT … ORDER BY event_id``,
every row type-processed by SQLAlchemy and turned into a frame row by row. The reference of
:func:`store.uploads.read_events` (``tests/store/test_events_read.py``) and its benchmark's anchor
(``benchmarks/bench_refresh_steps.py``)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from domain.tables import EVENT_COLUMNS
from store import schema


def read_events_reference(conn, include_reverted: bool = False, where=None) -> pd.DataFrame:
    """The ledger in ``event_id`` order, columns :data:`domain.tables.EVENT_COLUMNS`, as
    :func:`store.uploads.read_events` must give it."""
    ev, rv = schema.events, schema.reverts
    query = select(*[ev.c[n] for n in EVENT_COLUMNS]).order_by(ev.c.event_id)
    if not include_reverted:
        query = query.where(ev.c.upload_id.not_in(select(rv.c.upload_id)))
    if where is not None:
        query = query.where(where)
    rows = [tuple(r) for r in conn.execute(query).all()]  # plain tuples: pandas probes Row objects slowly
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({"event_id": "int64", "upload_id": "int64", "is_correction": "bool",
                         "chainage_from_m": "float64", "chainage_to_m": "float64", "area_m2": "float64",
                         "amount_vnd": "float64", "households": "Int64"})
