"""Figures for gis/ and the demo-data builder: run ``python benchmarks/gis_data_bench.py``.

Prints wall-clock times (best of a few runs where cheap) of: building the bundled demo data into a
temporary folder; parsing/formatting 100 000 chainage labels; chainage of 100 000 points on the
expressway centreline; areas of 100 000 parcels given in EPSG:4326; the EPSG:9215 → 4326 transform.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from data.build_demo_data import SOURCES_DIR, build_all  # noqa: E402
from gis.chainage import chainages_of_points, format_chainage, parse_chainage  # noqa: E402
from gis.crs import area_m2, transformer_to_wgs84  # noqa: E402


def timed(label: str, func, repeat: int = 1):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label}: {best:.3f} s")
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        summary = timed("build demo data (parcels + events + files)", lambda: build_all(Path(tmp) / "out"))
        sizes = {p.name: p.stat().st_size for p in (Path(tmp) / "out").iterdir()}
    print(f"  parcels: {summary['parcels']}, events: {summary['events']}")
    print("  file sizes (kB): " + ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(sizes.items())))

    rng = np.random.default_rng(1)
    metres = rng.uniform(0, 60_000, 100_000).round(1)
    labels = timed("format 100 000 chainages", lambda: [format_chainage(m, 1) for m in metres], repeat=3)
    timed("parse 100 000 chainage labels", lambda: [parse_chainage(t) for t in labels], repeat=3)

    centrelines = gpd.read_file(SOURCES_DIR / "projects.gpkg", layer="centrelines").set_index("project_id")
    line = centrelines.geometry["CT_HNCL"]
    pts = shapely.points(np.column_stack([rng.uniform(*line.bounds[0::2], 100_000),
                                          rng.uniform(*line.bounds[1::2], 100_000)]))
    timed("chainage of 100 000 points (expressway, vectorised)", lambda: chainages_of_points(line, pts), repeat=3)

    parcels = gpd.read_file(SOURCES_DIR / "parcels.gpkg", layer="parcels")
    many = gpd.GeoDataFrame(geometry=np.tile(parcels.geometry.values, 100_000 // len(parcels) + 1)[:100_000],
                            crs=parcels.crs).to_crs(4326)
    timed("area_m2 of 100 000 parcels given in EPSG:4326", lambda: area_m2(many), repeat=2)
    t = transformer_to_wgs84()
    xs, ys = shapely.get_coordinates(pts).T
    timed("transform 100 000 points 9215 -> 4326 (cached Transformer)", lambda: t.transform(xs, ys), repeat=3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
