"""CRS helpers: EPSG:9215 areas/lengths, the EPSG:6960 datum shift, refusal of layers without CRS."""
from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import CRS
from shapely import LineString, box

from gis.crs import (
    LANG_SON_CRS,
    PROVINCE_TM3_EPSG,
    TM3_ZONES,
    WGS84,
    area_m2,
    length_m,
    tm3_epsg_for_province,
    to_metric,
    to_wgs84,
    transformer_from_wgs84,
    transformer_to_wgs84,
    wgs84_operation,
)

# A point near Lạng Sơn city in EPSG:9215 (easting, northing, metres).
X0, Y0 = 450_000.0, 2_417_000.0


def rectangle_9215(width_m: float = 100.0, height_m: float = 200.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["rect"]}, geometry=[box(X0, Y0, X0 + width_m, Y0 + height_m)], crs=9215)


def test_area_of_known_rectangle_in_9215():
    assert area_m2(rectangle_9215()).iloc[0] == pytest.approx(20_000.0, abs=1e-6)


def test_area_survives_round_trip_through_wgs84():
    wgs = to_wgs84(rectangle_9215())
    assert wgs.crs.to_epsg() == 4326
    # Computed from degrees via reprojection back to 9215: same 20 000 m² (vertices move < 1 mm).
    assert area_m2(wgs).iloc[0] == pytest.approx(20_000.0, rel=1e-7)
    back = to_metric(wgs)
    assert back.crs.equals(LANG_SON_CRS)
    assert back.geometry.iloc[0].area == pytest.approx(20_000.0, rel=1e-7)


def test_area_in_utm_differs_but_metric_area_is_grid_area():
    # The same rectangle expressed in VN-2000 / UTM 48N has a slightly different grid area (other
    # scale factor); area_m2 always reprojects to 9215 first, so it gives 20 000 m² back.
    utm = rectangle_9215().to_crs(3405)
    assert utm.geometry.iloc[0].area != pytest.approx(20_000.0, rel=1e-5)
    assert area_m2(utm).iloc[0] == pytest.approx(20_000.0, rel=1e-7)


def test_length_of_known_line():
    line = gpd.GeoSeries([LineString([(X0, Y0), (X0 + 300, Y0 + 400)])], crs=9215)
    assert length_m(line).iloc[0] == pytest.approx(500.0)
    assert length_m(line.to_crs(4326)).iloc[0] == pytest.approx(500.0, rel=1e-7)


def test_to_metric_refuses_layer_without_crs():
    gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="không có hệ tọa độ"):
        to_metric(gdf)
    with pytest.raises(ValueError):
        area_m2(gdf)


def test_to_metric_rejects_non_geodataframe():
    with pytest.raises(TypeError):
        to_metric([box(0, 0, 1, 1)])


def test_transformation_9215_to_4326_uses_epsg_6960():
    code, name = wgs84_operation()
    assert code == "EPSG:6960"
    assert name == "VN-2000 to WGS 84 (2)"


def test_cached_transformer_is_one_object_and_uses_the_decree_helmert():
    t = transformer_to_wgs84()
    assert t is transformer_to_wgs84()
    steps = [op.name for op in t.operations]
    assert "VN-2000 to WGS 84 (2)" in steps
    # Coordinate-frame convention with the decree's rotation signs (shared/crs/VN2000.md).
    assert "convention=coordinate_frame" in t.to_proj4() or "coordinate_frame" in t.definition


def test_transformer_round_trip_and_axis_order():
    lon, lat = transformer_to_wgs84().transform(X0, Y0)
    assert 106.0 < lon < 107.5 and 21.3 < lat < 22.5  # x = lon, y = lat (always_xy)
    x, y = transformer_from_wgs84().transform(lon, lat)
    assert x == pytest.approx(X0, abs=1e-3) and y == pytest.approx(Y0, abs=1e-3)


def test_lang_son_crs_parameters():
    crs = CRS.from_epsg(9215)
    assert crs.equals(LANG_SON_CRS)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(107.25)
    assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
    assert params["False easting"] == pytest.approx(500_000)
    assert WGS84.to_epsg() == 4326


@pytest.mark.parametrize("cm, code", sorted(TM3_ZONES.items()))
def test_tm3_table_matches_epsg_central_meridians(cm, code):
    crs = CRS.from_epsg(code)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(cm)
    assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
    assert "VN-2000" in crs.name


def test_every_province_code_is_a_tm3_zone():
    assert set(PROVINCE_TM3_EPSG.values()) <= set(TM3_ZONES.values())
    assert PROVINCE_TM3_EPSG["Lạng Sơn"] == 9215


@pytest.mark.parametrize("text, code", [("Lạng Sơn", 9215), ("tinh lang son", 9215), ("Tỉnh Bắc Giang", 9214),
                                        ("Cao Bằng", 9210), ("Hải Dương", 9209), ("Thành phố Hà Nội", 5897),
                                        ("TP Hồ Chí Minh", 9210), ("Ba Ria - Vung Tau", 5899)])
def test_tm3_epsg_for_province(text, code):
    assert tm3_epsg_for_province(text) == code


def test_tm3_epsg_for_unknown_province():
    with pytest.raises(ValueError, match="Không biết múi chiếu"):
        tm3_epsg_for_province("Atlantis")
