"""Chainage (lý trình) along a route centreline: ``Km3+700`` ⇄ 3700.0 m, and chainage ⇄ point/segment.

A chainage is the distance in metres measured along the centreline from the route's origin (Km0). The
centreline is a LineString in EPSG:9215 oriented in increasing chainage; its first vertex has chainage
``chainage_start_m`` (usually 0.0, but a section can start at e.g. Km3+700 = 3700.0).
"""
from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
from shapely import LineString, Point
from shapely.ops import substring

from gis.crs import LANG_SON_CRS

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
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        raise ValueError(f"Lý trình trống; cần {_EXPECTED}.")
    match = _CHAINAGE_RE.match(str(text))
    if match is None:
        raise ValueError(f"Lý trình {str(text)!r} không đúng {_EXPECTED}.")
    km = int(match["km"])
    metres = float(match["m"].replace(",", "."))
    if metres >= 1000:
        raise ValueError(f"Lý trình {str(text)!r}: phần mét {match['m']} phải nhỏ hơn 1000; cần {_EXPECTED}.")
    return km * 1000.0 + metres


def format_chainage(chainage_m: float, decimals: int = 0) -> str:
    """Format metres as a chainage label: 3700.0 → ``"Km3+700"``; 12050.5 with ``decimals=1`` → ``"Km12+050,5"``.

    Parameters
    ----------
    chainage_m : float
        Metres from the origin, ≥ 0.
    decimals : int, default 0
        Decimals of the metre part, written with a decimal comma (Vietnamese usage).

    Returns
    -------
    str
        ``Km{km}+{mmm}`` with the metres zero-padded to 3 digits; rounding that reaches 1000 m carries into
        the kilometre (999.6 → ``Km1+000``).

    Raises
    ------
    ValueError
        If ``chainage_m`` is negative, NaN or infinite, or ``decimals`` is negative.
    """
    if decimals < 0:
        raise ValueError("decimals must be ≥ 0")
    if chainage_m is None or not math.isfinite(chainage_m) or chainage_m < 0:
        raise ValueError(f"Lý trình phải là số mét ≥ 0, nhận được {chainage_m!r}.")
    scale = 10 ** decimals
    total = round(chainage_m * scale)  # integer units of 10^-decimals m
    km, rest = divmod(total, 1000 * scale)
    metres, frac = divmod(rest, scale)
    label = f"Km{km}+{metres:03d}"
    if decimals:
        label += f",{frac:0{decimals}d}"
    return label


def _check_line(centreline: LineString) -> None:
    if not isinstance(centreline, LineString) or centreline.is_empty:
        raise TypeError(f"centreline must be a non-empty shapely LineString, got {type(centreline).__name__}")


def _to_distance(centreline: LineString, chainage_m: float, chainage_start_m: float) -> float:
    distance = float(chainage_m) - float(chainage_start_m)
    length = centreline.length
    tolerance = 1e-6 * max(1.0, length)
    if not math.isfinite(distance) or distance < -tolerance or distance > length + tolerance:
        raise ValueError(
            f"Lý trình {format_chainage(max(chainage_m, 0), 1) if math.isfinite(chainage_m) else chainage_m} "
            f"nằm ngoài tuyến: tim tuyến đi từ {format_chainage(chainage_start_m, 1)} "
            f"đến {format_chainage(chainage_start_m + length, 1)}."
        )
    return min(max(distance, 0.0), length)


def point_at_chainage(centreline: LineString, chainage_m: float, chainage_start_m: float = 0.0) -> Point:
    """The point of the centreline at a chainage.

    Parameters
    ----------
    centreline : shapely.LineString
        In a metric CRS (EPSG:9215), oriented in increasing chainage.
    chainage_m : float
        Chainage in metres from the route origin.
    chainage_start_m : float, default 0.0
        Chainage of the first vertex.

    Returns
    -------
    shapely.Point
        In the centreline's coordinates.

    Raises
    ------
    ValueError
        If the chainage is before the first vertex or after the last one (beyond a 1e-6 relative
        tolerance); the Vietnamese message gives the route's range.
    TypeError
        If ``centreline`` is not a non-empty LineString.
    """
    _check_line(centreline)
    return centreline.interpolate(_to_distance(centreline, chainage_m, chainage_start_m))


def segment_between(centreline: LineString, from_m: float, to_m: float, chainage_start_m: float = 0.0) -> LineString:
    """The part of the centreline between two chainages (``shapely.ops.substring``).

    Parameters
    ----------
    centreline : shapely.LineString
        Metric CRS, oriented in increasing chainage.
    from_m, to_m : float
        Chainages in metres, ``from_m < to_m``, both within the route.
    chainage_start_m : float, default 0.0
        Chainage of the first vertex.

    Returns
    -------
    shapely.LineString
        Oriented like the centreline; its length is ``to_m - from_m`` metres.

    Raises
    ------
    ValueError
        If ``from_m >= to_m`` or either chainage is outside the route.
    """
    _check_line(centreline)
    if not from_m < to_m:
        raise ValueError(f"Đoạn tuyến không hợp lệ: lý trình đầu {from_m!r} phải nhỏ hơn lý trình cuối {to_m!r}.")
    start = _to_distance(centreline, from_m, chainage_start_m)
    end = _to_distance(centreline, to_m, chainage_start_m)
    return substring(centreline, start, end)


def chainage_of_point(centreline: LineString, point: Point, chainage_start_m: float = 0.0) -> float:
    """Chainage of the point of the centreline nearest to ``point`` (orthogonal projection).

    Parameters
    ----------
    centreline : shapely.LineString
        Metric CRS, oriented in increasing chainage.
    point : shapely.Point
        Any point in the same CRS (e.g. a parcel centroid); it need not lie on the line.

    Returns
    -------
    float
        Metres: ``chainage_start_m + centreline.project(point)``; points beyond an end get the end's chainage.
    """
    _check_line(centreline)
    if not isinstance(point, Point) or point.is_empty:
        raise TypeError(f"point must be a non-empty shapely Point, got {type(point).__name__}")
    return float(chainage_start_m) + float(centreline.project(point))


def chainages_of_points(centreline: LineString, points, chainage_start_m: float = 0.0) -> np.ndarray:
    """Vectorised :func:`chainage_of_point` for an array/GeoSeries of points (metres, float64 array)."""
    _check_line(centreline)
    import shapely

    return float(chainage_start_m) + shapely.line_locate_point(centreline, np.asarray(points, dtype=object))


def kilometre_markers(centreline: LineString, chainage_start_m: float = 0.0, every_m: float = 1000.0,
                      crs=LANG_SON_CRS) -> gpd.GeoDataFrame:
    """Markers at every whole multiple of ``every_m`` along the centreline (Km0, Km1, …).

    Parameters
    ----------
    centreline : shapely.LineString
        Metric CRS (EPSG:9215), oriented in increasing chainage.
    chainage_start_m : float, default 0.0
        Chainage of the first vertex; the first marker is the first multiple of ``every_m`` ≥ it.
    every_m : float, default 1000.0
        Spacing in metres (> 0).
    crs : default EPSG:9215
        CRS of the returned layer (that of the centreline).

    Returns
    -------
    GeoDataFrame
        Columns ``chainage_m`` (float, m), ``label`` (``"Km3"`` for whole kilometres, else ``"Km3+500"``),
        ``geometry`` (Point); CRS ``crs``.

    Raises
    ------
    ValueError
        If ``every_m`` is not positive.
    """
    _check_line(centreline)
    if not every_m > 0:
        raise ValueError("every_m must be > 0")
    end = chainage_start_m + centreline.length
    first = math.ceil(chainage_start_m / every_m - 1e-9) * every_m
    chainages = np.arange(first, end + 1e-9, every_m)
    labels = [f"Km{round(c) // 1000}" if abs(c % 1000) < 1e-6 or abs(c % 1000 - 1000) < 1e-6
              else format_chainage(c) for c in chainages]
    points = [centreline.interpolate(c - chainage_start_m) for c in chainages]
    return gpd.GeoDataFrame({"chainage_m": chainages.astype(float), "label": labels}, geometry=points, crs=crs)
