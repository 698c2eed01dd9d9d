"""The map layer «Khu tái định cư» (issue 12): in the built map document, switchable, in the legend, with a
tooltip of name, project, % construction, lots allocated / total and planned completion, every text escaped."""
from __future__ import annotations

import html
import json
from datetime import date

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from mapview import build_map, standalone_html
from mapview.elements import DataLayer
from mapview.resettlement import AREA_LAYER_NAME, area_layer_json
from tests.dashboard import synthetic
from tests.mapview.hostile import IMG, SCRIPT


class AreaStore(synthetic.FakeStore):
    """The synthetic store with two resettlement areas (one hostile name), three lots, one of them drawn."""

    def resettlement_areas(self, project_id=None):
        return gpd.GeoDataFrame({
            "area_id": ["K1", "K2"], "project_id": ["AR", "RD"], "name": [f"Khu {IMG}", f"Khu {SCRIPT}"],
            "planned_completion_date": [date(2024, 12, 31), None], "actual_completion_date": [None, date(2024, 5, 2)],
            "construction_percent": [62.5, 100.0],
        }, geometry=[box(synthetic.E0 + 2_000, synthetic.N0 + 1_000, synthetic.E0 + 2_150, synthetic.N0 + 1_120),
                     box(synthetic.E0 + 2_300, synthetic.N0 + 1_000, synthetic.E0 + 2_400, synthetic.N0 + 1_100)],
            crs=synthetic.CRS)

    def register(self, name):
        from milestones.people import registers_frame

        if name != "lots":
            return registers_frame(name)
        return pd.DataFrame({"area_id": ["K1", "K1", "K1"], "lot_number": ["1", "2", "3"], "lot_class": "A",
                             "area_m2": 100.0, "price_vnd": 1e6, "status": "available"})

    def lottery_draws(self, area_id=None):
        return pd.DataFrame({"draw_id": [1], "area_id": ["K1"], "recorded_at": pd.to_datetime(["2024-06-01"], utc=True),
                             "result": [{"assignments": [{"household_id": "H1", "lot_id": "K1/2", "lot_class": "A"}]}]})


def _area_layer(m) -> DataLayer:
    return next(e for e in m._children.values() if isinstance(e, DataLayer) and e.layer_name == AREA_LAYER_NAME)


def test_the_built_map_has_the_areas_layer_with_escaped_tooltips_and_a_legend():
    store = AreaStore()
    m = build_map(synthetic.compute_snapshot(store, date(2024, 6, 30)), store)
    features = _area_layer(m).geojson()["features"]
    tips = {f["properties"]["t"] for f in features}
    assert len(features) == 2
    k1 = next(t for t in tips if "62,5%" in t)
    assert "CCN AR" in k1 and "1 / 3" in k1 and "31/12/2024" in k1     # project, lots drawn / total, planned date
    k2 = next(t for t in tips if "100,0%" in t)
    assert "0 / 0" in k2 and "Hoàn thành ngày 02/05/2024" in k2
    assert all(IMG not in t and SCRIPT not in t for t in tips)           # hostile names stay text
    assert html.escape(IMG) in k1 and html.escape(SCRIPT, quote=True) in k2
    page = standalone_html(m)
    assert IMG not in page and "<script>alert(2)" not in page
    assert json.dumps(AREA_LAYER_NAME)[1:-1] in page or AREA_LAYER_NAME in page   # named in the layer control
    assert "gpmb-area-legend" in page and "dashArray: '12 5 2 5'" in page


def test_project_filter_and_a_reader_without_areas():
    store = AreaStore()
    projects = store.projects().assign(short_name=["Đường RD", "CCN AR"])
    only_rd = json.loads(area_layer_json(store, projects, ("RD",)))
    assert len(only_rd["features"]) == 1                                  # K2, the area of project RD
    assert "100,0%" in only_rd["features"][0]["properties"]["t"]
    assert area_layer_json(store, projects, ("XX",)) is None
    plain = synthetic.FakeStore()
    m = build_map(synthetic.compute_snapshot(plain, date(2024, 6, 30)), plain)
    assert not any(isinstance(e, DataLayer) and e.layer_name == AREA_LAYER_NAME for e in m._children.values())
