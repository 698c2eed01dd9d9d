"""Store benchmark: commit 10 000 and 100 000 field-count events on both backends; print the times.

Usage: ``python benchmarks/bench_store.py [--sizes 10000 100000] [--no-postgis]``

Each backend gets a fresh store seeded from ``data/sources/`` (SQLite: a GeoPackage in a temporary
folder; PostGIS: a database created on ``$GPMB_TEST_PG_ADMIN_URL``'s server and dropped afterwards).
Printed per backend: seeding time, then per size the commit time (one transaction), the time to
read the whole ledger back (``store.events()``), and the time to revert the upload.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from benchmarks._postgis import bench_database, parse_backend_args  # noqa: E402
from store import init_store, open_store  # noqa: E402


def make_events(parcel_ids: list[str], project_ids: list[str], n: int, tag: str) -> pd.DataFrame:
    """``n`` parcel events spread over the bundled parcels and 2024 dates."""
    start = date(2024, 1, 1)
    codes = ["notice", "inventory", "plan_posted", "approved", "paid", "handed_over"]
    return pd.DataFrame({
        "kind": "parcel",
        "project_id": [project_ids[i % len(project_ids)] for i in range(n)],
        "parcel_id": [parcel_ids[i % len(parcel_ids)] for i in range(n)],
        "event": [codes[i % len(codes)] for i in range(n)],
        "event_date": [start + timedelta(days=i % 365) for i in range(n)],
        "area_m2": [float(i % 900) if i % 6 == 5 else None for i in range(n)],
        "households": 1,
        "amount_vnd": [1.0e6 * (i % 50) if i % 6 in (3, 4) else None for i in range(n)],
        "is_correction": False,
        "note": [f"{tag} dòng {i}" for i in range(n)],
    })


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def run_backend(label: str, url: str, sizes: list[int]) -> None:
    store, seconds = timed(lambda: init_store(url, demo=True))
    print(f"\n[{label}] seed from data/sources: {seconds:.2f} s "
          f"({len(store.parcels())} parcels, {len(store.events())} seed events)")
    _, seconds = timed(lambda: open_store(url))
    print(f"[{label}] reopen (already seeded): {seconds * 1000:.1f} ms")
    from tests.support.actors import office_admin

    actor = office_admin(store)
    parcels = store.parcels()
    ids, projects = parcels.parcel_id.tolist(), parcels.project_id.tolist()
    for n in sizes:
        frame = make_events(ids, projects, n, f"bench-{n}")
        sha = hashlib.sha256(f"{label}-{n}-{secrets.token_hex(4)}".encode()).hexdigest()
        result, commit_s = timed(functools.partial(store.commit_upload, frame, file_name=f"bench_{n}.csv",
                                                   file_sha256=sha, actor=actor, rows_read=n, source="cli"))
        events, read_s = timed(store.events)
        _, revert_s = timed(functools.partial(store.revert_upload, result.upload_id, actor=actor))
        print(f"[{label}] {n:>7,} rows: commit {commit_s:6.2f} s ({n / commit_s:,.0f} rows/s), "
              f"read ledger ({len(events):,} rows) {read_s:5.2f} s, revert {revert_s * 1000:6.1f} ms")
    store.close()


def main() -> int:
    args = parse_backend_args(__doc__.splitlines()[0])

    with tempfile.TemporaryDirectory() as tmp:
        run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.gpkg'}", args.sizes)
    if args.no_postgis:
        return 0
    with bench_database("bench_store", "[postgis]") as url:
        if url is not None:
            run_backend("postgis", url, args.sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
