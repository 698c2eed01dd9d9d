"""Benchmark: the steps of the ``parcel_status`` refresh after an import that touches every project (issue 13).

    python benchmarks/bench_refresh_steps.py [--rows 100000] [--runs 3] [--no-postgis]

The store and file are those of :mod:`benchmarks.bench_import_floor` (20 000 parcels); the 100 000-row
import is committed once with no refresher registered (so the stored layer is the one before it, as a
refresh inside the commit finds it). Then, in a transaction rolled back at the end, alternating runs of each
step, anchor then ours: the ledger read (``tests/store/events_read_reference.py`` / :func:`store.uploads.read_events`),
the refresher's frame without geometry (``tests/milestones/status_layer_reference.py``, the whole snapshot /
:func:`milestones.status_layer.parcel_status_frame`), the changed-row comparison
(``tests/store/changed_rows_reference.py`` / :func:`store.parcel_status._changed_rows`) and the update of the
changed rows (every column / the changed columns, :func:`store.parcel_status._update_rows`). Prints medians of
wall and CPU time (``time.process_time``), the ratios anchor / ours, and the load average.
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
    from store.uploads import read_events
    from tests.milestones.status_layer_reference import parcel_status_frame_reference
    from tests.store.changed_rows_reference import changed_rows_rowwise
    from tests.store.events_read_reference import read_events_reference
    from tests.support.stores import demo_store

    install()
    store = demo_store(url, sources_dir=sources)
    ps.register_refresher(None)   # the import leaves the layer as it was: the refresh below finds it so
    result = import_counts(make_file(n), store, actor=office_admin(store), file_name="steps.csv", source="cli")
    assert result.status == "committed", result.message_vi
    pairs = {   # step: (anchor, ours)
        "ledger read": ("one statement, SQLAlchemy rows", "chunked, driver tuples"),
        "frame": ("whole snapshot", "per-parcel steps"),
        "compare": ("row by row", "by column"),
        "update": ("every column of a changed row", "changed columns only"),
    }
    times: dict[tuple[str, int], list[tuple[float, float]]] = {(k, i): [] for k in pairs for i in (0, 1)}
    as_of = ps.today_local()
    with store.engine.connect() as conn:
        tx = conn.begin()
        reader = ps.ConnectionReader(conn, parcel_geometry=False)
        for _ in range(runs):
            for i, fn in enumerate((read_events_reference, read_events)):
                _, wall, cpu = _timed(partial(fn, conn))
                times["ledger read", i].append((wall, cpu))
            for i, fn in enumerate((parcel_status_frame_reference, parcel_status_frame)):
                frame, wall, cpu = _timed(partial(fn, reader, as_of))
                times["frame", i].append((wall, cpu))
            for i, fn in enumerate((changed_rows_rowwise, ps._changed_rows)):
                changed, wall, cpu = _timed(partial(fn, conn, frame))
                times["compare", i].append((wall, cpu))
            cells = ps._changed_rows(conn, frame, only_changed=True)
            for i, params in enumerate((changed, cells)):
                savepoint = conn.begin_nested()
                _, wall, cpu = _timed(partial(ps._update_rows, conn, params))
                times["update", i].append((wall, cpu))
                savepoint.rollback()
        tx.rollback()
    store.close()
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    print(f"{label}: {len(changed or []):,} rows changed of {len(frame):,}, {sum(len(r) - 1 for r in cells):,} cells; "
          f"medians of {runs} alternating runs (load average {os.getloadavg()[0]:.2f}):", flush=True)
    for step, (anchor, ours) in pairs.items():
        (wa, ca), (wo, co) = med[step, 0], med[step, 1]
        print(f"  {step:12s} anchor ({anchor}) {wa:.2f} s (CPU {ca:.2f} s), ours ({ours}) {wo:.2f} s "
              f"(CPU {co:.2f} s): anchor/ours {wa / wo:.2f}× wall, {ca / co:.2f}× CPU", flush=True)


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
