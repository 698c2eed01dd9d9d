"""Cadastral attribute names → the store's parcel fields, and the values' clean-up.

Cadastral layers name their fields in many ways (Famis/gCadas ``SHBANDO``/``SHTHUA``/``KHLOAIDAT``,
ViLIS ``SoTo``/``SoThua``, national LIS ``soTo``/``soThua``/``mucDichSuDung`` …). :func:`suggest_mapping`
maps them automatically; the user corrects the mapping (UI, ``--map``, or a YAML file read by
:func:`load_saved_mapping`) and may keep the correction as a named *source profile* in the store
(:mod:`cadastre.profiles`), applied to a later import only when the user picks it (issue 10: a
mapping saved by one import used to apply silently to every later import by anyone). The old file
``data/attribute_mapping.yaml`` (or ``$GPMB_ATTRIBUTE_MAPPING``) is no longer applied;
:func:`legacy_mapping_note` says so in the import report and how to turn it into a profile.

Values: padded text numbers (``"007"``), floats for integer keys (``7.0``), Vietnamese decimal
commas (``"1.234,5"``), compound land-use codes (``"ODT+BHK"``, ``"ODT, CLN"``) and blank codes.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from parsing.numbers import DecimalConvention, parse_int, parse_number
from parsing.text import fold_key, is_blank

#: Canonical fields the importer fills, with the Vietnamese label shown in the mapping editor.
CANONICAL_FIELDS: dict[str, str] = {
    "map_sheet": "Số tờ bản đồ",
    "parcel_number": "Số thửa",
    "land_use": "Loại đất (mã)",
    "declared_area_m2": "Diện tích ghi trên hồ sơ (m²)",
    "owner_name": "Chủ sử dụng",
    "commune_former": "Xã (đơn vị cũ)",
    "household_id": "Mã hộ",
    "address": "Địa chỉ",
}

#: Built-in aliases (compared after :func:`normalise_name`).
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "map_sheet": ("shbando", "soto", "sotobando", "tobando", "toban", "shto", "sh_to", "mapsheet", "sheet", "sotbd", "to"),
    "parcel_number": ("shthua", "sothua", "thua", "sohieuthua", "parcel", "parcelno", "parcelnumber", "stt_thua"),
    "land_use": ("khloaidat", "loaidat", "mucdichsudung", "mdsd", "mucdich", "kyhieuloaidat", "landuse", "kh_ld", "khld"),
    "declared_area_m2": ("dientich", "dt", "dtpl", "dientichphaply", "area", "dtich", "dientichm2"),
    "owner_name": ("tenchu", "chusudung", "csd", "tenchusudung", "chusd", "hoten", "owner", "tenchuso"),
    "commune_former": ("xaid", "maxa", "tenxa", "xa", "maxa_cu", "xaphuong", "commune"),
    "household_id": ("maho", "mahogd", "household", "householdid"),
    "address": ("diachi", "diachithua", "address"),
}

#: Land-use codes of the cadastre (Circular 08/2024/TT-BTNMT and earlier lists); unknown codes are reported.
LAND_USE_CODES = frozenset(
    ["LUC", "LUK", "LUN", "BHK", "NHK", "HNK", "CLN", "RSX", "RPH", "RDD", "NTS", "LMU", "NKH", "ONT", "ODT", "TSC", "DTS", "DVH", "DYT", "DGD", "DTT", "DKH", "DXH", "DNG", "DSK", "DGT", "DTL", "DNL", "DBV", "DSH", "DKV", "DCH", "DRA", "DCK", "CQP", "CAN", "SKK", "SKN", "SKC", "SKX", "TMD", "NTD", "NTX", "MNC", "SON", "DCS", "BCS", "NCS", "TIN", "TON", "CSK", "DHT", "DDT", "DDL", "DSN", "DCD", "TSN", "DNT", "DKT", "DTD", "CDG", "PNK"]
)

#: Where earlier releases saved the user-corrected mapping (no longer applied; see :func:`legacy_mapping_note`).
DEFAULT_MAPPING_PATH = Path(__file__).resolve().parent.parent / "data" / "attribute_mapping.yaml"


def normalise_name(name: str) -> str:
    """``"So_To"``, ``"SoTo"``, ``"số tờ"`` → ``"soto"``: :func:`parsing.text.fold_key` (letters and digits only)."""
    return fold_key(name)


def mapping_path() -> Path:
    """Where earlier releases saved the mapping: ``$GPMB_ATTRIBUTE_MAPPING`` or :data:`DEFAULT_MAPPING_PATH`."""
    return Path(os.environ.get("GPMB_ATTRIBUTE_MAPPING") or DEFAULT_MAPPING_PATH)


def load_saved_mapping(path: Path | None = None) -> dict[str, str]:
    """A mapping file's corrections (YAML ``column: field``): normalised source name → canonical field
    (``""`` = ignore). Read only when the user names the file (``profiles save --map-file``).

    Raises
    ------
    ValueError
        If the file is not a YAML mapping of names to known fields.
    """
    path = path or mapping_path()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"Tệp ánh xạ thuộc tính {path.name} phải là bảng 'tên cột: trường'.")
    out = {}
    for source, target in data.items():
        target = "" if target in (None, "") else str(target)
        if target and target not in CANONICAL_FIELDS:
            raise ValueError(f"Tệp ánh xạ {path.name}: cột {source!r} trỏ tới trường không có {target!r}; "
                             f"trường hợp lệ: {', '.join(CANONICAL_FIELDS)}.")
        out[normalise_name(source)] = target
    return out


def profile_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """The user's choices (source column → canonical field, ``""`` = ignore) as a profile stores them:
    keys normalised (:func:`normalise_name`), targets checked.

    Raises
    ------
    ValueError
        If a target is not a canonical field (Vietnamese message listing the valid ones).
    """
    out = {}
    for source, target in mapping.items():
        target = "" if target in (None, "") else str(target)
        if target and target not in CANONICAL_FIELDS:
            raise ValueError(f"Trường {target!r} không có; trường hợp lệ: {', '.join(CANONICAL_FIELDS)}.")
        out[normalise_name(source)] = target
    return out


def legacy_mapping_note(path: Path | None = None) -> str | None:
    """The report's warning when the old saved-mapping file exists (it is no longer applied), else None."""
    path = path or mapping_path()
    if not path.exists():
        return None
    return (f"Tệp ánh xạ cũ {path.name} không còn được tự động áp dụng (ánh xạ đã lưu nay là hồ sơ nguồn, "
            "chỉ dùng khi được chọn). Để dùng lại: python cli.py profiles save TÊN --map-file "
            f"{path.name} --as TÀI_KHOẢN, rồi nhập với --profile TÊN (hoặc chọn hồ sơ trên trang nhập).")


def suggest_mapping(columns, saved: dict[str, str] | None = None) -> dict[str, str]:
    """Map source columns to canonical fields.

    Parameters
    ----------
    columns : iterable of str
        Source column names.
    saved : dict, optional
        Corrections of the picked source profile (normalised names, :func:`profile_mapping`); they
        win over the built-in aliases. None: none (nothing saved is applied unless picked).

    Returns
    -------
    dict
        source column → canonical field, for the columns that map to one (each field used once:
        the first matching column wins).
    """
    saved = saved or {}
    alias_to_field = {normalise_name(a): f for f, aliases in DEFAULT_ALIASES.items() for a in aliases}
    alias_to_field.update({f: f for f in CANONICAL_FIELDS})
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        if col == "geometry":
            continue
        key = normalise_name(col)
        target = saved[key] if key in saved else alias_to_field.get(key, "")
        if target and target not in used:
            mapping[col] = target
            used.add(target)
    return mapping


def _is_null(value) -> bool:
    """Blank cells and the null markers GIS tools write into attribute tables."""
    return is_blank(value) or (isinstance(value, str) and value.strip().lower() in ("nan", "none", "null"))


def parse_int_key(value) -> int | None:
    """Parse a sheet or parcel number: ``7``, ``7.0``, ``"007"``, ``" 7 "``, ``"7.0"``, ``"1.234"`` → int;
    blank → None. Numbers follow :func:`parsing.numbers.parse_int`.

    Raises
    ------
    ValueError
        If the value is not a whole non-negative number (``"12a"``, ``7.5``, ``"-3"``).
    """
    if _is_null(value):
        return None
    try:
        number = parse_int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"«{str(value).strip()}» không phải số nguyên không âm")
    return number


def parse_area(value, *, decimal: DecimalConvention | None = None) -> float | None:
    """Parse an area in m²: ``1234.5``, ``"1.234,5"``, ``"1234,5"``, ``"1 234,5"``; blank → None.

    Numbers follow :func:`parsing.numbers.parse_number`: a text ambiguous on its own (``"1.234"``) is
    read by ``decimal``, the convention of its column (:func:`parsing.numbers.decide_convention`), and
    reported when that is None.

    Raises
    ------
    ValueError
        If the value is not a number (Vietnamese message naming it); :class:`parsing.numbers.AmbiguousNumberError`
        if it is ambiguous and ``decimal`` is None.
    """
    if _is_null(value):
        return None
    return parse_number(value, decimal=decimal)


def parse_land_use(value) -> tuple[str, list[str]]:
    """Normalise a land-use code: ``" odt+bhk "`` → ``("ODT+BHK", [])``; blank → ``("", [])``.

    Compound codes are kept joined by ``+`` in their written order (``"ODT, CLN"`` → ``"ODT+CLN"``).

    Returns
    -------
    (str, list of str)
        The normalised code and the components that are not known cadastral codes (for the report).
    """
    if _is_null(value):
        return "", []
    text = str(value).strip().upper()
    parts = [p for p in re.split(r"[+,;/&\s]+", text) if p]
    unknown = [p for p in parts if p not in LAND_USE_CODES]
    return "+".join(parts), unknown
