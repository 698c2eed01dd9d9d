"""The map layer «Khu tái định cư»: resettlement area polygons with their construction and lots (issue 12).

Input: ``store.resettlement_areas()`` (GeoDataFrame, EPSG:9215, the ``areas`` register), the ``lots`` register and
the recorded lottery draws (lots allocated = assigned by the latest draw of the area,
:func:`milestones.resettlement.lot_allocation`). Each polygon is outlined in dark teal, dash-dot, with a light
fill (parcels are filled by stage colour with a grey edge), switchable in the layer control and explained by a
small legend box. The tooltip gives name, project, construction %, lots allocated / total and the planned (or
actual) completion date; every text from the store is HTML-escaped here. Nothing depends on the as-of date (the
live map outlives date changes), so the layer is memoised per data version like the other context layers.
"""
from __future__ import annotations

import folium
import pandas as pd

from mapview.cache import StoreMemo
from mapview.elements import DataLayer, HtmlControl
from mapview.layers import feature_collection_json
from mapview.scripts import each_feature_js
from mapview.style import SIMPLIFY_M
from vocab.escape import html_text
from vocab.format import MISSING, fmt_date, fmt_number, is_missing

#: Name of the layer in the layer control.
AREA_LAYER_NAME = "Khu tái định cư"
AREA_COLOUR = "#00695c"
#: Leaflet dash pattern of the outline (dash-dot: no other layer uses it).
AREA_DASH = "12 5 2 5"
#: The legend box: the look of ``.gpmb-legend`` under a class of its own (parcels.js rewrites ``.gpmb-legend``).
AREA_CSS = """<style>
.gpmb-area-legend { background: rgba(255,255,255,.93); padding: 4px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 12px; line-height: 1.4; color: #212121; max-width: 270px; }
.gpmb-area-legend .sw { display: inline-block; width: 14px; height: 11px; margin-right: 5px; vertical-align: -1px; }
</style>"""


def _lot_counts(store) -> pd.DataFrame | None:
    """Per area ``lots_total`` and ``lots_allocated``; None for a reader without the registers."""
    if not (hasattr(store, "register") and hasattr(store, "lottery_draws")):
        return None
    from milestones.resettlement import lot_allocation

    lots = lot_allocation(store.register("lots"), store.lottery_draws())
    return lots.groupby("area_id").agg(lots_total=("lot_id", "count"), lots_allocated=("allocated", "sum"))


def _completion(row) -> str:
    actual, planned = row.get("actual_completion_date"), row.get("planned_completion_date")
    if not is_missing(actual):
        return f"Hoàn thành ngày {fmt_date(actual)}"
    return f"Hoàn thành theo kế hoạch: {MISSING if is_missing(planned) else fmt_date(planned)}"


def area_tooltip(row, project_name: str, lots_text: str) -> str:
    """Tooltip HTML of one area; its texts escaped (:func:`vocab.escape.html_text`)."""
    percent = row.get("construction_percent")
    return (f"<b>{html_text(AREA_LAYER_NAME)} – {html_text(row.get('name') or row.get('area_id'))}</b>"
            f"<br>Dự án: {html_text(project_name)}"
            f"<br>Tiến độ xây dựng: {MISSING if is_missing(percent) else fmt_number(percent, 1) + '%'}"
            f"<br>Lô đã bốc thăm / tổng số lô: {lots_text}<br>{html_text(_completion(row))}")


def area_layer_json(store, projects: pd.DataFrame, project_ids: tuple[str, ...] = ()) -> str | None:
    """GeoJSON text (EPSG:4326) of the areas of ``project_ids`` (all when empty) with ``t`` (tooltip HTML);
    None when the reader has no areas or none is shown. ``projects``: :func:`mapview.context.project_table`."""
    if not hasattr(store, "resettlement_areas"):
        return None
    areas = store.resettlement_areas()
    if project_ids:
        areas = areas[areas["project_id"].isin(project_ids)]
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty] if len(areas) else areas
    if areas.empty:
        return None
    counts = _lot_counts(store)
    names = dict(zip(projects["project_id"], projects["short_name"], strict=False))
    tips = []
    for _, row in areas.iterrows():
        if counts is None:
            lots = MISSING
        else:
            got = counts.loc[row["area_id"]] if row["area_id"] in counts.index else None
            lots = "0 / 0" if got is None else f"{fmt_number(got['lots_allocated'])} / {fmt_number(got['lots_total'])}"
        tips.append(area_tooltip(row, names.get(row["project_id"], row["project_id"]), lots))
    return feature_collection_json(areas.assign(t=tips), ["t"], SIMPLIFY_M["boundaries"])


def legend_box() -> str:
    """The legend entry of the layer (a box of its own under the map's legend)."""
    return (f"<div><span class='sw' style='background:rgba(0,105,92,.15);border:2px dashed {AREA_COLOUR}'></span>"
            f"{AREA_LAYER_NAME} (di chuột để xem tiến độ, số lô)</div>")


def add_resettlement_layer(m: folium.Map, memo: StoreMemo, projects: pd.DataFrame,
                           project_ids: tuple[str, ...] = ()) -> bool:
    """Add the layer and its legend box to ``m`` when there is an area to draw; returns whether it did."""
    data = memo.get(("resettlement_areas", project_ids), lambda: area_layer_json(memo.store, projects, project_ids))
    if data is None:
        return False
    DataLayer(
        data, name=AREA_LAYER_NAME, className="gpmb-resettlement",
        on_each_feature=each_feature_js(
            f"{{color: '{AREA_COLOUR}', weight: 3, dashArray: '{AREA_DASH}', fillColor: '{AREA_COLOUR}', "
            "fillOpacity: 0.15}", hover=True),
    ).add_to(m)
    m.get_root().header.add_child(folium.Element(AREA_CSS), name="gpmb_area_css")
    m.add_child(HtmlControl(legend_box(), "bottomleft", "gpmb-area-legend"))
    return True
