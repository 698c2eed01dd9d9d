"""Rows of the field-count ledger: checking them before a commit and appending them fast.

The ledger (table ``events``, DATA_MODEL.md) is append-only; these functions run inside the
caller's write transaction (:meth:`store.store.Store.commit_upload`).
"""
from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import time

import numpy as np
import pandas as pd

from domain.stages import EVENT_CODES
from domain.tables import EVENT_KINDS
from store import sources
from store.errors import StoreError

log = logging.getLogger(__name__)

#: Test hook: seconds to sleep inside the commit transaction, after the rows are written.
SLEEP_IN_COMMIT_ENV = "GPMB_STORE_SLEEP_IN_COMMIT"

#: SQLite page cache (KiB) while an upload's rows are checked against the ledger and appended to it. Each
#: row lands at a random place of the ``events`` indexes (fingerprint, parcel, project and date); with the
#: default 2 MiB cache a ledger of a few 100 000 rows re-reads most of those pages from the file for every
#: row (a 100 000-row upload on a 400 000-row ledger: 2,3 s of CPU for the insert, 1,6 s with this cache).
#: Pages are taken only as they are read, and the connection's own size is restored afterwards.
LEDGER_WRITE_CACHE_KIB = 131_072


@contextlib.contextmanager
def ledger_page_cache(conn):
    """Within the block, a SQLite connection's page cache is :data:`LEDGER_WRITE_CACHE_KIB` (no-op on PostgreSQL,
    whose server keeps its own buffers). The previous ``cache_size`` is restored on leaving, error or not."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{LEDGER_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        try:
            conn.exec_driver_sql(f"PRAGMA cache_size = {before}")
        except Exception:  # a connection already broken by the error being raised: that error is the one to see
            log.debug("cache_size not restored", exc_info=True)


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
        One list per column of :data:`domain.tables.EVENT_ROW_COLUMNS`, ``None`` for missing values,
        ``event_date`` as ``datetime.date``, ``is_correction`` as bool.

    Raises
    ------
    StoreError
        Naming the first rows (1-based position in ``frame``) and columns that are wrong: unknown
        kind or event code, missing date, parcel row without ``parcel_id``, chainage row without
        ``chainage_from_m``/``chainage_to_m``, non-numeric or negative numbers.
    """
    frame = _checked_frame(frame)
    problems: list[str] = []
    dates = pd.to_datetime(_column(frame, "event_date"), errors="coerce", format="mixed")
    numbers = _numbers(frame, problems)
    _check_codes_and_keys(frame, dates, numbers, problems)
    if problems:
        raise StoreError("Không ghi được dữ liệu vào kho: " + " ".join(problems[:20])
                         + (" …" if len(problems) > 20 else ""))
    return dict(
        kind=_column(frame, "kind").tolist(), project_id=_texts(_column(frame, "project_id")),
        parcel_id=_texts(_column(frame, "parcel_id")), commune=_texts(_column(frame, "commune")),
        chainage_from_m=_floats(numbers["chainage_from_m"]), chainage_to_m=_floats(numbers["chainage_to_m"]),
        event=_column(frame, "event").tolist(), event_date=list(dates.dt.date),
        area_m2=_floats(numbers["area_m2"]),
        households=[None if v != v else int(v) for v in numbers["households"].tolist()],
        amount_vnd=_floats(numbers["amount_vnd"]),
        is_correction=[_truthy(v) for v in _column(frame, "is_correction")],
        note=_texts(_column(frame, "note")),
    )


def _checked_frame(frame) -> pd.DataFrame:
    """``frame`` with a fresh 0..n-1 index, after checking it is a table with the required columns."""
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("Dữ liệu sự kiện phải là một bảng (DataFrame).")
    missing = [c for c in ("kind", "event", "event_date") if c not in frame.columns]
    if missing:
        raise StoreError(f"Bảng sự kiện thiếu cột bắt buộc: {', '.join(missing)}.")
    return frame.reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as objects (all None when absent)."""
    if name in frame.columns:
        return frame[name].astype(object)
    return pd.Series([None] * len(frame), dtype=object)


def _report(problems: list[str], mask, message) -> None:
    """Add ``message(row)`` for the first five rows where ``mask`` holds."""
    problems.extend(message(int(i)) for i in np.flatnonzero(np.asarray(mask, dtype=bool))[:5])


_NUMBER_COLUMNS = ("chainage_from_m", "chainage_to_m", "area_m2", "households", "amount_vnd")
_SIGNED_COLUMNS = ("chainage_from_m", "chainage_to_m")


def _numbers(frame: pd.DataFrame, problems: list[str]) -> dict[str, pd.Series]:
    """The numeric columns as float64 (NaN when missing); non-numbers and negative amounts reported."""
    numbers = {}
    for name in _NUMBER_COLUMNS:
        raw = _column(frame, name)
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        _report(problems, raw.notna() & num.isna(), lambda i, name=name, raw=raw: (
            f"Dòng {i + 1}, cột '{name}': cần một số, nhận {raw.iloc[i]!r}."))
        if name not in _SIGNED_COLUMNS:
            _report(problems, num < 0,
                    lambda i, name=name, num=num: f"Dòng {i + 1}, cột '{name}': không được âm ({num.iloc[i]}).")
        numbers[name] = num
    return numbers


def _check_codes_and_keys(frame: pd.DataFrame, dates: pd.Series, numbers: dict[str, pd.Series],
                          problems: list[str]) -> None:
    """Report unknown kinds/codes, missing dates, parcel rows without a parcel, ranges without ends."""
    kinds, codes, raw_dates = _column(frame, "kind"), _column(frame, "event"), _column(frame, "event_date")
    _report(problems, ~kinds.isin(EVENT_KINDS), lambda i: (
        f"Dòng {i + 1}, cột 'kind': cần một trong {', '.join(EVENT_KINDS)}, nhận {kinds.iloc[i]!r}."))
    _report(problems, ~codes.isin(EVENT_CODES),
            lambda i: f"Dòng {i + 1}, cột 'event': mã giai đoạn không hợp lệ {codes.iloc[i]!r}.")
    _report(problems, dates.isna(),
            lambda i: f"Dòng {i + 1}, cột 'event_date': cần ngày, nhận {raw_dates.iloc[i]!r}.")
    _report(problems, (kinds == "parcel") & _column(frame, "parcel_id").isna(),
            lambda i: f"Dòng {i + 1}, cột 'parcel_id': sự kiện theo thửa cần mã thửa.")
    _report(problems, (kinds == "chainage_range") & (numbers["chainage_from_m"].isna() | numbers["chainage_to_m"].isna()),
            lambda i: f"Dòng {i + 1}, cột 'chainage_from_m'/'chainage_to_m': cần lý trình đầu và cuối.")


def _texts(series: pd.Series) -> list:
    """Text values (non-strings converted with ``str``), None when missing."""
    missing = series.isna().to_numpy()
    return [None if m else (v if type(v) is str else str(v)) for v, m in zip(series.tolist(), missing)]


def _floats(series: pd.Series) -> list:
    """Floats, None for NaN."""
    return [None if v != v else v for v in series.tolist()]

def insert_events(conn, upload_id: int, columns: dict[str, list]) -> None:
    """Append the rows to ``events`` inside the caller's transaction, by the driver's fastest path:
    ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite (dates as ISO text, as SQLAlchemy
    stores them there)."""
    row_columns = [*sources.EVENT_COLUMNS, *(["fingerprint"] if "fingerprint" in columns else [])]
    names = ["upload_id", *row_columns]
    n = len(columns["kind"])
    values = [[upload_id] * n] + [columns[c] for c in row_columns]
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


def event_communes(events: pd.DataFrame, parcels: pd.DataFrame) -> list[frozenset[str]]:
    """The 2025 communes each event row concerns (the scope a ``commune_officer`` upload is checked against).

    Rules (issue 9: a commune officer uploads for his own commune(s) only):

    - ``parcel``: the commune of the parcel (``parcels.commune`` of its ``parcel_id``);
    - ``chainage_range``: the communes of the project's parcels whose ``chainage_m`` lies in
      [``chainage_from_m``, ``chainage_to_m``] (either order): a range is his only when every parcel
      it covers is in his communes;
    - ``aggregate``: its ``commune`` (the scope of the report) when given; a project-wide aggregate
      (no commune) concerns every commune of the project's parcels.

    An empty set means the commune could not be decided (unknown parcel, a range covering no
    parcel): such a row is never within a commune officer's scope.

    Parameters
    ----------
    events : DataFrame
        ``kind``, ``project_id``, ``parcel_id``, ``commune``, ``chainage_from_m``, ``chainage_to_m`` (m).
    parcels : DataFrame
        ``parcel_id``, ``project_id``, ``commune``, ``chainage_m`` (m, NaN for areas).
    """
    by_parcel = dict(zip(parcels["parcel_id"], parcels["commune"]))
    by_project = dict(list(parcels.groupby("project_id")))
    empty = parcels.iloc[:0]
    out: list[frozenset[str]] = []
    for row in events.to_dict("records"):
        kind, mine = row.get("kind"), by_project.get(row.get("project_id"), empty)
        if kind == "parcel":
            names = {by_parcel.get(row.get("parcel_id"))}
        elif kind == "chainage_range":
            low, high = sorted((float(row.get("chainage_from_m")), float(row.get("chainage_to_m"))))
            names = set(mine.loc[mine["chainage_m"].between(low, high), "commune"])
        elif not _is_missing(row.get("commune")) and str(row.get("commune")).strip():
            names = {str(row.get("commune"))}
        else:
            names = set(mine["commune"])
        out.append(frozenset(n for n in names if not _is_missing(n)))
    return out
