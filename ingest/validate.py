"""Validate a field-count table against the parcels, the projects and the ledger, before anything is written.

:func:`validate` is a pure function of (raw table, parcels, projects, existing events, today): it
reads nothing and writes nothing. It returns a :class:`ValidationReport` with the valid rows as
events (columns of the ``events`` table in DATA_MODEL.md, without the store-assigned ``event_id``
and ``upload_id``) and every problem found, per row (the row number the user sees in Excel) and
column (the Vietnamese header), in Vietnamese.

Row kinds (decided per row by which key columns are filled):

* ``parcel``: ``Số tờ`` or ``Số thửa`` filled → needs ``Xã`` + ``Số tờ`` + ``Số thửa`` (``Dự án``
  optional when the parcel belongs to one project). The cadastral sheets are numbered per former
  (pre-1/7/2025) commune, so the key is former commune + sheet + parcel. ``Xã`` may name the former
  commune (``commune_former``) or the 2025 unit (``commune``), any case, with or without diacritics.
  The unit word counts when given: ``Thị trấn Cao Lộc`` (a former town) is not ``Xã Cao Lộc`` (a
  2025 commune). A name that is exactly a former commune searches its own sheets first, then the
  other former communes merged into a 2025 unit of the same name; a 2025 unit searches all its
  former communes; a bare name shared by several units (``Cao Lộc``) searches them all. More than
  one parcel found is an ambiguity listing the candidates (nothing is guessed).
* ``chainage_range``: ``Từ lý trình``/``Đến lý trình`` filled (``Km5+200``) → needs ``Dự án``; the
  range must lie inside the project's managed section (``section_from_m``..``section_to_m``).
* ``aggregate``: neither → needs ``Dự án`` (``Xã`` optional: the scope) and ``Diện tích`` or
  ``Số hộ``: "area handed over so far" as of the date (cumulative, never added to parcel figures).

Rules checked (issue 3): unknown parcel (nearest keys suggested), unknown commune or project,
stage value not allowed, stage going backwards (versus the ledger and earlier valid rows of the
file, at the row's date) unless marked ``Đính chính``, cumulative aggregate area going down unless
marked, date in the future or before the project's ``start_date``, area larger than the parcel's
``area_to_recover_m2`` (+ :data:`AREA_TOLERANCE_M2`), negative or non-numeric numbers, duplicate
rows in the file (same key, event and date), chainage outside the section or ``from >= to``, XLSX
formulas without a saved value. Text cells (``Ghi chú``) are kept verbatim as inert text.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from domain.stages import STAGES, stage_rank
from ingest.clean_rows import CleanRows, ParsedColumns, clean_parcel_rows, ordered_keys
from ingest.headers import CANONICAL_HEADERS
from ingest.history import LedgerHistory, aggregate_key, as_date, history_from_ledger
from ingest.lookups import Lookups, build_lookups, commune_key
from ingest.read import RawTable
from ingest.report import (
    EVENT_COLUMNS,
    EVENTS_SCHEMA,
    RowProblem,
    ValidationReport,
    events_frame_from_columns,
)
from ingest.row_checks import (
    AREA_TOLERANCE_M2,
    RowCheck,
    aggregate_scope_of,
    area_text,
    chainage_range_of,
    parcel_of,
    project_of,
)
from ingest.values import (
    looks_active,
    parse_date,
    parse_flag,
    parse_int,
    parse_number,
    parse_stage,
    parse_text,
)
from parsing.columns import blank_mask, map_distinct
from parsing.numbers import decide_convention
from parsing.parcel_keys import parcel_key
from vocab.format import fmt_date
from vocab.labels import EVENT_LABELS_VI

__all__ = [
    "AREA_TOLERANCE_M2",
    "EVENTS_SCHEMA",
    "EVENT_COLUMNS",
    "RowProblem",
    "ValidationReport",
    "commune_key",
    "validate",
]

#: Unknown-parcel rows that get "did you mean" suggestions (the search costs time on huge files).
MAX_SUGGESTED_ROWS = 500

_FORMULA_WITHOUT_VALUE = ("ô có công thức nhưng tệp không lưu giá trị đã tính; hãy mở bằng Excel rồi lưu lại, "
                          "hoặc dán giá trị (Paste Values)")
_FLOAT_FIELDS = ("area_m2", "area_ha", "amount_vnd", "amount_million_vnd", "amount_thousand_vnd")
_INTEGER_FIELDS = ("households", "map_sheet")
_NUMBER_FIELDS = (*_FLOAT_FIELDS, "households")


@dataclass(frozen=True)
class RowValues:
    """The cells every row kind needs, parsed: None when blank or wrong (a problem is then recorded).

    ``area_m2`` in m² (``Diện tích (ha)`` converted), ``amount_vnd`` in đồng (million/thousand converted).
    """

    event: str | None
    event_date: date | None
    area_m2: float | None
    amount_vnd: float | None
    households: int | None
    is_correction: bool
    note: str


@dataclass(frozen=True)
class Target:
    """What a row reports on: ``kind`` (parcel | chainage_range | aggregate) and its :class:`LedgerHistory` key.

    ``key`` is None when the row cannot be placed (problems recorded); ``project_id`` is False when the
    row named an unknown project.
    """

    kind: str
    project_id: str | bool | None
    key: Any = None
    parcel_id: str | None = None
    commune: str | None = None
    chainage_from_m: float | None = None
    chainage_to_m: float | None = None


@dataclass
class FileChecks:
    """What every row of one file is checked against, and what the earlier rows left behind.

    ``history`` grows with each valid row (a later row may not go back from it); ``seen`` maps
    (kind, key, event, date) to the first row that reported it and its content (target and values;
    the note is left out when comparing).
    """

    lookups: Lookups
    project_starts: dict[str, date | None]
    history: LedgerHistory
    today: date
    columns: set[str]
    header_problem: str
    formula_rows: dict[int, Any]
    seen: dict[tuple, tuple[int, tuple]] = field(default_factory=dict)
    suggested: int = 0
    inert_text: int = 0


def validate(
    table: RawTable | pd.DataFrame,
    parcels: pd.DataFrame,
    projects: pd.DataFrame,
    existing_events: pd.DataFrame | None,
    today: date,
) -> ValidationReport:
    """Validate every row of a field-count table; pure (reads and writes nothing).

    Parameters
    ----------
    table
        :class:`ingest.read.RawTable` (or its ``data`` DataFrame): columns = fields of
        :data:`ingest.headers.CANONICAL_HEADERS`, index = Excel row number.
    parcels
        The parcels table (DATA_MODEL.md): ``parcel_id``, ``project_id``, ``commune``,
        ``commune_former``, ``map_sheet``, ``parcel_number``, ``area_to_recover_m2`` (m²); a
        GeoDataFrame in EPSG:9215 is fine (geometry is not used).
    projects
        The projects table: ``project_id``, ``name``, ``short_name``, ``start_date``,
        ``section_from_m``, ``section_to_m`` (m; NaN for areas).
    existing_events
        The ledger (``store.events()``, reverted uploads excluded), or None for an empty ledger.
    today
        Dates after it are refused (an argument, so the function stays pure and testable).

    Returns
    -------
    ValidationReport
        Valid events (index = row; columns :data:`EVENT_COLUMNS`) and the problems of the invalid
        rows; a row with any problem yields no event.

    Examples
    --------
    >>> report = validate(read_table("so_lieu.csv"), store.parcels(), store.projects(),
    ...                   store.events(), date.today())          # doctest: +SKIP
    >>> [str(p) for p in report.problems][:1]                    # doctest: +SKIP
    ["Dòng 7, cột 'Ngày': ngày ở tương lai (sau hôm nay 01/07/2024) (giá trị: '15/08/2024')"]
    """
    raw, formula_rows, notes = _table_parts(table)
    checks = _file_checks(raw, formula_rows, parcels, projects, existing_events, today)
    if checks.header_problem:
        notes.append(checks.header_problem)
    cols = _parsed_columns(raw, _decimal_convention(raw))
    clean = clean_parcel_rows(cols, checks.lookups, today=today, project_starts=checks.project_starts,
                              formula_rows=formula_rows, header_problem=checks.header_problem)
    at_clean = {int(p): k for k, p in enumerate(clean.positions.tolist())}
    checked: dict[int, tuple[RowCheck, Target, RowValues]] = {}
    for seq in range(len(cols.rows)):   # the one-row checks, with their messages, for the other rows
        if seq not in at_clean:
            r = _row_check(cols, seq)
            checked[seq] = (r, *_single_row_checks(r, checks))
    checks.inert_text = _inert_notes(cols)
    ordered = {t.key for _, t, v in checked.values() if _in_file_order(t, v)}
    ordered |= ordered_keys(clean, checks.history.stages)
    for seq, k in at_clean.items():
        if clean.parcel_id[k] in ordered:
            checked[seq] = (_row_check(cols, seq), *_clean_target_values(clean, k, cols, seq))
    for seq in sorted(s for s, (_, t, v) in checked.items() if _in_file_order(t, v) and t.key in ordered):
        r, target, values = checked[seq]
        _file_order_checks(r, seq, target, values, checks)
    problems = [p for seq in sorted(checked) for p in checked[seq][0].problems]
    if checks.inert_text:
        notes.append(f"{checks.inert_text} ô Ghi chú chứa công thức/HTML/script: được giữ nguyên dạng chữ, không thực thi.")
    return ValidationReport(events=_events(cols, clean, at_clean, checked), problems=problems, rows_read=len(raw),
                            notes=notes)


def _file_checks(raw: pd.DataFrame, formula_rows: dict, parcels: pd.DataFrame, projects: pd.DataFrame,
                 existing_events: pd.DataFrame | None, today: date) -> FileChecks:
    """What every row of this file is checked against (look-ups, project starts, the ledger's history)."""
    lookups = build_lookups(parcels, projects)
    return FileChecks(
        lookups=lookups,
        project_starts={pid: as_date(p.get("start_date")) for pid, p in lookups.projects.items()},
        history=history_from_ledger(existing_events),
        today=today,
        columns=set(raw.columns),
        header_problem=_missing_columns_problem(raw.columns),
        formula_rows=formula_rows,
    )


def _in_file_order(target: Target, values: RowValues) -> bool:
    """Whether a row takes part in the file-order checks (it has a key, a stage and a date)."""
    return target.key is not None and bool(values.event) and values.event_date is not None


def _inert_notes(cols: ParsedColumns) -> int:
    """Notes that would be active elsewhere (formula, HTML, script), each distinct note looked at once."""
    active = map_distinct(cols.cell_column("note"), lambda v: bool(parse_text(v)) and looks_active(parse_text(v)))
    return int(sum(active))


def _clean_target_values(clean: CleanRows, k: int, cols: ParsedColumns, seq: int) -> tuple[Target, RowValues]:
    """Clean row ``k`` as the one-row checks give it (for the rows that go through the file-order checks)."""
    values = RowValues(clean.event[k], clean.event_date[k], clean.area_m2[k], clean.amount_vnd[k],
                       clean.households[k], clean.is_correction[k], parse_text(cols.cell_column("note")[seq]))
    return Target("parcel", clean.project_id[k], clean.parcel_id[k], parcel_id=clean.parcel_id[k]), values


def _events(cols: ParsedColumns, clean: CleanRows, at_clean: dict[int, int],
            checked: dict[int, tuple[RowCheck, Target, RowValues]]) -> pd.DataFrame:
    """The valid rows as the events frame, in file order: clean rows from their columns, the others from their records."""
    n = len(cols.rows)
    frame: dict[str, list] = {c: [None] * n for c in EVENT_COLUMNS}
    for name in ("project_id", "parcel_id", "event", "event_date", "area_m2", "amount_vnd", "households",
                 "is_correction"):
        column = frame[name]
        for seq, value in zip(clean.positions.tolist(), getattr(clean, name)):
            column[seq] = value
    for seq in at_clean:
        frame["kind"][seq] = "parcel"
    notes = map_distinct(cols.cell_column("note"), parse_text)
    valid = []
    for seq in range(n):
        if seq in checked:
            r, target, values = checked[seq]
            if r.problems:
                continue
            for name, value in _event_record(target, values).items():
                frame[name][seq] = value
        valid.append(seq)
    frame["note"] = notes
    return events_frame_from_columns({c: [frame[c][s] for s in valid] for c in EVENT_COLUMNS},
                                     [cols.rows[s] for s in valid])


# ------------------------------------------------------------------------------- the file
def _table_parts(table: RawTable | pd.DataFrame) -> tuple[pd.DataFrame, dict[int, Any], list[str]]:
    """The cells, the cells whose formula has no saved value (per row), and the reader's notes."""
    if not isinstance(table, RawTable):
        return table, {}, []
    notes: list[str] = []
    if table.ignored_columns:
        notes.append("Bỏ qua các cột không thuộc mẫu: " + ", ".join(table.ignored_columns))
    if table.formulas_read_as_values:
        notes.append(f"{table.formulas_read_as_values} ô có công thức: đã đọc giá trị Excel đã tính và lưu trong tệp.")
    notes.extend(table.notes)  # e.g. columns converted from TCVN3/VNI to Unicode
    return table.data, table.formula_rows, notes


def _missing_columns_problem(columns) -> str:
    """The sentence naming the required columns (stage, date) the file lacks; "" when it has them."""
    missing = [f for f in ("event", "event_date") if f not in set(columns)]
    return "Tệp thiếu cột bắt buộc: " + ", ".join(CANONICAL_HEADERS[f] for f in missing) if missing else ""


def _decimal_convention(data: pd.DataFrame) -> str | None:
    """The file's decimal convention by the one rule of :func:`parsing.numbers.decide_convention`: the
    convention its number cells prove when they all agree (one file comes from one Excel, one locale).

    None when no cell proves one or cells prove both: an ambiguous cell (``450.800``) is then reported on
    its row instead of being guessed. Each distinct cell is looked at once (:func:`parsing.columns.map_distinct`).
    """
    distinct = {v for col in _NUMBER_FIELDS if col in data.columns
                for v in data[col].drop_duplicates().tolist() if isinstance(v, str)}
    return decide_convention(distinct)


#: The one-cell parser :class:`ingest.row_checks.RowCheck` applies to each field, here applied column by column.
def _column_parsers(decimal: str | None) -> dict[str, Any]:
    def as_int(v):
        return parse_int(v, decimal=decimal)

    def as_number(v):
        return parse_number(v, decimal=decimal)

    return {"event": parse_stage, "event_date": parse_date, "is_correction": parse_flag, "parcel_number": parcel_key,
            **dict.fromkeys(_INTEGER_FIELDS, as_int), **dict.fromkeys(_FLOAT_FIELDS, as_number)}


def _parsed_columns(raw: pd.DataFrame, decimal: str | None) -> ParsedColumns:
    """The cells of ``raw`` column by column, blanks as None, and the fields of :func:`_column_parsers`
    parsed (:func:`parsing.columns.map_distinct`: each distinct value of a column parsed once)."""
    parsers = _column_parsers(decimal)
    cells, parsed, filled = {}, {}, {}
    for name in raw.columns:
        column = raw[name].tolist()
        blank = blank_mask(column)
        filled[name] = ~blank
        cells[name] = [None if b else v for v, b in zip(column, blank.tolist())]
        if name in parsers:
            parsed[name] = map_distinct(column, parsers[name])
    return ParsedColumns(list(raw.columns), [int(r) for r in raw.index.tolist()], cells, parsed, decimal, filled)


def _row_check(cols: ParsedColumns, seq: int) -> RowCheck:
    """The :class:`RowCheck` of the row at position ``seq``."""
    return RowCheck(cols.rows[seq], {n: cols.cells[n][seq] for n in cols.names}, cols.decimal,
                    {n: values[seq] for n, values in cols.parsed.items()})


def _rows(raw: pd.DataFrame, decimal: str | None) -> Iterator[RowCheck]:
    """One :class:`RowCheck` per data row, blanks as None, its cells parsed column by column
    (:func:`parsing.columns.map_distinct`: each distinct value of a column parsed once)."""
    cols = _parsed_columns(raw, decimal)
    for seq in range(len(cols.rows)):
        yield _row_check(cols, seq)


# -------------------------------------------------------------------------------- one row
def _check_row(r: RowCheck, seq: int, checks: FileChecks) -> dict:
    """Every check of one row, in order; returns its event record (used only when ``r.problems`` is empty)."""
    target, values = _single_row_checks(r, checks)
    checks.inert_text += bool(values.note) and looks_active(values.note)
    if _in_file_order(target, values):
        _file_order_checks(r, seq, target, values, checks)
    elif not r.problems:
        _remember(checks.history, target, values, seq)
    return _event_record(target, values)


def _single_row_checks(r: RowCheck, checks: FileChecks) -> tuple[Target, RowValues]:
    """The checks of one row that need no other row: formulas, cells, what it reports on, its date.

    Returns ``(target, values)``; the problems are recorded on ``r``.
    """
    for fld in checks.formula_rows.get(r.row, ()):
        r.bad(fld, _FORMULA_WITHOUT_VALUE, "")
    if checks.header_problem:
        r.bad("", checks.header_problem, "")
    values = _read_values(r, checks.columns)
    target = _target_of(r, values, checks)
    _check_date(r, values.event_date, target.project_id, checks)
    return target, values


def _file_order_checks(r: RowCheck, seq: int, target: Target, values: RowValues, checks: FileChecks) -> None:
    """The checks against the earlier rows of the file (repeats, stage order); a valid row then joins the history."""
    _check_duplicate(r, target, values, checks.seen)
    _check_history(r, checks.history, target, values)
    if not r.problems:
        _remember(checks.history, target, values, seq)


def _read_values(r: RowCheck, columns: set[str]) -> RowValues:
    """Stage, date, area, amount, households, correction flag and note of a row."""
    return RowValues(
        event=r.parsed("event", parse_stage,
                       "thiếu giai đoạn (ví dụ: Kiểm đếm, Chi trả, Bàn giao mặt bằng)" if "event" in columns else None),
        event_date=r.parsed("event_date", parse_date, "thiếu ngày (dd/mm/yyyy)" if "event_date" in columns else None),
        area_m2=r.scaled(("area_m2", "area_ha")),
        amount_vnd=r.scaled(("amount_vnd", "amount_million_vnd", "amount_thousand_vnd")),
        households=r.number("households", integer=True),
        is_correction=bool(r.parsed("is_correction", parse_flag, None)),
        note=parse_text(r.cell("note")),
    )


def _target_of(r: RowCheck, values: RowValues, checks: FileChecks) -> Target:
    """The row's kind, decided by which key cells are filled, and what it reports on."""
    lk = checks.lookups
    project_id = project_of(r, lk)
    if r.cell("map_sheet") is not None or r.cell("parcel_number") is not None:
        suggest = checks.suggested < MAX_SUGGESTED_ROWS
        n_before = len(r.problems)
        parcel_id, project_id = parcel_of(r, lk, project_id, values.area_m2, suggest)
        checks.suggested += suggest and parcel_id is None and len(r.problems) > n_before
        return Target("parcel", project_id, parcel_id, parcel_id=parcel_id)
    if r.cell("chainage_from") is not None or r.cell("chainage_to") is not None:
        ch_from, ch_to, key = chainage_range_of(r, lk, project_id)
        return Target("chainage_range", project_id, key, chainage_from_m=ch_from, chainage_to_m=ch_to)
    commune = aggregate_scope_of(r, lk, project_id, values.area_m2, values.households)
    key = aggregate_key(project_id, commune, values.event) if project_id and values.event else None
    return Target("aggregate", project_id, key, commune=commune)


def _check_date(r: RowCheck, event_date: date | None, project_id, checks: FileChecks) -> None:
    """Not after today, not before the project's ``start_date``."""
    if event_date is None:
        return
    if event_date > checks.today:
        r.bad("event_date", f"ngày ở tương lai (sau hôm nay {fmt_date(checks.today)})")
    start = checks.project_starts.get(project_id) if project_id else None
    if start is not None and event_date < start:
        r.bad("event_date", f"trước ngày bắt đầu GPMB của dự án {project_id} ({fmt_date(start)})")


def _check_duplicate(r: RowCheck, target: Target, values: RowValues, seen: dict[tuple, tuple[int, tuple]]) -> None:
    """The same scope, stage and date twice in the file with other figures: the later row is refused.

    A row repeating an earlier one exactly (the note aside) is no error: it is the same fact written
    twice, committed once; the store reports the repeat (:mod:`store.duplicates`, issue 10).
    """
    dup_key = (target.kind, target.key, values.event, values.event_date)
    if dup_key not in seen:
        seen[dup_key] = (r.row, (target, values))  # compared only on a repeat (most rows have none)
        return
    first_target, first_values = seen[dup_key][1]
    if (first_target, replace(first_values, note="")) != (target, replace(values, note="")):
        scope = "thửa" if target.kind == "parcel" else "phạm vi"
        r.bad("", f"trùng với dòng {seen[dup_key][0]} (cùng {scope}, giai đoạn và ngày, khác số liệu)", "")


def _is_stage_report(target: Target, values: RowValues) -> bool:
    return target.kind in ("parcel", "chainage_range") and values.event in STAGES


def _check_history(r: RowCheck, hist: LedgerHistory, target: Target, values: RowValues) -> None:
    """Stage going backwards (parcel, range) or cumulative area going down (aggregate), unless a correction."""
    if values.is_correction:
        return
    if _is_stage_report(target, values):
        rank, when = hist.stage_at(target.key, values.event_date)
        if rank > stage_rank(values.event):
            r.bad("event", f"lùi giai đoạn: đến {fmt_date(when)} đã ở giai đoạn "
                           f"'{EVENT_LABELS_VI[STAGES[rank]]}'; nếu là sửa sai hãy đánh dấu cột Đính chính")
    if target.kind == "aggregate" and values.area_m2 is not None:
        prior = hist.area_at(target.key, values.event_date)
        if prior is not None and values.area_m2 < prior[0] - 1e-6:
            r.bad("area_m2", f"diện tích lũy kế giảm so với báo cáo ngày {fmt_date(prior[1])} "
                             f"({area_text(prior[0])} m²); nếu là sửa sai hãy đánh dấu cột Đính chính",
                  area_text(values.area_m2))


def _remember(hist: LedgerHistory, target: Target, values: RowValues, seq: int) -> None:
    """A valid row joins the history: later rows of the file are checked against it."""
    if _is_stage_report(target, values):
        hist.stages[target.key].append((values.event_date, seq, stage_rank(values.event), values.is_correction))
    if target.kind == "aggregate" and values.area_m2 is not None:
        hist.areas[target.key].append((values.event_date, seq, float(values.area_m2), values.is_correction))


def _event_record(target: Target, values: RowValues) -> dict:
    """The row as an event (:data:`EVENT_COLUMNS`)."""
    return {
        "kind": target.kind, "project_id": target.project_id, "parcel_id": target.parcel_id,
        "commune": target.commune, "chainage_from_m": target.chainage_from_m,
        "chainage_to_m": target.chainage_to_m, "event": values.event, "event_date": values.event_date,
        "area_m2": values.area_m2, "households": values.households, "amount_vnd": values.amount_vnd,
        "is_correction": values.is_correction, "note": values.note,
    }
