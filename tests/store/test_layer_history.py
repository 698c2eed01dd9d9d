"""Layer versions without renaming (issue 10): history tables, spatial indexes, the 0006 migration.

The bug this guards against: a replacement renamed ``parcels`` to ``parcels__v<N>``; an R-tree made
by QGIS followed the renamed table while ``gpkg_extensions`` pointed at the new one, so GDAL found 0
parcels where they are; on PostGIS a view on ``parcels`` kept reading the old rows and every archive
stayed in ``geometry_columns``. Here GDAL (pyogrio, what QGIS uses) reads the store after
replacements with a bounding-box filter, and the count is compared with shapely's on the same data.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, box
from sources_fixture import X0, Y0, make_centrelines, make_communes, make_parcels, make_projects, make_roads
from sqlalchemy import inspect, text

from store import open_store, schema
from store.engine import make_engine, read_connection, write_transaction
from store.geometry import register_gpkg_layer
from store.layer_history import history_table
from store.layers import build_table, insert_rows
from store.spatial_index import ensure_spatial_index, has_spatial_index, rtree_name
from tests.support.actors import office_admin
from tests.support.stores import demo_store

LAYERS = ("projects", "centrelines", "parcels", "communes", "roads")


def grid_parcels(columns: int, rows: int, *, x0: float, y0: float, size: float = 20.0, prefix: str = "G"):
    """``columns × rows`` square parcels of ``size`` m from (x0, y0), 5 m apart, with the parcel columns."""
    template = make_parcels().iloc[0]
    records, geoms = [], []
    for i in range(columns * rows):
        x, y = x0 + (i % columns) * (size + 5), y0 + (i // columns) * (size + 5)
        geoms.append(box(x, y, x + size, y + size))
        records.append({**template.drop("geometry").to_dict(), "parcel_id": f"QL4B/{prefix}/{i // columns}/{i}",
                        "map_sheet": i // columns, "parcel_number": i + 1})  # parcel numbers start at 1
    return gpd.GeoDataFrame(records, geometry=geoms, crs=9215)


def in_box(gdf, bbox) -> int:
    return int(shapely.intersects(gdf.geometry.values, box(*bbox)).sum())


def gdal_read(path, bbox):
    return pyogrio.read_dataframe(path, layer="parcels", bbox=bbox)


def tables(conn) -> set[str]:
    return set(inspect(conn).get_table_names())


# ---------------------------------------------------------------------------------- GeoPackage
@pytest.fixture
def gpkg(tmp_path, sources_dir):
    path = tmp_path / "gpmb.gpkg"
    store = demo_store(str(path), sources_dir=sources_dir)
    yield path, store
    store.close()


def test_gdal_bbox_reads_current_parcels_after_two_replacements(gpkg):
    path, store = gpkg
    actor = office_admin(store)
    second = grid_parcels(10, 10, x0=X0, y0=Y0 + 200, prefix="B")
    third = grid_parcels(12, 8, x0=X0 + 5, y0=Y0 + 210, prefix="C")  # overlaps the second's place
    store.replace_layer("parcels", second, actor=actor, report={})
    store.replace_layer("parcels", third, actor=actor, report={})
    store.close()
    for bbox in [(X0, Y0 + 200, X0 + 120, Y0 + 320), (X0 + 100, Y0 + 250, X0 + 400, Y0 + 500), (X0, Y0, X0 + 50, Y0 + 50)]:
        read = gdal_read(path, bbox)
        assert len(read) == in_box(third, bbox)
        assert set(read.parcel_id) <= set(third.parcel_id)  # only current parcels, none of an earlier version
    assert in_box(third, (X0, Y0 + 200, X0 + 120, Y0 + 320)) > 0  # the first box does hold parcels
    info = pyogrio.read_info(path, layer="parcels")
    assert info["capabilities"]["fast_spatial_filter"] and info["features"] == len(third)
    has = pyogrio.read_dataframe(path, sql="SELECT HasSpatialIndex('parcels', 'geometry') AS has", sql_dialect="SQLITE")
    assert has.iloc[0, 0] == 1
    assert not {"parcels__v1", "parcels__v2", "parcels__history"} & set(dict(pyogrio.list_layers(path)))


def test_every_layer_has_its_rtree_with_the_triggers_of_its_version(gpkg):
    _, store = gpkg
    with read_connection(store.engine) as conn:
        for name in (*LAYERS, "parcel_status"):          # the derived progress layer too (migration 0007)
            assert has_spatial_index(conn, name)
            count = conn.execute(text(f'SELECT COUNT(*) FROM "{name}" WHERE geometry IS NOT NULL')).scalar()
            assert conn.execute(text(f'SELECT COUNT(*) FROM "{rtree_name(name, "geometry")}"')).scalar() == count
        triggers = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'parcels'"))}
        assert {f"rtree_parcels_geometry_{t}" for t in ("insert", "update1", "update2", "update3", "update4",
                                                          "delete")} <= triggers  # the store is GeoPackage 1.3
        rows = conn.execute(text("SELECT table_name, column_name, scope FROM gpkg_extensions "
                                 "WHERE extension_name = 'gpkg_rtree_index' ORDER BY table_name")).all()
        assert [tuple(r) for r in rows] == [(n, "geometry", "write-only") for n in sorted([*LAYERS, "parcel_status"])]


#: GDAL's GeoPackage validator (Debian python3-gdal, installed by run-tests), run by the system Python.
VALIDATOR = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"


def test_gdal_validator_passes_after_replacements(gpkg):
    path, store = gpkg
    actor = office_admin(store)
    wider = make_parcels()
    wider["so_to_goc"] = "tờ 12"
    store.replace_layer("parcels", wider, actor=actor, report={})
    store.replace_layer("parcels", grid_parcels(3, 3, x0=X0, y0=Y0 + 200), actor=actor, report={})
    store.restore_layer("parcels", 2, actor=actor)
    store.close()
    done = subprocess.run(["/usr/bin/python3", VALIDATOR, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stdout + done.stderr


def rtree_matches_table(conn) -> None:
    """Every parcel's R-tree entry is its envelope, and there is no other entry."""
    rows = conn.execute(text("SELECT p.fid, r.minx, r.maxx, r.miny, r.maxy FROM parcels p "
                             "LEFT JOIN rtree_parcels_geometry r ON r.id = p.fid ORDER BY p.fid")).all()
    entries = conn.execute(text("SELECT COUNT(*) FROM rtree_parcels_geometry")).scalar()
    assert entries == len(rows)
    from store.layers import read_layer_table

    bounds = read_layer_table(conn, "parcels").geometry.bounds.to_numpy()  # minx, miny, maxx, maxy
    got = np.array([[r[1], r[3], r[2], r[4]] for r in rows], dtype=float)
    assert np.allclose(got, bounds, atol=0.01)  # R*Tree keeps 32-bit floats, rounded outwards


def test_gdal_writing_a_feature_keeps_the_rtree_consistent(gpkg):
    path, store = gpkg
    actor = office_admin(store)
    store.replace_layer("parcels", grid_parcels(5, 5, x0=X0, y0=Y0 + 200), actor=actor, report={})
    store.close()
    extra = grid_parcels(1, 1, x0=X0 + 3000, y0=Y0 + 3000, prefix="GDAL")
    pyogrio.write_dataframe(extra, path, layer="parcels", append=True)  # GDAL's triggers' functions
    assert len(gdal_read(path, (X0 + 2990, Y0 + 2990, X0 + 3030, Y0 + 3030))) == 1
    with read_connection(store.engine) as conn:
        rtree_matches_table(conn)
    # the store's functions read GDAL's blobs: a replacement after GDAL's write leaves a true index
    store.replace_layer("parcels", grid_parcels(3, 3, x0=X0 + 3000, y0=Y0 + 3000, prefix="D"), actor=actor, report={})
    with write_transaction(store.engine) as conn:  # an edit in place (QGIS moves a parcel)
        conn.execute(text("UPDATE parcels SET geometry = (SELECT geometry FROM parcels WHERE fid = "
                          "(SELECT MAX(fid) FROM parcels)) WHERE fid = (SELECT MIN(fid) FROM parcels)"))
        rtree_matches_table(conn)
    store.close()
    assert len(gdal_read(path, (X0 + 2990, Y0 + 2990, X0 + 3100, Y0 + 3100))) == 9


# ---------------------------------------------------------------------------------- both backends
def history_versions(store, name="parcels") -> dict[int, int]:
    with read_connection(store.engine) as conn:
        rows = conn.execute(text(f'SELECT version, COUNT(*) FROM "{history_table(name)}" GROUP BY version')).all()
    return {int(v): int(n) for v, n in rows}


def test_history_and_restore_keep_every_version(store, actor):
    first = store.parcels()
    second = grid_parcels(4, 2, x0=X0, y0=Y0 + 200, prefix="B")
    second["so_to_goc"] = "tờ 12"  # an extra column
    third = grid_parcels(3, 1, x0=X0, y0=Y0 + 300, prefix="C")
    third["map_sheet"] = third["map_sheet"].astype(str) + "A"  # a column that changes type (int → text)
    third["geometry"] = [MultiPolygon([g]) for g in third.geometry]  # and a new geometry type
    assert store.replace_layer("parcels", second, actor=actor, report={}) == 2
    assert store.replace_layer("parcels", third, actor=actor, report={}) == 3
    assert history_versions(store) == {1: len(first), 2: 8}
    current = store.parcels()
    assert "so_to_goc" not in current.columns and current.map_sheet.tolist() == ["0A", "0A", "0A"]
    assert current.geometry.geom_type.unique().tolist() == ["MultiPolygon"]

    assert store.restore_layer("parcels", 2, actor=actor).result == 4
    restored = store.parcels()
    assert restored.parcel_id.tolist() == second.parcel_id.tolist()
    assert restored.so_to_goc.tolist() == ["tờ 12"] * 8 and restored.map_sheet.tolist() == second.map_sheet.tolist()
    assert shapely.equals_exact(restored.geometry.values, second.geometry.values, 1e-6).all()
    assert store.restore_layer("parcels", 1, actor=actor).result == 5
    assert store.parcels().parcel_id.tolist() == first.parcel_id.tolist()
    assert "so_to_goc" not in store.parcels().columns
    assert store.restore_layer("parcels", 3, actor=actor).result == 6
    assert store.parcels().map_sheet.tolist() == ["0A", "0A", "0A"]
    assert history_versions(store) == {1: len(first), 2: 8, 3: 3, 4: 8, 5: len(first)}
    assert store.layer_versions("parcels").version.tolist() == [1, 2, 3, 4, 5, 6]
    with read_connection(store.engine) as conn:
        names = tables(conn)
        kinds = {c["name"]: str(c["type"]).upper() for c in inspect(conn).get_columns("parcels__history")}
        assert has_spatial_index(conn, "parcels")
    assert "parcels__history" in names and not any("__v" in n for n in names)
    assert "MAP_SHEET__2" not in kinds and "map_sheet__2" in kinds  # the text values kept apart, not converted
    assert kinds["geometry"] in ("BLOB", "BYTEA")


def test_same_columns_are_left_alone(store, actor):
    """A replacement with the layer's own columns changes rows only: no column is dropped and added again
    (the declared types the store compares are the ones the database reports back)."""
    def columns():
        with read_connection(store.engine) as conn:
            return [(c["name"], str(c["type"])) for c in inspect(conn).get_columns("parcels")]
    before = columns()
    store.replace_layer("parcels", grid_parcels(2, 2, x0=X0, y0=Y0 + 200), actor=actor, report={})
    assert columns() == before


@pytest.mark.postgis
@pytest.mark.parametrize("store_url", ["postgis"], indirect=True)
def test_postgis_table_keeps_its_identity(store, actor):
    with write_transaction(store.engine) as conn:
        oid = conn.execute(text("SELECT 'parcels'::regclass::oid")).scalar()
        conn.execute(text("CREATE VIEW ban_do_thua AS SELECT parcel_id, geometry FROM parcels"))
    new = grid_parcels(3, 3, x0=X0, y0=Y0 + 200, prefix="B")
    store.replace_layer("parcels", new, actor=actor, report={})
    store.replace_layer("parcels", grid_parcels(2, 2, x0=X0, y0=Y0 + 400, prefix="C"), actor=actor, report={})
    with read_connection(store.engine) as conn:
        assert conn.execute(text("SELECT 'parcels'::regclass::oid")).scalar() == oid
        seen = [r[0] for r in conn.execute(text("SELECT parcel_id FROM ban_do_thua ORDER BY parcel_id"))]
        published = {r[0] for r in conn.execute(text("SELECT f_table_name FROM geometry_columns"))}
        assert has_spatial_index(conn, "parcels")
        for name in (*LAYERS, "parcel_status"):          # the derived progress layer too (migration 0007)
            assert has_spatial_index(conn, name)
    assert seen == sorted(grid_parcels(2, 2, x0=X0, y0=Y0 + 400, prefix="C").parcel_id)  # the view reads the new rows
    assert published == {*LAYERS, "parcel_status", "ban_do_thua"}  # no history table, no archived version is published


# ---------------------------------------------------------------------------------- migration 0006
def _old_write(conn, name, gdf):
    """The layer writer of revision 0004 (store.layers.write_layer_table then): no R-tree."""
    table = build_table(name, gdf, "POLYGON" if name == "parcels" else "GEOMETRY")
    table.create(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text(f'CREATE INDEX ON "{name}" USING GIST ("geometry")'))
    insert_rows(conn, table, gdf)
    register_gpkg_layer(conn, name, "POLYGON" if name == "parcels" else "GEOMETRY", gdf.total_bounds,
                        identifier=name)


def _old_version_row(conn, name, version, count):
    from datetime import UTC, datetime

    conn.execute(schema.layer_versions.insert().values(layer_name=name, version=version, created_at=datetime.now(UTC),
                                                       source="seed" if version == 1 else "import",
                                                       feature_count=count, report=json.dumps({})))


def _old_replace(conn, name, gdf, current):
    """store.layer_versions.replace_layer_in of revision 0004: rename the table, write a new one."""
    if conn.dialect.name == "sqlite":  # unregister_gpkg_layer of then: two metadata rows, nothing else
        conn.execute(text("DELETE FROM gpkg_geometry_columns WHERE table_name = :t"), {"t": name})
        conn.execute(text("DELETE FROM gpkg_contents WHERE table_name = :t"), {"t": name})
    conn.execute(text(f'ALTER TABLE "{name}" RENAME TO "{name}__v{current}"'))
    _old_write(conn, name, gdf)
    _old_version_row(conn, name, current + 1, len(gdf))


def make_old_store(url, versions):
    """A store at revision 0004 as the old code left it: ``parcels`` replaced twice by renaming, and on
    GeoPackage a spatial index a GIS program made on ``parcels`` before the first replacement."""
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        schema.upgrade(conn, "0004")
        # every store of that release had been filled on first open, which recorded this
        conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('seeded_at', '2025-01-01T00:00:00+00:00')"))
        for name, gdf in {"projects": make_projects(), "centrelines": make_centrelines(), "parcels": versions[0],
                          "communes": make_communes().to_crs(9215), "roads": make_roads()}.items():
            _old_write(conn, name, gdf)
            _old_version_row(conn, name, 1, len(gdf))
        if conn.dialect.name == "sqlite":
            ensure_spatial_index(conn, "parcels")  # what QGIS's "create spatial index" writes
        for current, gdf in enumerate(versions[1:], start=1):
            _old_replace(conn, "parcels", gdf, current)
    engine.dispose()


def test_migration_converts_renamed_versions(store_url, sources_dir, tmp_path):
    versions = [make_parcels(), grid_parcels(4, 4, x0=X0, y0=Y0 + 500, prefix="B"),
                grid_parcels(5, 3, x0=X0 + 1000, y0=Y0 + 500, prefix="C")]
    make_old_store(store_url, versions)
    bbox = (X0 + 990, Y0 + 490, X0 + 1200, Y0 + 600)
    sqlite = store_url.startswith("sqlite")
    if sqlite:
        path = store_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as raw:  # the old state: the R-tree's triggers followed the renamed table
            owners = {r[0] for r in raw.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                                "AND name LIKE 'rtree_parcels_geometry_%'")}
            extension = raw.execute("SELECT table_name FROM gpkg_extensions").fetchall()
        assert owners == {"parcels__v1"} and extension == [("parcels",)]
    store = open_store(store_url, sources_dir=sources_dir)
    try:
        with read_connection(store.engine) as conn:
            assert schema.current_revision(conn) == schema.HEAD_REVISION
            names = tables(conn)
            assert not {"parcels__v1", "parcels__v2"} & names
            if sqlite:
                registered = {r[0] for r in conn.execute(text("SELECT table_name FROM gpkg_contents"))}
                registered |= {r[0] for r in conn.execute(text("SELECT table_name FROM gpkg_geometry_columns"))}
                registered |= {r[0] for r in conn.execute(text("SELECT table_name FROM gpkg_extensions"))}
                assert not any("__" in n for n in registered)
            else:
                published = {r[0] for r in conn.execute(text("SELECT f_table_name FROM geometry_columns"))}
                assert published == {*LAYERS, "parcel_status"}
            for name in LAYERS:
                assert has_spatial_index(conn, name)
            if sqlite:
                rtree_matches_table(conn)  # rebuilt from the current rows, not the stale entries
        assert history_versions(store) == {1: len(versions[0]), 2: len(versions[1])}
        assert store.layer_versions("parcels").version.tolist() == [1, 2, 3]
        assert store.parcels().parcel_id.tolist() == versions[2].parcel_id.tolist()
        actor = office_admin(store)
        assert store.restore_layer("parcels", 1, actor=actor).result == 4
        restored = store.parcels()
        assert restored.parcel_id.tolist() == versions[0].parcel_id.tolist()
        assert shapely.equals_exact(restored.geometry.values, versions[0].geometry.values, 1e-6).all()
        assert store.restore_layer("parcels", 3, actor=actor).result == 5
    finally:
        store.close()
    if sqlite:
        assert len(gdal_read(path, bbox)) == in_box(versions[2], bbox) == 15
