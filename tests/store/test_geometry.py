"""GeoPackage binary geometry codec against blobs written by GDAL (an independent implementation)."""
import sqlite3

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from store.geometry import decode_gpkg, encode_gpkg, geometry_type_name

GEOMS = [
    Point(449_000.5, 2_417_000.25),
    LineString([(449_000, 2_417_000), (449_500, 2_417_300), (450_000, 2_417_100)]),
    Polygon(box(0, 0, 100, 200).exterior, [box(10, 10, 20, 20).exterior.coords]),
    MultiPolygon([box(0, 0, 1, 1), box(5, 5, 7, 9)]),
]


@pytest.mark.parametrize("geom", GEOMS, ids=lambda g: g.geom_type)
def test_encode_decode_round_trip(geom):
    blob = encode_gpkg(geom, 9215)
    assert blob[:2] == b"GP"
    assert int.from_bytes(blob[4:8], "little") == 9215
    assert decode_gpkg(blob).equals_exact(geom, 0)


def test_gdal_reads_what_we_write_and_we_read_what_gdal_writes(tmp_path):
    path = tmp_path / "gdal.gpkg"
    gpd.GeoDataFrame({"i": range(len(GEOMS))}, geometry=GEOMS, crs=9215).to_file(path, layer="g", driver="GPKG")
    with sqlite3.connect(path) as conn:
        blobs = [row[0] for row in conn.execute("SELECT geom FROM g ORDER BY fid")]
    for blob, geom in zip(blobs, GEOMS):
        assert decode_gpkg(blob).equals_exact(geom, 0)
        if geom.geom_type != "Point":  # GDAL writes no envelope for points; for the others the same header
            assert encode_gpkg(geom, 9215)[:40] == bytes(blob)[:40]


def test_empty_and_null():
    assert encode_gpkg(None) is None and decode_gpkg(None) is None
    blob = encode_gpkg(Point(), 9215)
    assert blob[3] & 0b10000  # empty flag
    assert decode_gpkg(blob).is_empty


def test_decode_rejects_non_gpkg():
    with pytest.raises(ValueError, match="GeoPackage"):
        decode_gpkg(shapely.to_wkb(Point(1, 2)))


def test_geometry_type_name():
    assert geometry_type_name([box(0, 0, 1, 1), None, box(1, 1, 2, 2)]) == "POLYGON"
    assert geometry_type_name([box(0, 0, 1, 1), MultiPolygon([box(0, 0, 1, 1)])]) == "GEOMETRY"
