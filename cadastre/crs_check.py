"""Decide the CRS of an imported layer, with the reason, and never silently.

Rules (shared/crs/VN2000.md):

* A CRS in the file (``.prj``, GeoPackage, GeoJSON ``crs``) is used, **but checked by its
  parameters**: a ``.prj`` named "…UTM_Zone_48N" that holds a TM-3 central meridian and k 0.9999 (a
  common export slip of Vietnamese tools) is recognised as the TM-3 zone of that meridian, and the
  user is told. A VN-2000 TM-3 or UTM definition given by parameters (e.g. a ``+towgs84`` PROJ string)
  is replaced by its EPSG code, so the datum shift is EPSG:6960's and survives saving.
* Without a CRS: degrees vs metres, and TM-3 vs UTM ranges, are recognised from the coordinates;
  the TM-3 zone itself cannot be (eastings overlap), so the user's choice is used (CLI ``--crs``,
  UI select), defaulting to the project's province, and the choice is recorded with its reason.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from pyproj import CRS
from pyproj.exceptions import CRSError

from domain.errors import GpmbError
from gis.crs import LANG_SON_EPSG, TM3_ZONES, WGS84_EPSG, transformer

#: Rough extent of Vietnam in WGS 84 degrees (mainland and islands): lon, lat.
VIETNAM_LON = (101.5, 117.5)
VIETNAM_LAT = (8.0, 23.6)
#: A TM-3 zone is used up to about this many degrees from its central meridian.
TM3_MAX_OFFSET_DEG = 1.5
_UTM_VN2000 = {105.0: 3405, 111.0: 3406}
_UTM_WGS84 = {99.0: 32647, 105.0: 32648, 111.0: 32649}


class CrsUndecidedError(GpmbError, ValueError):
    """The CRS cannot be decided without the user (message in Vietnamese)."""


@dataclass
class CrsDecision:
    """The CRS chosen for one layer and why.

    Attributes
    ----------
    epsg : int
        EPSG code used to read the coordinates.
    name : str
        The CRS name (pyproj).
    source : str
        ``"file"`` (declared and consistent), ``"file_parameters"`` (declared, but recognised by its
        parameters rather than its name), ``"user"`` (``--crs`` / UI select), ``"project_default"``
        (no CRS in the file; the project's province zone, the documented default).
    reason : str
        Vietnamese sentence for the report.
    warnings : list of str
        Vietnamese sentences the user must read (name/parameter mismatch, ambiguity …).
    """

    epsg: int
    name: str
    source: str
    reason: str
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _tm_params(crs: CRS) -> dict | None:
    """Transverse Mercator parameters of a projected CRS (lon_0, k, x_0, y_0) or None."""
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    op = base.coordinate_operation
    if op is None or "Transverse Mercator" not in op.method_name:
        return None
    values = {}
    for p in op.params:
        name = p.name.lower()
        if "longitude of natural origin" in name:
            values["lon_0"] = p.value
        elif "scale factor" in name:
            values["k"] = p.value
        elif "false easting" in name:
            values["x_0"] = p.value
        elif "false northing" in name:
            values["y_0"] = p.value
        elif "latitude of natural origin" in name:
            values["lat_0"] = p.value
    return values


def _datum_name(crs: CRS) -> str:
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    try:
        return base.datum.name if base.datum else ""
    except (CRSError, AttributeError):  # pragma: no cover - pyproj edge cases (a datum-less bound CRS)
        return ""


def _is_vn2000_datum(name: str) -> bool:
    return bool(re.search(r"vn[-_ ]?2000|vietnam[-_ ]?2000", name, re.I))


def _by_parameters(crs: CRS) -> tuple[int | None, str]:
    """EPSG code implied by the projection parameters (VN-2000 TM-3/UTM, WGS 84 UTM), with a note."""
    params = _tm_params(crs)
    if params is None:
        return None, ""
    lon_0, k = params.get("lon_0", 0.0), params.get("k", 1.0)
    x_0, y_0, lat_0 = params.get("x_0", 0.0), params.get("y_0", 0.0), params.get("lat_0", 0.0)
    if abs(x_0 - 500000) > 0.01 or abs(y_0) > 0.01 or abs(lat_0) > 1e-9:
        return None, ""
    datum = _datum_name(crs)
    if abs(k - 0.9999) < 1e-9:
        for cm, code in TM3_ZONES.items():
            if abs(cm - lon_0) < 1e-6:
                return code, f"TM-3 kinh tuyến trục {cm:g}°, k 0,9999"
    if abs(k - 0.9996) < 1e-9:
        if _is_vn2000_datum(datum) or crs.is_bound:
            code = _UTM_VN2000.get(round(lon_0, 6))
        else:
            code = _UTM_WGS84.get(round(lon_0, 6))
        if code:
            return code, f"UTM kinh tuyến trục {lon_0:g}°, k 0,9996"
    return None, ""


def decide_declared_crs(crs_text: str) -> CrsDecision:
    """Check a CRS declared by the file and return the EPSG code to use.

    Parameters
    ----------
    crs_text : str
        The ``.prj`` text, WKT, PROJ string or ``EPSG:n`` as the file gives it.

    Returns
    -------
    CrsDecision
        ``source="file"`` if name and parameters agree; ``"file_parameters"`` with a warning if the
        name says one thing and the parameters another (parameters win).

    Raises
    ------
    CrsUndecidedError
        If the text is not a CRS pyproj understands.
    """
    try:
        crs = CRS.from_user_input(crs_text)
    except Exception as exc:
        raise CrsUndecidedError(f"Tệp .prj/CRS không đọc được ({exc}); hãy chọn hệ tọa độ (--crs).") from exc
    name = crs.name or ""
    param_code, param_note = _by_parameters(crs)
    if param_code is None:
        return _by_epsg_code(crs, name)
    param_crs = CRS.from_epsg(param_code)
    if _name_contradicts_parameters(name, param_code):
        warning = (f"Tên hệ tọa độ trong tệp là “{name}” nhưng tham số là {param_note}: đã dùng theo tham số "
                   f"{param_crs.name} (EPSG:{param_code}).")
        return CrsDecision(param_code, param_crs.name, "file_parameters",
                           f"Theo tham số phép chiếu trong tệp ({param_note}), không theo tên “{name}”.", [warning])
    return CrsDecision(param_code, param_crs.name, "file",
                       f"Hệ tọa độ ghi trong tệp: {name} ({param_note}) → EPSG:{param_code}.",
                       _datum_warnings(crs, param_code))


_UTM_CODES = (*_UTM_VN2000.values(), *_UTM_WGS84.values())


def _name_contradicts_parameters(name: str, param_code: int) -> bool:
    """The CRS name says UTM, TM-3 or a central meridian that the projection parameters do not hold."""
    if re.search(r"utm", name, re.I) and param_code not in _UTM_CODES:
        return True
    if re.search(r"tm[-_ ]?3", name, re.I) and param_code in _UTM_CODES:
        return True
    name_cm = re.search(r"(1\d\d)[-_ °](\d\d)", name)
    if name_cm and param_code in TM3_ZONES.values():
        cm = int(name_cm.group(1)) + int(name_cm.group(2)) / 60
        return TM3_ZONES.get(cm) not in (None, param_code)
    return False


def _datum_warnings(crs: CRS, param_code: int) -> list[str]:
    """A TM-3 grid without a VN-2000 datum is still read as VN-2000 (the cadastral grid), with a warning."""
    datum = _datum_name(crs)
    if param_code not in TM3_ZONES.values() or _is_vn2000_datum(datum):
        return []
    return [(f"Tệp không ghi rõ datum VN-2000 (datum: “{datum or 'không có'}”); lưới TM-3 k 0,9999 là lưới địa "
             f"chính VN-2000 nên đã dùng EPSG:{param_code} (chuyển sang WGS 84 theo EPSG:6960 ở Lạng Sơn).")]


def _by_epsg_code(crs: CRS, name: str) -> CrsDecision:
    """A CRS that is not TM/UTM by parameters: its EPSG code (a geographic "WGS 84" without code is 4326)."""
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        if not (crs.is_geographic and "WGS" in name.upper() and "84" in name):
            raise CrsUndecidedError(f"Hệ tọa độ “{name}” trong tệp không khớp mã EPSG nào đã biết; "
                                    "hãy chọn hệ tọa độ (--crs).")
        code = 4326
    return CrsDecision(code, CRS.from_epsg(code).name, "file", f"Hệ tọa độ ghi trong tệp: {name} (EPSG:{code}).", [])


def _lonlat(code: int, x: float, y: float) -> tuple[float, float]:
    return transformer(code, WGS84_EPSG).transform(x, y)


def classify_coordinates(bounds) -> dict:
    """What the coordinate values alone can tell.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)`` as stored in the file (x = first coordinate).

    Returns
    -------
    dict
        ``kind`` ∈ ``degrees`` | ``metres`` | ``swapped_metres`` | ``unknown``; for metres also
        ``tm3_plausible`` and ``utm48_plausible``/``utm49_plausible`` (the centre falls in Vietnam when
        read that way) and ``utm_only`` (the easting is too far from 500 000 m for any TM-3 zone of a
        province around there).
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        inside = VIETNAM_LON[0] <= cx <= VIETNAM_LON[1] and VIETNAM_LAT[0] <= cy <= VIETNAM_LAT[1]
        swapped = VIETNAM_LON[0] <= cy <= VIETNAM_LON[1] and VIETNAM_LAT[0] <= cx <= VIETNAM_LAT[1]
        return {"kind": "degrees", "in_vietnam": inside, "swapped": swapped and not inside}
    if 800_000 <= cy <= 2_700_000 and 0 < cx < 1_000_000:
        out = {"kind": "metres"}
        tm3 = []
        for cm, code in TM3_ZONES.items():
            lon, lat = _lonlat(code, cx, cy)
            if VIETNAM_LAT[0] <= lat <= VIETNAM_LAT[1] and abs(lon - cm) <= TM3_MAX_OFFSET_DEG:
                tm3.append(code)
        out["tm3_plausible"] = tm3
        for zone, code in ((48, 3405), (49, 3406)):
            lon, lat = _lonlat(code, cx, cy)
            out[f"utm{zone}_plausible"] = VIETNAM_LON[0] <= lon <= VIETNAM_LON[1] and VIETNAM_LAT[0] <= lat <= VIETNAM_LAT[1]
        out["utm_only"] = not tm3
        return out
    if 800_000 <= cx <= 2_700_000 and 0 < cy < 1_000_000:
        return {"kind": "swapped_metres"}
    return {"kind": "unknown"}


def decide_undeclared_crs(bounds, *, user_epsg: int | None, default_epsg: int = LANG_SON_EPSG) -> CrsDecision:
    """Decide the CRS of a layer whose file declares none.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy)
        Coordinates as stored.
    user_epsg : int or None
        The user's choice (CLI ``--crs``, UI select). Checked against the coordinates.
    default_epsg : int
        The project's province TM-3 zone (EPSG:9215 for Lạng Sơn), used when the user chose nothing.

    Returns
    -------
    CrsDecision
        ``source`` ``"user"`` or ``"project_default"`` (metres) or ``"coordinates"`` (degrees, read as
        WGS 84); the reason says what was recognised, and a warning says what the user must confirm.

    Raises
    ------
    CrsUndecidedError
        If the coordinates contradict the choice (e.g. UTM-range eastings with a TM-3 default, swapped
        X/Y, values that are neither degrees nor Vietnamese metres).
    """
    info = classify_coordinates(bounds)
    if info["kind"] == "swapped_metres":
        raise CrsUndecidedError("Tọa độ có vẻ bị đảo (cột thứ nhất ≈ 2.400.000 là X hướng Bắc): tệp ghi X/Y theo kiểu "
                                "trắc địa Việt Nam. Hãy xuất lại với Easting trước, Northing sau.")
    if info["kind"] == "unknown":
        raise CrsUndecidedError(f"Tọa độ {tuple(round(v, 3) for v in bounds)} không phải độ (WGS 84) cũng không phải "
                                "mét VN-2000 ở Việt Nam; hãy kiểm tra tệp.")
    if info["kind"] == "degrees":
        return _undeclared_degrees(info, user_epsg)
    if user_epsg is not None:
        return _undeclared_metres_by_user(info, user_epsg)
    return _undeclared_metres_by_default(info, default_epsg)


def _undeclared_degrees(info: dict, user_epsg: int | None) -> CrsDecision:
    """Degrees: the user's geographic CRS, else WGS 84 when the point lies in Vietnam the right way round."""
    if user_epsg is not None:
        crs = CRS.from_epsg(user_epsg)
        if not crs.is_geographic:
            raise CrsUndecidedError(f"Tọa độ là độ (kinh độ, vĩ độ) nhưng hệ đã chọn EPSG:{user_epsg} là lưới mét.")
        return CrsDecision(user_epsg, crs.name, "user", f"Tệp không có CRS; tọa độ là độ; người dùng chọn EPSG:{user_epsg}.")
    if info.get("swapped"):
        raise CrsUndecidedError("Tọa độ độ có vẻ bị đảo (vĩ độ trước kinh độ); hãy xuất lại với kinh độ trước.")
    if not info.get("in_vietnam"):
        raise CrsUndecidedError("Tọa độ là độ nhưng không nằm ở Việt Nam; hãy kiểm tra tệp.")
    return CrsDecision(4326, "WGS 84", "coordinates",
                       "Tệp không có CRS; tọa độ là độ (kinh độ, vĩ độ) nằm ở Việt Nam → đọc là WGS 84 (EPSG:4326).",
                       ["Nếu tệp là VN-2000 địa lý (EPSG:4756) hãy chọn lại hệ tọa độ."])


def _undeclared_metres_by_user(info: dict, user_epsg: int) -> CrsDecision:
    """Metres with the user's CRS: refused when it is in degrees or a TM-3 zone the point cannot lie in."""
    crs = CRS.from_epsg(user_epsg)
    if crs.is_geographic:
        raise CrsUndecidedError(f"Tọa độ là mét nhưng hệ đã chọn EPSG:{user_epsg} là hệ độ.")
    if user_epsg in TM3_ZONES.values() and user_epsg not in info["tm3_plausible"]:
        raise CrsUndecidedError(f"Tọa độ không hợp với múi TM-3 EPSG:{user_epsg} (điểm giữa ra ngoài phạm vi múi); "
                                + ("có thể là VN-2000 UTM (EPSG:3405)." if info["utm48_plausible"]
                                   else "hãy kiểm tra hệ tọa độ."))
    return CrsDecision(user_epsg, crs.name, "user",
                       f"Tệp không có CRS; tọa độ là mét; người dùng chọn {crs.name} (EPSG:{user_epsg}).", [])


def _undeclared_metres_by_default(info: dict, default_epsg: int) -> CrsDecision:
    """Metres without a choice: the project's province TM-3 zone (zones cannot be told apart by coordinates)."""
    if default_epsg not in info["tm3_plausible"]:
        hint = " Giá trị Easting hợp với VN-2000 / UTM 48N (EPSG:3405)." if info["utm48_plausible"] else ""
        raise CrsUndecidedError(
            f"Tệp không có CRS và tọa độ không hợp với múi TM-3 của dự án (EPSG:{default_epsg}).{hint} "
            "Hãy chọn hệ tọa độ (--crs EPSG hoặc tên tỉnh)."
        )
    crs = CRS.from_epsg(default_epsg)
    warning = (f"Tệp không có .prj: đã dùng múi TM-3 của tỉnh dự án ({crs.name}, EPSG:{default_epsg}). Các múi TM-3 "
               "không phân biệt được bằng tọa độ; nếu tờ bản đồ thuộc tỉnh khác hãy chọn lại (--crs).")
    return CrsDecision(default_epsg, crs.name, "project_default",
                       f"Tệp không có CRS; tọa độ là mét trong phạm vi lưới TM-3 → múi của tỉnh dự án EPSG:{default_epsg} "
                       "(mặc định, ghi lại cùng lớp dữ liệu).", [warning])
