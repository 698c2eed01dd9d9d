"""Map furniture for the print map: standard scales, scale bar, north arrow, coordinate ticks.

Plain matplotlib on an axes whose data units are metres of a projected CRS (EPSG:9215, VN-2000 /
TM-3 107°15′). Grid distances in TM-3 differ from ground distances by the scale factor (0.9999 on the
central meridian, ≈ 1.0002 at 50 km from it): far below what a printed map can show.
"""
from __future__ import annotations

import math

import matplotlib.patheffects as path_effects
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pyproj import CRS, Proj

from domain.crs import STORE_EPSG, WGS84_EPSG
from gis.crs import transformer
from vocab.format import fmt_number

#: Scale denominators used by Vietnamese cadastral and topographic maps (TT 25/2014, TT 26/2014).
STANDARD_SCALES: tuple[int, ...] = (500, 1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
                                    500_000, 1_000_000)

#: White outline that keeps labels readable over coloured fills.
HALO = [path_effects.withStroke(linewidth=2.2, foreground="white")]


def halo_text(ax: Axes, x: float, y: float, text: str, *, annotate: bool = False, zorder: float = 11, **kwargs):
    """Label with a white halo whose text stays real text in a PDF (searchable, copyable).

    A path effect turns text into outlines, so the halo is drawn as a separate white copy underneath
    and the label itself is plain text on top. With ``annotate=True`` the label is placed with
    :meth:`Axes.annotate` (``xytext``/``textcoords`` in ``kwargs``), else with :meth:`Axes.text`.
    """
    draw = (lambda **kw: ax.annotate(text, (x, y), **kw)) if annotate else (lambda **kw: ax.text(x, y, text, **kw))
    under = {k: v for k, v in kwargs.items() if k != "color"}
    draw(color="white", path_effects=HALO, zorder=zorder - 0.01, **under)
    return draw(zorder=zorder, **kwargs)


def choose_scale(width_m: float, height_m: float, frame_w_mm: float, frame_h_mm: float) -> int:
    """The largest standard scale (smallest denominator) at which a ``width_m`` × ``height_m`` extent fits.

    Parameters
    ----------
    width_m, height_m : float
        Extent on the ground (metres, > 0).
    frame_w_mm, frame_h_mm : float
        Size of the map frame on paper (millimetres, > 0).

    Returns
    -------
    int
        Denominator from :data:`STANDARD_SCALES`; above 1:1 000 000 the exact need rounded up to a
        multiple of 100 000.

    Raises
    ------
    ValueError
        If a size is not positive.
    """
    if min(width_m, height_m) < 0 or min(frame_w_mm, frame_h_mm) <= 0:
        raise ValueError("extent and frame sizes must be positive")
    need = max(width_m / (frame_w_mm / 1000.0), height_m / (frame_h_mm / 1000.0), 1.0)
    for scale in STANDARD_SCALES:
        if scale >= need:
            return scale
    return int(math.ceil(need / 100_000.0) * 100_000)


def scale_text_vi(scale: int) -> str:
    """``25000`` → ``"Tỷ lệ 1:25.000"``."""
    return f"Tỷ lệ 1:{fmt_number(scale)}"


def nice_length_m(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``max_m`` (> 0): 3 700 → 2 000."""
    if max_m <= 0:
        raise ValueError("max_m must be positive")
    exp = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * exp <= max_m:
            return step * exp
    return exp


def _length_label(metres: float) -> str:
    return f"{fmt_number(metres / 1000.0, 0 if metres % 1000 == 0 else 1)} km" if metres >= 1000 else \
        f"{fmt_number(metres)} m"


def draw_scale_bar(ax: Axes, scale: int | None = None, *, fraction: float = 0.22, fontsize: float = 7) -> float:
    """Draw a metric scale bar (4 alternating blocks) in the lower-left corner of ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
        Data units are metres (projected CRS) and the limits are final.
    scale : int, optional
        Scale denominator printed under the bar (``Tỷ lệ 1:25.000``).
    fraction : float
        Largest share of the frame width the bar may take.

    Returns
    -------
    float
        Length of the bar in metres.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length = nice_length_m(width * fraction)
    bx, by = x0 + 0.03 * width, y0 + 0.045 * height
    bar_h = 0.009 * height
    ax.add_patch(Rectangle((bx - 0.012 * width, by - 0.035 * height), length + 0.04 * width, 0.085 * height,
                           facecolor="white", edgecolor="none", alpha=0.85, zorder=30))
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * length / 4, by), length / 4, bar_h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=31))
    for pos in (0, length / 2, length):
        ax.text(bx + pos, by + bar_h * 1.6, "0" if pos == 0 else _length_label(pos), ha="center", va="bottom",
                fontsize=fontsize, zorder=32)
    if scale:
        ax.text(bx + length / 2, by - bar_h * 0.8, scale_text_vi(scale), ha="center", va="top", fontsize=fontsize + 1,
                fontweight="bold", zorder=32)
    return length


def meridian_convergence_deg(x: float, y: float, crs: str | int = STORE_EPSG) -> float:
    """Angle between grid north and true north at projected point (x, y), degrees (pyproj ``get_factors``).

    Negative west of the central meridian (107°15′) in the northern hemisphere; about −0,18° at
    Lạng Sơn city, so the grid north of the printed map is true north for any practical purpose.
    """
    crs_obj = CRS.from_user_input(crs)
    lon, lat = transformer(crs_obj.to_string(), WGS84_EPSG).transform(x, y)
    return float(Proj(crs_obj).get_factors(lon, lat).meridian_convergence)


def draw_north_arrow(ax: Axes, convergence_deg: float | None = None, *, size: float = 0.07, fontsize: float = 9) -> None:
    """Draw a north arrow ("B" = Bắc) in the upper-right corner of ``ax`` (grid north is up).

    Parameters
    ----------
    convergence_deg : float, optional
        Meridian convergence printed under the arrow (``Bắc lưới; hội tụ kinh tuyến −0,18°``).
    size : float
        Arrow height as a share of the frame height.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    unit = size * h
    cx, top = x1 - 0.045 * w - unit * 0.3, y1 - 0.07 * h
    base = top - unit
    ax.add_patch(Rectangle((cx - unit * 0.55, base - unit * 0.45), unit * 1.1, unit * 1.75,
                           facecolor="white", edgecolor="none", alpha=0.85, zorder=30))
    ax.add_patch(MplPolygon([(cx, top), (cx - unit * 0.28, base), (cx, base + unit * 0.25)], closed=True,
                            facecolor="black", edgecolor="black", linewidth=0.6, zorder=31))
    ax.add_patch(MplPolygon([(cx, top), (cx + unit * 0.28, base), (cx, base + unit * 0.25)], closed=True,
                            facecolor="white", edgecolor="black", linewidth=0.6, zorder=31))
    ax.text(cx, top + unit * 0.08, "B", ha="center", va="bottom", fontsize=fontsize + 2, fontweight="bold", zorder=32)
    if convergence_deg is not None:
        ax.text(cx, base - unit * 0.1, f"Bắc lưới\nhội tụ {fmt_number(convergence_deg, 2)}°", ha="center",
                va="top", fontsize=fontsize - 3.5, zorder=32, linespacing=1.1)


def coordinate_ticks(ax: Axes, fontsize: float = 5.5) -> None:
    """Frame ticks with VN-2000 coordinates in metres, Vietnamese separators (``2.418.000``).

    The x axis is the easting (called Y in Vietnamese survey documents), the y axis the northing (X).
    """
    fmt = FuncFormatter(lambda v, _pos: fmt_number(v))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        axis.set_major_formatter(fmt)
    ax.tick_params(axis="both", labelsize=fontsize, length=2.5, width=0.5, pad=1.5, direction="in",
                   top=True, right=True)
    ax.tick_params(axis="y", labelrotation=90)
    for label in ax.get_yticklabels():
        label.set_verticalalignment("center")


def _ring_path_parts(geom):
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            yield coords, codes


def add_polygons(ax: Axes, geoms, **kwargs) -> PathCollection | None:
    """Add (Multi)Polygons as one :class:`PathCollection` (holes kept) in data coordinates.

    A few times faster than ``GeoDataFrame.plot`` for thousands of parcels: no figure redraw per
    call. ``kwargs`` go to ``PathCollection`` (``facecolors``, ``edgecolors`` — one per geometry or
    one for all —, ``linewidths``, ``linestyles``, ``zorder``). Empty/None geometries draw nothing.
    """
    paths = []
    # Exteriors counter-clockwise, holes clockwise: the non-zero fill keeps holes whatever the source wrote.
    geoms = shapely.orient_polygons(np.asarray(list(geoms), dtype=object), exterior_cw=False)
    for geom in geoms:
        parts = list(_ring_path_parts(geom)) if geom is not None and not geom.is_empty else []
        if parts:
            paths.append(MplPath(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])))
        else:
            paths.append(MplPath(np.zeros((1, 2)), [MplPath.MOVETO]))
    if not paths:
        return None
    collection = PathCollection(paths, **kwargs)
    ax.add_collection(collection, autolim=False)
    return collection


def add_polygons_by_colour(ax: Axes, geoms, colours, *, edgecolor: str | None = None,
                           **kwargs) -> PathCollection | None:
    """Add many (Multi)Polygons as ONE compound path per distinct colour (holes kept), for dense pages.

    The same picture as :func:`add_polygons` with one face colour per geometry, but built from whole
    coordinate arrays (shapely's vectorised ``get_parts`` / ``get_rings`` / ``get_coordinates``) instead of a
    matplotlib ``Path`` per parcel: 50 000 parcels in well under a second instead of several. Rings are
    oriented (exteriors counter-clockwise, holes clockwise) so the non-zero fill keeps the holes.

    Parameters
    ----------
    geoms : sequence of shapely geometries (None/empty draw nothing)
    colours : sequence of colour strings, one per geometry (face colour; also the edge colour unless
        ``edgecolor`` is given)
    kwargs : ``linewidths``, ``zorder`` … for the ``PathCollection``
    """
    geoms = np.asarray(list(geoms), dtype=object)
    colours = np.asarray(list(colours), dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    parts, part_of = shapely.get_parts(geoms[keep], return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    parts, part_of = shapely.orient_polygons(parts[polygons], exterior_cw=False), part_of[polygons]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return None
    ring_colour = colours[keep][part_of[ring_of]]
    starts = np.r_[0, np.flatnonzero(np.diff(coord_of)) + 1]          # first vertex of each ring
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(coords) - 1]] = MplPath.CLOSEPOLY
    vertex_colour = ring_colour[coord_of]
    paths, faces = [], []
    for colour in dict.fromkeys(ring_colour):                         # first-seen order, stable output
        mine = vertex_colour == colour
        paths.append(MplPath(coords[mine], codes[mine]))
        faces.append(colour)
    collection = PathCollection(paths, facecolors=faces, edgecolors=edgecolor or faces, **kwargs)
    ax.add_collection(collection, autolim=False)
    return collection


def add_lines(ax: Axes, geoms, **kwargs) -> LineCollection | None:
    """Add (Multi)LineStrings (or polygon boundaries) as one :class:`LineCollection`."""
    parts = (part for geom in geoms if geom is not None and not geom.is_empty
             for part in getattr(geom, "geoms", [geom]))
    segments = [np.asarray(part.coords)[:, :2] for part in parts
                if (part.geom_type == "LineString" and not part.is_empty) or part.geom_type == "LinearRing"]
    if not segments:
        return None
    collection = LineCollection(segments, **kwargs)
    ax.add_collection(collection, autolim=False)
    return collection
