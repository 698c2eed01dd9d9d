"""Where the time of ``import-counts`` goes: seconds per step of one 100 000-row import, per backend.

    python benchmarks/profile_import_counts.py [--rows 100000] [--no-postgis] [--cprofile OUT.prof]

The store and file are those of :mod:`benchmarks.bench_import_floor` (20 000 parcels, all rows valid),
with the ``parcel_status`` refresher registered as ``cli.py`` does. The steps are timed by wrapping the
functions that do them (read in the limited worker, store reads, validation, fingerprints, duplicate
search, event insert, ``parcel_status`` refresh, the rest of the commit); each import is reverted
afterwards. ``--cprofile`` also writes a cProfile of the GeoPackage run (``python -m pstats OUT.prof``).
Prints the load average: the machine is shared.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._postgis import bench_database
from benchmarks.bench_ingest import make_file, write_sources
from tests.support.actors import office_admin

#: (module, attribute, step name): the functions timed.
_TIMED = (
    ("ingest.importer", "run_with_time_limit", "read (limited worker)"),
    ("ingest.importer", "validate", "validate"),
    ("store.uploads", "fingerprints", "fingerprints"),
    ("store.uploads", "find_duplicates", "duplicate search"),
    ("store.uploads", "insert_events", "insert events"),
    ("store.parcel_status", "refresh_in", "parcel_status refresh"),
    ("store.store:Store", "parcels", "store reads"),
    ("store.store:Store", "parcel_attributes", "store reads"),
    ("store.store:Store", "projects", "store reads"),
    ("store.store:Store", "events", "store reads"),
    ("store.store:Store", "commit_upload", "commit (all)"),
)


#: Steps that run inside ``commit (all)`` (not added again to the total).
_INSIDE_COMMIT = ("fingerprints", "duplicate search", "insert events", "parcel_status refresh")


@contextlib.contextmanager
def timed_steps(seconds: dict[str, float], cpu: dict[str, float] | None = None):
    """Wrap the :data:`_TIMED` functions so that each call adds its duration to ``seconds[step]`` (and its
    CPU time, ``time.process_time``, to ``cpu[step]``)."""
    cpu = {} if cpu is None else cpu
    import importlib

    saved = []
    for module_name, attr, label in _TIMED:
        owner_name, _, cls = module_name.partition(":")
        owner = importlib.import_module(owner_name)
        if cls:
            owner = getattr(owner, cls)
        original = getattr(owner, attr)

        def wrapper(*args, _f=original, _label=label, **kwargs):
            t, c = time.perf_counter(), time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                seconds[_label] += time.perf_counter() - t
                cpu[_label] = cpu.get(_label, 0.0) + time.process_time() - c

        saved.append((owner, attr, original))
        setattr(owner, attr, wrapper)
    try:
        yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)


def profile_backend(label: str, url: str, sources: Path, n: int, prof_path: str | None) -> None:
    from ingest.importer import import_counts
    from milestones.status_layer import install
    from store import parcel_status
    from tests.support.stores import demo_store

    install()   # before the store is made, as cli.py does: the seeded layer is current, so the import's
    # refresh is the one every later import pays (only the changed rows written), not a first full write
    store = demo_store(url, sources_dir=sources)
    actor = office_admin(store)
    data = make_file(n)
    seconds: dict[str, float] = defaultdict(float)
    cpu_of: dict[str, float] = {}
    profiler = cProfile.Profile() if prof_path else None
    with timed_steps(seconds, cpu_of):
        t, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = import_counts(data, store, actor=actor, file_name="profile.csv", source="cli")
        if profiler:
            profiler.disable()
            profiler.dump_stats(prof_path)
        total, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert result.status == "committed" and result.rows_committed == n, (result.status, result.message_vi)
    parcel_status.register_refresher(None)
    store.revert_upload(result.upload_id, actor=actor, reason="profile")
    store.close()
    accounted = sum(v for k, v in seconds.items() if k not in _INSIDE_COMMIT)
    parts = ", ".join(f"{k} {v:.2f} s (CPU {cpu_of.get(k, 0.0):.2f} s)" for k, v in seconds.items())
    print(f"{label}: {n:,} rows in {total:.2f} s (CPU of this process {cpu:.2f} s): {parts}, other {total - accounted:.2f} s "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument("--cprofile", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = write_sources(Path(tmp) / "sources")
        profile_backend("GeoPackage", f"sqlite:///{Path(tmp) / 'p.gpkg'}", sources, args.rows, args.cprofile)
        if not args.no_postgis:
            with bench_database("profile_import", "PostGIS") as url:
                if url is not None:
                    profile_backend("PostGIS", url, sources, args.rows, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
