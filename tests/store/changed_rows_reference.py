"""The row-by-row comparison of the stored ``parcel_status`` rows with a refresher's frame, as it was before
the column-by-column one: the reference of :func:`store.parcel_status._changed_rows`
(``tests/store/test_parcel_status_changed_rows.py``) and the anchor of ``benchmarks/bench_refresh_steps.py``.
Moved here from the product module (issue 13): nothing in the product calls it."""
from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import select

from domain.tables import PARCEL_STATUS_COLUMNS
from store import parcel_status as ps
from store.errors import StoreError


def changed_rows_rowwise(conn, frame: pd.DataFrame, projects: Collection[str] | None = None) -> list[dict] | None:
    """The reference of :func:`store.parcel_status._changed_rows` (row by row, every cell converted). Update parameters (``_fid`` + every attribute) of the stored rows whose attributes differ from
    ``frame``'s; None when the two do not hold the same parcels (then the caller rewrites every row).
    With ``projects``, only the stored rows of those projects are compared (``frame`` holds theirs)."""
    missing = [c for c in PARCEL_STATUS_COLUMNS if c not in frame.columns]
    if missing:
        raise StoreError(f"Lớp parcel_status thiếu cột: {', '.join(missing)}.")
    table = ps.status_table()
    query = select(table.c.fid, *[table.c[c] for c in PARCEL_STATUS_COLUMNS])
    if projects is not None:
        query = query.where(table.c.project_id.in_(sorted(projects)))
    stored = conn.execute(query).all()
    new = {name: [ps._cell(v, ps._KINDS[name]) for v in frame[name].astype(object)] for name in PARCEL_STATUS_COLUMNS}
    new_rows = {pid: i for i, pid in enumerate(new["parcel_id"])}
    if len(stored) != len(new_rows) or len(new_rows) != len(frame):
        return None
    changed = []
    for row in stored:
        i = new_rows.get(row.parcel_id)
        if i is None:
            return None
        values = {c: new[c][i] for c in PARCEL_STATUS_COLUMNS}
        if any(ps._stored_value(getattr(row, c), ps._KINDS[c]) != values[c] for c in PARCEL_STATUS_COLUMNS):
            changed.append({"_fid": row.fid, **{f"_v_{c}": v for c, v in values.items()}})
    return changed
