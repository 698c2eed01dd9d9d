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
   red outline when the parcel is at risk and a red dot under it (seen at any zoom); hover for a
   tooltip. One canvas for all parcels (``mapview/static/gpmb/parcels.js``), fed with the compact
   payload of :mod:`mapview.parcel_layer`; ``layer.setState(mapview.map_state(...))`` restyles it in
   the browser after a date or filter change.
7. *Đơn thư chưa giải quyết*, *Hộ chưa nhận đủ tiền* – small circles at the parcels with an open letter and
   at those of households not paid in full (:mod:`mapview.people`), above the parcels but taking no pointer
   events (``mapview/static/gpmb/markers.js``); their parcel positions are in the parcel layer's state, so
   they follow its ``setState`` as well.

The steps live in modules with one job each: ``mapview.context`` (context layers as GeoJSON),
``mapview.parcels`` (parcel properties and lookup tables), ``mapview.parcel_layer`` and
``mapview.encode`` (the parcel layer's compact payload and per-date state), ``mapview.legend`` (title, legend),
``mapview.elements`` (folium elements), ``mapview.scripts`` (browser JavaScript), ``mapview.style``
(colours, CSS), ``mapview.cache`` (memo per data version); this module assembles them in layer order.

A title box (as-of date, number of parcels shown) and a Vietnamese legend (stages with counts, risk,
approximate geometry, base layers) are drawn inside the map, so the exported HTML carries them too.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd

from mapview.cache import StoreMemo
from mapview.context import boundaries_layer, centreline_layers, communes_layer, project_table, roads_layer
from mapview.elements import (
    DataLayer,
    FitWhenSized,
    HtmlControl,
    LookupTables,
    MarkerLayer,
    MetricScale,
    ParcelLayer,
)
from mapview.layers import bounds_latlon
from mapview.parcel_layer import parcel_payload, parcel_state, payload_parcels, shown_mask, state_markers
from mapview.people import MARKER_KINDS
from mapview.resettlement import add_resettlement_layer
from mapview.scripts import PARCEL_TOOLTIP_JS, each_feature_js
from mapview.style import (
    AGGREGATE_ABOVE,
    APPROXIMATE_CENTRELINE_DASH,
    APPROXIMATE_DASH,
    BOUNDARY_COLOUR,
    CENTRELINE_COLOUR,
    COMMUNE_EDGE,
    COMMUNE_FILL,
    DEFAULT_CENTRE,
    MAP_CSS,
    PARCEL_EDGE,
    PARCEL_FILL_OPACITY,
    RAILWAY_COLOUR,
    RISK_COLOUR,
    ROAD_COLOUR,
)
from mapview.viewport import page_payload, static_columns
from milestones.filters import Filters, apply_filters, as_filters

#: Name of the parcel layer in the layer control.
PARCEL_LAYER_NAME = "Thửa đất theo giai đoạn"

if TYPE_CHECKING:
    from milestones.people import PeopleFigures
    from milestones.snapshot import Snapshot
    from store.protocol import LayerReader


def _base_map(tile_basemap: bool) -> folium.Map:
    """An empty map with the metric scale bar, the page CSS and, if asked, the OpenStreetMap layer (off)."""
    m = folium.Map(location=DEFAULT_CENTRE, zoom_start=11, tiles=None, control_scale=False, prefer_canvas=False)
    m.add_child(MetricScale())
    m.get_root().header.add_child(folium.Element(MAP_CSS), name="gpmb_css")
    if tile_basemap:
        folium.TileLayer("OpenStreetMap", name="Nền OpenStreetMap (cần Internet)", overlay=True, show=False,
                         control=True).add_to(m)
    return m


def _add_communes(m: folium.Map, memo: StoreMemo) -> list | None:
    """Layer 2: commune polygons (the vector base map) with permanent name labels; returns their bounds."""
    communes_json, bounds = memo.get(("communes",), lambda: communes_layer(memo.store))
    if communes_json:
        DataLayer(
            communes_json,
            name="Ranh giới xã, phường (2025)",
            interactive=False,
            on_each_feature=each_feature_js(
                f"{{color: '{COMMUNE_EDGE}', weight: 1.2, fillColor: '{COMMUNE_FILL}', fillOpacity: 0.55}}",
                tooltip="permanent", label_class="gpmb-commune-label"),
        ).add_to(m)
    return bounds


def _add_roads(m: folium.Map, memo: StoreMemo) -> None:
    """Layer 3: roads (orange) and railway (dark dashes)."""
    roads_json = memo.get(("roads",), lambda: roads_layer(memo.store))
    if roads_json:
        DataLayer(
            roads_json,
            name="Đường giao thông, đường sắt",
            on_each_feature=each_feature_js(
                f"(p.k ? {{color: '{RAILWAY_COLOUR}', weight: 2, dashArray: '6 4'}} : "
                f"{{color: '{ROAD_COLOUR}', weight: 3}})"),
        ).add_to(m)


def _add_boundaries(m: folium.Map, memo: StoreMemo, projects: gpd.GeoDataFrame,
                    project_ids: tuple[str, ...]) -> None:
    """Layer 4: the clearance boundaries (chỉ giới GPMB) of the shown projects, dashed where approximate."""
    if projects.empty:
        return
    DataLayer(
        memo.get(("boundaries", project_ids), lambda: boundaries_layer(projects)),
        name="Chỉ giới GPMB",
        className="gpmb-boundary",
        on_each_feature=each_feature_js(
            f"{{color: '{BOUNDARY_COLOUR}', weight: 2.5, fillOpacity: 0.04, fillColor: '{BOUNDARY_COLOUR}', "
            f"dashArray: (p.a ? '{APPROXIMATE_DASH}' : null)}}"),
    ).add_to(m)


def _km_marker_layer(markers_json: str, tooltip: str) -> DataLayer:
    return DataLayer(
        markers_json,
        marker=folium.CircleMarker(radius=3, color=CENTRELINE_COLOUR, weight=1.5, fill=True,
                                   fill_color="#ffffff", fill_opacity=1.0),
        on_each_feature=each_feature_js(None, tooltip=tooltip, label_class="gpmb-km-label"),
    )


def _add_centrelines(m: folium.Map, memo: StoreMemo, projects: pd.DataFrame, project_ids: tuple[str, ...],
                     km_label_every_m: float) -> None:
    """Layer 5: centrelines (dashed where approximate) and a kilometre marker every 1 000 m, labelled
    permanently at multiples of ``km_label_every_m``, on hover otherwise."""
    layers = memo.get(("centrelines", project_ids, km_label_every_m),
                      lambda: centreline_layers(memo.store, projects, project_ids, km_label_every_m))
    if not layers.lines:
        return
    group = folium.FeatureGroup(name="Tim tuyến, mốc lý trình")
    DataLayer(
        layers.lines,
        on_each_feature=each_feature_js(
            f"{{color: '{CENTRELINE_COLOUR}', weight: 2, dashArray: (p.a ? '{APPROXIMATE_CENTRELINE_DASH}' : null)}}"),
    ).add_to(group)
    if layers.plain_markers:
        _km_marker_layer(layers.plain_markers, "hover_label").add_to(group)
    if layers.labelled_markers:
        _km_marker_layer(layers.labelled_markers, "permanent_right").add_to(group)
    group.add_to(m)


def _add_parcels(m: folium.Map, memo: StoreMemo, snapshot: Snapshot, projects: pd.DataFrame,
                 shown_projects: pd.DataFrame, filters: Filters, include_personal_data: bool,
                 markers: dict[str, list[int]] | None, aggregate_above: int = AGGREGATE_ABOVE,
                 viewport: bool = False, state: dict | None = None) -> tuple[dict, ParcelLayer]:
    """Layer 6: the canvas parcel layer (fill by stage, red outline and dot when at risk) and the lookup
    tables its tooltips use (built in the browser); returns its payload and the layer. ``state``: the
    layer's state when the caller holds it (else computed here with ``markers``)."""
    if viewport:   # no parcel in the page: each view asks for its own (mapview.viewport)
        parcels = payload_parcels(snapshot.parcels, filters.project_ids)
        columns, tables = static_columns(memo, parcels, projects, include_personal_data=include_personal_data)
        full = state if state is not None else parcel_state(parcels, shown_mask(parcels, filters), shown_projects,
                                                            snapshot.as_of, markers)
        payload = page_payload(columns, tables, full)
    else:
        payload = parcel_payload(memo, snapshot.parcels, projects, shown_projects, filters, snapshot.as_of,
                                 include_personal_data=include_personal_data, markers=markers, state=state)
    m.add_child(LookupTables({**payload["tables"], "flags": payload["state"]["flags"]}, PARCEL_TOOLTIP_JS))
    options = {"colours": payload["tables"]["colours"], "edge": PARCEL_EDGE, "risk": RISK_COLOUR,
               "fillOpacity": PARCEL_FILL_OPACITY, "aggregateAbove": int(aggregate_above), "viewport": viewport}
    layer = ParcelLayer(payload, options, PARCEL_LAYER_NAME)
    m.add_child(layer)
    return payload, layer


def _add_markers(m: folium.Map, parcels: ParcelLayer) -> None:
    """Layer 7: one marker layer per kind of :data:`mapview.people.MARKER_KINDS`, drawn from the parcel
    layer's state (so a date change in the browser moves them too)."""
    for kind, name, colour, offset in MARKER_KINDS:
        m.add_child(MarkerLayer(parcels, {"kind": kind, "colour": colour, "offset": offset}, name))


def _add_title_and_legend(m: folium.Map, state: dict) -> None:
    """The title box and the layer control (top right), the legend (bottom left, above the scale), from the parcel
    layer's state (so a restyle in the browser can replace them)."""
    m.add_child(HtmlControl(state["title"], "topright", "gpmb-title"))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(HtmlControl(state["legend"], "bottomleft", "gpmb-legend"))   # the layer control fills the right


def _fit_view(m: folium.Map, bounds: list | None) -> None:
    """Fit the map to ``bounds`` ([[south, west], [north, east]]) once it has a size (no animation, see
    :class:`mapview.elements.FitWhenSized`); keep the default centre when there is nothing to fit."""
    if bounds:
        m.add_child(FitWhenSized(bounds, padding_px=20))


def build_map(snapshot: Snapshot, store: LayerReader, filters: Filters | Mapping[str, Any] | None = None, *,
              tile_basemap: bool = True, km_label_every_m: float = 5000.0,
              include_personal_data: bool = False, people_markers: bool = True,
              people: PeopleFigures | None = None, aggregate_above: int = AGGREGATE_ABOVE,
              viewport: bool = False, state: dict | None = None) -> folium.Map:
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
    filters : milestones.filters.Filters or mapping or None
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
    people_markers : bool, default True
        The layers of parcels with an open complaint letter and of households not fully paid at the
        as-of date (:mod:`mapview.people`); their parcels are part of the parcel layer's state, so the
        dashboard's live map, which outlives date changes, gets the markers of each new date with it
        (:func:`mapview.parcel_layer.map_state` with the same ``people``).
    people : milestones.people.PeopleFigures, optional
        The people-side figures at the snapshot's date (cached by the dashboard); default: computed from
        ``store``'s registers (a reader without registers: only the parcels' open complaint events).
    aggregate_above : int, default :data:`mapview.style.AGGREGATE_ABOVE` (20 000)
        With more shown parcels than this in the view the browser draws one disc per commune (its share
        of shown parcels handed over, with a tooltip) instead of the parcels; zoomed in, the parcels.
    viewport : bool, default False
        Build the page without parcel geometry (the label tables, title and legend of the whole layer only):
        the map then posts each view it shows to its parent, which answers with that view's parcels
        (:func:`mapview.viewport.view_payload`). For the dashboard's live map above
        :data:`mapview.viewport.VIEWPORT_ABOVE` parcels; an exported page (no parent) keeps the default.
    state : dict, optional
        The parcel layer's state when the caller already holds it: :func:`mapview.parcel_layer.map_state` of
        the same snapshot, ``filters`` and markers (``people``; no ``markers`` entry without
        ``people_markers``), without extra keys. Then neither the state nor the markers are computed again
        (at 500 000 parcels they cost seconds of the map page's first paint); the page is the same.

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
    memo = StoreMemo(store)
    all_projects = memo.get(("projects",), lambda: project_table(store))
    projects = all_projects[all_projects["project_id"].isin(f.project_ids)] if f.project_ids else all_projects
    parcels = apply_filters(snapshot.parcels, f)

    m = _base_map(tile_basemap)
    communes_bounds = _add_communes(m, memo)
    _add_roads(m, memo)
    _add_boundaries(m, memo, projects, f.project_ids)
    _add_centrelines(m, memo, all_projects, f.project_ids, km_label_every_m)
    add_resettlement_layer(m, memo, all_projects, f.project_ids)   # layer «Khu tái định cư» (mapview.resettlement)
    markers = state_markers(snapshot, f, store, people) if people_markers and state is None else None
    payload, layer = _add_parcels(m, memo, snapshot, all_projects, projects, f, include_personal_data, markers,
                                  aggregate_above, viewport, state)
    if people_markers:
        _add_markers(m, layer)
    _add_title_and_legend(m, payload["state"])
    _fit_view(m, bounds_latlon(parcels) or bounds_latlon(projects) or communes_bounds)
    return m
