"""Parse the cell values of a field-count sheet: numbers, dates, stages, chainages, yes/no, text.

Each parser takes one cell as it came from the file (``str`` from a CSV; ``int``/``float``/
``datetime`` or ``str`` from an XLSX) and returns the value or raises :class:`ValueError` whose
message (Vietnamese) says what was expected. The caller adds the row and the column.

Numbers (:mod:`parsing.numbers`), dates (:mod:`parsing.dates`) and chainages
(:func:`parsing.chainage.parse_chainage_or_metres`, exported here as ``parse_chainage``) are the one
parser's; this module adds the cells only a field-count sheet has (stage, correction flag, inert text).
"""
from __future__ import annotations

import functools
import re
import unicodedata

from parsing.chainage import parse_chainage_or_metres as parse_chainage
from parsing.dates import EXCEL_SERIAL_RANGE, parse_date
from parsing.numbers import DECIMAL_CONVENTIONS, number_convention, parse_int, parse_number
from parsing.stages import parse_event_code
from parsing.text import fold_vi, is_blank

# Numbers, dates and chainages follow the one rule of ``parsing/``; they are re-exported here because the
# validation of an upload reads every cell through this module.
__all__ = [
    "DECIMAL_CONVENTIONS",
    "EXCEL_SERIAL_RANGE",
    "FORMULA_PREFIXES",
    "is_blank",
    "looks_active",
    "number_convention",
    "parse_chainage",
    "parse_date",
    "parse_flag",
    "parse_int",
    "parse_number",
    "parse_stage",
    "parse_text",
]


@functools.lru_cache(maxsize=1024)
def _parse_event_code_cached(text: str) -> str:
    return parse_event_code(text)


def parse_stage(value: object) -> str:
    """Return the event code for a stage/flag cell (code or Vietnamese label, any case, with or
    without diacritics), via :func:`parsing.stages.parse_event_code`.

    Raises
    ------
    ValueError
        Not an event code; ``not_started`` is a state, not an event, and is refused too.
    """
    code = _parse_event_code_cached(str(value))
    if code == "not_started":
        raise ValueError("'Chưa triển khai' là trạng thái ban đầu, không phải một sự kiện để ghi nhận")
    return code


_TRUE = {"x", "co", "c", "yes", "y", "true", "1", "dung", "dinh chinh", "dc"}
_FALSE = {"", "khong", "k", "no", "n", "false", "0", "sai"}


def parse_flag(value: object) -> bool:
    """Parse the ``Đính chính`` cell: ``x``/``có``/``1``/``TRUE`` → True; blank/``không``/``0`` → False.

    Raises
    ------
    ValueError
        Any other text.
    """
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return False
    folded = fold_vi(str(value))
    if isinstance(value, (int, float)):
        folded = "1" if value == 1 else "0" if value == 0 else folded
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("cần 'x' (hoặc 'có') nếu là dòng đính chính, để trống nếu không")


#: Characters that make a spreadsheet treat a cell as a formula when the text is exported again.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def parse_text(value: object) -> str:
    """Return a text cell as inert text: stripped, NFC, never evaluated.

    Formulas (``=HYPERLINK(…)``), HTML and ``<script>`` are kept verbatim as text: nothing here
    executes or renders them; views must show them escaped (Streamlit's tables do) and exports
    must write them as strings.
    """
    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def looks_active(text: str) -> bool:
    """True when text would be active somewhere else: a formula prefix, HTML tags or a script URL."""
    t = text.strip().lower()
    return t.startswith(FORMULA_PREFIXES) or bool(re.search(r"<\s*/?\s*[a-z!]", t)) or "javascript:" in t
