"""Layer I/O: GeoJSON/GPKG/SHP into EPSG:9215; GPKG written with the EPSG code."""
from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely import box

from gis.layers import list_layers, read_layer, write_gpkg

RECT = box(450_000, 2_417_000, 450_100, 2_417_200)  # 100 m × 200 m in EPSG:9215


def layer_9215() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"so_thua": [12], "ten": ["Thửa 12"]}, geometry=[RECT], crs=9215)


def test_geojson_in_4326_is_read_into_9215(tmp_path):
    path = tmp_path / "thua.geojson"
    layer_9215().to_crs(4326).to_file(path, driver="GeoJSON")
    gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 9215
    assert gdf.geometry.iloc[0].area == pytest.approx(20_000.0, rel=1e-6)
    assert gdf["ten"].iloc[0] == "Thửa 12"


def test_gpkg_round_trip_keeps_epsg_code_and_other_layers(tmp_path):
    path = tmp_path / "kho.gpkg"
    write_gpkg(layer_9215(), path, "parcels")
    write_gpkg(layer_9215().to_crs(4326), path, "from_wgs84")
    assert sorted(list_layers(path)) == ["from_wgs84", "parcels"]
    for name in ("parcels", "from_wgs84"):
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:9215"
        gdf = read_layer(path, name)
        assert gdf.geometry.iloc[0].area == pytest.approx(20_000.0, rel=1e-6)


def test_shapefile_with_prj_in_utm_is_reprojected(tmp_path):
    path = tmp_path / "thua.shp"
    layer_9215().to_crs(3405).to_file(path)
    gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 9215
    assert gdf.geometry.iloc[0].centroid.distance(RECT.centroid) < 0.01


def test_shapefile_without_prj_needs_an_explicit_crs(tmp_path):
    path = tmp_path / "thua.shp"
    layer_9215().to_file(path)
    (tmp_path / "thua.prj").unlink()
    with pytest.raises(ValueError, match="không có thông tin hệ tọa độ"):
        read_layer(path)
    gdf = read_layer(path, assume_crs=9215)
    assert gdf.crs.to_epsg() == 9215 and gdf.geometry.iloc[0].equals(RECT)


def test_errors_for_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_layer(tmp_path / "none.gpkg")
    bad = tmp_path / "thua.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="chưa hỗ trợ"):
        read_layer(bad)


def test_write_refuses_layer_without_crs(tmp_path):
    with pytest.raises(ValueError):
        write_gpkg(gpd.GeoDataFrame(geometry=[RECT]), tmp_path / "x.gpkg", "x")
