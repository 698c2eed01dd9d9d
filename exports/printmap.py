"""Print map (PDF, PNG) of the clearance progress, drawn offline with matplotlib.

One page per project, or an overview page plus one page per project (multi-page PDF), on A4 or A3,
landscape or portrait. Each page holds: commune boundaries and names, roads, project clearance
boundaries (chỉ giới GPMB; dashed where approximate), parcels coloured by stage
(:data:`vocab.labels.STAGE_COLOURS`), risk flags (red outline for at-risk parcels, symbols for open
complaints, enforced recovery and compulsory inventory), centrelines with kilometre markers, a
legend in Vietnamese, a metric scale bar at a standard scale, a north arrow, VN-2000 coordinate ticks,
the title, as-of date, data version, sources and caveats (illustrative parcels, approximate
alignments). No tile server, no network: only the store's vector layers. Text uses DejaVu Sans
(bundled with matplotlib; has every Vietnamese diacritic) embedded as TrueType so the PDF's text is
searchable.

The print map never shows personal data (owner names are not drawn), whatever the options say.
"""
from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box

from domain.crs import STORE_EPSG
from domain.stages import STAGES
from exports.cartography import (
    add_lines,
    add_polygons,
    add_polygons_by_colour,
    choose_scale,
    coordinate_ticks,
    draw_north_arrow,
    draw_scale_bar,
    halo_text,
    meridian_convergence_deg,
)
from exports.figure_tables import clean_text, km_text, status_text
from exports.options import ExportOptions
from exports.personal import strip_personal_data
from exports.provenance import (
    APP_NAME,
    ATTRIBUTIONS_VI,
    CRS_NOTE_VI,
    as_of_text_vi,
    caveat_notes_vi,
    data_version_of,
    report_title_vi,
)
from exports.report_table import milestone_scopes
from gis.chainage import kilometre_markers  # the one chainage rule of the project

# One visual language with the dashboard map (mapview): same colours for the same things.
from mapview.resettlement import AREA_COLOUR, AREA_LAYER_NAME
from mapview.style import (
    BOUNDARY_COLOUR,
    CENTRELINE_COLOUR,
    COMMUNE_EDGE,
    COMMUNE_FILL,
    RISK_COLOUR,
    ROAD_COLOUR,
)
from vocab.format import fmt_date, fmt_ha, fmt_number, fmt_pct, is_missing
from vocab.labels import (
    METRIC_LABELS_VI,
    MILESTONE_STATUS_COLOURS,
    STAGE_COLOURS,
    STAGE_LABELS_VI,
    risk_flag_label,
)

if TYPE_CHECKING:
    from milestones.snapshot import Snapshot
    from store.protocol import LayerReader


#: Flag symbols: flag code (a boolean column of snapshot.parcels, or a code in ``risk_flags``) →
#: (marker, face colour, legend label from the vocabulary).
FLAG_SYMBOLS: dict[str, tuple[str, str, str]] = {
    code: (marker, colour, risk_flag_label(code))
    for code, marker, colour in (("complaint_open", "^", "#ff6d00"), ("enforced", "X", "#212121"),
                                 ("compulsory_inventory", "D", "#6a1b9a"))
}

_RC = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,  # embed TrueType: Vietnamese text stays searchable / extractable
    "ps.fonttype": 42,
    "axes.linewidth": 0.8,
    "hatch.linewidth": 0.5,
}


@dataclass(frozen=True)
class _Layout:
    """Rectangles of a page in figure fractions (left, bottom, width, height) and font sizes."""

    title: tuple[float, float, float, float]
    frame: tuple[float, float, float, float]
    panel: tuple[float, float, float, float]
    footer: tuple[float, float, float, float]
    frame_mm: tuple[float, float]
    panel_mm: tuple[float, float]
    footer_mm: tuple[float, float]
    font: float  # base font size, pt


def _layout(options: ExportOptions) -> _Layout:
    w, h = options.page_size_mm
    k = 1.0 if options.paper == "A3" else 0.8
    margin, title_h, footer_h, gap = 10 * k, 17 * k, 15 * k, 4 * k

    def frac(x: float, y: float, ww: float, hh: float) -> tuple[float, float, float, float]:
        """Millimetres on the page → figure fractions."""
        return x / w, y / h, ww / w, hh / h

    if options.orientation == "landscape":
        panel_w = 82 * k
        frame = (margin, margin + footer_h, w - 2 * margin - panel_w - gap, h - 2 * margin - footer_h - title_h - gap)
        panel = (w - margin - panel_w, frame[1], panel_w, frame[3])
    else:
        panel_h = 64 * k
        frame_y = margin + footer_h + panel_h + gap
        frame = (margin, frame_y, w - 2 * margin, h - frame_y - margin - title_h - gap)
        panel = (margin, margin + footer_h, w - 2 * margin, panel_h)
    return _Layout(
        title=frac(margin, h - margin - title_h, w - 2 * margin, title_h),
        frame=frac(*frame), panel=frac(*panel), footer=frac(margin, margin * 0.6, w - 2 * margin, footer_h),
        frame_mm=(frame[2], frame[3]), panel_mm=(panel[2], panel[3]), footer_mm=(w - 2 * margin, footer_h),
        font=9.0 * k,
    )


def _wrap(text: str, width_mm: float, font_pt: float, em: float = 0.55) -> str:
    """Wrap ``text`` to a width in mm for DejaVu Sans at ``font_pt`` (≈ ``em`` em per character;
    0,55 for regular text, 0,66 for bold capitals)."""
    chars = max(20, int(width_mm / (font_pt * em * 0.3528)))
    return "\n".join(textwrap.fill(p, chars) for p in text.split("\n"))


@dataclass
class _Layers:
    projects: gpd.GeoDataFrame
    centrelines: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    resettlement: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame(geometry=[], crs=STORE_EPSG))


def _load_layers(snapshot: Snapshot, store: LayerReader) -> _Layers:
    def metric(gdf) -> gpd.GeoDataFrame:
        if gdf is None or len(gdf) == 0:
            return gpd.GeoDataFrame(geometry=[], crs=STORE_EPSG)
        if gdf.crs is None:
            raise ValueError("Lớp bản đồ không có hệ tọa độ (CRS); cần EPSG:9215")
        return gdf.to_crs(STORE_EPSG) if gdf.crs != STORE_EPSG else gdf

    parcels = strip_personal_data(snapshot.parcels)
    areas = store.resettlement_areas() if hasattr(store, "resettlement_areas") else None   # a reader may have none
    return _Layers(projects=metric(store.projects()), centrelines=metric(store.centrelines()),
                   communes=metric(store.communes()), roads=metric(store.roads()), parcels=metric(parcels),
                   resettlement=metric(areas))


def _view_box(bounds, frame_mm, pad=0.04):
    """Extent fitted to the frame's aspect at a standard scale: (xmin, ymin, xmax, ymax), scale."""
    minx, miny, maxx, maxy = bounds
    dx, dy = max(maxx - minx, 50.0), max(maxy - miny, 50.0)
    dx, dy = dx * (1 + 2 * pad), dy * (1 + 2 * pad)
    scale = choose_scale(dx, dy, *frame_mm)
    half_w, half_h = scale * frame_mm[0] / 2000.0, scale * frame_mm[1] / 2000.0
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h), scale


def _flag_series(parcels: pd.DataFrame, col: str) -> pd.Series:
    """Boolean flag per parcel: the column ``col`` if present, else whether ``col`` is among its ``risk_flags``."""
    if col in parcels:
        return parcels[col].fillna(False).astype(bool)
    if "risk_flags" in parcels:
        return parcels["risk_flags"].map(lambda v: col in list(v) if isinstance(v, (list, tuple, np.ndarray)) else False)
    return pd.Series(False, index=parcels.index)


@dataclass(frozen=True)
class _View:
    """What one map frame shows: ``bounds`` (xmin, ymin, xmax, ymax, metres EPSG:9215), the scale
    denominator, the focus project (None on the overview page) and the base font size (pt)."""

    bounds: tuple[float, float, float, float]
    scale: int
    focus: str | None
    font: float

    @property
    def geom(self):
        return box(*self.bounds)

    @property
    def width_m(self) -> float:
        return self.bounds[2] - self.bounds[0]

    @property
    def fine(self) -> bool:
        """1:10 000 or larger: parcels get white outlines, at-risk ones a thick red one."""
        return self.scale <= 10_000

    @property
    def coarse(self) -> bool:
        """1:50 000 or smaller: a 100 m corridor is under half a millimetre (see :func:`_draw_parcels`)."""
        return self.scale >= 50_000


@dataclass
class _Drawn:
    """What a frame shows, for its legend: parcel counts per stage code (of the focus project), the
    flag columns drawn as symbols, and which kinds of feature appear at all."""

    stage_counts: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    approximate: bool = False
    surveyed: bool = False
    centreline: bool = False
    roads: bool = False
    railway: bool = False
    at_risk: bool = False
    sites: bool = False
    illustrative: bool = False
    resettlement: bool = False


def _draw_communes(ax, communes: gpd.GeoDataFrame, view: _View) -> None:
    """Commune fills, dash-dot boundaries and, for communes big enough in the frame, their names."""
    if not len(communes):
        return
    frame = view.geom
    vis = communes[communes.intersects(frame)]
    add_polygons(ax, vis.geometry, facecolors=COMMUNE_FILL, edgecolors="none", zorder=1)
    add_lines(ax, vis.geometry.boundary, colors=COMMUNE_EDGE, linewidths=0.7, linestyles=[(0, (6, 2, 1, 2))],
              zorder=1.5)
    clipped = gpd.clip(vis, frame)
    name_col = "full_name" if "full_name" in clipped else ("name" if "name" in clipped else None)
    if not name_col:
        return
    for _, c in clipped.iterrows():
        if c.geometry.is_empty or c.geometry.area < 0.015 * frame.area:
            continue
        p = c.geometry.representative_point()
        halo_text(ax, p.x, p.y, str(c[name_col]).upper(), ha="center", va="center", fontsize=view.font * 0.8,
                  color="#5d5d5d", style="italic", zorder=3)


def _label_roads(ax, roads: gpd.GeoDataFrame, view: _View) -> None:
    """The reference (QL4B …) of each road, once, at the middle of its longest visible piece."""
    for ref, part in roads.groupby("ref"):
        line = part.loc[part.geometry.length.idxmax()].geometry
        if line.length < 0.08 * view.width_m:
            continue
        p = line.interpolate(0.5, normalized=True)
        ax.text(p.x, p.y, str(ref), fontsize=view.font * 0.7, color="#424242", ha="center", va="center",
                zorder=4, bbox=dict(boxstyle="round,pad=0.2", facecolor="#fffde7", edgecolor="#9e9e9e",
                                    linewidth=0.4))


def _draw_roads(ax, roads: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """Roads (orange) with their references, railway (grey dashes)."""
    if not len(roads):
        return
    vis = gpd.clip(roads[roads.intersects(view.geom)], view.geom)
    if not len(vis):
        return
    is_rail = vis["kind"].astype(str).eq("railway") if "kind" in vis else pd.Series(False, index=vis.index)
    if (~is_rail).any():
        add_lines(ax, vis[~is_rail].geometry, colors=ROAD_COLOUR, linewidths=1.1, zorder=2)
        drawn.roads = True
    if is_rail.any():
        add_lines(ax, vis[is_rail].geometry, colors="#424242", linewidths=0.9, linestyles=[(0, (4, 3))], zorder=2)
        drawn.railway = True
    if "ref" in vis:
        _label_roads(ax, vis[~is_rail], view)


def _stage_colours(parcels: pd.DataFrame) -> list[str]:
    return parcels["stage"].astype(str).map(STAGE_COLOURS).fillna("#ffffff").tolist()


def _draw_sites(ax, vis: gpd.GeoDataFrame, projects: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """Small sites (police stations …) would vanish at this scale: stage-coloured squares, named by their
    (former) commune on the page of a project of sites."""
    kinds = dict(zip(projects.get("project_id", []), projects.get("kind", [])))
    bounds = vis.bounds
    size_mm = np.maximum(bounds["maxx"] - bounds["minx"], bounds["maxy"] - bounds["miny"]) / view.scale * 1000
    sites = vis[(vis["project_id"].map(kinds) == "sites") & (size_mm < 2.0)]
    if not len(sites):
        return
    pts = sites.geometry.representative_point()
    ax.scatter(pts.x, pts.y, s=(view.font * 1.6) ** 2, c=_stage_colours(sites), marker="s",
               edgecolors=BOUNDARY_COLOUR, linewidths=1.0, zorder=9)
    drawn.sites = True
    name_col = "commune_former" if "commune_former" in sites else "commune"
    if view.focus is None or kinds.get(view.focus) != "sites" or name_col not in sites:
        return
    for commune, group in sites[sites["project_id"] == view.focus].groupby(name_col, sort=True):
        pt = group.geometry.iloc[0].representative_point()
        halo_text(ax, pt.x, pt.y, str(commune), annotate=True, xytext=(view.font * 1.1, -view.font * 0.4),
                  textcoords="offset points", fontsize=view.font * 0.8, fontweight="bold",
                  color=BOUNDARY_COLOUR, zorder=12)


def _draw_flag_symbols(ax, vis: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """A symbol per flag (:data:`FLAG_SYMBOLS`); compulsory inventory only while not handed over."""
    for col, (marker, colour, _label) in FLAG_SYMBOLS.items():
        flagged = vis[_flag_series(vis, col)]
        if col == "compulsory_inventory" and "stage" in flagged:
            flagged = flagged[flagged["stage"].astype(str) != "handed_over"]
        if len(flagged):
            pts = flagged.geometry.representative_point()
            ax.scatter(pts.x, pts.y, s=(view.font * 0.75) ** 2, marker=marker, c=colour, edgecolors="white",
                       linewidths=0.4, zorder=10)
            drawn.flags.add(col)


#: Above this many parcels on a page the parcel fills and risk outlines are drawn as one image at
#: :data:`RASTER_DPI` inside the vector PDF, from one compound path per stage colour
#: (:func:`exports.cartography.add_polygons_by_colour`): tens of thousands of vector paths make a PDF
#: that takes minutes to write and to open, while at the scale of such a page a parcel is a few printed
#: dots anyway. Labels, lines and symbols stay vector.
RASTER_ABOVE_PARCELS = 5000
RASTER_DPI = 200
def _draw_parcels(ax, layers: _Layers, view: _View, drawn: _Drawn) -> None:
    """Parcels filled by stage, at-risk outlines, small sites and flag symbols."""
    parcels = layers.parcels
    vis = parcels[parcels.intersects(view.geom)] if len(parcels) else parcels
    if not len(vis):
        return
    colours = _stage_colours(vis)
    dense = len(vis) > RASTER_ABOVE_PARCELS
    geoms = vis.geometry
    # At small scales a corridor is thinner than a line: parcels get an outline in their own colour so
    # the stages stay visible, and boundaries go underneath (see _draw_boundaries).
    width = 0.15 if view.fine else (1.2 if view.coarse else 0.05)
    fill = (add_polygons_by_colour(ax, geoms, colours, edgecolor="#ffffff" if view.fine else None, linewidths=width,
                                   zorder=5) if dense else
            add_polygons(ax, geoms, facecolors=colours, edgecolors="#ffffff" if view.fine else colours,
                         linewidths=width, zorder=5))
    if dense and fill is not None:
        fill.set_rasterized(True)        # an image at RASTER_DPI inside the vector page (text stays vector)
    in_focus = vis if view.focus is None else vis[vis["project_id"] == view.focus]
    drawn.illustrative = bool(_flag_series(vis, "illustrative").any())
    drawn.stage_counts = in_focus["stage"].astype(str).value_counts().to_dict()
    at_risk = vis[_flag_series(vis, "at_risk")]
    if len(at_risk) and not view.coarse:  # at small scales the flag symbols carry the risk
        outline = (add_polygons_by_colour(ax, at_risk.geometry, ["none"] * len(at_risk),
                                          edgecolor=RISK_COLOUR, linewidths=0.9 if view.fine else 0.5, zorder=6)
                   if dense else add_polygons(ax, at_risk.geometry, facecolors="none", edgecolors=RISK_COLOUR,
                                              linewidths=0.9 if view.fine else 0.5, zorder=6))
        if dense and outline is not None:
            outline.set_rasterized(True)
        drawn.at_risk = True
    _draw_sites(ax, vis, layers.projects, view, drawn)
    _draw_flag_symbols(ax, vis, view, drawn)


#: Overview labels of neighbouring projects go to different sides: (offset in points, alignment).
_LABEL_OFFSETS = [((8, 8), "left"), ((-8, -14), "right"), ((8, -14), "left"), ((-8, 8), "right")]


def _label_projects(ax, projects: gpd.GeoDataFrame, view: _View) -> None:
    """The short name of every project, on the largest visible part of its boundary (overview page)."""
    for k, (_, p) in enumerate(projects.iterrows()):
        part = p.geometry.intersection(view.geom)
        if part.is_empty:
            continue
        pt = max(getattr(part, "geoms", [part]), key=lambda g: g.area).representative_point()
        xytext, ha = _LABEL_OFFSETS[k % len(_LABEL_OFFSETS)]
        halo_text(ax, pt.x, pt.y, str(p.get("short_name") or p["project_id"]), annotate=True, xytext=xytext,
                  ha=ha, textcoords="offset points", fontsize=view.font * 0.85, fontweight="bold",
                  color=BOUNDARY_COLOUR, zorder=12)


def _draw_boundaries(ax, projects: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """Clearance boundaries (dashed where approximate; the focus project's thicker), named on the overview."""
    if not len(projects):
        return
    vis = projects[projects.intersects(view.geom)]
    for _, p in vis.iterrows():
        approximate = str(p.get("geometry_status", "")) == "approximate"
        if approximate:
            drawn.approximate = True
        else:
            drawn.surveyed = True
        width = (1.6 if view.focus is None or p["project_id"] == view.focus else 0.8) * (0.5 if view.coarse else 1.0)
        add_polygons(ax, [p.geometry], facecolors="none", edgecolors=BOUNDARY_COLOUR, linewidths=width,
                     linestyles=[(0, (5, 2.5)) if approximate else "-"], zorder=4.5 if view.coarse else 7)
    if view.focus is None:
        _label_projects(ax, vis, view)


def _draw_resettlement(ax, areas: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """Resettlement areas (khu tái định cư): the map's teal dash-dot outline over a light fill, no label."""
    vis = areas[areas.geometry.notna() & areas.intersects(view.geom)] if len(areas) else areas
    if not len(vis):
        return
    add_polygons(ax, list(vis.geometry), facecolors=AREA_COLOUR + "26", edgecolors=AREA_COLOUR, linewidths=1.2,
                 linestyles=[(0, (6, 2.5, 1, 2.5))], zorder=7.5)
    drawn.resettlement = True


def _marker_spacing_m(scale: int) -> int:
    """Chainage markers at the smallest of 0,5 / 1 / 2 / 5 / 10 / 20 km that lies ≥ 12 mm apart on paper."""
    return next((e for e in (500, 1000, 2000, 5000, 10_000, 20_000) if e / scale * 1000 >= 12), 50_000)


def _draw_centrelines(ax, centrelines: gpd.GeoDataFrame, view: _View, drawn: _Drawn) -> None:
    """Centrelines (dash-dot where approximate) with labelled chainage markers (:func:`kilometre_markers`)."""
    if not len(centrelines):
        return
    every = _marker_spacing_m(view.scale)
    for _, c in centrelines[centrelines.intersects(view.geom)].iterrows():
        approximate = str(c.get("geometry_status", "")) == "approximate"
        add_lines(ax, [c.geometry], colors=CENTRELINE_COLOUR, linewidths=0.8,
                  linestyles=[(0, (8, 2, 2, 2)) if approximate else "-"], zorder=8)
        drawn.centreline = True
        marks = kilometre_markers(c.geometry, float(c.get("chainage_start_m", 0.0) or 0.0), every_m=every)
        marks = marks[marks.within(view.geom)]
        if not len(marks):
            continue
        ax.scatter(marks.geometry.x, marks.geometry.y, s=(view.font * 0.55) ** 2, c="white", edgecolors="black",
                   linewidths=0.6, zorder=11)
        for _, m in marks.iterrows():
            halo_text(ax, m.geometry.x, m.geometry.y, m["label"], annotate=True, xytext=(3, 3),
                      textcoords="offset points", fontsize=view.font * 0.7, zorder=11)


def _draw_map(ax, layers: _Layers, view: _View) -> _Drawn:
    """Draw every layer inside ``view``, bottom to top; return what was drawn (for the legend)."""
    drawn = _Drawn()
    ax.set_facecolor("#ffffff")
    _draw_communes(ax, layers.communes, view)
    _draw_roads(ax, layers.roads, view, drawn)
    _draw_parcels(ax, layers, view, drawn)
    _draw_boundaries(ax, layers.projects, view, drawn)
    _draw_resettlement(ax, layers.resettlement, view, drawn)
    _draw_centrelines(ax, layers.centrelines, view, drawn)
    xmin, ymin, xmax, ymax = view.bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    return drawn


def _legend_handles(drawn: _Drawn) -> list:
    """Legend entries: every stage (with its parcel count on this page), then only what the page shows."""
    counts = drawn.stage_counts
    handles = [Patch(facecolor=STAGE_COLOURS[s], edgecolor="#9e9e9e", linewidth=0.4,
                     label=f"{STAGE_LABELS_VI[s]} ({fmt_number(counts.get(s, 0))} thửa)") for s in STAGES]
    if drawn.at_risk:
        handles.append(Patch(facecolor="none", edgecolor=RISK_COLOUR, linewidth=1.2,
                             label="Thửa có cờ rủi ro tiến độ (viền đỏ)"))
    for col, (marker, colour, label) in FLAG_SYMBOLS.items():
        if col in drawn.flags:
            handles.append(Line2D([], [], linestyle="none", marker=marker, markerfacecolor=colour,
                                  markeredgecolor="white", markersize=7, label=label))
    if drawn.sites:
        handles.append(Line2D([], [], linestyle="none", marker="s", markerfacecolor="#eeeeee",
                              markeredgecolor=BOUNDARY_COLOUR, markersize=7, label="Điểm công trình nhỏ (màu theo giai đoạn)"))
    if drawn.surveyed:
        handles.append(Line2D([], [], color=BOUNDARY_COLOUR, linewidth=1.6, label="Chỉ giới GPMB"))
    if drawn.approximate:
        handles.append(Line2D([], [], color=BOUNDARY_COLOUR, linewidth=1.6, linestyle=(0, (5, 2.5)),
                              label="Chỉ giới GPMB gần đúng (nét đứt)"))
    if drawn.resettlement:
        handles.append(Patch(facecolor=AREA_COLOUR + "26", edgecolor=AREA_COLOUR, linewidth=1.2,
                             linestyle=(0, (6, 2.5, 1, 2.5)), label=AREA_LAYER_NAME))
    if drawn.centreline:
        handles.append(Line2D([], [], color=CENTRELINE_COLOUR, linewidth=0.8, linestyle=(0, (8, 2, 2, 2)), marker="o",
                              markerfacecolor="white", markeredgecolor="black", markersize=4,
                              label="Tim tuyến và mốc lý trình km"))
    if drawn.roads:
        handles.append(Line2D([], [], color=ROAD_COLOUR, linewidth=1.1, label="Quốc lộ, đường tỉnh"))
    if drawn.railway:
        handles.append(Line2D([], [], color="#424242", linewidth=0.9, linestyle=(0, (4, 3)), label="Đường sắt"))
    handles.append(Patch(facecolor=COMMUNE_FILL, edgecolor=COMMUNE_EDGE, linewidth=0.7, linestyle=(0, (6, 2, 1, 2)),
                         label="Ranh giới xã, phường (2025)"))
    return handles


def _status_text_colour(status) -> str | None:
    """Readable text colour of a milestone status on white paper (the table's foreground, or its
    background when that foreground is white)."""
    bg, fg = MILESTONE_STATUS_COLOURS.get(str(status), (None, None))
    return bg if fg and fg.lower() in ("#ffffff", "#fff", "white") else fg


def _summary_lines(snapshot, focus: str | None, short_names: dict) -> list[tuple[str, str | None, bool]]:
    """(text, colour, bold) lines of the progress box of a page."""
    projects = snapshot.projects
    ms_all = snapshot.milestones if snapshot.milestones is not None else pd.DataFrame()
    scope = milestone_scopes(ms_all)
    where = {mid: ("" if sc == "project" else f" – {sc}") for mid, sc in zip(ms_all.get("milestone_id", []), scope)} \
        if len(ms_all) else {}
    lines: list[tuple[str, str | None, bool]] = [("TÌNH HÌNH THỰC HIỆN", None, True)]
    rows = projects if focus is None else projects[projects["project_id"] == focus]
    for _, p in rows.iterrows():
        pid = p["project_id"]
        name = short_names.get(pid) or p.get("name", pid)
        if focus is None:
            ha = f"{fmt_number(p['area_handed_over_m2'] / 1e4, 1)}/{fmt_number(p['area_to_recover_m2'] / 1e4, 1)} ha"
            lines.append((f"{name}: {fmt_pct(p['percent_handed_over'])} ({ha})", None, True))
        else:
            lines.append((f"Diện tích cần thu hồi: {fmt_ha(p['area_to_recover_m2'])}", None, False))
            lines.append((f"Đã bàn giao: {fmt_ha(p['area_handed_over_m2'])} ({fmt_pct(p['percent_handed_over'])})",
                          None, True))
            if "households_total" in p and not is_missing(p["households_total"]):
                handed = p.get("households_handed_over", np.nan)
                lines.append((f"Số hộ: {fmt_number(p['households_total'])} (đã bàn giao {fmt_number(handed)})", None, False))
        ms = ms_all[ms_all["project_id"] == pid] if len(ms_all) else ms_all
        if focus is None:     # every milestone of the project, met ones too, by due date
            ordered = ms.assign(_d=pd.to_datetime(ms["due_date"], errors="coerce")).sort_values("_d") if len(ms) else ms
            for m in ordered.to_dict("records"):
                what = f"{fmt_number(m.get('target_percent'))}{METRIC_LABELS_VI.get(str(m.get('metric')), '')}"
                lines.append(((f"   Mốc {fmt_date(m['due_date'])} ({what}{where.get(m.get('milestone_id'), '')}): "
                               f"{status_text(m)}"),
                              _status_text_colour(m["status"]), False))
        else:
            ordered = ms.assign(_d=pd.to_datetime(ms["due_date"], errors="coerce")).sort_values("_d") if len(ms) else ms
            for _, m in ordered.iterrows():
                colour = _status_text_colour(m["status"])
                fc = "" if is_missing(m.get("forecast_date")) else f"; dự báo đạt {fmt_date(m['forecast_date'])}"
                lines.append((f"• {m['label']} – {status_text(m)}{fc}", colour, False))
    return lines


def _extent(layers: _Layers, focus: str | None) -> gpd.GeoSeries:
    """What a page must show: the focus project's parcels (else its boundary); on the overview every
    project's parcels and sites (else the boundaries).

    Raises
    ------
    ValueError
        If there is no geometry to show (Vietnamese message).
    """
    if focus is None:
        geoms = layers.parcels.geometry if len(layers.parcels) else layers.projects.geometry
    else:
        fp = layers.parcels[layers.parcels["project_id"] == focus]
        geoms = fp.geometry if len(fp) else layers.projects[layers.projects["project_id"] == focus].geometry
    if len(geoms) == 0 or geoms.is_empty.all():
        raise ValueError(f"Không có dữ liệu không gian để in bản đồ{'' if focus is None else ' dự án ' + focus}")
    return geoms


def _draw_frame(fig, lay: _Layout, layers: _Layers, view: _View) -> _Drawn:
    """The map frame with its furniture: coordinate ticks, scale bar, north arrow, illustrative stamp."""
    ax = fig.add_axes(lay.frame)
    drawn = _draw_map(ax, layers, view)
    coordinate_ticks(ax, fontsize=view.font * 0.6)
    ax.set_xlabel("")
    ax.set_ylabel("")
    draw_scale_bar(ax, view.scale, fontsize=view.font * 0.8)
    xmin, ymin, xmax, ymax = view.bounds
    draw_north_arrow(ax, meridian_convergence_deg((xmin + xmax) / 2, (ymin + ymax) / 2), fontsize=view.font)
    if drawn.illustrative:  # on the map itself, not only in the footer
        ax.text(0.995, 0.008, "THỬA ĐẤT MINH HỌA – không phải hồ sơ địa chính", transform=ax.transAxes, ha="right",
                va="bottom", fontsize=view.font * 0.8, color="#b71c1c", fontweight="bold", zorder=40,
                bbox=dict(boxstyle="square,pad=0.25", facecolor="white", edgecolor="none", alpha=0.85))
    return drawn


def _draw_title_block(fig, lay: _Layout, title: str, subtitle: str, as_of, version_line: str) -> None:
    """Title and subtitle on the left, as-of date and version/page on the right, a rule underneath
    (all text in axes fractions: the axes has no data)."""
    font = lay.font
    tax = fig.add_axes(lay.title)
    tax.axis("off")
    t = tax.transAxes
    tax.text(0, 1, _wrap(title, lay.footer_mm[0] * 0.6, font * 1.7, em=0.68), fontsize=font * 1.7, fontweight="bold",
             va="top", ha="left", color="#1a237e", transform=t, linespacing=1.05)
    tax.text(0, 0.04, subtitle, fontsize=font * 1.05, va="bottom", ha="left", color="#37474f", transform=t)
    tax.text(1, 1, as_of_text_vi(as_of), fontsize=font * 1.45, fontweight="bold", va="top", ha="right",
             transform=t)
    tax.text(1, 0.04, version_line, fontsize=font * 0.8, va="bottom", ha="right", color="#37474f", transform=t)
    tax.plot([0, 1], [-0.06, -0.06], color="#1a237e", linewidth=1.2, transform=t, clip_on=False)


def _draw_legend(fig, lay: _Layout, options: ExportOptions, drawn: _Drawn):
    """The legend at the top of the side (landscape) or bottom (portrait) panel; returns its window extent."""
    pax = fig.add_axes(lay.panel)
    pax.axis("off")
    ncol = 1 if options.orientation == "landscape" else (2 if options.paper == "A4" else 3)
    legend = pax.legend(handles=_legend_handles(drawn), loc="upper left", bbox_to_anchor=(0, 1), frameon=True,
                        title="CHÚ GIẢI", title_fontproperties={"weight": "bold", "size": lay.font},
                        fontsize=lay.font * 0.78, ncol=ncol, borderaxespad=0, handlelength=2.4, labelspacing=0.55,
                        alignment="left", edgecolor="#9e9e9e", fancybox=False)
    legend.get_frame().set_linewidth(0.6)
    return legend.get_window_extent(fig.canvas.get_renderer())


def _draw_summary(fig, lay: _Layout, options: ExportOptions, legend_box, lines) -> None:
    """The progress box under the legend (landscape) or beside it when it fits (portrait), measured, not
    guessed; lines that do not fit above the panel's floor are left out."""
    renderer = fig.canvas.get_renderer()
    fig_h_px = fig.get_figheight() * fig.dpi
    fig_w_px = fig.get_figwidth() * fig.dpi
    page_w_mm = options.page_size_mm[0]
    room_mm = (lay.panel[0] + lay.panel[2] - legend_box.x1 / fig_w_px) * page_w_mm
    if options.orientation != "landscape" and room_mm > 55:
        x_fig, y_fig = legend_box.x1 / fig_w_px + 6 / page_w_mm, lay.panel[1] + lay.panel[3]
        width_mm = room_mm - 6
    else:
        x_fig, y_fig = lay.panel[0], legend_box.y0 / fig_h_px - 0.015
        width_mm = lay.panel_mm[0]
    font = lay.font * 0.82
    for text, colour, bold in lines:
        if y_fig <= lay.panel[1]:
            break
        artist = fig.text(x_fig, y_fig, _wrap(text, width_mm, font), fontsize=font, va="top",
                          ha="left", color=colour or "#212121", fontweight="bold" if bold else "normal",
                          linespacing=1.15)
        y_fig -= artist.get_window_extent(renderer).height / fig_h_px + 0.004


def _draw_footer(fig, lay: _Layout, caveats: list[str]) -> None:
    """Caveats, the personal-data note, sources, the CRS and the application."""
    fax = fig.add_axes(lay.footer)
    fax.axis("off")
    footer = (f"Lưu ý: {' '.join(caveats)} Bản đồ không thể hiện dữ liệu cá nhân.\n"
              f"Nguồn dữ liệu: {' '.join(ATTRIBUTIONS_VI)}\n"
              f"{CRS_NOTE_VI} Lập bằng {APP_NAME}.")
    fax.text(0, 1, transform=fax.transAxes, s=_wrap(footer, lay.footer_mm[0], lay.font * 0.68),
             fontsize=lay.font * 0.68, va="top", ha="left", color="#37474f", linespacing=1.2)


def _draw_page(fig, layers: _Layers, snapshot, options: ExportOptions, focus: str | None, page_no: int, n_pages: int,
               meta: dict) -> None:
    """One page: map frame, title block, legend and progress box, footer (``meta``: version text, caveats)."""
    lay = _layout(options)
    short_names = dict(zip(layers.projects.get("project_id", []),
                           layers.projects.get("short_name", layers.projects.get("project_id", []))))
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    bounds, scale = _view_box(_extent(layers, focus).total_bounds, lay.frame_mm)
    drawn = _draw_frame(fig, lay, layers, _View(bounds, scale, focus, lay.font))

    title = report_title_vi(None if focus is None else names.get(focus, focus))
    subtitle = "Bản đồ tổng quan các dự án" if focus is None else f"Mã dự án: {focus}"
    if focus is not None and focus in short_names:
        subtitle += f" ({short_names[focus]})"
    _draw_title_block(fig, lay, title, subtitle, snapshot.as_of, f"{meta['version']}   ·   Trang {page_no}/{n_pages}")
    legend_box = _draw_legend(fig, lay, options, drawn)
    _draw_summary(fig, lay, options, legend_box, _summary_lines(snapshot, focus, short_names))
    _draw_footer(fig, lay, meta["caveats"])


def _new_page(layers: _Layers, snapshot, options: ExportOptions, focus, page_no: int, n_pages: int, meta: dict,
              dpi: float = 100) -> Figure:
    """One drawn page. A bare :class:`Figure` on an Agg canvas, not pyplot: no global figure registry,
    so two exports running in two Streamlit sessions (threads) cannot touch each other's figures.
    ``dpi`` only sizes the canvas used to measure text (the PDF is vector; the PNG passes its dpi)."""
    fig = Figure(figsize=options.page_size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    _draw_page(fig, layers, snapshot, options, focus, page_no, n_pages, meta)
    return fig


#: Band length of the printed strip: 100 m up to a 10 km section, 500 m beyond (readable on one page).
STRIP_SEGMENT_M = 100.0
LONG_STRIP_SEGMENT_M = 500.0


def _road_ids(snapshot) -> list[str]:
    """Road projects with a section (they get a chainage-strip page)."""
    p = snapshot.projects
    if not {"kind", "section_from_m", "section_to_m"} <= set(p.columns):
        return []
    return list(p.loc[(p["kind"] == "road") & p["section_from_m"].notna() & p["section_to_m"].notna(), "project_id"])


def _pages(snapshot, layers: _Layers, options: ExportOptions, fmt: str, events: pd.DataFrame) -> list:
    """Pages in order: None (overview), a project id (its map page), ``("strip", id)`` (its chainage strip),
    ``("table", TablePage)`` (the communes league and the blocking parcels)."""
    ids = list(snapshot.projects["project_id"])
    if options.project_id is not None:
        if options.project_id not in ids:
            raise ValueError(f"Không có dự án {options.project_id!r}; các mã dự án: {', '.join(map(str, ids))}")
        return [options.project_id]
    if fmt == "png" or options.pages == "overview":
        return [None]
    strips = [("strip", pid) for pid in _road_ids(snapshot)]
    tables = [("table", page) for page in _table_pages(snapshot, events, options)]
    return [*ids, *strips, *tables] if options.pages == "projects" else [None, *ids, *strips, *tables]


def _table_pages(snapshot, events: pd.DataFrame, options: ExportOptions) -> list:
    """The communes league, then the blocking parcels of every milestone not reached (:mod:`exports.table_print`)."""
    from exports.table_print import blocking_blocks, heading_chars, league_blocks, line_chars, paginate, rows_per_page
    from milestones.league import communes_league

    lay = _layout(options)
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    rect = _table_rect(lay)
    n_rows = rows_per_page(rect[3] * options.page_size_mm[1], lay.font)
    n_chars = heading_chars(rect[2] * options.page_size_mm[0], lay.font)
    n_line = line_chars(rect[2] * options.page_size_mm[0], lay.font)
    league = paginate(league_blocks(communes_league(snapshot, events), names),
                      "Kết quả theo xã, phường (đơn vị hành chính từ 01/07/2025)", n_rows, n_chars, n_line)
    blocks = blocking_blocks(snapshot, names)
    blocking = paginate(blocks, "Các thửa đất là điểm nghẽn của mốc chưa đạt", n_rows, n_chars, n_line) if blocks else []
    return [*league, *blocking]


def _table_rect(lay: _Layout) -> tuple[float, float, float, float]:
    """Between the title block and the footer, the frame's width plus the side panel's."""
    left = lay.frame[0]
    bottom = lay.footer[1] + lay.footer[3] + 0.01
    top = lay.title[1] - 0.025
    return left, bottom, lay.title[2], top - bottom


def _new_table_page(snapshot, options: ExportOptions, page, page_no: int, n_pages: int, meta: dict) -> Figure:
    """One table page (title block, tables, footer)."""
    from exports.table_print import draw_table_page

    fig = Figure(figsize=options.page_size_in, dpi=100)
    FigureCanvasAgg(fig)
    lay = _layout(options)
    _draw_title_block(fig, lay, report_title_vi(), page.subtitle, snapshot.as_of,
                      f"{meta['version']}   ·   Trang {page_no}/{n_pages}")
    draw_table_page(fig, _table_rect(lay), page, lay.font)
    _draw_footer(fig, lay, meta["caveats"])
    return fig


def _new_strip_page(snapshot, options: ExportOptions, project_id: str, page_no: int, n_pages: int, meta: dict) -> Figure:
    """The chainage strip of a road project on one page (title block, strip, colour key, footer)."""
    from exports.strip_print import draw_colour_key, draw_strip
    from milestones.chainage_strip import chainage_strip

    fig = Figure(figsize=options.page_size_in, dpi=100)
    FigureCanvasAgg(fig)
    lay = _layout(options)
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    start, end = (float(snapshot.projects.set_index("project_id").at[project_id, c]) for c in ("section_from_m", "section_to_m"))
    strip = chainage_strip(snapshot, project_id, segment_m=STRIP_SEGMENT_M if end - start <= 10_000 else LONG_STRIP_SEGMENT_M)
    _draw_title_block(fig, lay, report_title_vi(names.get(project_id, project_id)),
                      f"Sơ đồ lý trình {km_text(strip.section_from_m)} – {km_text(strip.section_to_m)} · đoạn "
                      f"{fmt_number(strip.segment_m)} m · {clean_text(strip)}", snapshot.as_of,
                      f"{meta['version']}   ·   Trang {page_no}/{n_pages}")
    left, bottom, width, height = lay.frame[0], lay.footer[1] + lay.footer[3], lay.title[2], lay.title[1] - lay.footer[1]
    draw_strip(fig.add_axes((left + 0.08 * width, bottom + 0.45 * height, 0.9 * width, 0.3 * height)), strip, lay.font)
    draw_colour_key(fig.add_axes((left + 0.08 * width, bottom + 0.22 * height, 0.35 * width, 0.03 * height)), lay.font)
    _draw_footer(fig, lay, meta["caveats"])
    return fig

def _draw_any_page(layers: _Layers, snapshot, options: ExportOptions, focus, page_no: int, n_pages: int, meta: dict):
    if isinstance(focus, tuple) and focus[0] == "strip":
        return _new_strip_page(snapshot, options, focus[1], page_no, n_pages, meta)
    if isinstance(focus, tuple):
        return _new_table_page(snapshot, options, focus[1], page_no, n_pages, meta)
    return _new_page(layers, snapshot, options, focus, page_no, n_pages, meta)


def _events_of(store) -> pd.DataFrame:
    """The ledger for the league's "days since the last field counts" (empty for a reader without one)."""
    events = getattr(store, "events", None)
    return events() if callable(events) else pd.DataFrame(columns=["kind", "parcel_id", "commune", "project_id",
                                                                     "event_date"])


def render_print_map(snapshot: Snapshot, store: LayerReader, options: ExportOptions | None = None, fmt: str = "pdf",
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """Render the print map of ``snapshot`` and return the file's bytes.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        ``parcels`` (GeoDataFrame, EPSG:9215, with ``stage``, flags, ``at_risk``), ``projects``,
        ``milestones``, ``as_of``, ``data_version``.
    store : store object
        Read for the layers: ``projects()`` (clearance boundaries, ``geometry_status``),
        ``centrelines()``, ``communes()``, ``roads()`` (GeoDataFrames, EPSG:9215).
    options : ExportOptions, optional
        Paper (A4/A3), orientation, project, page set, dpi (PNG). Default A3 landscape, overview +
        one page per project.
    fmt : {"pdf", "png"}
        PDF: every page (multi-page). PNG: one image at ``options.dpi`` (the project page when
        ``options.project_id`` is set, else the overview).
    progress : callable, optional
        ``progress(page_no, n_pages)`` called once per page as its drawing starts (1-based; a PNG is page 1/1).

    Returns
    -------
    bytes
        PDF (page size exactly A4/A3 in points: A4 595.3 × 841.9, A3 841.9 × 1190.6) or PNG.
        Byte-identical for the same snapshot and options (no creation date in the PDF).

    Raises
    ------
    ValueError
        Unknown format or project, or nothing to draw (Vietnamese message).
    """
    options = options or ExportOptions()
    if fmt not in ("pdf", "png"):
        raise ValueError(f"Định dạng bản đồ in không hợp lệ: {fmt!r}; cho phép: pdf, png")
    layers = _load_layers(snapshot, store)
    pages = _pages(snapshot, layers, options, fmt, _events_of(store))
    dv = data_version_of(snapshot)
    meta = {"version": dv.text_vi(), "caveats": caveat_notes_vi(layers.projects, layers.parcels)}
    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        if fmt == "pdf":
            pdf_meta = {"Title": report_title_vi(), "Subject": f"{as_of_text_vi(snapshot.as_of)}; {dv.text_vi()}",
                        "Creator": APP_NAME, "Author": APP_NAME, "CreationDate": None}
            with PdfPages(buffer, metadata=pdf_meta) as pdf:
                for i, focus in enumerate(pages, start=1):
                    if progress is not None:
                        progress(i, len(pages))
                    page = _draw_any_page(layers, snapshot, options, focus, i, len(pages), meta)
                    pdf.savefig(page, dpi=RASTER_DPI)   # dpi only sizes the rasterised parcel layers
        else:
            if progress is not None:
                progress(1, 1)
            fig = _new_page(layers, snapshot, options, pages[0], 1, 1, meta, dpi=options.dpi)
            fig.savefig(buffer, format="png", dpi=options.dpi,
                        metadata={"Title": report_title_vi(), "Software": APP_NAME,
                                  "Description": f"{as_of_text_vi(snapshot.as_of)}; {dv.text_vi()}"})
    return buffer.getvalue()
