"""What the layer «Khu tái định cư» adds to building the map document (issue 12).

On a demo store built from ``data/sources`` (4 032 parcels), the live map's document (``mapview.build_map`` with
``people_markers=False``, then ``standalone_html``, as ``dashboard.state`` builds it once per data version) is
built with the layer and without it (``mapview.build.add_resettlement_layer`` replaced by a no-op), alternating,
the map memo cleared before each build (a cold build: the first one after a data change). The reader wraps the
store and returns ``--areas`` resettlement areas (copies of the bundled one, shifted 300 m apart), each with the
bundled lots. Prints the medians of both sides, their ratio, the document sizes and the load average.

Usage: ``python benchmarks/bench_resettlement_layer.py [--areas 30] [--runs 5]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402
import shapely  # noqa: E402


class ManyAreas:
    """``store`` with ``n`` resettlement areas (the first area copied and shifted east by 300 m each)."""

    def __init__(self, store, n: int) -> None:
        self.store, self.n = store, n

    def __getattr__(self, name):
        return getattr(self.store, name)

    def resettlement_areas(self, project_id=None):
        one = self.store.resettlement_areas(project_id).iloc[[0]]
        copies = []
        for k in range(self.n):
            row = one.copy()
            row["area_id"] = f"KTDC-{k:03d}"
            row["name"] = f"Khu tái định cư thử {k}"
            row["geometry"] = shapely.affinity.translate(one.geometry.iloc[0], xoff=300.0 * k)
            copies.append(row)
        return pd.concat(copies, ignore_index=True).set_crs(9215, allow_override=True)


def _build(reader, snapshot) -> tuple[float, int]:
    from mapview import build_map, cache, standalone_html

    cache._CACHE.clear()
    start = time.perf_counter()
    page = standalone_html(build_map(snapshot, reader, people_markers=False))
    return time.perf_counter() - start, len(page.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import mapview.build as build
    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    with tempfile.TemporaryDirectory() as tmp:
        store = demo_store(f"sqlite:///{tmp}/bench.gpkg", sources_dir=REPO / "data" / "sources")
        reader = ManyAreas(store, args.areas)
        snapshot = compute_snapshot(store, date(2024, 6, 30))
        hooked = build.add_resettlement_layer
        times = {"with": [], "without": []}
        sizes = {}
        _build(reader, snapshot)   # warm imports, the snapshot's parcel frame
        for _ in range(args.runs):
            for side in ("with", "without"):
                build.add_resettlement_layer = hooked if side == "with" else (lambda *a, **k: False)
                seconds, size = _build(reader, snapshot)
                times[side].append(seconds)
                sizes[side] = size
        build.add_resettlement_layer = hooked
        store.close()
    med = {side: statistics.median(values) for side, values in times.items()}
    print(f"map document, {len(snapshot.parcels)} parcels, {args.areas} resettlement areas, {args.runs} runs each "
          "(alternating, cold memo)")
    for side in ("with", "without"):
        print(f"  {side:>7} the layer: median {med[side] * 1000:8.1f} ms   document {sizes[side] / 1024:8.1f} KiB")
    print(f"  ratio with / without: {med['with'] / med['without']:.3f}   "
          f"(+{(med['with'] - med['without']) * 1000:.1f} ms, +{(sizes['with'] - sizes['without']) / 1024:.1f} KiB)")
    print(f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
