"""Row checks of a parcel import: the parcel key (former commune, sheet, parcel number), land use, declared area.

Each step takes the parcels (EPSG:9215, canonical columns of :mod:`cadastre.source_layers`) and returns
the parcels kept with parsed values, plus its part of the report: the rows refused (:class:`Refused`,
with the Vietnamese reason) and warnings. Values are parsed by :mod:`cadastre.attributes`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from cadastre.attributes import parse_area, parse_int_key, parse_land_use
from cadastre.former_communes import resolve_former_commune
from cadastre.import_report import LandUseSummary
from parsing.parcel_keys import parcel_key
from parsing.text import is_blank

_NO_COMMUNE = "Không có xã (đơn vị cũ) của thửa: tệp không có cột xã; hãy chọn xã (--commune)."
_NO_SHEET = "Không có số tờ bản đồ (tệp không có cột số tờ; hãy nhập số tờ)."


class Refused(NamedTuple):
    """A row refused by a step: its label, the Vietnamese reason, its geometry (EPSG:9215, or None)."""

    row: str
    reason: str
    geometry: Any


@dataclass
class Checked:
    """What a row-checking step returns: the parcels kept, the rows refused, warnings (Vietnamese)."""

    parcels: gpd.GeoDataFrame
    refused: list[Refused] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_off(parcels: gpd.GeoDataFrame, reasons: pd.Series) -> tuple[gpd.GeoDataFrame, list[Refused]]:
    """Rows whose ``reasons`` entry is a text are refused with it (in row order); the others are kept."""
    mask = reasons.notna().to_numpy()
    refused = [Refused(label, reason, geom) for label, reason, geom in
               zip(parcels["_row"][mask], reasons[mask], parcels.geometry[mask])]
    return parcels[~mask], refused


# ----------------------------------------------------------------------------- sheet and number
def parse_keys(parcels: gpd.GeoDataFrame, *, map_sheet: int | None) -> Checked:
    """Sheet numbers as integers, parcel numbers as text keys (:func:`parsing.parcel_keys.parcel_key`:
    ``263a`` → ``263A``, ``12`` / ``12.0`` → ``12``); a file without sheets takes ``map_sheet``, else the file's name.

    Refused: a sheet that is not a whole number, a parcel number that is not one (``12.5``, ``A1``), a
    missing parcel number (CAD: a polygon without label), a row whose sheet cannot be known.
    """
    int_key = _cached(parse_int_key)
    number_key = _cached(parcel_key)
    numbers, sheets, reasons, from_name = [], [], [], 0
    for raw_number, raw_sheet, label, name_sheet in zip(
            parcels["parcel_number"], parcels["map_sheet"], parcels["_row"], parcels["_sheet_from_name"]):
        number, reason = _parcel_number(None if is_blank(raw_number) else number_key(raw_number), label)
        sheet, sheet_error = int_key(raw_sheet)
        if sheet_error and reason is None:
            reason = f"Cột số tờ: {sheet_error}; cần số nguyên."
        if sheet is None and reason is None:
            sheet = map_sheet if map_sheet is not None else name_sheet
            if sheet is None or (isinstance(sheet, float) and np.isnan(sheet)):
                sheet, reason = None, _NO_SHEET
            elif map_sheet is None:
                from_name += 1
        numbers.append(number)
        sheets.append(sheet)
        reasons.append(reason)
    parcels = parcels.assign(parcel_number=numbers, map_sheet=sheets)
    kept, refused = split_off(parcels, pd.Series(reasons, index=parcels.index, dtype=object))
    warnings = [f"Số tờ lấy từ tên tệp/lớp cho {from_name} thửa (tệp không có cột số tờ)."] if from_name else []
    return Checked(kept, refused, warnings)


def _cached(parse):
    """``parse`` as ``value → (result, error text)``, memoised (a sheet column repeats one value)."""
    cache: dict = {}

    def parsed(value) -> tuple[object, str | None]:
        key = (type(value).__name__, str(value))
        if key not in cache:
            try:
                cache[key] = (parse(value), None)
            except ValueError as exc:
                cache[key] = (None, str(exc))
        return cache[key]

    return parsed


def _parcel_number(parsed: tuple[str | None, str | None] | None, label: str) -> tuple[str | None, str | None]:
    number, error = parsed or (None, None)
    if error:
        return number, f"Cột số thửa: {error}."
    if number is None:
        return None, ("Không có nhãn số thửa bên trong vùng dựng từ ranh thửa." if "vùng dựng" in label
                      else "Cột số thửa trống; cần số thửa.")
    return number, None


# ------------------------------------------------------------------------------ former commune
def resolve_communes(parcels: gpd.GeoDataFrame, *, commune_former: str | None, units: pd.DataFrame) -> Checked:
    """Former commune of each row (its column, else ``commune_former``), as catalogued, with its GSO code.

    Adds ``_former_code`` (None for a name not in ``units``: kept as written, with a warning). Refused: a row
    without any commune.
    """
    resolved: dict[str, tuple[str, str | None]] = {}
    names, codes = [], []
    for value in parcels["commune_former"]:
        value = value if _filled(value) else commune_former
        if not _filled(value):
            names.append(None)
            codes.append(None)
            continue
        if value not in resolved:
            resolved[value] = resolve_former_commune(value, units)
        name, code = resolved[value]
        names.append(name)
        codes.append(code)
    parcels = parcels.assign(commune_former=names, _former_code=codes)
    reasons = pd.Series(np.where(parcels["commune_former"].isna(), _NO_COMMUNE, None), index=parcels.index)
    kept, refused = split_off(parcels, reasons)
    unknown = sorted({name for name, code in zip(names, codes) if name is not None and code is None})
    warnings = (["Xã không có trong danh mục đơn vị hành chính cũ (giữ nguyên tên): " + ", ".join(unknown)]
                if unknown else [])
    return Checked(kept, refused, warnings)


def _filled(value) -> bool:
    return not (value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "")


# ------------------------------------------------------------------------- land use and area
def read_land_use(parcels: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, LandUseSummary]:
    """Land-use codes normalised (``"odt+bhk"`` → ``"ODT+BHK"``) and summarised; nothing is refused."""
    parsed = [parse_land_use(value) for value in parcels["land_use"]]
    codes = pd.Series([code for code, _ in parsed], index=parcels.index, dtype=object)
    summary = LandUseSummary(compound=int(codes.str.contains(r"\+").sum()), blank=int((codes == "").sum()),
                             unknown_codes=sorted({u for _, unknown in parsed for u in unknown}))
    return parcels.assign(land_use=codes), summary


def read_declared_areas(parcels: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """``declared_area_m2`` (m², float, NaN when blank); an unreadable value is ignored with a warning."""
    areas, warnings = [], []
    for label, value in zip(parcels["_row"], parcels["declared_area_m2"]):
        try:
            areas.append(parse_area(value))
        except ValueError as exc:
            areas.append(None)
            warnings.append(f"{label}: cột diện tích {exc}; bỏ qua giá trị này.")
    return parcels.assign(declared_area_m2=pd.array(areas, dtype="Float64").astype(float)), warnings
