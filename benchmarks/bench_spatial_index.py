"""Spatial index benchmark (issue 10): a 1 km box read through GDAL on the store vs a GDAL-written copy.

Usage: ``python benchmarks/bench_spatial_index.py [--parcels 50000] [--runs 20]``

A GeoPackage store seeded from ``data/sources/`` in a temporary folder gets a ``parcels`` layer of
``--parcels`` square parcels (20 m, 25 m apart: about 5.6 km × 5.6 km at 50 000), written by
``Store.replace_layer`` (its R-tree kept by the triggers), then replaced once more by the same parcels
(copy to ``parcels__history``, delete, insert). Printed: the two replacement times, then the median time
of ``pyogrio.read_dataframe(…, bbox=<1 km box>)`` on the store, on a copy written by GDAL
(``pyogrio.write_dataframe``, GDAL's own R-tree) and on a copy of the store without its R-tree (what
the store was before issue 10). Then, unless ``--no-postgis``, the two replacement times on a PostGIS store
(``$GPMB_TEST_PG_ADMIN_URL``'s server, a database created and dropped here).
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import pyogrio  # noqa: E402
from shapely.geometry import box  # noqa: E402

from benchmarks._postgis import bench_database  # noqa: E402
from store import open_store  # noqa: E402
from tests.support.stores import demo_store  # noqa: E402

X0, Y0 = 440_000.0, 2_400_000.0


def grid_parcels(template: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """``n`` square parcels in a square grid, attributes copied from the first bundled parcel."""
    side = int(n ** 0.5) + 1
    first = template.drop(columns="geometry").iloc[0].to_dict()
    rows = [{**first, "parcel_id": f"BENCH/{i // side}/{i}", "map_sheet": i // side, "parcel_number": i + 1}
            for i in range(n)]
    geoms = [box(X0 + (i % side) * 25, Y0 + (i // side) * 25, X0 + (i % side) * 25 + 20, Y0 + (i // side) * 25 + 20)
             for i in range(n)]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=template.crs)


def median_read_ms(path: Path, bbox, runs: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = len(pyogrio.read_dataframe(path, layer="parcels", bbox=bbox))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        replacements("GeoPackage", str(folder / "store.gpkg"), args.parcels)
        parcels = grid_parcels(open_store(str(folder / "store.gpkg")).parcels(), args.parcels)
        gdal_copy = folder / "gdal.gpkg"
        pyogrio.write_dataframe(parcels, gdal_copy, layer="parcels")
        no_index = folder / "no_index.gpkg"
        shutil.copy(folder / "store.gpkg", no_index)
        with sqlite3.connect(no_index) as conn:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE 'rtree_parcels_geometry_%'").fetchall():
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute('DROP TABLE "rtree_parcels_geometry"')
            conn.execute("DELETE FROM gpkg_extensions WHERE table_name = 'parcels'")
        bbox = (X0 + 2000, Y0 + 2000, X0 + 3000, Y0 + 3000)
        for label, path in (("store (R-tree)", folder / "store.gpkg"), ("GDAL-written copy", gdal_copy),
                            ("store without R-tree", no_index)):
            ms, count = median_read_ms(path, bbox, args.runs)
            print(f"1 km box read, {label}: {ms:.1f} ms median of {args.runs} ({count} parcels)")
    if not args.no_postgis:
        with bench_database("bench_spatial", "PostGIS") as url:
            if url:
                replacements("PostGIS", url, args.parcels)


def replacements(label: str, url: str, n: int) -> None:
    """Replace ``parcels`` of the store at ``url`` twice by ``n`` grid parcels; print the times."""
    from tests.support.actors import office_admin

    store = demo_store(url)                   # a new store with the bundled data (cli.py init --demo)
    actor = office_admin(store)
    parcels = grid_parcels(store.parcels(), n)
    for what in ("first replacement", "second replacement (history copy + delete + insert)"):
        started = time.perf_counter()
        store.replace_layer("parcels", parcels, actor=actor, report={"benchmark": True})
        print(f"[{label}] {what}: {time.perf_counter() - started:.2f} s for {len(parcels)} parcels")
    store.close()


if __name__ == "__main__":
    main()
