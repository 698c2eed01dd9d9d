"""The import page's preview map: offline, one layer per input, fitted to all of them."""
import json
import re

import geopandas as gpd
from shapely.geometry import box

from mapview import remote_references
from mapview.preview import preview_map_html


def _square(x0: float, y0: float, size_m: float, **attrs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({**{k: [v] for k, v in attrs.items()}},
                            geometry=[box(x0, y0, x0 + size_m, y0 + size_m)], crs=9215)


def test_preview_is_offline_and_names_each_layer():
    parcels = _square(450_000, 2_410_000, 50, parcel_id="P/1", parcel_number=7, land_use="LUC",
                      area_to_recover_m2=2345.25)
    rejected = _square(451_000, 2_411_000, 20, row=3, reason="Trùng khóa")
    page = preview_map_html([("Thửa sẽ nhập", parcels, "#2e7d32"), ("Thửa bị loại", rejected, "#c62828"),
                             ("Trống", None, "#000")])
    assert remote_references(page) == []
    def has(text):  # folium writes layer names and tooltip data as JSON (non-ASCII escaped)
        return text in page or json.dumps(text)[1:-1] in page
    assert has("Thửa sẽ nhập") and has("Thửa bị loại") and not has("Trống")
    assert has("Trùng khóa") and has("P/1")
    assert has("2.345,2") and "2345.25" not in page                  # areas in the vocabulary's format
    # fitted to the union of both squares (≈ 1 km apart): both corners' latitudes appear in fitBounds
    fit = re.search(r"map_\w+\.fitBounds\((.{0,200})", page, re.S).group(1)
    south = parcels.to_crs(4326).total_bounds[1]
    north = rejected.to_crs(4326).total_bounds[3]
    assert f"{south:.5f}"[:8] in fit and f"{north:.5f}"[:8] in fit


def test_preview_with_nothing_to_show_still_renders():
    page = preview_map_html([("Thửa sẽ nhập", None, "#2e7d32")])
    assert not re.search(r"map_\w+\.fitBounds\(", page) and "L.map" in page
