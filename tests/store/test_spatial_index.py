"""The SQL functions behind the GeoPackage R-tree triggers (``store.spatial_index``), on real blobs.

GDAL registers ``ST_IsEmpty``/``ST_MinX``/``ST_MaxX``/``ST_MinY``/``ST_MaxY`` when it opens a file; the store
registers its own on every SQLite connection. They read the envelope of the GeoPackage header (either byte
order) or, for a header without one, the WKB; anything that is not a geometry blob gives NULL.
"""
from __future__ import annotations

import sqlite3
import struct

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from store.geometry import encode_gpkg
from store.spatial_index import GPKG_FUNCTIONS, register_gpkg_functions

coordinate = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False)


def sql(blob):
    conn = sqlite3.connect(":memory:")
    register_gpkg_functions(conn)
    return conn.execute("SELECT ST_IsEmpty(?), ST_MinX(?), ST_MaxX(?), ST_MinY(?), ST_MaxY(?)", [blob] * 5).fetchone()


@given(st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=12))
def test_envelope_of_any_polygon_blob_is_its_bounds(points):
    geom = Polygon(points)
    minx, miny, maxx, maxy = geom.bounds
    assert sql(encode_gpkg(geom)) == (int(geom.is_empty), minx, maxx, miny, maxy)


def test_header_without_envelope_and_big_endian_header():
    geom = box(450000, 2417000, 450020, 2417025)
    wkb = shapely.to_wkb(geom, byte_order=1, flavor="iso")
    no_envelope = b"GP\x00" + bytes([0b00000001]) + struct.pack("<i", 9215) + wkb
    big_endian = b"GP\x00" + bytes([0b00000010]) + struct.pack(">i4d", 9215, 450000, 450020, 2417000, 2417025) + wkb
    for blob in (no_envelope, big_endian):
        assert sql(blob) == (0, 450000.0, 450020.0, 2417000.0, 2417025.0)


def test_empty_null_and_foreign_values():
    assert sql(encode_gpkg(Polygon())) == (1, None, None, None, None)
    assert sql(None) == (None,) * 5
    for junk in (b"not a geometry", "GP text", 42, b"GP\x00\x0e" + b"\x00" * 40, b"GP\x00\x01\x00\x00\x00\x00garbage"):
        assert sql(junk) == (None,) * 5


def test_a_connection_without_the_functions_cannot_update_an_indexed_layer(tmp_path):
    from sqlalchemy import text

    from store.engine import make_engine, write_transaction
    from store.spatial_index import ensure_spatial_index

    engine = make_engine(f"sqlite:///{tmp_path / 't.gpkg'}")
    with write_transaction(engine) as conn:
        conn.execute(text("CREATE TABLE t (fid INTEGER PRIMARY KEY, geometry POLYGON)"))
        conn.execute(text("INSERT INTO t (geometry) VALUES (:g)"), {"g": encode_gpkg(box(0, 0, 1, 1))})
        assert ensure_spatial_index(conn, "t") is True
        assert ensure_spatial_index(conn, "t") is False  # already there
        assert conn.execute(text("SELECT id, minx, maxx FROM rtree_t_geometry")).all() == [(1, 0.0, 1.0)]
    engine.dispose()
    raw = sqlite3.connect(tmp_path / "t.gpkg")
    with pytest.raises(sqlite3.OperationalError, match="no such function: ST_IsEmpty"):
        raw.execute("INSERT INTO t (geometry) VALUES (?)", [encode_gpkg(box(2, 2, 3, 3))])
    assert set(GPKG_FUNCTIONS) == {"ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"}
