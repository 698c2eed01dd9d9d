"""Benchmark: the steps of the ``parcel_status`` refresh after an import that touches every project (issue 13).

    python benchmarks/bench_refresh_steps.py [--rows 100000] [--runs 3] [--no-postgis]

The store and file are those of :mod:`benchmarks.bench_import_floor` (20 000 parcels); the 100 000-row
import is committed once with no refresher registered (so the stored layer is the one before it, as a
refresh inside the commit finds it). Then, in a transaction rolled back at the end, alternating runs of:
the refresher's frame (:func:`milestones.status_layer.parcel_status_frame`), the changed-row comparison
(ours :func:`store.parcel_status._changed_rows` against the anchor, the row-by-row reference
``_changed_rows_rowwise``), and the update of the changed rows. Prints medians of wall and CPU time
(``time.process_time``), the ratio anchor / ours of the comparison, and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._postgis import bench_database
from benchmarks.bench_ingest import make_file, write_sources
from tests.support.actors import office_admin


def _timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def run(label: str, url: str, sources: Path, n: int, runs: int) -> None:
    from ingest.importer import import_counts
    from milestones.status_layer import install, parcel_status_frame
    from store import parcel_status as ps
    from tests.support.stores import demo_store

    install()
    store = demo_store(url, sources_dir=sources)
    ps.register_refresher(None)   # the import leaves the layer as it was: the refresh below finds it so
    result = import_counts(make_file(n), store, actor=office_admin(store), file_name="steps.csv", source="cli")
    assert result.status == "committed", result.message_vi
    steps = ("frame (geometry read)", "frame (no geometry)", "compare (row by row)", "compare (by column)",
             "update")
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in steps}
    as_of = ps.today_local()
    with store.engine.connect() as conn:
        tx = conn.begin()
        for _ in range(runs):
            for step, geometry in ((steps[0], True), (steps[1], False)):
                reader = ps.ConnectionReader(conn, parcel_geometry=geometry)
                frame, wall, cpu = _timed(partial(parcel_status_frame, reader, as_of))
                times[step].append((wall, cpu))
            for step, fn in ((steps[2], ps._changed_rows_rowwise), (steps[3], ps._changed_rows)):
                changed, wall, cpu = _timed(partial(fn, conn, frame))
                times[step].append((wall, cpu))
            savepoint = conn.begin_nested()
            _, wall, cpu = _timed(partial(ps._update_rows, conn, changed))
            times["update"].append((wall, cpu))
            savepoint.rollback()
        tx.rollback()
    store.close()
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    parts = ", ".join(f"{k} {w:.2f} s (CPU {c:.2f} s)" for k, (w, c) in med.items())
    frame_ratio = med[steps[0]][0] / med[steps[1]][0]
    compare_ratio = med[steps[2]][0] / med[steps[3]][0]
    print(f"{label}: {len(changed or []):,} rows changed of {len(frame):,}; medians of {runs}: {parts}; "
          f"anchor/ours: frame {frame_ratio:.2f}×, compare {compare_ratio:.2f}× "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = write_sources(Path(tmp) / "sources")
        run("GeoPackage", f"sqlite:///{Path(tmp) / 's.gpkg'}", sources, args.rows, args.runs)
        if not args.no_postgis:
            with bench_database("refresh_steps", "PostGIS") as url:
                if url is not None:
                    run("PostGIS", url, sources, args.rows, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
