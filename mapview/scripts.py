"""The JavaScript the map runs in the browser: per-feature styles and tooltips, the parcel tooltip.

Parcel tooltips are built in the browser from compact properties (:func:`mapview.parcels.parcel_properties`)
and the label tables of ``window.GPMB``, so each Vietnamese label is written once in the HTML, not once
per parcel. Leaflet puts tooltip text into ``innerHTML``: these scripts only join numbers, fixed markup
and texts already HTML-escaped in Python (``mapview.parcels``, ``mapview.context``), never raw data.
"""
from __future__ import annotations

import json

from folium.utilities import JsCode

#: ``bindTooltip`` call per tooltip mode; ``CLASS`` is replaced by the label's CSS class (JSON string).
_TOOLTIPS: dict[str | None, str] = {
    None: "",
    "parcel": ("layer.bindTooltip(function() { return window.GPMB.tip(p); }, "
               "{sticky: true, className: 'gpmb-tip'});"),
    "sticky": "if (p.t) { layer.bindTooltip(p.t, {sticky: true, className: 'gpmb-tip'}); }",
    "permanent": ("if (p.t) { layer.bindTooltip(p.t, {permanent: true, direction: 'center', "
                  "className: CLASS}); }"),
    "permanent_right": ("if (p.t) { layer.bindTooltip(p.t, {permanent: true, direction: 'right', offset: [6, 0], "
                        "className: CLASS}); }"),
    "hover_label": "if (p.t) { layer.bindTooltip(p.t, {direction: 'right', className: CLASS}); }",
}

_HOVER = ("layer.on('mouseover', function() { layer.setStyle({weight: 3, color: '#000000'}); "
          "if (layer.bringToFront) { layer.bringToFront(); } });\n"
          "layer.on('mouseout', function() { layer.setStyle(st); });")


def each_feature_js(style: str | None, tooltip: str | None = "sticky", label_class: str = "",
                    hover: bool = False) -> JsCode:
    """JavaScript ``onEachFeature(feature, layer)`` for a :class:`mapview.elements.DataLayer`.

    Parameters
    ----------
    style : str or None
        A JavaScript expression over the feature's properties ``p`` giving the Leaflet path style.
    tooltip : {"sticky", "parcel", "permanent", "permanent_right", "hover_label"} or None
        ``p.t`` as a sticky tooltip, the parcel tooltip (``window.GPMB.tip``), a permanent label (centred
        or to the right), a label on hover, or none.
    label_class : str
        CSS class of permanent and hover labels.
    hover : bool
        Outline the feature in black while the pointer is over it (needs ``style``).

    Raises
    ------
    KeyError
        If ``tooltip`` is not one of the modes above.
    """
    parts = ["function(feature, layer) {", "var p = feature.properties || {};"]
    if style:
        parts += [f"var st = {style};", "if (layer.setStyle) { layer.setStyle(st); }"]
    bind = _TOOLTIPS[tooltip].replace("CLASS", json.dumps(label_class))
    if bind:
        parts.append(bind)
    if hover and style:
        parts.append(_HOVER)
    parts.append("}")
    return JsCode("\n".join(parts))


#: JavaScript building a parcel tooltip from its compact properties and the lookup tables in
#: ``window.GPMB`` (``stages``, ``projects``, ``communes``, ``land_use``, ``flags``).
PARCEL_TOOLTIP_JS = """function(p) {
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
