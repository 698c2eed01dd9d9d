"""The README's vector-tile recipe on PostGIS: ``deploy/tiles/parcel_status_tiles.sql`` (the function Martin
and pg_tileserv publish) returns, for a z/x/y tile over the fixture parcels, a Mapbox Vector Tile whose
features are exactly the parcels of that tile with the stages of ``parcel_status``; ``martin.yaml`` names
only columns the layer has."""
from __future__ import annotations

import math
from pathlib import Path

import mapbox_vector_tile
import pytest
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import text

from milestones.status_layer import parcel_status_frame
from store import parcel_status as ps
from tests.support.postgis import postgis_database
from tests.support.stores import demo_store

RECIPE = Path(__file__).resolve().parents[2] / "deploy" / "tiles"
HALF_WORLD = 20037508.342789244   # EPSG:3857 half extent, metres

pytestmark = pytest.mark.postgis


@pytest.fixture
def pg_store(postgis_template, sources_dir, monkeypatch):
    previous = ps.register_refresher(parcel_status_frame)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources_dir))
    with postgis_database("tiles", postgis_template) as url:
        store = demo_store(url, sources_dir=sources_dir)
        with store.engine.begin() as conn:
            conn.exec_driver_sql((RECIPE / "parcel_status_tiles.sql").read_text(encoding="utf-8"))
        yield store
        store.close()
    ps.register_refresher(previous)


def tile_of(x3857: float, y3857: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    return (math.floor((x3857 + HALF_WORLD) / (2 * HALF_WORLD) * n),
            math.floor((HALF_WORLD - y3857) / (2 * HALF_WORLD) * n))


def tile_box(z: int, x: int, y: int, margin: float):
    size = 2 * HALF_WORLD / 2 ** z
    x0, y1 = -HALF_WORLD + x * size, HALF_WORLD - y * size
    return box(x0 - margin * size, y1 - size - margin * size, x0 + size + margin * size, y1 + margin * size)


def fetch_tile(store, z, x, y) -> dict:
    with store.engine.connect() as conn:
        data = conn.execute(text("SELECT public.parcel_status_tiles(:z, :x, :y)"), dict(z=z, x=x, y=y)).scalar()
    return mapbox_vector_tile.decode(bytes(data)) if data else {}


@pytest.mark.parametrize("z", [12, 16])
def test_tile_holds_the_parcels_of_that_tile(pg_store, z):
    layer = pg_store.parcel_status()
    to_3857 = Transformer.from_crs(9215, 3857, always_xy=True)
    merc = shapely.transform(layer.geometry.values, lambda xy: list(zip(*to_3857.transform(*xy.T), strict=True)))
    first = merc[0].centroid
    x, y = tile_of(first.x, first.y, z)
    envelope = tile_box(z, x, y, 64 / 4096)
    expected = {pid: stage for pid, stage, g in zip(layer["parcel_id"], layer["stage"], merc) if g.intersects(envelope)}
    assert layer["parcel_id"][0] in expected
    if z == 16:
        assert len(expected) < len(layer)   # a tile, not the whole layer

    tile = fetch_tile(pg_store, z, x, y)
    features = tile["parcel_status"]["features"]
    assert tile["parcel_status"]["extent"] == 4096
    assert {f["properties"]["parcel_id"]: f["properties"]["stage"] for f in features} == expected
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    assert fetch_tile(pg_store, z, x + 8, y + 8) == {}   # far away: no feature


def test_tiles_follow_a_commit(pg_store):
    import hashlib

    import pandas as pd

    from tests.support.actors import office_admin

    layer = pg_store.parcel_status()
    pid = layer["parcel_id"][4]
    to_3857 = Transformer.from_crs(9215, 3857, always_xy=True)
    c = layer.geometry.values[4].centroid
    x, y = tile_of(*to_3857.transform(c.x, c.y), 16)
    before = {f["properties"]["parcel_id"]: f["properties"]["stage"] for f in fetch_tile(pg_store, 16, x, y)["parcel_status"]["features"]}
    assert before[pid] == "not_started"
    events = pd.DataFrame({"kind": ["parcel"], "parcel_id": [pid], "event": ["notice"], "event_date": ["2024-04-01"]})
    pg_store.commit_upload(events, actor=office_admin(pg_store), file_name="tb.csv",
                           file_sha256=hashlib.sha256(b"tb").hexdigest(), rows_read=1)
    after = {f["properties"]["parcel_id"]: f["properties"] for f in fetch_tile(pg_store, 16, x, y)["parcel_status"]["features"]}
    assert after[pid]["stage"] == "notice" and after[pid]["stage_date"] == "2024-04-01"


def test_martin_config_names_the_layer_columns(pg_store):
    config = yaml.safe_load((RECIPE / "martin.yaml").read_text(encoding="utf-8"))
    table = config["postgres"]["tables"]["parcel_status"]
    with pg_store.engine.connect() as conn:
        columns = dict(conn.execute(text("SELECT column_name, udt_name FROM information_schema.columns "
                                         "WHERE table_name = 'parcel_status'")).all())
        srid, kind = conn.execute(text("SELECT srid, type FROM geometry_columns WHERE f_table_name = 'parcel_status'")).one()
    assert (table["srid"], table["geometry_type"], table["geometry_column"]) == (srid, kind, "geometry")
    assert all(columns[name] == udt for name, udt in table["properties"].items())
    assert "owner_name" not in table["properties"]
