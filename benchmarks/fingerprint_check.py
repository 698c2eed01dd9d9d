"""Benchmark: the cost of the content-duplicate check on a 100 000-row ``import-counts``, both backends.

Usage: ``python benchmarks/fingerprint_check.py [--rows 100000] [--repeat 3] [--no-postgis]``

Each backend gets a fresh store seeded from ``data/sources/`` (PostGIS: a throw-away database on
``$GPMB_TEST_PG_ADMIN_URL``'s server). Runs alternate *with* the check (as shipped) and *without*
it (:func:`store.uploads.find_duplicates` replaced by one that finds nothing; the fingerprints are
still computed and stored, so the difference is the check itself: the upload's fingerprints
copied into a temporary table, one join with the ledger's fingerprint index, the set lookups). Every run imports a new CSV of ``--rows`` complaint rows over the
bundled parcels with a household count of its own (nothing is a duplicate, so both variants commit every row),
through :func:`ingest.importer.import_counts`, the function the CLI calls, after one small warm-up import. The ledger grows from run
to run; alternating keeps that fair. Printed: each run, the medians, their ratio and the load
average before and after (the machine is shared: read the figures with it). Because a whole import
varies by more than the check costs on a loaded machine, each run also prints the time spent in the
check itself and in computing the fingerprints. No timing is asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._postgis import bench_database  # noqa: E402
from store.errors import Duplicates  # noqa: E402
from tests.support.stores import demo_store  # noqa: E402

FIRST_DATE = date(2024, 2, 1)  # after every bundled project's start of clearance


def csv_bytes(parcels, rows: int, run: int) -> bytes:
    """``rows`` complaint rows (a flag: no stage order to respect) spread over ``parcels``, one date per
    pass over them; ``Số hộ`` = 900 + ``run`` (no seed row has it), so no row repeats the seed's or another
    run's content."""
    per_day = len(parcels)
    keys = list(zip(parcels["project_id"], parcels["commune_former"], parcels["map_sheet"], parcels["parcel_number"]))
    lines = ["Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Số hộ;Ghi chú"]
    for i in range(rows):
        project, commune, sheet, number = keys[i % per_day]
        day = FIRST_DATE + timedelta(days=i // per_day)
        lines.append(f"{project};{commune};{int(sheet)};{int(number)};Khiếu nại;{day:%d/%m/%Y};{900 + run};lần {run}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _timed(fn, spent: dict, key: str):
    """``fn`` adding its run time to ``spent[key]``."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - started
    return wrapper


def one_import(store, actor, data: bytes, name: str, with_check: bool) -> tuple[float, dict]:
    """Seconds of one ``import_counts``, and inside it the seconds of the check itself
    (``check``: the query and the set lookups) and of computing the fingerprints (``fingerprints``,
    paid in both variants)."""
    from ingest.importer import import_counts
    from store import uploads

    shipped, shipped_fps = uploads.find_duplicates, uploads.fingerprints
    spent: dict = {}
    uploads.find_duplicates = _timed(shipped if with_check else (lambda *a, **k: Duplicates()), spent, "check")
    uploads.fingerprints = _timed(shipped_fps, spent, "fingerprints")
    try:
        started = time.perf_counter()
        result = import_counts(data, store, actor=actor, file_name=name, source="cli")
        seconds = time.perf_counter() - started
    finally:
        uploads.find_duplicates, uploads.fingerprints = shipped, shipped_fps
    if result.status != "committed" or result.duplicates:
        raise SystemExit(f"{name}: {result.status}: {result.message_vi[:300]}")
    return seconds, spent


def run_backend(label: str, url: str, rows: int, repeat: int) -> None:
    from tests.support.actors import office_admin

    store = demo_store(url)                   # a new store with the bundled data (cli.py init --demo)
    actor = office_admin(store)
    parcels = store.parcels()
    times: dict[bool, list[float]] = {True: [], False: []}
    checks: list[float] = []
    prints: list[float] = []
    print(f"\n[{label}] {rows:,} rows per import, {len(parcels):,} parcels; load average {os.getloadavg()}", flush=True)
    one_import(store, actor, csv_bytes(parcels, min(rows, 2_000), 2 * repeat), "warm_up.csv", True)  # not counted
    for run in range(2 * repeat):
        with_check = run % 2 == 0
        data = csv_bytes(parcels, rows, run)
        seconds, spent = one_import(store, actor, data, f"bench_{run}.csv", with_check)
        times[with_check].append(seconds)
        prints.append(spent["fingerprints"])
        if with_check:
            checks.append(spent["check"])
        print(f"[{label}] run {run + 1}: {'with' if with_check else 'without'} check {seconds:6.2f} s "
              f"(check itself {spent['check'] * 1000:7.1f} ms, fingerprints {spent['fingerprints']:5.2f} s; "
              f"ledger now {len(store.events()):,} events)", flush=True)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"[{label}] median with check {on:.2f} s, without {off:.2f} s, ratio {on / off:.3f} "
          f"({(on - off):+.2f} s); the check itself: median {statistics.median(checks) * 1000:.0f} ms; "
          f"fingerprints (both variants): median {statistics.median(prints):.2f} s; "
          f"load average {os.getloadavg()}", flush=True)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant (alternating)")
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.gpkg'}", args.rows, args.repeat)
    if not args.no_postgis:
        with bench_database("bench_fingerprint", "[postgis]") as url:
            if url is not None:
                run_backend("postgis", url, args.rows, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
