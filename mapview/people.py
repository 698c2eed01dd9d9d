"""Map layers of the people side: markers on parcels with an open letter and on parcels of households not
paid in full (issue 12).

Both are computed at the snapshot's as-of date: an open letter (:func:`milestones.complaints.open_letter_parcels`,
or a ``complaint`` event still open, the parcels' ``complaint_open``); a household whose approved plan is not
paid in full (:mod:`milestones.payments`, via :func:`milestones.people.people_figures`) marks its parcels that
are not handed over. Tooltips carry the parcel key only (escaped), never a name. The layers go under the
parcels (as the risk dots): zoomed out the marker sticks out of the small polygon, zoomed in the polygon and its
own tooltip are on top.
"""
from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from mapview.elements import DataLayer
from mapview.layers import assemble_feature_collection, geometry_json, properties_json
from vocab.escape import html_text

COMPLAINT_COLOUR = "#6a1b9a"
UNPAID_COLOUR = "#ef6c00"


def people_marker_parcels(snapshot, store, parcels: pd.DataFrame) -> tuple[set[str], set[str]]:
    """(parcels with an open letter, parcels of unpaid households not handed over) among ``parcels``."""
    from milestones.complaints import open_letter_parcels
    from milestones.people import people_figures

    shown = set(parcels["parcel_id"])
    complaints = set(parcels.loc[parcels["complaint_open"].fillna(False).astype(bool), "parcel_id"]) \
        if "complaint_open" in parcels else set()
    if not hasattr(store, "register"):
        return complaints & shown, set()
    complaints |= open_letter_parcels(store.register("complaints"), snapshot.parcels, snapshot.as_of)
    figures = people_figures(store, snapshot.as_of)
    unpaid_homes = set(zip(figures.payments.loc[~figures.payments["paid"], "project_id"],
                           figures.payments.loc[~figures.payments["paid"], "household_id"], strict=True))
    open_parcels = parcels[parcels.get("stage", pd.Series("", index=parcels.index)) != "handed_over"]
    keys = zip(open_parcels["project_id"], open_parcels.get("household_id", pd.Series(None, index=open_parcels.index)),
               strict=True)
    unpaid = {pid for pid, key in zip(open_parcels["parcel_id"], keys, strict=True) if key in unpaid_homes}
    return complaints & shown, unpaid


def _layer(parcels: gpd.GeoDataFrame, ids: set[str], name: str, label: str, colour: str) -> DataLayer | None:
    chosen = parcels[parcels["parcel_id"].isin(ids)]
    if chosen.empty:
        return None
    props = pd.DataFrame({"t": [html_text(f"{label} – thửa {p}") for p in chosen["parcel_id"]]})
    points = gpd.GeoSeries(chosen.geometry.representative_point(), crs=chosen.crs)
    return DataLayer(assemble_feature_collection(properties_json(props, ["t"]), geometry_json(points)), name=name,
                     # no tooltip of its own, not interactive: the parcel under the marker keeps the hover and
                     # its tooltip (which names the open complaint); the layer's name says what the dots are
                     marker=folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True, fill_color=colour,
                                                fill_opacity=0.95, interactive=False))


def add_people_markers(m: folium.Map, snapshot, store, parcels: gpd.GeoDataFrame) -> tuple[int, int]:
    """Add the two marker layers (each switchable in the layer control); returns their marker counts."""
    complaints, unpaid = people_marker_parcels(snapshot, store, parcels)
    for ids, name, label, colour in ((complaints, "Đơn thư chưa giải quyết", "Đơn thư chưa giải quyết", COMPLAINT_COLOUR),
                                     (unpaid, "Hộ chưa nhận đủ tiền", "Hộ chưa nhận đủ tiền bồi thường", UNPAID_COLOUR)):
        layer = _layer(parcels, ids, name, label, colour)
        if layer is not None:
            layer.add_to(m)
    return len(complaints), len(unpaid)
