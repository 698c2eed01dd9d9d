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
6. *Thửa đất theo giai đoạn* – parcels filled with the stage colour (``vocab.labels.STAGE_COLOURS``),
   red outline when the parcel is at risk; hover for a tooltip.
7. *Thửa có rủi ro tiến độ* – a red dot on every at-risk parcel, visible at any zoom.

A title box (as-of date, number of parcels shown) and a Vietnamese legend (stages with counts, risk,
approximate geometry, base layers) are drawn inside the map, so the exported HTML carries them too.
"""
from __future__ import annotations

import html
import json
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.map import FitBounds
from folium.utilities import JsCode
from jinja2 import Template

from domain.stages import STAGES
from gis.chainage import format_chainage, kilometre_markers
from mapview.layers import (
    assemble_feature_collection,
    bounds_latlon,
    feature_collection_json,
    geometry_json,
    properties_json,
)
from milestones.filters import Filters, apply_filters, as_filters
from vocab.format import fmt_date, fmt_number
from vocab.labels import STAGE_COLOURS, STAGE_LABELS_VI

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
.gpmb-tip { font-size: 12px; line-height: 1.35; white-space: normal; width: max-content; max-width: 380px; }
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


class _Raw(Element):
    """Already-rendered text, inserted as is (branca would compile it as a Jinja template again)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _DataLayer(folium.GeoJson):
    """``folium.GeoJson`` fed with GeoJSON **text**, whose rendered script is inserted verbatim.

    * The text (built in C by :func:`mapview.layers.feature_collection_json`) is spliced into folium's
      script in place of a placeholder, skipping a ``json.loads``/``json.dumps`` round trip of megabytes.
    * branca's ``MacroElement.render`` would wrap the script in ``Element(output)``, compiling the whole
      output – GeoJSON included – as a Jinja template: slow (≈0.2 s per MB) and fragile (a ``{{`` in a
      name would be read as template syntax).

    Only for layers without ``style_function``/``highlight_function`` (styles come from
    ``on_each_feature``).
    """

    def __init__(self, data_json: str, **kwargs: Any) -> None:
        self._token = f"gpmb-{uuid.uuid4().hex}"
        super().__init__({"gpmb": self._token}, **kwargs)
        # "<" only occurs inside JSON strings: escaping it keeps "</script>" out of the page.
        self._data_json = data_json.replace("<", "\\u003c")

    def geojson(self) -> dict:
        """The layer's data as a dict (for tests and inspection)."""
        return json.loads(self._data_json)

    def render(self, **kwargs) -> None:
        from folium.map import ElementAddToElement
        from folium.utilities import get_obj_in_upper_tree

        if self.style or self.highlight:
            raise ValueError("_DataLayer does not support style_function/highlight_function")
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("A map layer can only be rendered inside a folium Figure")
        script = str(self._template.module.__dict__["script"](self, kwargs))
        placeholder = json.dumps({"gpmb": self._token})
        if script.count(placeholder) != 1:
            raise RuntimeError("folium's GeoJson template changed: data placeholder not found once")
        figure.script.add_child(_Raw(script.replace(placeholder, self._data_json)), name=self.get_name())
        if self.show:  # what folium.map.Layer.render does
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        for element in self._children.values():
            element.render(**kwargs)


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
    if tooltip == "parcel":
        parts.append("layer.bindTooltip(function() { return window.GPMB.tip(p); }, "
                     "{sticky: true, className: 'gpmb-tip'});")
    elif tooltip == "sticky":
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


def _road_name(name: Any, ref: Any) -> str:
    """Road tooltip: the name, else the reference (QL4B), else "Đường chưa rõ tên" (source "Không biết")."""
    for v in (name, ref):
        if isinstance(v, str) and v.strip() and v.strip().lower() != "không biết":
            return v.strip()
    return "Đường chưa rõ tên"


def route_prefix(short_name: Any, project_id: str) -> str:
    """Short route name for kilometre labels: the first word if it is a road number (``QL4B``), else the
    first two words (``Cao tốc``); the project id when there is no short name."""
    if not isinstance(short_name, str) or not short_name.strip():
        return str(project_id)
    words = short_name.split()
    return words[0] if any(ch.isdigit() for ch in words[0]) else " ".join(words[:2])


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _project_table(store: Any, snapshot: Any) -> gpd.GeoDataFrame:
    projects = store.projects()
    if "geometry_status" not in projects:
        projects["geometry_status"] = "surveyed"
    if "short_name" not in projects:
        projects["short_name"] = projects.get("name", projects["project_id"])
    return projects


#: JavaScript building a parcel tooltip from its compact properties and the lookup tables in
#: ``window.GPMB`` (so each Vietnamese label is written once in the HTML, not once per parcel).
_TIP_JS = """function(p) {
  var L = window.GPMB, c = L.communes[p.c] || ["", ""];
  var where = (c[1] && c[1] !== c[0]) ? c[1] + " (nay " + c[0] + ")" : c[0];
  var h = "<b>Tờ " + p.m + ", thửa " + p.n + "</b> – " + where;
  if (p.o) { h += "<br>Người sử dụng đất: " + p.o; }
  h += "<br>Dự án: " + L.projects[p.p];
  h += "<br>Loại đất: " + p.u + (L.land_use[p.u] ? " – " + L.land_use[p.u] : "");
  h += "<br>Diện tích thu hồi: " + p.a + " m²" + (p.A ? " / thửa " + p.A + " m²" : "");
  if (p.k) { h += "<br>Lý trình: " + p.k; }
  h += "<br>Giai đoạn: <b>" + L.stages[p.s] + "</b>" + (p.d ? " (từ " + p.d + ")" : "");
  if (p.f && p.f.length) {
    h += "<br><span class='risk'>⚠ " + p.f.map(function(i) { return L.flags[i]; }).join("; ") + "</span>";
  }
  var notes = [];
  if (p.x & 1) { notes.push("thửa minh họa"); }
  if (p.x & 2) { notes.push("vị trí gần đúng theo hướng tuyến dự kiến"); }
  if (notes.length) {
    var t = notes.join("; ");
    h += "<br><span class='note'>" + t.charAt(0).toUpperCase() + t.slice(1) + "</span>";
  }
  return h;
}"""


class _Lookup(MacroElement):
    """``window.GPMB``: lookup tables (stage, project, commune, land-use and flag labels) and the tooltip
    builder, defined before the layers that use them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.GPMB = {{ this.tables|tojson }};
        window.GPMB.tip = {{ this.tip_js }};
        {% endmacro %}
        """
    )

    def __init__(self, tables: dict) -> None:
        super().__init__()
        self._name = "GpmbLookup"
        self.tables = tables
        self.tip_js = _TIP_JS


def _vi_int(values: pd.Series) -> list[str | None]:
    """Areas in m² as ``1.234`` (rounded to the metre), None when missing."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(numbers)
    rounded = np.rint(np.where(missing, 0.0, numbers)).astype(np.int64).tolist()
    return [None if miss else f"{v:,}".replace(",", ".") for v, miss in zip(rounded, missing)]


def parcel_properties(parcels: gpd.GeoDataFrame, projects: pd.DataFrame, *,
                      include_personal_data: bool = False) -> tuple[pd.DataFrame, dict]:
    """Compact per-parcel properties for the map and the lookup tables they index.

    Parameters
    ----------
    parcels : GeoDataFrame
        Snapshot parcels (see :func:`build_map`).
    projects : DataFrame
        ``project_id``, ``short_name``, ``geometry_status``.
    include_personal_data : bool, default False
        Add ``o``, the ``owner_name`` (personal data, HTML-escaped; None when missing). Without it
        no owner name is written into the map at all.

    Returns
    -------
    props : DataFrame, same index as ``parcels``
        ``s`` stage rank (index in ``STAGES``), ``r`` 1 if at risk, ``p`` project index, ``c`` commune
        index (pair 2025 commune, former commune), ``m`` map sheet, ``n`` parcel number, ``u`` land-use
        code, ``a`` / ``A`` area to recover / parcel area in m² as text ``1.234``, ``k`` chainage
        ``Km3+700`` or None, ``d`` stage date ``dd/mm/yyyy`` or None, ``f`` list of flag indices,
        ``x`` bit mask (1 illustrative, 2 approximate project geometry); ``o`` owner name only with
        ``include_personal_data``. All text is HTML-escaped.
    tables : dict
        ``stages``, ``projects``, ``communes`` ([2025 name, former name]), ``land_use`` (code → name),
        ``flags`` (labels) — what the indices refer to.
    """
    from vocab.labels import LAND_USE_LABELS_VI, risk_flag_label

    n = len(parcels)
    idx = parcels.index
    props = pd.DataFrame(index=idx)
    stage = parcels["stage"] if "stage" in parcels else pd.Series("not_started", index=idx)
    rank_of = {st: i for i, st in enumerate(STAGES)}
    props["s"] = [rank_of.get(s, 0) for s in stage.tolist()]
    at_risk = parcels["at_risk"] if "at_risk" in parcels else pd.Series(False, index=idx)
    props["r"] = at_risk.fillna(False).astype(bool).astype(int)

    project_ids = list(projects["project_id"])
    short = dict(zip(projects["project_id"], projects["short_name"]))
    extra = [p for p in pd.unique(parcels["project_id"]) if p not in short]
    project_ids += extra
    position = {p: i for i, p in reversed(list(enumerate(project_ids)))}    # first position, as list.index
    props["p"] = [position[p] for p in parcels["project_id"].tolist()] if n else []

    new = parcels["commune"].fillna("").astype(str)
    old = (parcels["commune_former"] if "commune_former" in parcels else pd.Series("", index=idx)).fillna("").astype(str)
    codes, uniques = pd.factorize(new + "\x1f" + old)
    props["c"] = codes
    communes = [[html.escape(a) for a in u.split("\x1f")] for u in uniques]

    # Python lists first: iterating a pandas (Arrow) column element by element is slow.
    props["m"] = [None if pd.isna(v) else int(v) for v in parcels["map_sheet"].tolist()]
    props["n"] = [None if pd.isna(v) else int(v) for v in parcels["parcel_number"].tolist()]
    props["u"] = [html.escape(str(v)) if isinstance(v, str) else "" for v in parcels["land_use"].tolist()]
    props["a"] = _vi_int(parcels["area_to_recover_m2"])
    props["A"] = _vi_int(parcels["parcel_area_m2"]) if "parcel_area_m2" in parcels else None
    chainage = parcels["chainage_m"] if "chainage_m" in parcels else pd.Series(float("nan"), index=idx)
    props["k"] = [None if pd.isna(v) else format_chainage(float(v)) for v in chainage.tolist()]
    dates = pd.to_datetime(parcels["stage_date"], errors="coerce") if "stage_date" in parcels \
        else pd.Series(pd.NaT, index=idx)
    props["d"] = [None if pd.isna(d) else t for d, t in zip(dates.tolist(), dates.dt.strftime("%d/%m/%Y").tolist())]

    flag_codes: list[str] = []
    flag_labels: list[str] = []
    given = parcels["risk_labels"].tolist() if "risk_labels" in parcels else None
    flags_col = parcels["risk_flags"].tolist() if "risk_flags" in parcels else [[]] * n
    f_idx = []
    for pos, codes_i in enumerate(flags_col):
        if codes_i is None or isinstance(codes_i, float) or len(codes_i) == 0:
            f_idx.append([])
            continue
        labels_i = given[pos] if given is not None else None
        row = []
        for j, code in enumerate(codes_i):
            if code not in flag_codes:
                flag_codes.append(code)
                label = (labels_i[j] if labels_i is not None and not isinstance(labels_i, float)
                         and len(labels_i) == len(codes_i) else risk_flag_label(code))
                flag_labels.append(html.escape(str(label)))
            row.append(flag_codes.index(code))
        f_idx.append(row)
    props["f"] = f_idx

    approx = set(projects.loc[projects["geometry_status"] == "approximate", "project_id"])
    illustrative = parcels["illustrative"].fillna(False).astype(bool) if "illustrative" in parcels \
        else pd.Series(False, index=idx)
    props["x"] = illustrative.astype(int) + 2 * parcels["project_id"].isin(approx).astype(int)
    if include_personal_data:
        owners = parcels["owner_name"] if "owner_name" in parcels else pd.Series(None, index=idx, dtype=object)
        props["o"] = [html.escape(v.strip()) if isinstance(v, str) and v.strip() else None for v in owners]

    tables = {
        "stages": [html.escape(STAGE_LABELS_VI[s]) for s in STAGES],
        "colours": [STAGE_COLOURS[s] for s in STAGES],
        "projects": [html.escape(str(short.get(p, p))) for p in project_ids],
        "communes": communes,
        "land_use": {k: html.escape(v) for k, v in LAND_USE_LABELS_VI.items()},
        "flags": flag_labels,
    }
    return props, tables


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


# --------------------------------------------------------------------------- static layers, cached
#: Layers that do not depend on the as-of date (communes, roads, boundaries, centrelines, parcel
#: geometries) are converted once per store object and data version; the dashboard then only redoes
#: the parcel properties when the date or the filters change.
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 24


def _version_key(store: Any) -> str | None:
    try:
        version = store.data_version()
    except Exception:  # noqa: BLE001 - no version, no caching
        return None
    return repr(sorted(dict(version).items(), key=lambda kv: str(kv[0]))) if version else None


def _memo(store: Any, version: str | None, key: tuple, compute):
    if version is None:
        return compute()
    try:
        ref = weakref.ref(store)
    except TypeError:
        return compute()
    cache_key = (id(store), version, key)
    hit = _CACHE.get(cache_key)
    if hit is not None and hit[0]() is store:
        _CACHE.move_to_end(cache_key)
        return hit[1]
    value = compute()
    _CACHE[cache_key] = (ref, value)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def _communes_layer(store: Any) -> tuple[str | None, list | None]:
    communes = store.communes()
    if communes.empty:
        return None, None
    communes = communes.copy()
    name_col = "full_name" if "full_name" in communes else "name"
    communes["t"] = [_e(n) for n in communes[name_col]]
    return feature_collection_json(communes, ["t"], SIMPLIFY_M["communes"]), bounds_latlon(communes)


def _roads_layer(store: Any) -> str | None:
    roads = store.roads()
    if roads.empty:
        return None
    roads = roads.copy()
    names = roads["name"] if "name" in roads else pd.Series("", index=roads.index)
    refs = roads["ref"] if "ref" in roads else pd.Series("", index=roads.index)
    roads["t"] = [_e(_road_name(n, r)) for n, r in zip(names, refs)]
    kinds = roads["kind"] if "kind" in roads else pd.Series("", index=roads.index)
    roads["k"] = [1 if k == "railway" else 0 for k in kinds]
    return feature_collection_json(roads, ["t", "k"], SIMPLIFY_M["roads"])


def _boundaries_layer(projects: gpd.GeoDataFrame) -> str:
    b = projects.copy()
    b["a"] = (b["geometry_status"] == "approximate").astype(int)
    b["t"] = [
        f"<b>Chỉ giới GPMB – {_e(row.get('short_name'))}</b><br>{_e(row.get('name'))}"
        + (f"<br><span class='note'>Gần đúng: {_e(row.get('geometry_note'))}</span>" if row["a"] else "")
        for _, row in b.iterrows()
    ]
    return feature_collection_json(b, ["t", "a"], SIMPLIFY_M["boundaries"])


def _centreline_layers(store: Any, projects: pd.DataFrame, project_ids: tuple[str, ...],
                       km_label_every_m: float) -> tuple[str | None, str | None, str | None]:
    """(centrelines, unlabelled km markers, labelled km markers) as GeoJSON texts."""
    centrelines = store.centrelines()
    if project_ids and not centrelines.empty:
        centrelines = centrelines[centrelines["project_id"].isin(project_ids)]
    if centrelines.empty:
        return None, None, None
    c = centrelines.copy()
    short = dict(zip(projects["project_id"], projects["short_name"]))
    status = c["geometry_status"] if "geometry_status" in c else pd.Series("surveyed", index=c.index)
    c["a"] = (status == "approximate").astype(int)
    c["t"] = [f"Tim tuyến {_e(short.get(pid, pid))}" + (" (gần đúng)" if a else "")
              for pid, a in zip(c["project_id"], c["a"])]
    markers = []
    for _, row in c.iterrows():
        start = row.get("chainage_start_m")
        start = 0.0 if start is None or pd.isna(start) else float(start)
        km = kilometre_markers(row.geometry, start, every_m=1000.0, crs=c.crs)
        prefix = route_prefix(short.get(row["project_id"]), row["project_id"])
        km["t"] = [f"{_e(prefix)} {_e(lbl)}" for lbl in km["label"]]
        km["l"] = [int(abs(ch % km_label_every_m) < 1e-6) for ch in km["chainage_m"]]
        markers.append(km)
    km_all = gpd.GeoDataFrame(pd.concat(markers, ignore_index=True), crs=c.crs)
    plain = km_all[km_all["l"] == 0]
    labelled = km_all[km_all["l"] == 1]
    return (feature_collection_json(c, ["t", "a"], SIMPLIFY_M["centrelines"]),
            feature_collection_json(plain, ["t"]) if not plain.empty else None,
            feature_collection_json(labelled, ["t"]) if not labelled.empty else None)


def _geometry_texts(parcels: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"polygon": geometry_json(parcels.geometry, SIMPLIFY_M["parcels"]),
         "point": geometry_json(parcels.geometry.representative_point())},
        index=parcels["parcel_id"].to_numpy(),
    )


def _parcel_geometries(store: Any, version: str | None, all_parcels: gpd.GeoDataFrame,
                       shown: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """GeoJSON geometry texts (``polygon``, representative ``point``) of the ``shown`` parcels, in their
    order; the conversion of all snapshot parcels is cached per store and data version."""
    if shown.empty:
        return {"polygon": np.array([], dtype=object), "point": np.array([], dtype=object)}
    table = _memo(store, version, ("parcel_geometries", len(all_parcels)), lambda: _geometry_texts(all_parcels))
    ids = shown["parcel_id"].to_numpy()
    if table.index.has_duplicates or not pd.Index(ids).isin(table.index).all():
        table = _geometry_texts(shown)  # parcel ids not unique or not in the cache: convert directly
        return {"polygon": table["polygon"].to_numpy(), "point": table["point"].to_numpy()}
    rows = table.loc[ids]
    return {"polygon": rows["polygon"].to_numpy(), "point": rows["point"].to_numpy()}


def build_map(snapshot: Any, store: Any, filters: Filters | Mapping[str, Any] | None = None, *,
              tile_basemap: bool = True, km_label_every_m: float = 5000.0,
              include_personal_data: bool = False) -> folium.Map:
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
    include_personal_data : bool, default False
        Show each parcel's ``owner_name`` (personal data) in its tooltip ("Người sử dụng đất"). The
        dashboard never sets it; an export sets it only when the user asked for personal data. When
        False no owner name is written into the page at all.

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
    version = _version_key(store)
    all_projects = _memo(store, version, ("projects",), lambda: _project_table(store, snapshot))
    projects = all_projects[all_projects["project_id"].isin(f.project_ids)] if f.project_ids else all_projects
    parcels = apply_filters(snapshot.parcels, f)

    m = folium.Map(location=DEFAULT_CENTRE, zoom_start=11, tiles=None, control_scale=False,
                   prefer_canvas=False)
    m.add_child(_MetricScale())
    m.get_root().header.add_child(folium.Element(_CSS), name="gpmb_css")
    if tile_basemap:
        folium.TileLayer("OpenStreetMap", name="Nền OpenStreetMap (cần Internet)", overlay=True, show=False,
                         control=True).add_to(m)

    # 2. Communes (vector base layer) with permanent name labels.
    communes_json, communes_bounds = _memo(store, version, ("communes",), lambda: _communes_layer(store))
    if communes_json:
        _DataLayer(
            communes_json,
            name="Ranh giới xã, phường (2025)",
            interactive=False,
            on_each_feature=_each_feature_js(
                f"{{color: '{COMMUNE_EDGE}', weight: 1.2, fillColor: '{COMMUNE_FILL}', fillOpacity: 0.55}}",
                tooltip="permanent", label_class="gpmb-commune-label"),
        ).add_to(m)

    # 3. Roads and railway.
    roads_json = _memo(store, version, ("roads",), lambda: _roads_layer(store))
    if roads_json:
        _DataLayer(
            roads_json,
            name="Đường giao thông, đường sắt",
            on_each_feature=_each_feature_js(
                f"(p.k ? {{color: '#212121', weight: 2, dashArray: '6 4'}} : {{color: '{ROAD_COLOUR}', weight: 3}})"),
        ).add_to(m)

    # 4. Clearance boundaries (chỉ giới GPMB).
    if not projects.empty:
        _DataLayer(
            _memo(store, version, ("boundaries", f.project_ids), lambda: _boundaries_layer(projects)),
            name="Chỉ giới GPMB",
            on_each_feature=_each_feature_js(
                f"{{color: '{BOUNDARY_COLOUR}', weight: 2.5, fillOpacity: 0.04, fillColor: '{BOUNDARY_COLOUR}', "
                f"dashArray: (p.a ? '{APPROXIMATE_DASH}' : null)}}"),
        ).add_to(m)

    # 5. Centrelines and kilometre markers.
    lines_json, plain_json, labelled_json = _memo(
        store, version, ("centrelines", f.project_ids, km_label_every_m),
        lambda: _centreline_layers(store, all_projects, f.project_ids, km_label_every_m))
    if lines_json:
        group = folium.FeatureGroup(name="Tim tuyến, mốc lý trình")
        _DataLayer(
            lines_json,
            on_each_feature=_each_feature_js(
                f"{{color: '{CENTRELINE_COLOUR}', weight: 2, dashArray: (p.a ? '10 8' : null)}}"),
        ).add_to(group)
        for part, mode in ((plain_json, "hover_label"), (labelled_json, "permanent_right")):
            if part:
                _DataLayer(
                    part,
                    marker=folium.CircleMarker(radius=3, color=CENTRELINE_COLOUR, weight=1.5, fill=True,
                                               fill_color="#ffffff", fill_opacity=1.0),
                    on_each_feature=_each_feature_js(None, tooltip=mode, label_class="gpmb-km-label"),
                ).add_to(group)
        group.add_to(m)

    # 6. Parcels by stage, red outline when at risk; tooltips built in the browser from compact properties.
    p = parcels
    props, tables = parcel_properties(p, all_projects, include_personal_data=include_personal_data)
    m.add_child(_Lookup(tables))
    cols = list(props.columns)
    geoms = _parcel_geometries(store, version, snapshot.parcels, p)
    prop_texts = properties_json(props, cols)
    # 7. Risk dots at each at-risk parcel, drawn *under* the parcels: at low zoom the dot sticks out of
    #    the tiny polygon; zoomed in, the polygon (red outline) covers it.
    risky = (props["r"] == 1).to_numpy()
    if risky.any():
        _DataLayer(
            assemble_feature_collection((t for t, r in zip(prop_texts, risky) if r), geoms["point"][risky]),
            name="Thửa có rủi ro tiến độ",
            marker=folium.CircleMarker(radius=3.5, color="#ffffff", weight=0.8, fill=True, fill_color=RISK_COLOUR,
                                       fill_opacity=0.95),
            on_each_feature=_each_feature_js(None, tooltip="parcel"),
        ).add_to(m)

    _DataLayer(
        assemble_feature_collection(prop_texts, geoms["polygon"]),
        name="Thửa đất theo giai đoạn",
        on_each_feature=_each_feature_js(
            f"{{fillColor: window.GPMB.colours[p.s], fillOpacity: 0.8, color: (p.r ? '{RISK_COLOUR}' : '#37474f'), "
            "weight: (p.r ? 2.5 : 0.7), opacity: 1}", tooltip="parcel", hover=True),
    ).add_to(m)

    # Title, legend, layer control, view.
    counts = p["stage"].value_counts().to_dict() if "stage" in p else {}
    n_risk = int(props["r"].sum())
    has_approx = bool((projects["geometry_status"] == "approximate").any()) if not projects.empty else False
    illustrative = bool(p["illustrative"].fillna(False).any()) if "illustrative" in p else False
    title = (f"<b>Tiến độ GPMB tại ngày {fmt_date(snapshot.as_of)}</b><br>{fmt_number(len(p))} thửa đang hiển thị"
             + (" · <i>thửa đất minh họa</i>" if illustrative else ""))
    m.add_child(_Control(title, "topright", "gpmb-title"))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(_Control(_legend_html(counts, n_risk, has_approx), "bottomright", "gpmb-legend"))
    bounds = bounds_latlon(p) or bounds_latlon(projects) or communes_bounds
    if bounds:
        # No zoom animation on load: Leaflet animates a fitBounds of up to 4 zoom levels, and while it runs
        # (longer on a busy machine) it silently ignores any other setView, e.g. a user's first zoom.
        fit = FitBounds(bounds, padding=(20, 20))
        fit.options["animate"] = False
        m.add_child(fit)
    return m
