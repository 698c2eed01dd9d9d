"""The one rule for dates people type or files carry.

Accepted
--------
* ``date``/``datetime``/``pandas.Timestamp`` cells (the time of day is dropped);
* day first, always (Vietnamese usage): ``dd/mm/yyyy``, ``d/m/yyyy``, ``d/m/yy``, with ``/``, ``-`` or ``.``;
  a trailing time of day (``05/03/2024 00:00:00``) is dropped. Month first (``06/30/2024``) is never
  guessed: it is refused with a message saying the day comes first;
* ISO ``yyyy-mm-dd`` (and ``yyyy-mm-ddThh:mm…``);
* Excel serial day numbers (1900 date system, serial 1 = 01/01/1900) in :data:`EXCEL_SERIAL_RANGE`, as
  numbers or as five-digit text.

Two-digit years (:func:`expand_two_digit_year`): 00–68 → 2000–2068, 69–99 → 1969–1999, the POSIX/Python
``%y`` pivot. It is the rule of Python's ``strptime``, pandas and most tools that write these files, and
it reads a due date typed ``30/6/35`` as 2035 (plans run decades ahead) while ``30/6/85`` stays 1985.

Every accepted date lies in :data:`DATE_RANGE` (01/01/1900–31/12/2199): land records start after 1900,
and every such date fits a ``pandas.Timestamp`` (1677–2262), so no computation downstream overflows.
"""
from __future__ import annotations

import numbers
import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from parsing.text import is_blank

#: The earliest and latest date accepted.
DATE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))
#: Excel's day 0 (1900 date system, with its 1900 leap-year bug: serials from 61 = 01/03/1900 on are right).
EXCEL_EPOCH = date(1899, 12, 30)
#: Excel serials accepted as dates: 32874 = 01/01/1990 … 73415 = 31/12/2100. A bare number outside is
#: far more likely an area or a parcel number typed in the wrong column than a date.
EXCEL_SERIAL_RANGE = (32874, 73415)
#: Two-digit years below this are 20yy, the others 19yy (POSIX ``%y``).
TWO_DIGIT_YEAR_PIVOT = 69

_EXPECTED = "cần ngày dạng dd/mm/yyyy (ví dụ 05/03/2024)"
_TIME_OF_DAY = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.0+)?")


def expand_two_digit_year(yy: int) -> int:
    """``85`` → 1985, ``24`` → 2024, ``68`` → 2068, ``69`` → 1969 (see :data:`TWO_DIGIT_YEAR_PIVOT`)."""
    return (2000 if yy < TWO_DIGIT_YEAR_PIVOT else 1900) + yy


def excel_serial_to_date(serial: float) -> date:
    """The date of an Excel serial day number (the fraction, a time of day, is dropped).

    Raises
    ------
    ValueError
        Outside :data:`EXCEL_SERIAL_RANGE`.
    """
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial < high + 1:
        raise ValueError(f"số {serial:g} không phải ngày: số ngày kiểu Excel phải từ {low} (01/01/1990) "
                         f"đến {high} (31/12/2100); {_EXPECTED}")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _in_range(d: date, text: str) -> date:
    if not DATE_RANGE[0] <= d <= DATE_RANGE[1]:
        raise ValueError(f"«{text}»: năm {d.year} ngoài khoảng {DATE_RANGE[0].year}–{DATE_RANGE[1].year}; "
                         f"{_EXPECTED}")
    return d


def _calendar_date(year: int, month: int, day: int, text: str, *, day_first: bool) -> date:
    if day_first and month > 12 and day <= 12:  # 06/30/2024: written month first
        raise ValueError(f"«{text}»: không có tháng {month}; ngày viết trước tháng (dd/mm/yyyy), "
                         f"ví dụ {month:02d}/{day:02d}/{year}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"«{text}»: ngày không tồn tại; {_EXPECTED}") from None


def _parse_text(text: str) -> date:
    body = _TIME_OF_DAY.sub("", text)
    if m := _ISO.fullmatch(body):
        return _calendar_date(int(m[1]), int(m[2]), int(m[3]), text, day_first=False)
    if m := _DAY_FIRST.fullmatch(body):
        year = int(m[4]) if len(m[4]) == 4 else expand_two_digit_year(int(m[4]))
        return _calendar_date(year, int(m[3]), int(m[1]), text, day_first=True)
    if _SERIAL_TEXT.fullmatch(body):
        return excel_serial_to_date(float(body))
    raise ValueError(f"«{text}» không phải ngày; {_EXPECTED}")


def parse_date(value: object) -> date:
    """Parse a date cell or a typed date by the rule of this module.

    Parameters
    ----------
    value
        ``date``, ``datetime``, ``pandas.Timestamp``, ``numpy.datetime64``, an Excel serial (``int``/
        ``float``) or text (``"30/06/2024"``, ``"30/6/24"``, ``"2024-06-30"``).

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        Blank; not a date in one of the accepted forms; month first; an impossible day
        (``31/02/2024``); outside :data:`DATE_RANGE` or :data:`EXCEL_SERIAL_RANGE`. The Vietnamese
        message names the value and the expected form ``dd/mm/yyyy``.
    """
    if is_blank(value):
        raise ValueError(f"ngày trống; {_EXPECTED}")
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):
        return _in_range(value.date(), str(value))
    if isinstance(value, date):
        return _in_range(value, str(value))
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"giá trị đúng/sai không phải ngày; {_EXPECTED}")
    if isinstance(value, numbers.Real):
        return excel_serial_to_date(float(value))
    text = str(value).strip()
    return _in_range(_parse_text(text), text)
