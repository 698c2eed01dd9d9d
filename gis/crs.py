"""Coordinate reference systems: VN-2000 / TM-3 for Lạng Sơn (EPSG:9215) and WGS 84 for web maps.

Areas and lengths are only ever computed in a metric projected CRS (EPSG:9215 here), never in degrees.
The datum shift VN-2000 → WGS 84 in Lạng Sơn is EPSG:6960 "VN-2000 to WGS 84 (2)": the 7 parameters of
Decision 05/2007/QĐ-BTNMT applied as a coordinate-frame Helmert transformation.
"""
from __future__ import annotations

from functools import cache

import geopandas as gpd
import pandas as pd
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest

from domain.crs import STORE_EPSG, WGS84_EPSG

#: VN-2000 / TM-3 107-15 (central meridian 107°15′, k0 0.9999, false easting 500 000 m): Lạng Sơn cadastre.
#: The store's CRS (DATA_MODEL.md, "Coordinates"): VN-2000 / TM-3 107-15, the TM-3 zone of Lạng Sơn.
LANG_SON_EPSG = STORE_EPSG
LANG_SON_CRS = CRS.from_epsg(LANG_SON_EPSG)
#: WGS 84 geographic (lon/lat via ``always_xy``), the CRS of GeoJSON files and Leaflet maps.
WGS84 = CRS.from_epsg(WGS84_EPSG)
#: The operation PROJ uses for EPSG:9215 → EPSG:4326 in Lạng Sơn.
EXPECTED_OPERATION_CODE = "EPSG:6960"

#: VN-2000 TM-3 zones (central meridian in degrees → EPSG code, k0 0.9999, false easting 500 000 m).
#: Source: EPSG dataset v11 as checked with pyproj 3.7 / PROJ 9.5 (shared/crs/VN2000.md).
TM3_ZONES: dict[float, int] = {
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.0: 5898,
    108.25: 9217,
    108.5: 9218,
}

#: Pre-2025 provinces → EPSG code of their VN-2000 TM-3 cadastral zone. The central meridian belongs
#: to the dataset, not to today's province name (after the 1/7/2025 merger old sheets keep their zone).
PROVINCE_TM3_EPSG: dict[str, int] = {
    "Lai Châu": 9205, "Điện Biên": 9205,
    "Sơn La": 9206,
    "Cà Mau": 9207, "Kiên Giang": 9207,
    "An Giang": 9208, "Lào Cai": 9208, "Nghệ An": 9208, "Phú Thọ": 9208, "Yên Bái": 9208,
    "Bạc Liêu": 5897, "Cần Thơ": 5897, "Hà Nam": 5897, "Hà Nội": 5897, "Hậu Giang": 5897,
    "Ninh Bình": 5897, "Thanh Hóa": 5897, "Vĩnh Phúc": 5897, "Đồng Tháp": 5897,
    "Bắc Ninh": 9209, "Hà Giang": 9209, "Hà Tĩnh": 9209, "Hưng Yên": 9209, "Hải Dương": 9209,
    "Nam Định": 9209, "Sóc Trăng": 9209, "Thái Bình": 9209, "Trà Vinh": 9209, "Tây Ninh": 9209,
    "Vĩnh Long": 9209,
    "Bình Dương": 9210, "Bến Tre": 9210, "Cao Bằng": 9210, "Hải Phòng": 9210, "Long An": 9210,
    "TP Hồ Chí Minh": 9210, "Tiền Giang": 9210,
    "Hòa Bình": 9211, "Quảng Bình": 9211, "Tuyên Quang": 9211,
    "Bình Phước": 9212, "Quảng Trị": 9212,
    "Bắc Kạn": 9213, "Thái Nguyên": 9213,
    "Bắc Giang": 9214, "Thừa Thiên Huế": 9214,
    "Lạng Sơn": 9215,
    "Kon Tum": 9216,
    "Bà Rịa–Vũng Tàu": 5899, "Lâm Đồng": 5899, "Quảng Nam": 5899, "Quảng Ninh": 5899,
    "Đà Nẵng": 5899, "Đồng Nai": 5899,
    "Quảng Ngãi": 5898,
    "Bình Định": 9217, "Khánh Hòa": 9217, "Ninh Thuận": 9217,
    "Bình Thuận": 9218, "Gia Lai": 9218, "Phú Yên": 9218, "Đắk Lắk": 9218, "Đắk Nông": 9218,
}


def tm3_epsg_for_province(province: str) -> int:
    """EPSG code of the VN-2000 TM-3 zone used by the cadastre of a pre-2025 province.

    Parameters
    ----------
    province : str
        Province name with or without diacritics and the "Tỉnh"/"Thành phố" prefix (``"Lang Son"``).

    Returns
    -------
    int
        EPSG code, e.g. 9215 for Lạng Sơn.

    Raises
    ------
    ValueError
        If the name matches no province of :data:`PROVINCE_TM3_EPSG` (Vietnamese message).
    """
    from parsing.text import fold_vi

    def key(name: str) -> str:
        folded = fold_vi(name).replace("–", "-").replace(" - ", "-")
        for prefix in ("tinh ", "thanh pho ", "tp "):
            if folded.startswith(prefix):
                folded = folded[len(prefix):]
        return folded

    wanted = key(province)
    for name, code in PROVINCE_TM3_EPSG.items():
        if key(name) == wanted:
            return code
    raise ValueError(f"Không biết múi chiếu VN-2000 TM-3 của tỉnh {province!r}; cần tên một tỉnh (trước 2025), "
                     "ví dụ 'Lạng Sơn'.")


def _require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    if not isinstance(gdf, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(f"Expected a GeoDataFrame or GeoSeries, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise ValueError("Lớp dữ liệu không có hệ tọa độ (CRS): không thể chuyển sang VN-2000 (EPSG:9215). "
                         "Hãy gán CRS của tệp gốc trước (ví dụ EPSG:9215, EPSG:3405 hoặc EPSG:4326).")


def to_metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject a layer to EPSG:9215 (VN-2000 / TM-3 107-15, metres).

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Any layer with a CRS. Columns are kept as they are.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The same rows in EPSG:9215 (a copy; the input is not modified). Returned as is (copy) if already
        in EPSG:9215.

    Raises
    ------
    ValueError
        If the layer has no CRS: a CRS is never guessed silently (shared/crs/VN2000.md).
    TypeError
        If ``gdf`` is not a GeoDataFrame/GeoSeries.
    """
    _require_crs(gdf)
    if CRS.from_user_input(gdf.crs).equals(LANG_SON_CRS):
        out = gdf.copy()
        return out.set_crs(LANG_SON_CRS, allow_override=True)
    return gdf.to_crs(LANG_SON_CRS)


def to_wgs84(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject a layer to EPSG:4326 (lon/lat) for Leaflet views and GeoJSON files.

    Raises
    ------
    ValueError
        If the layer has no CRS.
    """
    _require_crs(gdf)
    return gdf.to_crs(WGS84)


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in square metres, computed in EPSG:9215.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Polygons in any CRS (reprojected to EPSG:9215 first). Points and lines give 0.

    Returns
    -------
    pandas.Series of float
        m², same index as ``gdf``. TM-3 with k0 0.9999 near the central meridian: the grid area differs
        from the ellipsoidal area by less than 0.03 % in Lạng Sơn.

    Raises
    ------
    ValueError
        If the layer has no CRS.
    """
    metric = to_metric(gdf)
    return pd.Series(metric.geometry.area.to_numpy(), index=gdf.index, name="area_m2")


def length_m(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Length of each geometry in metres, computed in EPSG:9215 (polygons: perimeter).

    Raises
    ------
    ValueError
        If the layer has no CRS.
    """
    metric = to_metric(gdf)
    return pd.Series(metric.geometry.length.to_numpy(), index=gdf.index, name="length_m")


@cache
def transformer(source: str | int, target: str | int) -> Transformer:
    """The one cache of ``Transformer`` objects, ``always_xy=True`` (x = easting/lon, y = northing/lat).

    Parameters
    ----------
    source, target : str or int
        Anything ``pyproj.CRS.from_user_input`` accepts that is hashable: an EPSG code (``9215``),
        ``"EPSG:9215"`` or a WKT string.

    Raises
    ------
    pyproj.exceptions.CRSError
        If either CRS is unknown.
    """
    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_user_input(target), always_xy=True)


def transformer_to_wgs84() -> Transformer:
    """``Transformer`` EPSG:9215 → EPSG:4326, ``always_xy=True`` (x=lon, y=lat), from :func:`transformer`'s cache."""
    return transformer(STORE_EPSG, WGS84_EPSG)


def transformer_from_wgs84() -> Transformer:
    """The inverse ``Transformer`` EPSG:4326 (lon, lat) → EPSG:9215 (easting, northing), from the same cache."""
    return transformer(WGS84_EPSG, STORE_EPSG)


def wgs84_operation(lon: float = 106.76, lat: float = 21.85) -> tuple[str, str]:
    """The coordinate operation PROJ uses for EPSG:9215 → EPSG:4326 at a point of Lạng Sơn.

    Parameters
    ----------
    lon, lat : float
        WGS 84 degrees of the point (default: Lạng Sơn city).

    Returns
    -------
    tuple of (str, str)
        ``(code, name)`` of the datum-shift step of the operation PROJ picks for that point, expected
        ``("EPSG:6960", "VN-2000 to WGS 84 (2)")``: the 7 parameters of Decision 05/2007/QĐ-BTNMT as a
        coordinate-frame Helmert.

    Raises
    ------
    RuntimeError
        If the operation has no VN-2000 → WGS 84 step with an authority code (a PROJ database problem).
    """
    transformer = Transformer.from_crs(LANG_SON_EPSG, WGS84_EPSG, always_xy=True,
                                       area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    for step in transformer.operations or []:
        ident = step.to_json_dict().get("id")
        if ident and "VN-2000" in step.name and "WGS 84" in step.name:
            return f"{ident['authority']}:{ident['code']}", step.name
    raise RuntimeError(f"PROJ không dùng phép chuyển VN-2000 → WGS 84 đã biết: {transformer.description}")
