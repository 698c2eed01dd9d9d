"""Parse the cell values of a field-count sheet: numbers, dates, stages, chainages, yes/no, text.

Each parser takes one cell as it came from the file (``str`` from a CSV; ``int``/``float``/
``datetime`` or ``str`` from an XLSX) and returns the value or raises :class:`ValueError` whose
message (Vietnamese) says what was expected. The caller adds the row and the column.
"""
from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime, timedelta

from parsing.stages import parse_event_code
from parsing.text import fold_vi

#: Decimal conventions: ``"vi"`` = ``1.234,5`` (TCVN usage), ``"en"`` = ``1,234.5``.
DECIMAL_CONVENTIONS = ("vi", "en")

_EXCEL_EPOCH = date(1899, 12, 30)  # Excel 1900 date system, serial 1 = 1900-01-01 (with the 1900 leap bug)
#: Excel serial numbers accepted as dates: 01/01/1990 .. 31/12/2100.
EXCEL_SERIAL_RANGE = (32874, 73415)


def is_blank(value: object) -> bool:
    """True for None, NaN, and strings that are empty after stripping spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _clean_number_text(text: str) -> str:
    text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    for unit in ("m²", "m2", "đồng", "đ", "vnđ", "vnd", "ha"):
        if text.lower().endswith(unit):
            text = text[: -len(unit)]
    return text


@functools.lru_cache(maxsize=8192)
def number_convention(text: str) -> str | None:
    """Return the decimal convention ``text`` proves (``"vi"``/``"en"``), or None when it is ambiguous.

    ``"1.234,5"``, ``"12,5"``, ``"1.234.567"`` prove ``vi``; ``"1,234.5"``, ``"12.5"``, ``"1,234,567"``
    prove ``en``; ``"1.234"``, ``"1,234"`` and ``"1234"`` prove nothing.
    """
    t = _clean_number_text(str(text)).lstrip("+-")
    has_dot, has_comma = "." in t, "," in t
    if has_dot and has_comma:
        return "vi" if t.rfind(",") > t.rfind(".") else "en"
    for sep, conv, other in ((".", "en", "vi"), (",", "vi", "en")):
        if sep in t:
            parts = t.split(sep)
            if len(parts) > 2:
                return other  # repeated separator = thousands
            if len(parts[1]) != 3 or parts[0] in ("", "0"):
                return conv  # "12.5" / "0.125": a decimal point
            return None
    return None


def parse_number(value: object, *, decimal: str = "vi") -> float:
    """Parse a number cell: ``1.234,5`` / ``1,234.5`` / ``1234.5`` / ``1234`` / an Excel number.

    Parameters
    ----------
    value
        The cell (``int``/``float`` from an XLSX are returned as float; text is parsed).
    decimal
        Convention for ambiguous text with one separator followed by exactly three digits
        (``"1.234"``): ``"vi"`` reads it as 1234 (thousands dot, Vietnamese usage), ``"en"`` as 1.234.
        Unambiguous text (see :func:`number_convention`) is read by its own convention.

    Raises
    ------
    ValueError
        Not a number (Vietnamese message with the expected forms).
    """
    if isinstance(value, bool):
        raise ValueError("cần một số, không phải giá trị đúng/sai")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("cần một số hữu hạn")
        return float(value)
    text = str(value)
    if text.isdigit():  # fast path: plain whole number
        return float(text)
    text = _clean_number_text(text)
    conv = number_convention(text) or decimal
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not re.fullmatch(r"[0-9.,]+", body) or not re.search(r"[0-9]", body):
        raise ValueError("cần một số, ví dụ 1.234,5 hoặc 1234,5 hoặc 1234.5")
    thousands, dec = (".", ",") if conv == "vi" else (",", ".")
    if body.count(dec) > 1:
        raise ValueError("cần một số, ví dụ 1.234,5 hoặc 1234,5 hoặc 1234.5")
    if thousands in body:
        int_part = body.split(dec)[0]
        groups = int_part.split(thousands)
        if not groups[0] or any(len(g) != 3 for g in groups[1:]):
            raise ValueError("số viết sai: dấu phân cách hàng nghìn đặt sai chỗ; ví dụ đúng: 1.234.567,5")
    normal = body.replace(thousands, "").replace(dec, ".")
    result = float(normal)
    return -result if text.startswith("-") else result


def parse_int(value: object, *, decimal: str = "vi") -> int:
    """Parse a whole number (sheet, parcel, households): ``12``, ``12.0`` from Excel, ``"012"``.

    Raises
    ------
    ValueError
        Not a whole number.
    """
    if isinstance(value, str) and value.isdigit():
        return int(value)
    try:
        number = parse_number(value, decimal=decimal)
    except ValueError:
        raise ValueError("cần một số nguyên, ví dụ 12") from None
    if number != int(number):
        raise ValueError("cần một số nguyên, ví dụ 12")
    return int(number)


def _two_digit_year(yy: int) -> int:
    return 2000 + yy if yy < 70 else 1900 + yy


def parse_date(value: object) -> date:
    """Parse a date cell: ``dd/mm/yyyy``, ``d/m/yy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, ISO
    ``yyyy-mm-dd``, an Excel serial number (1990–2100) or a date/datetime cell.

    Day comes before month (Vietnamese usage); ``mm/dd`` is never guessed. Two-digit years are
    20yy below 70, else 19yy.

    Raises
    ------
    ValueError
        Not a date in one of these forms, or an impossible day (``31/02/2024``).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    expected = "cần ngày dạng dd/mm/yyyy (ví dụ 05/03/2024)"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and (not math.isfinite(value)):
            raise ValueError(expected)
        serial = int(value)
        if EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=serial)
        raise ValueError(expected)
    text = str(value).strip()
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", text)  # trailing time of day
    text = re.sub(r"T\d{2}:\d{2}.*$", "", text)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})", text)
        if m:
            year = int(m[3]) if len(m[3]) == 4 else _two_digit_year(int(m[3]))
            return date(year, int(m[2]), int(m[1]))
    except ValueError:
        raise ValueError(f"ngày không tồn tại; {expected}") from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    raise ValueError(expected)


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


try:  # the gis helper's parser is the one the rest of the product uses
    from gis.chainage import parse_chainage as _gis_parse_chainage
except ImportError:  # pragma: no cover - only while gis/ is not there yet
    _gis_parse_chainage = None


def _parse_chainage_local(text: str) -> float:
    m = re.fullmatch(r"(?i)\s*km\s*(\d+)\s*\+\s*(\d{1,3}(?:[.,]\d+)?)\s*", text)
    if m:
        metres = float(m[2].replace(",", "."))
        if metres >= 1000:
            raise ValueError("số mét sau dấu + phải nhỏ hơn 1000")
        return int(m[1]) * 1000.0 + metres
    raise ValueError("cần lý trình dạng Km3+700 (hoặc số mét, ví dụ 3700)")


def parse_chainage(value: object, *, decimal: str = "vi") -> float:
    """Parse a chainage cell: ``Km3+700``, ``Km 3+700``, ``km3+700,5`` → metres; a plain number is metres.

    Uses :func:`gis.chainage.parse_chainage` for the ``Km`` form when the gis package is present.

    Raises
    ------
    ValueError
        Neither a ``Km…+…`` chainage nor a number of metres.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value)
    text = str(value).strip()
    if re.fullmatch(r"[0-9.,\s]+", text):
        return parse_number(text, decimal=decimal)
    if _gis_parse_chainage is not None:
        try:
            return float(_gis_parse_chainage(text))
        except ValueError as exc:
            raise ValueError(str(exc)) from None
    return _parse_chainage_local(text)


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
    import unicodedata

    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def looks_active(text: str) -> bool:
    """True when text would be active somewhere else: a formula prefix, HTML tags or a script URL."""
    t = text.strip().lower()
    return t.startswith(FORMULA_PREFIXES) or bool(re.search(r"<\s*/?\s*[a-z!]", t)) or "javascript:" in t
