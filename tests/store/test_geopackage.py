"""The default store is a real GeoPackage: GDAL (what QGIS uses) lists and reads its layers in EPSG:9215."""
from __future__ import annotations

import sqlite3
import warnings

import geopandas as gpd
import pyogrio
import pytest
import shapely
from sources_fixture import make_parcels

from tests.support.actors import office_admin
from tests.support.stores import demo_store

LAYERS = {"projects": "MultiPolygon", "centrelines": "LineString", "parcels": "Polygon",
          "communes": "MultiPolygon", "roads": "Unknown"}


@pytest.fixture
def gpkg_path(tmp_path, sources_dir):
    path = tmp_path / "gpmb.gpkg"
    demo_store(str(path), sources_dir=sources_dir).close()  # a bare .gpkg path is accepted
    return path


def test_gdal_lists_layers_and_ledger(gpkg_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # GDAL warnings (bad application_id, field types) would fail here
        listed = dict(pyogrio.list_layers(gpkg_path))
    for name, geometry_type in LAYERS.items():
        assert listed[name] == geometry_type
    assert {"uploads", "events", "config_changes"} <= set(listed)   # milestones and rules with their history
    changes = pyogrio.read_dataframe(gpkg_path, layer="config_changes")
    assert changes["kind"].tolist() == ["milestone", "milestone", "rules"]
    assert "alembic_version" not in listed and "store_meta" not in listed


def test_gdal_reads_layers_in_9215_like_the_store(gpkg_path, sources_dir):
    store = demo_store(str(gpkg_path), sources_dir=sources_dir)
    for name in LAYERS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            read = gpd.read_file(gpkg_path, layer=name)
        assert read.crs.to_epsg() == 9215, name
        ours = store.layer(name)
        assert len(read) == len(ours)
        assert shapely.equals_exact(read.geometry.values, ours.geometry.values, 0).all()
    parcels = gpd.read_file(gpkg_path, layer="parcels")
    expected = make_parcels()
    assert parcels.parcel_id.tolist() == expected.parcel_id.tolist()
    assert parcels.map_sheet.tolist() == expected.map_sheet.tolist()
    assert parcels.area_to_recover_m2.tolist() == expected.area_to_recover_m2.tolist()
    assert parcels.geometry.area.round(6).tolist() == [500.0] * 6
    events = pyogrio.read_dataframe(gpkg_path, layer="events")
    assert len(events) == len(store.events())


def test_geopackage_header_and_metadata(gpkg_path):
    with sqlite3.connect(gpkg_path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = dict(conn.execute("SELECT table_name, srs_id FROM gpkg_contents WHERE data_type = 'features'"))
        assert rows == dict.fromkeys([*LAYERS, "parcel_status"], 9215)  # parcel_status: issue 10
        srs = conn.execute("SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys"
                           " WHERE srs_id = 9215").fetchone()
        assert srs == ("EPSG", 9215)
    with open(gpkg_path, "rb") as fh:  # GDAL reads the header bytes directly
        header = fh.read(100)
    assert header[68:72] == b"GPKG"


def test_replaced_layer_is_what_gdal_reads(gpkg_path, sources_dir):
    store = demo_store(str(gpkg_path), sources_dir=sources_dir)
    actor = office_admin(store)
    store.replace_layer("parcels", make_parcels().iloc[:2], actor=actor, report={"tep": "moi.gpkg"})
    store.close()
    read = gpd.read_file(gpkg_path, layer="parcels")
    assert read.parcel_id.tolist() == make_parcels().parcel_id.tolist()[:2]
    shown = dict(pyogrio.list_layers(gpkg_path))
    assert not {"parcels__v1", "parcels__history"} & set(shown)  # old versions are not shown as layers


def test_copied_gpkg_file_alone_holds_the_latest_upload(gpkg_path, sources_dir, tmp_path):
    """A clerk copies data/gpmb.gpkg (not the -wal file) while the dashboard is running."""
    import hashlib
    import shutil

    import pandas as pd

    store = demo_store(str(gpkg_path), sources_dir=sources_dir)  # stays open, like the dashboard's
    frame = pd.DataFrame({"kind": ["parcel"], "parcel_id": [make_parcels().parcel_id.iloc[0]],
                          "event": ["paid"], "event_date": ["2024-06-01"]})
    actor = office_admin(store)
    result = store.commit_upload(frame, file_name="moi.csv", file_sha256=hashlib.sha256(b"moi").hexdigest(),
                                 actor=actor, rows_read=1)
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(gpkg_path, copy)
    with sqlite3.connect(copy) as conn:
        ids = [row[0] for row in conn.execute("SELECT upload_id FROM uploads")]
    assert result.upload_id in ids


def test_gdal_sees_full_precision_numbers_and_dates(gpkg_path, sources_dir):
    """Areas (m²) and amounts (VND) must reach QGIS as 8-byte floats: 123 456 789,5 đồng stays exact."""
    import hashlib

    import pandas as pd

    store = demo_store(str(gpkg_path), sources_dir=sources_dir)
    actor = office_admin(store)
    frame = pd.DataFrame({"kind": ["parcel"], "parcel_id": [make_parcels().parcel_id.iloc[0]], "event": ["paid"],
                          "event_date": ["2024-06-01"], "amount_vnd": [123_456_789.5], "area_m2": [412.37]})
    store.commit_upload(frame, file_name="so_tien.csv", file_sha256=hashlib.sha256(b"tien").hexdigest(),
                        actor=actor, rows_read=1)
    store.close()
    info = pyogrio.read_info(gpkg_path, layer="events")
    dtypes = dict(zip(info["fields"], info["dtypes"]))
    assert dtypes["amount_vnd"] == dtypes["area_m2"] == "float64"
    assert dtypes["event_date"].startswith("datetime64")
    events = pyogrio.read_dataframe(gpkg_path, layer="events")
    assert events.amount_vnd.iloc[-1] == 123_456_789.5 and events.area_m2.iloc[-1] == 412.37
    parcels = dict(zip(*[pyogrio.read_info(gpkg_path, layer="parcels")[k] for k in ("fields", "dtypes")]))
    assert parcels["area_to_recover_m2"] == "float64" and parcels["map_sheet"] == "int64"
