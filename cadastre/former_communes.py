"""Former (pre-1/7/2025) communes of cadastral sheets: a name or a GSO code → the catalogued unit.

Cadastral sheets are numbered per former commune, so the parcel key is former commune + sheet + parcel
number (DATA_MODEL.md, "parcels"). The catalogue is ``data/sources/former_units.csv`` (columns
``former_code``, ``former_unit``, ``former_district``; GSO administrative unit codes).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from parsing.text import fold_vi

FORMER_UNITS_CSV = Path(__file__).resolve().parent.parent / "data" / "sources" / "former_units.csv"

_UNIT_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt|p)\s+")


def former_units() -> pd.DataFrame:
    """The catalogue of former units (all columns ``str``); empty with its columns when the file is absent."""
    if not FORMER_UNITS_CSV.exists():
        return pd.DataFrame(columns=["former_code", "former_unit", "former_district"])
    with FORMER_UNITS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)), dtype=str)


def fold_unit(name: str) -> str:
    """A unit name folded for comparison, without its unit word or note: ``"Xã Hợp Thành (cũ)"`` → ``"hop thanh"``."""
    return _UNIT_PREFIX.sub("", fold_vi(re.sub(r"\(.*?\)", "", str(name))).strip())


def resolve_former_commune(value: str, units: pd.DataFrame | None = None) -> tuple[str, str | None]:
    """(former unit name, former code) for a commune written as a name or a code.

    ``"Hợp Thành"``, ``"xa hop thanh"``, ``"Xã Hợp Thành"``, ``"06226"`` → ``("Xã Hợp Thành", "06226")``.
    An unknown name is returned as written with code None (the caller reports it).
    """
    units = former_units() if units is None else units
    text = str(value).strip()
    if re.fullmatch(r"\d{1,5}", text):
        code = text.zfill(5)
        hit = units[units["former_code"] == code]
        return (hit.iloc[0]["former_unit"], code) if len(hit) else (text, code)
    key = fold_unit(text)
    hits = units[units["former_unit"].map(fold_unit) == key]
    if len(hits):
        return hits.iloc[0]["former_unit"], hits.iloc[0]["former_code"]
    return text, None
