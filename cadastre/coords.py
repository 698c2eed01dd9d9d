"""Coordinate converter for surveyors: VN-2000 TM-3 (any province), VN-2000 UTM, WGS 84.

Coordinates go in and come out in the order Vietnamese surveyors write them:

* grids (projected CRS): **X = northing, then Y = easting** (metres);
* geographic CRS: **latitude, then longitude** (decimal degrees or d°m′s″).

Internally every ``pyproj.Transformer`` is built with ``always_xy=True`` (easting/longitude first) and
the swap to the surveyors' order is done here, explicitly, once. VN-2000 ↔ WGS 84 uses the EPSG codes,
so PROJ picks EPSG:6960 in Lạng Sơn (Decision 05/2007/QĐ-BTNMT, coordinate-frame Helmert;
shared/crs/VN2000.md). CRS are given as an EPSG code, a pre-2025 province name (its TM-3 zone), a
central meridian (``"TM3 107-15"``, ``"107°15'"``), ``"UTM48"``/``"UTM49"`` (VN-2000 UTM) or ``"WGS84"``.
"""
from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass

from pyproj import CRS

from domain.crs import STORE_EPSG
from gis.crs import PROVINCE_TM3_EPSG, TM3_ZONES, tm3_epsg_for_province, transformer
from parsing.numbers import parse_number_column, parse_small_number
from parsing.text import fold_vi
from vocab.format import fmt_number

#: VN-2000 UTM zones (EPSG): 48N (CM 105°) and 49N (CM 111°).
VN2000_UTM_EPSG = {48: 3405, 49: 3406}
#: VN-2000 geographic 2D.
VN2000_GEOGRAPHIC_EPSG = 4756


def _cm_from_text(text: str) -> float | None:
    """Central meridian from ``"107-15"``, ``"107°15'"``, ``"107.25"``, ``"10715"`` (None if not one)."""
    m = re.fullmatch(r"(?:tm-?3\s*|kt\s*|cm\s*)?(\d{3})\s*(?:[-°ºd: ]\s*(\d{1,2})\s*['′]?|\.(\d+))?", text.strip().lower())
    if not m:
        return None
    deg = int(m.group(1))
    if m.group(2):
        value = deg + int(m.group(2)) / 60
    elif m.group(3):
        value = float(f"{deg}.{m.group(3)}")
    else:
        value = float(deg)
    return value if 100 <= deg <= 120 else None


def resolve_crs(spec: str | int) -> CRS:
    """Turn a user's CRS text into a ``pyproj.CRS``.

    Parameters
    ----------
    spec : str or int
        ``9215``, ``"EPSG:9215"``, ``"Lạng Sơn"`` / ``"lang son"`` (its VN-2000 TM-3 zone),
        ``"TM3 107-15"`` / ``"107°15'"`` / ``"107.25"`` (central meridian of a TM-3 zone),
        ``"UTM48"`` / ``"VN2000 UTM 48"`` (EPSG:3405), ``"UTM49"`` (EPSG:3406), ``"WGS84"`` (EPSG:4326),
        ``"VN2000"`` (geographic, EPSG:4756).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ValueError
        With a Vietnamese message listing the accepted forms, if ``spec`` names no CRS.
    """
    if isinstance(spec, int):
        return CRS.from_epsg(spec)
    text = str(spec).strip()
    folded = fold_vi(text).replace("-", " ").replace(":", " ")
    m = re.fullmatch(r"(?:epsg\s*)?(\d{4,5})", folded)
    if m:
        try:
            return CRS.from_epsg(int(m.group(1)))
        except Exception as exc:  # pyproj.exceptions.CRSError
            raise ValueError(f"Không có mã EPSG:{m.group(1)}.") from exc
    if folded in ("wgs84", "wgs 84", "gps", "4326"):
        return CRS.from_epsg(4326)
    if folded in ("vn2000", "vn 2000", "vn2000 geographic", "vn 2000 dia ly"):
        return CRS.from_epsg(VN2000_GEOGRAPHIC_EPSG)
    m = re.fullmatch(r"(?:vn ?2000 )?utm ?(?:zone )?(48|49)n?", folded)
    if m:
        return CRS.from_epsg(VN2000_UTM_EPSG[int(m.group(1))])
    cm = _cm_from_text(text.replace("VN-2000", "").replace("VN2000", "").replace("TM-3", "").replace("TM3", ""))
    if cm is not None:
        for zone_cm, code in TM3_ZONES.items():
            if abs(zone_cm - cm) < 1e-6:
                return CRS.from_epsg(code)
        raise ValueError(f"Không có múi VN-2000 TM-3 với kinh tuyến trục {cm:g}°.")
    try:
        return CRS.from_epsg(tm3_epsg_for_province(text))
    except ValueError:
        pass
    raise ValueError(
        f"Không hiểu hệ tọa độ {text!r}. Dùng mã EPSG (9215), tên tỉnh (Lạng Sơn), kinh tuyến trục "
        "(107-15), UTM48, UTM49, WGS84 hoặc VN2000."
    )


def crs_choices() -> list[tuple[str, int]]:
    """(Vietnamese label, EPSG) for every CRS the converter offers, Lạng Sơn first."""
    choices = [(f"VN-2000 / TM-3 107°15′ – Lạng Sơn (EPSG:{STORE_EPSG})", STORE_EPSG), ("WGS 84 – kinh độ, vĩ độ (EPSG:4326)", 4326)]
    by_code: dict[int, list[str]] = {}
    for province, code in PROVINCE_TM3_EPSG.items():
        by_code.setdefault(code, []).append(province)
    for cm, code in sorted(TM3_ZONES.items()):
        if code == STORE_EPSG:
            continue
        deg, minutes = int(cm), round((cm - int(cm)) * 60)
        choices.append((f"VN-2000 / TM-3 {deg}°{minutes:02d}′ – {', '.join(by_code.get(code, []))} (EPSG:{code})", code))
    choices += [
        ("VN-2000 / UTM múi 48N (EPSG:3405)", 3405),
        ("VN-2000 / UTM múi 49N (EPSG:3406)", 3406),
        ("VN-2000 địa lý – kinh độ, vĩ độ (EPSG:4756)", 4756),
    ]
    return choices


_DMS_RE = re.compile(
    r"""^\s*(?P<sign>[-+])?\s*(?P<deg>\d+(?:[.,]\d+)?)\s*(?:°|º|d|\s|:)\s*
        (?:(?P<min>\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|\s|:)?\s*)?
        (?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:"|″|”|''|s)?\s*)?
        (?P<hemi>[NSEWnsew])?\s*$""",
    re.X,
)


def parse_angle(text: str | float) -> float:
    """Parse an angle in decimal degrees or d°m′s″ (``21°50'30.5"N``, ``21 50 30,5``, ``-106.5``).

    Raises
    ------
    ValueError
        If the text is not an angle, or minutes/seconds are not below 60.
    """
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip()
    if not re.search(r"\s", s):
        with contextlib.suppress(ValueError):  # not a decimal number: try d°m′s″ below
            return parse_small_number(s)
    m = _DMS_RE.match(s)
    if not m:
        raise ValueError(f"{text!r} không phải là góc (độ thập phân hoặc độ°phút′giây″)")
    deg = parse_small_number(m.group("deg"))
    minutes = parse_small_number(m.group("min")) if m.group("min") else 0.0
    seconds = parse_small_number(m.group("sec")) if m.group("sec") else 0.0
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"{text!r}: phút và giây phải nhỏ hơn 60")
    value = deg + minutes / 60 + seconds / 3600
    if m.group("sign") == "-" or (m.group("hemi") or "").upper() in ("S", "W"):
        value = -value
    return value


def format_dms(value: float, decimals: int = 3) -> str:
    """Format decimal degrees as ``21°50′30,500″`` (Vietnamese decimal comma)."""
    sign = "-" if value < 0 else ""
    total = round(abs(value) * 3600, decimals)
    deg = int(total // 3600)
    minutes = int((total - deg * 3600) // 60)
    seconds = total - deg * 3600 - minutes * 60
    sec_text = fmt_number(seconds, decimals).rjust(3 + decimals if decimals else 2, "0")
    return f"{sign}{deg}°{minutes:02d}′{sec_text}″"


def crs_code(crs: CRS) -> str:
    """``"EPSG:9215"`` for a CRS with an EPSG code, else its WKT (used as a cache key)."""
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.to_wkt()


@dataclass(frozen=True)
class ConvertedPoint:
    """One converted point in the surveyors' order.

    ``a``/``b`` are X (northing) / Y (easting) in metres for grids, latitude / longitude in degrees
    for geographic CRS.
    """

    a: float
    b: float
    geographic: bool


def convert(a: float, b: float, from_crs: CRS, to_crs: CRS) -> ConvertedPoint:
    """Convert one point given in the surveyors' order.

    Parameters
    ----------
    a, b : float
        X (northing), Y (easting) in metres if ``from_crs`` is projected; latitude, longitude in
        degrees if it is geographic.
    from_crs, to_crs : pyproj.CRS

    Returns
    -------
    ConvertedPoint
        In the surveyors' order of ``to_crs``.

    Raises
    ------
    ValueError
        If the result is not finite (the point is outside the area where the CRS can be used).
    """
    x, y = (b, a)  # always_xy: easting/longitude first
    out_x, out_y = transformer(crs_code(from_crs), crs_code(to_crs)).transform(x, y)
    if not (math.isfinite(out_x) and math.isfinite(out_y)):
        raise ValueError("Không chuyển được điểm này (nằm ngoài phạm vi dùng được của hệ tọa độ).")
    return ConvertedPoint(a=out_y, b=out_x, geographic=to_crs.is_geographic)


def operation_description(from_crs: CRS, to_crs: CRS) -> str:
    """Name(s) of the operation PROJ picked (e.g. contains ``"VN-2000 to WGS 84 (2)"`` = EPSG:6960)."""
    t = transformer(crs_code(from_crs), crs_code(to_crs))
    return t.description


def axis_labels(crs: CRS) -> tuple[str, str]:
    """Vietnamese labels of the two inputs/outputs in the surveyors' order."""
    if crs.is_geographic:
        return ("Vĩ độ (B)", "Kinh độ (L)")
    return ("X (hướng Bắc, m)", "Y (hướng Đông, m)")


def parse_point_line(line: str) -> tuple[str, str, str | None]:
    """Split a pasted line ``"[name] A B"`` (tab, semicolon, comma+space or spaces) into (A, B, name).

    Raises
    ------
    ValueError
        If the line does not hold two coordinates.
    """
    text = line.strip()
    if "\t" in text or ";" in text:
        parts = [p.strip() for p in re.split(r"[\t;]", text) if p.strip()]
    elif re.search(r"[°'′\"″]", text):
        parts = [p.strip() for p in re.split(r"(?<=[NSEWnsew\"″])\s+|,\s+", text) if p.strip()]
    else:
        parts = [p for p in re.split(r",\s+|\s+", text) if p]
    if len(parts) == 3:
        return parts[1], parts[2], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1], None
    raise ValueError(f"Dòng {line!r}: cần 2 tọa độ (có thể thêm tên điểm ở đầu)")


def parse_grid_pair(a_text: str, b_text: str) -> tuple[float, float]:
    """Parse X and Y of one grid point as one line: a value ambiguous on its own (``450.800``) is read by
    the convention the other proves (``2.421.100 450.800`` → 2421100, 450800; see :mod:`parsing.numbers`).

    Raises
    ------
    ValueError
        A value is not a number, or is ambiguous and the line does not decide it (Vietnamese message
        naming X or Y).
    """
    column = parse_number_column([a_text, b_text])
    for position, axis in enumerate(("X", "Y")):
        if position in column.problems:
            raise ValueError(f"{axis}: {column.problems[position]}")
        if math.isnan(column.values[position]):
            raise ValueError(f"{axis} trống; cần một số (mét)")
    return float(column.values[0]), float(column.values[1])


def parse_coordinate_pair(a_text: str, b_text: str, crs: CRS) -> tuple[float, float]:
    """Parse (A, B) in the surveyors' order for ``crs`` (numbers, or angles for geographic CRS).

    Raises
    ------
    ValueError
        Vietnamese message naming the value that is wrong, or coordinates clearly swapped for a grid
        (X must be the northing: in Vietnam 900 000 – 2 700 000 m).
    """
    if crs.is_geographic:
        lat, lon = parse_angle(a_text), parse_angle(b_text)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"Vĩ độ {a_text!r} / kinh độ {b_text!r} ngoài phạm vi (vĩ độ trước, kinh độ sau).")
        return lat, lon
    x, y = parse_grid_pair(a_text, b_text)
    if 1_000 <= x < 900_000 and 900_000 <= y <= 2_700_000:
        raise ValueError(f"X={a_text}, Y={b_text}: có vẻ bị đảo. X là tọa độ hướng Bắc (≈ 2.400.000 ở Lạng Sơn), "
                         "Y là hướng Đông (≈ 400.000–560.000).")
    return x, y


def convert_text_rows(lines, from_crs: CRS, to_crs: CRS) -> list[dict]:
    """Convert a pasted list: one point per line (``[name] A B``), surveyors' order in and out.

    Returns
    -------
    list of dict
        One dict per non-blank line: ``line`` (1-based), ``name``, ``in_a``, ``in_b``, ``out_a``,
        ``out_b`` (floats) and ``error`` (Vietnamese message or None). A bad line never stops the others.
    """
    results = []
    for number, line in enumerate(lines, start=1):
        if not str(line).strip() or str(line).lstrip().startswith("#"):
            continue
        row = {"line": number, "name": None, "in_a": None, "in_b": None, "out_a": None, "out_b": None, "error": None}
        try:
            a_text, b_text, row["name"] = parse_point_line(str(line))
            a, b = parse_coordinate_pair(a_text, b_text, from_crs)
            row["in_a"], row["in_b"] = a, b
            p = convert(a, b, from_crs, to_crs)
            row["out_a"], row["out_b"] = p.a, p.b
        except ValueError as exc:
            row["error"] = f"Dòng {number}: {exc}"
        results.append(row)
    return results
