"""``ingest.validate.validate`` one row after the other, as it ran before issue 13's column-by-column checks
(``ingest.clean_rows``): the reference the product is tested against (``tests/ingest/test_clean_rows.py``, same
arguments and result). Nothing in the product imports it; it uses ``ingest.validate``'s own one-row helpers, so
the messages are the same code."""
from __future__ import annotations

from datetime import date

import pandas as pd

from ingest.read import RawTable
from ingest.report import RowProblem, ValidationReport, events_frame
from ingest.validate import _check_row, _decimal_convention, _file_checks, _rows, _table_parts


def validate_row_by_row(
    table: RawTable | pd.DataFrame,
    parcels: pd.DataFrame,
    projects: pd.DataFrame,
    existing_events: pd.DataFrame | None,
    today: date,
) -> ValidationReport:
    """:func:`validate` one row after the other: the reference it is tested against (same arguments and result).

    Every row goes through the one-row checks and then the file-order checks (repeats, stages going
    back) before the next row; :func:`validate` reaches the same report with whole-column checks for
    the clean parcel rows (:mod:`ingest.clean_rows`).
    """
    raw, formula_rows, notes = _table_parts(table)
    checks = _file_checks(raw, formula_rows, parcels, projects, existing_events, today)
    if checks.header_problem:
        notes.append(checks.header_problem)

    problems: list[RowProblem] = []
    events: list[dict] = []
    event_rows: list[int] = []
    for seq, r in enumerate(_rows(raw, _decimal_convention(raw))):
        event = _check_row(r, seq, checks)
        if r.problems:
            problems.extend(r.problems)
        else:
            events.append(event)
            event_rows.append(r.row)

    if checks.inert_text:
        notes.append(f"{checks.inert_text} ô Ghi chú chứa công thức/HTML/script: được giữ nguyên dạng chữ, không thực thi.")
    return ValidationReport(events=events_frame(events, event_rows), problems=problems, rows_read=len(raw),
                            notes=notes)
