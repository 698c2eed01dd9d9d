"""Rows of the field-count ledger: checking them before a commit and appending them fast.

The ledger (table ``events``, DATA_MODEL.md) is append-only; these functions run inside the
caller's write transaction (:meth:`store.store.Store.commit_upload`).
"""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np
import pandas as pd

from domain.stages import EVENT_CODES
from store import sources
from store.errors import StoreError

EVENT_KINDS = ("parcel", "chainage_range", "aggregate")

#: Test hook: seconds to sleep inside the commit transaction, after the rows are written.
SLEEP_IN_COMMIT_ENV = "GPMB_STORE_SLEEP_IN_COMMIT"


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _truthy(value) -> bool:
    if _is_missing(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "x", "có", "co"}
    return bool(value)


def prepare_events(frame: pd.DataFrame) -> dict[str, list]:
    """Check ledger rows and turn them into columns ready for insertion.

    Parameters
    ----------
    frame : DataFrame
        Columns of the events table (DATA_MODEL.md) except ``event_id``/``upload_id``; ``kind``,
        ``event`` and ``event_date`` are required, the others optional. ``event_date`` may be a
        ``date``, a timestamp or an ISO string.

    Returns
    -------
    dict of str to list
        One list per column of :data:`store.sources.EVENT_COLUMNS`, ``None`` for missing values,
        ``event_date`` as ``datetime.date``, ``is_correction`` as bool.

    Raises
    ------
    StoreError
        Naming the first rows (1-based position in ``frame``) and columns that are wrong: unknown
        kind or event code, missing date, parcel row without ``parcel_id``, chainage row without
        ``chainage_from_m``/``chainage_to_m``, non-numeric or negative numbers.
    """
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("Dữ liệu sự kiện phải là một bảng (DataFrame).")
    missing = [c for c in ("kind", "event", "event_date") if c not in frame.columns]
    if missing:
        raise StoreError(f"Bảng sự kiện thiếu cột bắt buộc: {', '.join(missing)}.")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    problems: list[str] = []

    def column(name) -> pd.Series:
        if name in frame.columns:
            return frame[name].astype(object)
        return pd.Series([None] * n, dtype=object)

    def report(mask, message) -> None:
        problems.extend(message(int(i)) for i in np.flatnonzero(np.asarray(mask, dtype=bool))[:5])

    raw_dates = column("event_date")
    dates = pd.to_datetime(raw_dates, errors="coerce", format="mixed")
    numbers = {}
    for name in ("chainage_from_m", "chainage_to_m", "area_m2", "households", "amount_vnd"):
        raw = column(name)
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        report(raw.notna() & num.isna(), lambda i, name=name, raw=raw: (
            f"Dòng {i + 1}, cột '{name}': cần một số, nhận {raw.iloc[i]!r}."))
        if name not in ("chainage_from_m", "chainage_to_m"):
            report(num < 0, lambda i, name=name, num=num: f"Dòng {i + 1}, cột '{name}': không được âm ({num.iloc[i]}).")
        numbers[name] = num
    kinds, codes, parcel_ids = column("kind"), column("event"), column("parcel_id")
    report(~kinds.isin(EVENT_KINDS), lambda i: (
        f"Dòng {i + 1}, cột 'kind': cần một trong {', '.join(EVENT_KINDS)}, nhận {kinds.iloc[i]!r}."))
    report(~codes.isin(EVENT_CODES),
           lambda i: f"Dòng {i + 1}, cột 'event': mã giai đoạn không hợp lệ {codes.iloc[i]!r}.")
    report(dates.isna(), lambda i: f"Dòng {i + 1}, cột 'event_date': cần ngày, nhận {raw_dates.iloc[i]!r}.")
    report((kinds == "parcel") & parcel_ids.isna(), lambda i: (
        f"Dòng {i + 1}, cột 'parcel_id': sự kiện theo thửa cần mã thửa."))
    report((kinds == "chainage_range") & (numbers["chainage_from_m"].isna() | numbers["chainage_to_m"].isna()),
           lambda i: f"Dòng {i + 1}, cột 'chainage_from_m'/'chainage_to_m': cần lý trình đầu và cuối.")
    if problems:
        raise StoreError("Không ghi được dữ liệu vào kho: " + " ".join(problems[:20])
                         + (" …" if len(problems) > 20 else ""))

    def texts(series):
        missing_ = series.isna().to_numpy()
        return [None if m else (v if type(v) is str else str(v)) for v, m in zip(series.tolist(), missing_)]

    def floats(series):
        return [None if v != v else v for v in series.tolist()]

    corrections = column("is_correction")
    columns = dict(
        kind=kinds.tolist(), project_id=texts(column("project_id")), parcel_id=texts(parcel_ids),
        commune=texts(column("commune")), chainage_from_m=floats(numbers["chainage_from_m"]),
        chainage_to_m=floats(numbers["chainage_to_m"]), event=codes.tolist(),
        event_date=list(dates.dt.date), area_m2=floats(numbers["area_m2"]),
        households=[None if v != v else int(v) for v in numbers["households"].tolist()],
        amount_vnd=floats(numbers["amount_vnd"]),
        is_correction=[_truthy(v) for v in corrections],
        note=texts(column("note")),
    )
    return columns


def insert_events(conn, upload_id: int, columns: dict[str, list]) -> None:
    """Append the rows to ``events`` inside the caller's transaction, by the driver's fastest path:
    ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite (dates as ISO text, as SQLAlchemy
    stores them there)."""
    names = ["upload_id", *sources.EVENT_COLUMNS]
    n = len(columns["kind"])
    values = [[upload_id] * n] + [columns[c] for c in sources.EVENT_COLUMNS]
    if conn.dialect.name == "postgresql":
        with (conn.connection.driver_connection.cursor() as cursor,
              cursor.copy(f"COPY events ({', '.join(names)}) FROM STDIN") as copy):
            for row in zip(*values):
                copy.write_row(row)
        return
    date_at = names.index("event_date")
    values[date_at] = [d.isoformat() for d in values[date_at]]
    sql = f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    conn.exec_driver_sql(sql, list(zip(*values)))


def pause_for_tests() -> None:
    delay = os.environ.get(SLEEP_IN_COMMIT_ENV)
    if delay:
        print("gpmb-store: in-transaction", file=sys.stderr, flush=True)
        time.sleep(float(delay))
