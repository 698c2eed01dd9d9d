"""The preview table of an upload: the rows as read, with their Vietnamese problems (for the upload page).

Pure pandas: the page shows it (escaped: every cell is plain text) and highlights the invalid rows.
"""
from __future__ import annotations

import pandas as pd

from ingest.read import RawTable
from ingest.report import HEADER_LABELS_VI, ValidationReport, cell_text

#: Name of the status and message columns of the preview.
STATUS_COLUMN = "Trạng thái"
PROBLEMS_COLUMN = "Lỗi"
VALID_LABEL = "Hợp lệ"
INVALID_LABEL = "Có lỗi"


def preview_frame(table: RawTable, report: ValidationReport, *, only_invalid: bool = False,
                  limit: int | None = None) -> pd.DataFrame:
    """``Dòng`` (Excel row), ``Trạng thái``, ``Lỗi``, then the rows as read (text) under Vietnamese headers.

    Parameters
    ----------
    table, report
        From :func:`ingest.read.read_table` and :func:`ingest.validate.validate` of the same file.
    only_invalid
        Keep only the rows with problems.
    limit
        At most this many rows (the first ones), for very large files.

    Returns
    -------
    DataFrame
        All cells are ``str`` (values never evaluated: formulas/HTML stay text).
    """
    raw = table.data
    messages = report.messages_by_row()
    frame = pd.DataFrame({"Dòng": [int(r) for r in raw.index]})
    frame[STATUS_COLUMN] = [INVALID_LABEL if int(r) in messages else VALID_LABEL for r in raw.index]
    frame[PROBLEMS_COLUMN] = [messages.get(int(r), "") for r in raw.index]
    for col in raw.columns:
        frame[HEADER_LABELS_VI.get(col, col)] = [cell_text(v) for v in raw[col]]
    if only_invalid:
        frame = frame[frame[STATUS_COLUMN] == INVALID_LABEL]
    if limit is not None:
        frame = frame.head(limit)
    return frame.reset_index(drop=True)
