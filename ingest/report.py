"""The result of validating a field-count file: valid events and row-level problems (Vietnamese).

:class:`ValidationReport` is what :func:`ingest.validate.validate` returns; :data:`EVENTS_SCHEMA`
(pandera) fixes the shape of its ``events`` DataFrame, the rows handed to ``store.commit_upload``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from ingest.headers import CANONICAL_HEADERS
from ingest.values import is_blank
from vocab.labels import EVENT_LABELS_VI

#: Columns of the validated events (DATA_MODEL.md "events", without event_id/upload_id).
EVENT_COLUMNS: tuple[str, ...] = (
    "kind", "project_id", "parcel_id", "commune", "chainage_from_m", "chainage_to_m", "event",
    "event_date", "area_m2", "households", "amount_vnd", "is_correction", "note",
)

#: Field → Vietnamese column name used in messages (template header, or the unit variant read).
HEADER_LABELS_VI: dict[str, str] = {**CANONICAL_HEADERS, "area_ha": "Diện tích (ha)", "amount_million_vnd": "Số tiền (triệu đồng)",
                  "amount_thousand_vnd": "Số tiền (nghìn đồng)"}

_IS_TEXT = pa.Check(lambda s: len(s) == 0 or pd.api.types.infer_dtype(s, skipna=False) == "string",
                    error="text expected")
_IS_DATE = pa.Check(lambda s: len(s) == 0 or pd.api.types.infer_dtype(s, skipna=False) == "date",
                    error="datetime.date expected")

#: Shape of :attr:`ValidationReport.events` (checked on every report: a bug here fails loudly, never
#: reaches the store). Text columns are Python ``str`` objects, ``event_date`` ``datetime.date``.
EVENTS_SCHEMA = pa.DataFrameSchema(
    {
        "kind": pa.Column(object, [_IS_TEXT, pa.Check.isin(["parcel", "chainage_range", "aggregate"])]),
        "project_id": pa.Column(object, _IS_TEXT),
        "parcel_id": pa.Column(object, nullable=True),
        "commune": pa.Column(object, nullable=True),
        "chainage_from_m": pa.Column(float, nullable=True),
        "chainage_to_m": pa.Column(float, nullable=True),
        "event": pa.Column(object, [_IS_TEXT, pa.Check.isin(list(EVENT_LABELS_VI))]),
        "event_date": pa.Column(object, _IS_DATE),
        "area_m2": pa.Column(float, pa.Check.ge(0), nullable=True),
        "households": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "amount_vnd": pa.Column(float, pa.Check.ge(0), nullable=True),
        "is_correction": pa.Column(bool),
        "note": pa.Column(object, _IS_TEXT),
    },
    strict=True,
    ordered=True,
)


@dataclass(frozen=True)
class RowProblem:
    """One problem: ``row`` as numbered in Excel, ``column`` the Vietnamese header ("" = whole row)."""

    row: int
    column: str
    message_vi: str
    value: str = ""

    def __str__(self) -> str:
        where = f"Dòng {self.row}" + (f", cột '{self.column}'" if self.column else "")
        shown = f" (giá trị: {self.value!r})" if self.value else ""
        return f"{where}: {self.message_vi}{shown}"


@dataclass
class ValidationReport:
    """Result of :func:`validate`.

    Attributes
    ----------
    events
        Valid rows as events: columns :data:`EVENT_COLUMNS`, index ``row`` (Excel row number);
        ``area_m2`` in m², ``amount_vnd`` in đồng, ``event_date`` a ``datetime.date``.
    problems
        Every :class:`RowProblem`, in row order.
    rows_read
        Non-blank data rows in the file.
    notes
        File-level remarks in Vietnamese (ignored columns, formulas read as values, inert text kept).
    """

    events: pd.DataFrame
    problems: list[RowProblem]
    rows_read: int
    notes: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        """Row numbers with at least one problem, ascending."""
        return sorted({p.row for p in self.problems})

    @property
    def rows_invalid(self) -> int:
        return len(self.invalid_rows)

    @property
    def rows_valid(self) -> int:
        return len(self.events)

    @property
    def ok(self) -> bool:
        """True when every row is valid (and there is at least one)."""
        return not self.problems and self.rows_read > 0

    def problems_frame(self) -> pd.DataFrame:
        """Problems as a DataFrame with Vietnamese column names ``Dòng``, ``Cột``, ``Giá trị``, ``Lỗi``."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.message_vi) for p in self.problems],
            columns=["Dòng", "Cột", "Giá trị", "Lỗi"],
        )

    def messages_by_row(self) -> dict[int, str]:
        """``{row: "Cột: lỗi; Cột: lỗi"}`` for the preview table."""
        out: dict[int, list[str]] = defaultdict(list)
        for p in self.problems:
            out[p.row].append(f"{p.column}: {p.message_vi}" if p.column else p.message_vi)
        return {r: "; ".join(m) for r, m in out.items()}

    def counts(self) -> dict[str, int]:
        return {"rows_read": self.rows_read, "rows_valid": self.rows_valid, "rows_invalid": self.rows_invalid}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: counts, notes and problems (``row``, ``column``, ``message_vi``, ``value``)."""
        return {**self.counts(), "notes": list(self.notes), "problems": [asdict(p) for p in self.problems]}


def cell_text(value: Any) -> str:
    """A cell as the user typed it, for messages and the preview (``12.0`` from Excel → ``"12"``)."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def events_frame(rows: list[dict], index: Iterable[int]) -> pd.DataFrame:
    """Valid rows (dicts with :data:`EVENT_COLUMNS`) → the events DataFrame, checked by :data:`EVENTS_SCHEMA`."""
    return _typed(pd.DataFrame(rows, columns=list(EVENT_COLUMNS),
                               index=pd.Index(list(index), name="row", dtype="int64")))


def events_frame_from_columns(columns: dict[str, list], index: Iterable[int]) -> pd.DataFrame:
    """:func:`events_frame` of rows given as columns (one list per name of :data:`EVENT_COLUMNS`, None = missing)."""
    index = pd.Index(list(index), name="row", dtype="int64")
    # lists, as from records: each column's dtype inferred the same way (text with None → str → NaN as object)
    return _typed(pd.DataFrame({c: list(columns[c]) for c in EVENT_COLUMNS}, index=index))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({
        "kind": object, "project_id": object, "parcel_id": object, "commune": object, "event": object,
        "event_date": object, "note": object,
        "chainage_from_m": "float64", "chainage_to_m": "float64", "area_m2": "float64", "amount_vnd": "float64",
        "households": "Int64", "is_correction": bool,
    })
    return EVENTS_SCHEMA.validate(frame)
