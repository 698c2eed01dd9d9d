"""Reading a milestones table file (``milestones.csv`` or ``cli.py milestones export``) for an import.

The columns are those of ``data/sources/milestones.csv`` (DATA_MODEL.md "milestones"): ``milestone_id``,
``project_id``, ``due_date``, ``metric``, ``target_percent``, ``scope``, ``label``. Two spellings of
the same table are read alike: the bundled file (``,``, UTF-8 with BOM) and what the export writes
as Vietnamese Excel does (``;``, decimal comma, UTF-8 with BOM; a text cell Excel would read as a
formula carries a leading ``'``, removed here). Cells stay text; the store parses and checks them
(``store.config.milestone_record``), and :func:`milestones.status.validate_milestones` checks them
against the parcels before the import.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from domain.config_history import MILESTONE_FIELDS
from ingest.read import IngestError

#: Largest milestones file read (a district has tens of milestones, not megabytes of them).
MAX_BYTES = 2 * 1024 * 1024

#: Columns a milestones file must have (``scope`` and ``label`` may be left out).
REQUIRED = ("milestone_id", "project_id", "due_date", "metric", "target_percent")

_FORMULA_QUOTED = ("'=", "'+", "'-", "'@")


def read_milestones_file(path: str | Path) -> pd.DataFrame:
    """The rows of a milestones CSV as text cells (blank → NaN), columns :data:`MILESTONE_FIELDS` present.

    Raises
    ------
    IngestError
        Missing or too large a file, not UTF-8, no header with the :data:`REQUIRED` columns (the
        message names the missing ones and the columns found).
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"Không có tệp «{path.name}».")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise IngestError(f"Tệp mốc tiến độ «{path.name}» quá lớn ({len(raw)} byte; tối đa {MAX_BYTES}).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(f"Tệp «{path.name}» không phải UTF-8; hãy lưu lại dạng «CSV UTF-8».") from None
    first = text.splitlines()[0] if text.strip() else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"Tệp «{path.name}» không đọc được như bảng CSV: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise IngestError(f"Tệp «{path.name}» thiếu cột: {', '.join(missing)} (có: {', '.join(frame.columns)}). "
                          f"Cần các cột: {', '.join(MILESTONE_FIELDS)}.")
    frame = frame[[c for c in MILESTONE_FIELDS if c in frame.columns]]
    frame = frame.map(lambda v: v[1:] if isinstance(v, str) and v.startswith(_FORMULA_QUOTED) else v)
    return frame.replace({"": None}).where(lambda f: f.notna(), None)
