"""Offline preview map of layers about to be imported (cadastral parcels, boundary, alignment).

Used by the import page before anything is committed: plain outlines, no tiles, no CDN. Everything
in it may come from the uploaded file (parcel numbers, land-use codes, file and zip member names in
``row``, rejection reasons quoting values), and folium's tooltip and layer control put their text into
``innerHTML``: every value and layer name is HTML-escaped here. Show it through
:func:`mapview.sandbox.sandboxed_document`.
"""
from __future__ import annotations

import html

import folium
import geopandas as gpd

from gis.crs import to_wgs84
from mapview.elements import FitWhenSized
from mapview.layers import bounds_latlon
from mapview.offline import standalone_html
from vocab.format import fmt_number

#: Attribute columns shown in the preview tooltips, when present.
PREVIEW_FIELDS: tuple[str, ...] = ("parcel_id", "parcel_number", "land_use", "area_to_recover_m2", "row", "reason")


def preview_map_html(layers: list[tuple[str, gpd.GeoDataFrame | None, str]]) -> str:
    """One self-contained HTML page showing each ``(name, layer, colour)`` as a toggleable outline layer.

    Parameters
    ----------
    layers : list of (str, GeoDataFrame or None, str)
        Layer name (Vietnamese, shown in the layer control), the layer in any CRS (EPSG:9215 from the
        importer), and a CSS colour. Empty or missing layers and empty geometries are skipped. Tooltips
        show :data:`PREVIEW_FIELDS`; areas (``*_m2``) with Vietnamese separators (``1.234,5``). Names
        and values are plain text (HTML-escaped here).

    Returns
    -------
    str
        HTML with Leaflet inlined (:func:`mapview.offline.standalone_html`), fitted to all layers.

    Raises
    ------
    ValueError
        If a non-empty layer has no CRS (from :func:`gis.crs.to_wgs84`).
    """
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    boxes = []
    for name, gdf, colour in layers:
        if gdf is None or gdf.empty:
            continue
        shown = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        if shown.empty:
            continue
        wgs = to_wgs84(shown)
        keep = [c for c in PREVIEW_FIELDS if c in wgs.columns]
        wgs = wgs[keep + [wgs.geometry.name]].copy()
        for c in keep:
            wgs[c] = [html.escape(fmt_number(v, 1) if c.endswith("_m2") else str(v)) for v in wgs[c]]
        folium.GeoJson(
            wgs.__geo_interface__, name=html.escape(name),
            style_function=lambda _f, colour=colour: {"color": colour, "weight": 1.5, "fillOpacity": 0.25},
            tooltip=folium.GeoJsonTooltip(fields=keep) if keep else None,
        ).add_to(m)
        boxes.append(bounds_latlon(wgs))
    boxes = [b for b in boxes if b]
    if boxes:
        m.add_child(FitWhenSized([[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
                                  [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]))
    folium.LayerControl(collapsed=False).add_to(m)
    return standalone_html(m)
