"""Chainage labels as people write them (lý trình): ``Km3+700`` → 3700.0 m from the route's origin (Km0).

Geometry on a centreline (chainage ⇄ point/segment) and formatting stay in :mod:`gis.chainage`.
"""
from __future__ import annotations

import re

from parsing.numbers import DecimalConvention, parse_number, parse_small_number
from parsing.text import is_blank

_EXPECTED = "dạng 'Km3+700' (km + mét, mét từ 0 đến dưới 1000, ví dụ Km3+700, Km 12+050,5, 3+700)"

_CHAINAGE_RE = re.compile(
    r"""^\s*(?:km\s*)?            # optional 'Km' prefix, any case, optional space
        (?P<km>\d+)\s*\+\s*        # kilometres, '+'
        (?P<m>\d+(?:[.,]\d+)?)     # metres, decimal point or comma
        \s*(?:m)?\s*$              # optional trailing 'm'
    """,
    re.IGNORECASE | re.VERBOSE,
)


def parse_chainage(text: str) -> float:
    """Parse a Vietnamese chainage label into metres from the route origin.

    Accepted forms (any case, spaces around ``Km`` and ``+`` allowed): ``Km3+700``, ``Km 3+700``,
    ``km3+700,5`` (decimal comma), ``KM3+700.5``, ``3+700``, ``Km3+700m``.

    Parameters
    ----------
    text : str
        The label. The metre part must be below 1000 (``Km3+1200`` is a typing error, not Km4+200).

    Returns
    -------
    float
        Chainage in metres: ``km * 1000 + m`` (``"Km3+700"`` → 3700.0).

    Raises
    ------
    ValueError
        Empty text, a negative or malformed label, or metres ≥ 1000; the Vietnamese message quotes the
        text and names the expected form.
    """
    if is_blank(text) or not str(text).strip():
        raise ValueError(f"Lý trình trống; cần {_EXPECTED}.")
    match = _CHAINAGE_RE.match(str(text))
    if match is None:
        raise ValueError(f"Lý trình {str(text)!r} không đúng {_EXPECTED}.")
    metres = parse_small_number(match["m"])  # below 1000 m: its separator is the decimal one
    if metres >= 1000:
        raise ValueError(f"Lý trình {str(text)!r}: phần mét {match['m']} phải nhỏ hơn 1000; cần {_EXPECTED}.")
    return int(match["km"]) * 1000.0 + metres


def parse_chainage_or_metres(value: object, *, decimal: DecimalConvention | None = None) -> float:
    """Parse a chainage cell: a ``Km3+700`` label (:func:`parse_chainage`) or a number of metres
    (``3700``, ``"3.700"`` read by :func:`parsing.numbers.parse_number` with the column's ``decimal``).

    Raises
    ------
    ValueError
        Neither a label nor a number of metres (Vietnamese message).
    """
    if not isinstance(value, str):
        return parse_number(value, decimal=decimal)
    if re.fullmatch(r"[0-9.,\s]+", value.strip()):
        return parse_number(value, decimal=decimal)
    return parse_chainage(value)
