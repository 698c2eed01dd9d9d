"""The blocking parcels of one milestone on the progress map: highlighted and numbered in rank order.

``blockers_map(snapshot, store, milestone_id)`` is the project's progress map (:func:`mapview.build_map`
limited to the milestone's project) with one more layer on top, *Thửa điểm nghẽn*: each blocking parcel
outlined in thick red with its rank (1 = first to close the gap) in a red circle at its centre. Render it
with :func:`mapview.standalone_html` and show it in :func:`mapview.sandboxed_document`.
"""
from __future__ import annotations

import html
from typing import Any

import folium
import pandas as pd

from mapview.build import build_map
from milestones.filters import Filters
from vocab.format import fmt_number
from vocab.labels import next_action_label, stage_label

#: Ranks numbered on the map (the first ones: past them the labels would cover the parcels).
NUMBERED_MAX = 300
HIGHLIGHT = "#d50000"
#: Leaflet pane of the blocking parcels' outlines.
BLOCKERS_PANE = "gpmbBlockers"


def _label_html(rank: int) -> str:
    return (f"<div style='background:{HIGHLIGHT};color:#fff;border-radius:11px;min-width:22px;height:22px;"
            f"line-height:22px;text-align:center;font:600 11px sans-serif;border:1px solid #fff'>{rank}</div>")


def blockers_layer(parcels: Any, blockers: pd.DataFrame) -> folium.FeatureGroup:
    """The layer *Thửa điểm nghẽn*.

    Parameters
    ----------
    parcels : GeoDataFrame
        ``Snapshot.parcels`` (any CRS; ``parcel_id``, geometry).
    blockers : DataFrame
        One milestone's rows of ``Snapshot.blockers`` in rank order (``rank``, ``parcel_id``, ``stage``,
        ``next_action``, ``area_to_recover_m2``).

    Returns
    -------
    folium.FeatureGroup
        Outlines of the blocking parcels (WGS 84, in the map pane :data:`BLOCKERS_PANE`, which the map
        must have) and, for the first :data:`NUMBERED_MAX` ranks, a number
        marker with a tooltip (rank, parcel, stage, next action).
    """
    group = folium.FeatureGroup(name="Thửa điểm nghẽn (đánh số theo thứ tự ưu tiên)", show=True)
    shapes = parcels[parcels["parcel_id"].isin(set(blockers["parcel_id"]))][["parcel_id", "geometry"]]
    if shapes.empty:
        return group
    shapes = shapes.to_crs(4326)
    # Their own pane (:func:`blockers_map` creates it) above the parcel canvas, which sits above the
    # overlay pane's SVG layers.
    folium.GeoJson(shapes.to_json(), pane=BLOCKERS_PANE, style_function=lambda _: {
        "color": HIGHLIGHT, "weight": 3, "fillColor": HIGHLIGHT, "fillOpacity": 0.15}).add_to(group)
    centres = dict(zip(shapes["parcel_id"], shapes.geometry.representative_point()))
    for r in blockers.head(NUMBERED_MAX).to_dict("records"):
        point = centres.get(r["parcel_id"])
        if point is None:
            continue
        tip = (f"{int(r['rank'])}. {html.escape(str(r['parcel_id']))} · {stage_label(r['stage'])} · "
               f"{fmt_number(r['area_to_recover_m2'], 1)} m² → {next_action_label(r['next_action'])}")
        folium.Marker([point.y, point.x], icon=folium.DivIcon(html=_label_html(int(r["rank"])),
                                                             icon_size=(24, 24), icon_anchor=(12, 12)),
                      tooltip=tip).add_to(group)
    return group


def blockers_map(snapshot: Any, store: Any, milestone_id: str) -> folium.Map:
    """The progress map of the milestone's project with :func:`blockers_layer` on top.

    Raises
    ------
    KeyError
        If ``milestone_id`` has no blocking set in ``snapshot.blockers`` (reached, or unknown).
    """
    rows = snapshot.blockers[snapshot.blockers["milestone_id"] == milestone_id]
    if rows.empty:
        raise KeyError(milestone_id)
    m = build_map(snapshot, store, Filters(project_ids=(str(rows["project_id"].iloc[0]),)))
    # The layer control's script names every layer drawn before it: move it after the new layer.
    controls = [(key, child) for key, child in m._children.items() if isinstance(child, folium.LayerControl)]
    for key, _ in controls:
        del m._children[key]
    folium.map.CustomPane(BLOCKERS_PANE, z_index=450, pointer_events=False).add_to(m)
    blockers_layer(snapshot.parcels, rows).add_to(m)
    for key, child in controls:
        m.add_child(child, name=key)
    return m


__all__ = ["blockers_layer", "blockers_map"]
