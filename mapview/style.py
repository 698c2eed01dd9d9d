"""The map's visual language: colours, line dashes, simplification tolerances and page CSS.

Shared by the Leaflet map (``mapview``) and the print map (``exports.printmap``), so the same thing has
the same colour on screen and on paper. Stage colours are ``vocab.labels.STAGE_COLOURS``.
"""
from __future__ import annotations

#: Simplification tolerances in metres (EPSG:9215) per layer.
SIMPLIFY_M = {"communes": 15.0, "roads": 10.0, "boundaries": 1.0, "centrelines": 1.0, "parcels": 0.2}
#: Default view: Cao Lộc / Lạng Sơn city, used only when there is nothing to fit the map to.
DEFAULT_CENTRE = (21.87, 106.77)

RISK_COLOUR = "#d50000"
BOUNDARY_COLOUR = "#1a237e"
CENTRELINE_COLOUR = "#6a1b9a"
ROAD_COLOUR = "#ef6c00"
RAILWAY_COLOUR = "#212121"
COMMUNE_EDGE = "#607d8b"
COMMUNE_FILL = "#fbf8ef"
PARCEL_EDGE = "#37474f"
#: Fill opacity of the parcels (stage colour).
PARCEL_FILL_OPACITY = 0.8
#: Above this many shown parcels in view the map draws one disc per commune (handed-over share) instead of
#: the parcels; zooming in below it draws the parcels (``parcels.js`` ``aggregateAbove``).
AGGREGATE_ABOVE = 20_000
#: Leaflet dash pattern of an approximate clearance boundary.
APPROXIMATE_DASH = "8 6"
#: Leaflet dash pattern of an approximate centreline.
APPROXIMATE_CENTRELINE_DASH = "10 8"

MAP_CSS = """
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
/* Only the outline of a clearance boundary takes the pointer: the parcels inside it get the hover. */
.leaflet-overlay-pane path.gpmb-boundary.leaflet-interactive { pointer-events: visibleStroke; }
.leaflet-control-layers { font-size: 12px; line-height: 1.5; }
.leaflet-control-layers-expanded { padding: 4px 8px 4px 4px; }
</style>
"""
