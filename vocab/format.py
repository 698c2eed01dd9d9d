"""Vietnamese display formatting shared by the dashboard, the map and the exports (no Streamlit here).

Conventions (TCVN usage, as in district reports): thousands separated by ``.``, decimals by ``,``
(``1.234,5``); dates ``dd/mm/yyyy``; areas in m² or ha (1 ha = 10 000 m²); money in đồng (``đ``).
Missing values (``None``, ``NaN``, ``NaT``) are shown as :data:`MISSING`.

The separators and signs come from the CLDR data of Babel's ``vi`` locale (decimal ``,``, group ``.``,
minus ``-``), so the whole product follows one published locale. The digits are laid out by Python's
``format`` and then translated to those symbols: Babel's own ``format_decimal`` is about ten times
slower, too slow for 4 000-row tables, and gives ``-0,0`` for ``-0.04``. Dates are not taken from
CLDR: its ``vi`` short date is ``d/M/yy``, while district reports write ``dd/mm/yyyy``.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from babel import numbers

#: Text shown for a missing value.
MISSING = "—"

_LOCALE = "vi"
DECIMAL_SEP = numbers.get_decimal_symbol(_LOCALE)  # ","
GROUP_SEP = numbers.get_group_symbol(_LOCALE)  # "."
MINUS_SIGN = numbers.get_minus_sign_symbol(_LOCALE)  # "-"


def is_missing(value: Any) -> bool:
    """True for ``None``, float NaN, ``pd.NA`` and ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, float):  # also numpy float64; the common case, 10× faster than pd.isna
        return math.isnan(value)
    if isinstance(value, (int, str)) or type(value) in (date, datetime):
        return False
    import pandas as pd  # here: a plain value (the CLI's fast path) never needs it

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a scalar missing value
        return False


def fmt_number(value: Any, decimals: int = 0) -> str:
    """Format a number with Vietnamese separators: ``1234567.891`` → ``"1.234.567,89"`` (decimals=2).

    Parameters
    ----------
    value : int, float, numpy number or None
        The number; missing values give :data:`MISSING`.
    decimals : int, default 0
        Digits after the decimal comma (rounded half to even, as Python's ``format``).

    Raises
    ------
    ValueError
        If ``decimals`` is negative.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if round(number, decimals) == 0:
        number = 0.0  # no "-0,0"
    text = f"{number:,.{decimals}f}"  # 1,234,567.89; three replace() calls beat str.translate 7×
    text = text.replace(",", "\0").replace(".", DECIMAL_SEP).replace("\0", GROUP_SEP)
    return text if MINUS_SIGN == "-" else text.replace("-", MINUS_SIGN)


def fmt_m2(area_m2: Any, decimals: int = 0) -> str:
    """Area in square metres: ``12345.6`` → ``"12.346 m²"``."""
    text = fmt_number(area_m2, decimals)
    return text if text == MISSING else f"{text} m²"


def fmt_ha(area_m2: Any, decimals: int = 2) -> str:
    """Area given in **square metres**, shown in hectares: ``123456`` → ``"12,35 ha"`` (1 ha = 10 000 m²)."""
    if is_missing(area_m2):
        return MISSING
    return f"{fmt_number(float(area_m2) / 10_000.0, decimals)} ha"


def fmt_pct(percent: Any, decimals: int = 1) -> str:
    """A percentage already in 0–100: ``70`` → ``"70,0%"``."""
    text = fmt_number(percent, decimals)
    return text if text == MISSING else f"{text}%"


def fmt_vnd(amount_vnd: Any) -> str:
    """An amount in đồng, no decimals: ``1234567000`` → ``"1.234.567.000 đ"``."""
    text = fmt_number(amount_vnd, 0)
    return text if text == MISSING else f"{text} đ"


def fmt_date(value: Any) -> str:
    """A date as ``dd/mm/yyyy``.

    Accepts ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp`` and ISO strings
    (``"2024-06-30"``); strings already in ``dd/mm/yyyy`` are returned unchanged.

    Raises
    ------
    ValueError
        If a string is neither ISO nor ``dd/mm/yyyy``.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.strptime(text, "%d/%m/%Y").strftime("%d/%m/%Y")
        except ValueError:
            pass
        try:
            return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
        except ValueError:
            raise ValueError(f"Ngày không hợp lệ: {value!r}; cần dạng dd/mm/yyyy hoặc yyyy-mm-dd") from None
    if isinstance(value, (datetime, date)):   # pd.Timestamp is a datetime
        return value.strftime("%d/%m/%Y")
    raise ValueError(f"Ngày không hợp lệ: {value!r}; cần một ngày (date)")


def fmt_datetime_utc(value: Any) -> str:
    """A moment as ``dd/mm/yyyy HH:MM UTC`` (an aware time converted to UTC; a naive one taken as UTC)."""
    import pandas as pd

    if is_missing(value):
        return MISSING
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert("UTC")
    return f"{moment:%d/%m/%Y %H:%M} UTC"
