"""The one rule for numbers people type: Vietnamese ``1.234,5`` and English ``1,234.5`` grouping.

The rule
--------
A number is an optional sign, digits and separators, optionally followed by a unit (:data:`UNIT_SUFFIXES`,
ignored: the column header says the unit). Spaces, no-break spaces and apostrophes are digit-group marks and
are dropped. Two conventions are known (:data:`DECIMAL_CONVENTIONS`):

* ``"vi"`` (TCVN usage, Vietnamese Excel): ``.`` groups thousands, ``,`` is the decimal sign: ``1.234,5``;
* ``"en"``: ``,`` groups thousands, ``.`` is the decimal sign: ``1,234.5``.

A thousands group is exactly three digits after a leading group of one to three digits that does not start
with 0. A text is read under each convention; the readings that fit decide:

* one reading fits: the text *proves* its convention (``12,5``, ``1.234,5``, ``1.234.567`` → ``vi``;
  ``12.5``, ``0.125``, ``1,234,567`` → ``en``) and is read that way whatever the caller's convention;
* no separator: both readings agree (``1234``), nothing is proved;
* both fit and differ: the text is *ambiguous* on its own (``450.800``, ``1.234``, ``1,234``). It is read by
  the convention of its column or line (:func:`decide_convention`: the one every unambiguous cell proves);
  when the column or line proves none, or both, it is reported (:class:`AmbiguousNumberError`), never
  guessed. A value whose kind excludes one reading (a whole number, an angle below 1000) is decided by it.
* none fits: not a number (``1.23.456``, ``12,34,5.6``), reported.

Excel cells already holding a number (``int``/``float``) are taken as they are.
"""
from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from parsing.text import is_blank

DecimalConvention = Literal["vi", "en"]
#: ``"vi"`` = ``1.234,5`` (Vietnamese usage), ``"en"`` = ``1,234.5``.
DECIMAL_CONVENTIONS: tuple[DecimalConvention, ...] = ("vi", "en")
#: Unit written after a number, dropped before parsing (longest first, compared in lower case).
UNIT_SUFFIXES = ("đồng", "vnđ", "vnd", "m²", "m2", "ha", "đ")

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # convention → (thousands, decimal)
_EXAMPLES = "ví dụ 1.234,5 hoặc 1234,5 hoặc 1234.5"
_DIGIT_GROUP_MARKS = str.maketrans("", "", " \u00a0\u202f\u2009'")


def _pattern(thousands: str, decimal: str) -> re.Pattern:
    t, d = re.escape(thousands), re.escape(decimal)
    return re.compile(rf"(?:\d+|[1-9]\d{{0,2}}(?:{t}\d{{3}})+)?(?:{d}\d+)?")


_PATTERNS = {conv: _pattern(*seps) for conv, seps in _SEPARATORS.items()}


class AmbiguousNumberError(ValueError):
    """A number that reads differently under the two conventions and that nothing around it decides.

    Attributes
    ----------
    text : str
        The value as written.
    readings : dict
        ``{"vi": float, "en": float}``: what it means under each convention.
    """

    def __init__(self, text: str, readings: dict[str, float]):
        self.text, self.readings = text, readings
        sep = next(c for c in text if c in ".,")
        as_thousands, as_decimal = sorted(readings.values(), key=abs, reverse=True)
        plain = f"{as_decimal:.3f}".rstrip("0").rstrip(".").replace(".", ",")
        super().__init__(
            f"«{text}» không rõ nghĩa: là {as_thousands:.0f} nếu dấu «{sep}» phân cách hàng nghìn, là {plain} "
            f"nếu «{sep}» là dấu thập phân, và không có số nào khác cùng cột/dòng cho biết cách viết; "
            f"hãy viết {as_thousands:.0f} (không dấu phân cách) hoặc {plain} (dấu phẩy thập phân)"
        )


def _clean(text: str) -> tuple[str, str]:
    """(sign, body): digit-group marks and a trailing unit removed."""
    text = text.strip().translate(_DIGIT_GROUP_MARKS)
    lower = text.lower()
    for unit in UNIT_SUFFIXES:
        if lower.endswith(unit):
            text = text[: -len(unit)]
            break
    if text[:1] in ("+", "-"):
        return text[0], text[1:]
    return "", text


@functools.lru_cache(maxsize=8192)
def _readings(text: str) -> dict[str, float]:
    """``{convention: value}`` for each convention under which ``text`` is a well-formed number.

    Raises
    ------
    ValueError
        Not digits and separators at all.
    """
    sign, body = _clean(text)
    if not re.fullmatch(r"[0-9.,]*[0-9][0-9.,]*", body):
        raise ValueError(f"cần một số, {_EXAMPLES}; nhận được «{text.strip()}»")
    factor = -1.0 if sign == "-" else 1.0
    out = {}
    for conv, (thousands, decimal) in _SEPARATORS.items():
        if _PATTERNS[conv].fullmatch(body):
            out[conv] = factor * float(body.replace(thousands, "").replace(decimal, "."))
    if not out:
        raise ValueError(f"«{text.strip()}»: số viết sai, dấu phân cách hàng nghìn đặt sai chỗ; "
                         "ví dụ đúng: 1.234.567,5 hoặc 1234567,5")
    return out


def number_convention(text: object) -> DecimalConvention | None:
    """The convention ``text`` proves on its own (``"vi"``/``"en"``), or None.

    ``"1.234,5"``, ``"12,5"``, ``"1.234.567"`` → ``"vi"``; ``"1,234.5"``, ``"12.5"``, ``"1,234,567"`` →
    ``"en"``; ``"1.234"``, ``"1,234"``, ``"1234"``, non-text cells and non-numbers → None.
    """
    if not isinstance(text, str):
        return None
    try:
        readings = _readings(text)
    except ValueError:
        return None
    if len(readings) == 1:
        return next(iter(readings))  # type: ignore[return-value]
    return None


def decide_convention(cells: Iterable[object]) -> DecimalConvention | None:
    """The convention of a column or a line: the one its cells prove, when they all agree.

    Returns None when no cell proves a convention, or when cells prove both (a mixed column cannot
    decide its ambiguous cells).
    """
    proved = {number_convention(c) for c in cells} - {None}
    return proved.pop() if len(proved) == 1 else None


def _excel_number(value: object) -> float | None:
    """The float of a number cell (``int``/``float``/numpy), None for text; booleans and ∞ refused."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError("cần một số, không phải giá trị đúng/sai")
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("cần một số hữu hạn")
        return number
    return None


def parse_number(value: object, *, decimal: DecimalConvention | None = None) -> float:
    """Parse one number cell or typed value by the rule of this module.

    Parameters
    ----------
    value
        ``int``/``float`` (an Excel number, returned as float) or text (``"1.234,5"``, ``" 820,5 m² "``).
    decimal : {"vi", "en"}, optional
        The convention of the value's column or line (see :func:`decide_convention`), used only for a text
        that is ambiguous on its own. None: such a text is reported.

    Raises
    ------
    AmbiguousNumberError
        ``decimal`` is None and the text reads two ways (``"450.800"``).
    ValueError
        Not a number (Vietnamese message naming the value and the expected forms).
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():  # fast path: most cells of a sheet
        return float(value)
    number = _excel_number(value)
    if number is not None:
        return number
    text = str(value)
    readings = _readings(text)
    if len(readings) == 1:
        return next(iter(readings.values()))
    if decimal is not None:
        return readings[decimal]
    if readings["vi"] == readings["en"]:
        return readings["vi"]
    raise AmbiguousNumberError(text.strip(), readings)


def _parse_deciding(value: object, decimal: DecimalConvention | None, fits: Callable[[float], bool]) -> float:
    """:func:`parse_number`, an ambiguity decided by the one reading that ``fits`` the value's kind."""
    try:
        return parse_number(value, decimal=decimal)
    except AmbiguousNumberError as exc:
        fitting = [v for v in exc.readings.values() if fits(v)]
        if len(fitting) == 1:
            return fitting[0]
        raise


def parse_int(value: object, *, decimal: DecimalConvention | None = None) -> int:
    """Parse a whole number (sheet, parcel, households): ``12``, ``12.0`` from Excel, ``"012"``, ``"1.234"``.

    ``"1.234"`` is 1234 whatever the convention could say: its other reading is not a whole number.

    Raises
    ------
    ValueError
        Not a whole number.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():  # fast path: most cells
        return int(value)
    try:
        number = _parse_deciding(value, decimal, float.is_integer)
    except ValueError:
        raise ValueError(f"cần một số nguyên, ví dụ 12; nhận được «{str(value).strip()}»") from None
    if not number.is_integer():
        raise ValueError(f"cần một số nguyên, ví dụ 12; nhận được «{str(value).strip()}»")
    return int(number)


def parse_small_number(value: object) -> float:
    """Parse a number known to be below 1000 in magnitude (degrees, minutes, seconds, a percentage, the
    metres of a chainage): a lone ``.`` or ``,`` followed by three digits can only be its decimal sign.

    Raises
    ------
    ValueError
        Not a number.
    """
    return _parse_deciding(value, None, lambda v: abs(v) < 1000)


@dataclass(frozen=True)
class NumberColumn:
    """Numbers parsed from a column (or a line) of cells, see :func:`parse_number_column`.

    Attributes
    ----------
    values : numpy.ndarray of float64
        One per cell, in order; NaN for a blank cell or a cell with a problem.
    convention : {"vi", "en"} or None
        The convention used for the ambiguous cells (given, or decided by the cells); None when nothing
        decided it.
    problems : dict
        Position (0-based) → Vietnamese message, for every non-blank cell that is not a number.
    """

    values: np.ndarray
    convention: DecimalConvention | None
    problems: dict[int, str] = field(default_factory=dict)


def parse_number_column(cells: Iterable[object], *, decimal: DecimalConvention | None = None) -> NumberColumn:
    """Parse a sequence of cells that share one convention: a column of a sheet, or the numbers of a line.

    Parameters
    ----------
    cells : iterable
        Cells as read (text, Excel numbers, None/NaN/empty for blanks).
    decimal : {"vi", "en"}, optional
        A convention decided elsewhere (e.g. by the whole file); default: :func:`decide_convention` of
        ``cells``.

    Returns
    -------
    NumberColumn
        Ambiguous cells are read by the convention when there is one, else reported in ``problems``
        (:class:`AmbiguousNumberError` message); blanks are NaN without a problem.

    Examples
    --------
    >>> parse_number_column(["2.421.100", "450.800"]).values.tolist()
    [2421100.0, 450800.0]
    >>> parse_number_column(["450.800"]).problems[0][:9]
    '«450.800»'
    """
    cells = list(cells)
    convention = decimal if decimal is not None else decide_convention(cells)
    values = np.full(len(cells), np.nan)
    problems: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if is_blank(cell):
            continue
        try:
            values[i] = parse_number(cell, decimal=convention)
        except ValueError as exc:
            problems[i] = str(exc)
    return NumberColumn(values=values, convention=convention, problems=problems)
