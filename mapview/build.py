"""The GPMB progress map: one folium map used by the dashboard and the HTML export.

Layers, bottom to top (each can be switched in the layer control):

1. *Nền OpenStreetMap* – optional tile basemap, **off** by default (needs internet).
2. *Ranh giới xã, phường (2025)* – commune polygons with their names: the vector base map, readable
   with no tiles at all.
3. *Đường giao thông, đường sắt* – context roads (orange) and railway (black dashes).
4. *Chỉ giới GPMB* – each project's clearance boundary (navy); dashed where the geometry is
   ``approximate``.
5. *Tim tuyến, mốc lý trình* – road centrelines (dashed if approximate) and a dot every kilometre,
   labelled every 5 km (``gis.chainage.kilometre_markers``).
6. *Thửa đất theo giai đoạn* – parcels filled with the stage colour (``domain.stages.STAGE_COLOURS``),
   red outline when the parcel is at risk; hover for a tooltip.
7. *Thửa có rủi ro tiến độ* – a red dot on every at-risk parcel, visible at any zoom.

A title box (as-of date, number of parcels shown) and a Vietnamese legend (stages with counts, risk,
approximate geometry, base layers) are drawn inside the map, so the exported HTML carries them too.
"""
from __future__ import annotations

import html
import json
from typing import Any, Mapping

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.utilities import JsCode
from jinja2 import Template

from dashboard.filters import Filters, apply_filters, as_filters
from dashboard.format import fmt_date, fmt_m2, fmt_number, land_use_label, risk_flags_text
from domain.stages import STAGE_COLOURS, STAGE_LABELS_VI, STAGES
from gis.chainage import format_chainage, kilometre_markers
from mapview.layers import bounds_latlon, feature_collection

#: Simplification tolerances in metres (EPSG:9215) per layer.
SIMPLIFY_M = {"communes": 15.0, "roads": 10.0, "boundaries": 1.0, "centrelines": 1.0, "parcels": 0.2}
#: Default view: Cao Lộc / Lạng Sơn city, used only when there is nothing to fit the map to.
DEFAULT_CENTRE = (21.87, 106.77)

RISK_COLOUR = "#d50000"
BOUNDARY_COLOUR = "#1a237e"
CENTRELINE_COLOUR = "#6a1b9a"
ROAD_COLOUR = "#ef6c00"
COMMUNE_EDGE = "#607d8b"
COMMUNE_FILL = "#fbf8ef"
APPROXIMATE_DASH = "8 6"

_CSS = """
<style>
.leaflet-container { background: #dfe7ec; font-family: "DejaVu Sans", Arial, sans-serif; }
.gpmb-commune-label { background: transparent; border: 0; box-shadow: none; color: #455a64;
  font-weight: 600; font-size: 12px; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.gpmb-commune-label:before, .gpmb-km-label:before { display: none; }
.gpmb-km-label { background: rgba(255,255,255,.85); border: 1px solid #6a1b9a; border-radius: 3px;
  padding: 0 3px; color: #4a148c; font-size: 11px; font-weight: 700; box-shadow: none; }
.gpmb-tip { font-size: 12px; line-height: 1.35; }
.gpmb-tip .risk { color: #b71c1c; font-weight: 600; }
.gpmb-tip .note { color: #616161; font-style: italic; }
.gpmb-legend, .gpmb-title { background: rgba(255,255,255,.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 12px; line-height: 1.4; color: #212121; }
.gpmb-legend { max-height: 60vh; overflow-y: auto; }
.gpmb-legend summary { font-weight: 700; cursor: pointer; }
.gpmb-legend .sw { display: inline-block; width: 14px; height: 11px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid #455a64; }
.gpmb-legend .ln { display: inline-block; width: 22px; height: 0; margin-right: 5px; vertical-align: 3px; }
.gpmb-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin: 0 7px 0 2px; background: #d50000; vertical-align: -1px; }
.gpmb-title b { font-size: 13px; }
.gpmb-legend { max-width: 270px; }
.leaflet-control-layers { font-size: 12px; line-height: 1.5; }
.leaflet-control-layers-expanded { padding: 4px 8px 4px 4px; }
</style>
"""


class _Control(MacroElement):
    """A Leaflet control holding fixed HTML (legend, title), passed as data so no templating applies."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "GpmbControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class _MetricScale(MacroElement):
    """Leaflet scale bar in metres/kilometres only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def _each_feature_js(style: str | None, tooltip: str | None = "sticky", label_class: str = "",
                     hover: bool = False) -> JsCode:
    """JavaScript ``onEachFeature``: style from properties, tooltip ``p.t`` (sticky or permanent label)."""
    parts = ["function(feature, layer) {", "var p = feature.properties || {};"]
    if style:
        parts.append(f"var st = {style};")
        parts.append("if (layer.setStyle) { layer.setStyle(st); }")
    if tooltip == "sticky":
        parts.append("if (p.t) { layer.bindTooltip(p.t, {sticky: true, className: 'gpmb-tip'}); }")
    elif tooltip == "permanent":
        parts.append("if (p.t) { layer.bindTooltip(p.t, {permanent: true, direction: 'center', "
                     f"className: {json.dumps(label_class)}}}); }}")
    elif tooltip == "permanent_right":
        parts.append("if (p.t) { layer.bindTooltip(p.t, {permanent: true, direction: 'right', offset: [6, 0], "
                     f"className: {json.dumps(label_class)}}}); }}")
    elif tooltip == "hover_label":
        parts.append("if (p.t) { layer.bindTooltip(p.t, {direction: 'right', "
                     f"className: {json.dumps(label_class)}}}); }}")
    if hover and style:
        parts.append("layer.on('mouseover', function() { layer.setStyle({weight: 3, color: '#000000'}); "
                     "if (layer.bringToFront) { layer.bringToFront(); } });")
        parts.append("layer.on('mouseout', function() { layer.setStyle(st); });")
    parts.append("}")
    return JsCode("\n".join(parts))


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _project_table(store: Any, snapshot: Any) -> gpd.GeoDataFrame:
    projects = store.projects()
    if "geometry_status" not in projects:
        projects["geometry_status"] = "surveyed"
    if "short_name" not in projects:
        projects["short_name"] = projects.get("name", projects["project_id"])
    return projects


def _parcel_tooltips(parcels: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """One HTML tooltip per parcel (commune + former commune, sheet/parcel, land use, area, stage, flags)."""
    short = dict(zip(projects["project_id"], projects["short_name"]))
    approx = set(projects.loc[projects["geometry_status"] == "approximate", "project_id"])
    tips = []
    cols = parcels.columns
    for row in parcels.itertuples(index=False):
        r = row._asdict() if hasattr(row, "_asdict") else dict(zip(cols, row))
        commune, former = r.get("commune"), r.get("commune_former")
        where = _e(commune)
        if former and not pd.isna(former) and former != commune:
            where = f"{_e(former)} (nay {_e(commune)})"
        lines = [
            f"<b>Tờ {_e(r.get('map_sheet'))}, thửa {_e(r.get('parcel_number'))}</b> – {where}",
            f"Dự án: {_e(short.get(r.get('project_id'), r.get('project_id')))}",
            f"Loại đất: {_e(land_use_label(r.get('land_use')))}",
            f"Diện tích thu hồi: {fmt_m2(r.get('area_to_recover_m2'))}"
            + (f" / thửa {fmt_m2(r.get('parcel_area_m2'))}" if not pd.isna(r.get("parcel_area_m2", float("nan"))) else ""),
        ]
        chainage = r.get("chainage_m")
        if chainage is not None and not pd.isna(chainage):
            lines.append(f"Lý trình: {_e(format_chainage(float(chainage)))}")
        stage = r.get("stage") or "not_started"
        stage_line = f"Giai đoạn: <b>{_e(STAGE_LABELS_VI.get(stage, stage))}</b>"
        if not pd.isna(r.get("stage_date")) and r.get("stage_date") is not None:
            stage_line += f" (từ {fmt_date(r.get('stage_date'))})"
        lines.append(stage_line)
        flags = risk_flags_text(r.get("risk_flags"))
        if flags:
            lines.append(f"<span class='risk'>⚠ {_e(flags)}</span>")
        notes = []
        if r.get("illustrative"):
            notes.append("thửa minh họa")
        if r.get("project_id") in approx:
            notes.append("vị trí gần đúng theo hướng tuyến dự kiến")
        if notes:
            lines.append(f"<span class='note'>{_e('; '.join(notes)).capitalize()}</span>")
        tips.append("<br>".join(lines))
    return tips


def _legend_html(counts: Mapping[str, int], n_risk: int, has_approximate: bool) -> str:
    rows = ["<details open><summary>Chú giải</summary>", "<div><b>Giai đoạn GPMB</b> (số thửa)</div>"]
    for stage in STAGES:
        rows.append(f"<div><span class='sw' style='background:{STAGE_COLOURS[stage]}'></span>"
                    f"{_e(STAGE_LABELS_VI[stage])} ({fmt_number(counts.get(stage, 0))})</div>")
    rows.append("<div style='margin-top:4px'><b>Rủi ro tiến độ</b></div>")
    rows.append(f"<div><span class='sw' style='background:#fff;border:2px solid {RISK_COLOUR}'></span>"
                f"<span class='dot' style='margin-left:-4px'></span>{fmt_number(n_risk)} thửa có rủi ro</div>"
                "<div style='font-size:11px;color:#616161'>khiếu nại, cưỡng chế, tồn đọng quá hạn, "
                "dự án chậm mốc</div>")
    rows.append("<div style='margin-top:4px'><b>Ranh giới, tuyến</b></div>")
    rows.append(f"<div><span class='ln' style='border-top:2.5px solid {BOUNDARY_COLOUR}'></span>Chỉ giới GPMB</div>")
    rows.append(f"<div><span class='ln' style='border-top:2.5px solid {CENTRELINE_COLOUR}'></span>"
                "Tim tuyến, mốc Km</div>")
    if has_approximate:
        rows.append(f"<div><span class='ln' style='border-top:2.5px dashed {BOUNDARY_COLOUR}'></span>"
                    "Nét đứt: vị trí gần đúng (chưa có hồ sơ chính thức)</div>")
    rows.append(f"<div><span class='sw' style='background:{COMMUNE_FILL};border-color:{COMMUNE_EDGE}'></span>"
                "Ranh giới xã, phường (2025)</div>")
    rows.append(f"<div><span class='ln' style='border-top:2.5px solid {ROAD_COLOUR}'></span>Quốc lộ, tỉnh lộ"
                "&nbsp;<span class='ln' style='border-top:2px dashed #212121'></span>Đường sắt</div>")
    rows.append("</details>")
    return "".join(rows)


def build_map(snapshot: Any, store: Any, filters: Filters | Mapping[str, Any] | None = None, *,
              tile_basemap: bool = True, km_label_every_m: float = 5000.0) -> folium.Map:
    """Build the GPMB progress map at the snapshot's as-of date.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        Uses ``as_of`` and ``parcels`` (GeoDataFrame, EPSG:9215) with the columns ``parcel_id``,
        ``project_id``, ``commune``, ``commune_former``, ``map_sheet``, ``parcel_number``, ``land_use``,
        ``area_to_recover_m2`` (m²), ``parcel_area_m2`` (m², optional), ``chainage_m`` (m, NaN for areas),
        ``stage``, ``stage_date``, ``risk_flags`` (list of codes), ``at_risk`` (bool), ``illustrative``.
    store : store.Store
        Gives the context layers, all GeoDataFrames in EPSG:9215: ``projects()`` (clearance
        boundaries, ``geometry_status``), ``centrelines()`` (``chainage_start_m``), ``communes()``
        (``full_name`` or ``name``) and ``roads()`` (``name``/``ref``, ``kind`` road | railway).
    filters : dashboard.filters.Filters or mapping or None
        Project / commune / stage / at-risk filters on the parcels; the project filter also limits the
        boundaries and centrelines drawn. ``None`` shows everything.
    tile_basemap : bool, default True
        Offer an OpenStreetMap tile layer in the layer control, switched **off** (needs internet).
    km_label_every_m : float, default 5000
        Kilometre markers are drawn every 1 000 m; those at multiples of this value get a permanent label
        (the others show it on hover).

    Returns
    -------
    folium.Map
        Render it offline with :func:`mapview.standalone_html` (folium's own ``_repr_html_``/``save``
        would link Leaflet from a CDN).

    Raises
    ------
    TypeError
        If ``filters`` is of an unsupported type.
    KeyError
        If the snapshot's parcels lack a column a filter needs.
    """
    f = as_filters(filters)
    projects = _project_table(store, snapshot)
    if f.project_ids:
        projects = projects[projects["project_id"].isin(f.project_ids)]
    parcels = apply_filters(snapshot.parcels, f)

    m = folium.Map(location=DEFAULT_CENTRE, zoom_start=11, tiles=None, control_scale=False,
                   prefer_canvas=False)
    m.add_child(_MetricScale())
    m.get_root().header.add_child(folium.Element(_CSS), name="gpmb_css")
    if tile_basemap:
        folium.TileLayer("OpenStreetMap", name="Nền OpenStreetMap (cần Internet)", overlay=True, show=False,
                         control=True).add_to(m)

    # 2. Communes (vector base layer) with permanent name labels.
    communes = store.communes()
    if not communes.empty:
        communes = communes.copy()
        name_col = "full_name" if "full_name" in communes else "name"
        communes["t"] = [_e(n) for n in communes[name_col]]
        folium.GeoJson(
            feature_collection(communes, ["t"], SIMPLIFY_M["communes"]),
            name="Ranh giới xã, phường (2025)",
            interactive=False,
            on_each_feature=_each_feature_js(
                f"{{color: '{COMMUNE_EDGE}', weight: 1.2, fillColor: '{COMMUNE_FILL}', fillOpacity: 0.55}}",
                tooltip="permanent", label_class="gpmb-commune-label"),
        ).add_to(m)

    # 3. Roads and railway.
    roads = store.roads()
    if not roads.empty:
        roads = roads.copy()
        names = roads["name"] if "name" in roads else pd.Series("", index=roads.index)
        refs = roads["ref"] if "ref" in roads else pd.Series("", index=roads.index)
        roads["t"] = [_e(n if isinstance(n, str) and n else r) for n, r in zip(names, refs)]
        roads["k"] = [1 if k == "railway" else 0 for k in (roads["kind"] if "kind" in roads else [""] * len(roads))]
        folium.GeoJson(
            feature_collection(roads, ["t", "k"], SIMPLIFY_M["roads"]),
            name="Đường giao thông, đường sắt",
            on_each_feature=_each_feature_js(
                f"(p.k ? {{color: '#212121', weight: 2, dashArray: '6 4'}} : {{color: '{ROAD_COLOUR}', weight: 3}})"),
        ).add_to(m)

    # 4. Clearance boundaries (chỉ giới GPMB).
    if not projects.empty:
        b = projects.copy()
        b["a"] = (b["geometry_status"] == "approximate").astype(int)
        b["t"] = [
            f"<b>Chỉ giới GPMB – {_e(row.get('short_name'))}</b><br>{_e(row.get('name'))}"
            + (f"<br><span class='note'>Gần đúng: {_e(row.get('geometry_note'))}</span>" if row["a"] else "")
            for _, row in b.iterrows()
        ]
        folium.GeoJson(
            feature_collection(b, ["t", "a"], SIMPLIFY_M["boundaries"]),
            name="Chỉ giới GPMB",
            on_each_feature=_each_feature_js(
                f"{{color: '{BOUNDARY_COLOUR}', weight: 2.5, fillOpacity: 0.04, fillColor: '{BOUNDARY_COLOUR}', "
                f"dashArray: (p.a ? '{APPROXIMATE_DASH}' : null)}}"),
        ).add_to(m)

    # 5. Centrelines and kilometre markers.
    centrelines = store.centrelines()
    if f.project_ids and not centrelines.empty:
        centrelines = centrelines[centrelines["project_id"].isin(f.project_ids)]
    if not centrelines.empty:
        group = folium.FeatureGroup(name="Tim tuyến, mốc lý trình")
        c = centrelines.copy()
        short = dict(zip(projects["project_id"], projects["short_name"]))
        status = c["geometry_status"] if "geometry_status" in c else pd.Series("surveyed", index=c.index)
        c["a"] = (status == "approximate").astype(int)
        c["t"] = [f"Tim tuyến {_e(short.get(pid, pid))}" + (" (gần đúng)" if a else "")
                  for pid, a in zip(c["project_id"], c["a"])]
        folium.GeoJson(
            feature_collection(c, ["t", "a"], SIMPLIFY_M["centrelines"]),
            on_each_feature=_each_feature_js(
                f"{{color: '{CENTRELINE_COLOUR}', weight: 2, dashArray: (p.a ? '10 8' : null)}}"),
        ).add_to(group)
        markers = []
        for _, row in c.iterrows():
            start = float(row.get("chainage_start_m") or 0.0)
            km = kilometre_markers(row.geometry, start, every_m=1000.0, crs=c.crs)
            km["t"] = [f"{_e(short.get(row['project_id'], row['project_id']))} {_e(lbl)}" for lbl in km["label"]]
            km["l"] = [int(abs(ch % km_label_every_m) < 1e-6) for ch in km["chainage_m"]]
            markers.append(km)
        if markers:
            km_all = gpd.GeoDataFrame(pd.concat(markers, ignore_index=True), crs=c.crs)
            labelled = km_all[km_all["l"] == 1].copy()
            labelled["t"] = labelled["label"].map(_e)
            plain = km_all[km_all["l"] == 0]
            for part, mode in ((plain, "hover_label"), (labelled, "permanent_right")):
                if part.empty:
                    continue
                folium.GeoJson(
                    feature_collection(part, ["t"]),
                    marker=folium.CircleMarker(radius=3, color=CENTRELINE_COLOUR, weight=1.5, fill=True,
                                               fill_color="#ffffff", fill_opacity=1.0),
                    on_each_feature=_each_feature_js(None, tooltip=mode, label_class="gpmb-km-label"),
                ).add_to(group)
        group.add_to(m)

    # 6. Parcels by stage, red outline when at risk.
    p = parcels.copy()
    if "at_risk" not in p:
        p["at_risk"] = False
    p["s"] = [STAGES.index(s) if s in STAGES else 0 for s in p.get("stage", pd.Series("not_started", index=p.index))]
    p["r"] = p["at_risk"].fillna(False).astype(bool).astype(int)
    p["t"] = _parcel_tooltips(p, projects if not projects.empty else _project_table(store, snapshot))
    colours = json.dumps([STAGE_COLOURS[s] for s in STAGES])
    folium.GeoJson(
        feature_collection(p, ["s", "r", "t"], SIMPLIFY_M["parcels"]),
        name="Thửa đất theo giai đoạn",
        on_each_feature=_each_feature_js(
            f"{{fillColor: {colours}[p.s], fillOpacity: 0.8, color: (p.r ? '{RISK_COLOUR}' : '#37474f'), "
            "weight: (p.r ? 2.5 : 0.7), opacity: 1}", hover=True),
    ).add_to(m)

    # 7. Risk dots at each at-risk parcel (visible at any zoom).
    risky = p[p["r"] == 1]
    if not risky.empty:
        dots = gpd.GeoDataFrame(risky[["t"]], geometry=risky.geometry.representative_point(), crs=p.crs)
        folium.GeoJson(
            feature_collection(dots, ["t"]),
            name="Thửa có rủi ro tiến độ",
            marker=folium.CircleMarker(radius=4, color="#ffffff", weight=1, fill=True, fill_color=RISK_COLOUR,
                                       fill_opacity=0.95),
            on_each_feature=_each_feature_js(None),
        ).add_to(m)

    # Title, legend, layer control, view.
    counts = p["stage"].value_counts().to_dict() if "stage" in p else {}
    has_approx = bool((projects["geometry_status"] == "approximate").any()) if not projects.empty else False
    illustrative = bool(p["illustrative"].fillna(False).any()) if "illustrative" in p else False
    title = (f"<b>Tiến độ GPMB tại ngày {fmt_date(snapshot.as_of)}</b><br>{fmt_number(len(p))} thửa đang hiển thị"
             + (" · <i>thửa đất minh họa</i>" if illustrative else ""))
    m.add_child(_Control(title, "topright", "gpmb-title"))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(_Control(_legend_html(counts, int(p["r"].sum()), has_approx), "bottomright", "gpmb-legend"))
    bounds = bounds_latlon(p) or bounds_latlon(projects) or (bounds_latlon(communes) if not communes.empty else None)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    return m
