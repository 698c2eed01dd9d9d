"""Benchmark: ``import-counts`` of a field-count CSV against its floor, on GeoPackage and PostGIS (issue 13).

    python benchmarks/bench_import_floor.py [--sizes 100000] [--runs 3] [--no-postgis]

*ours* is :func:`ingest.importer.import_counts` as ``cli.py import-counts`` runs it (read in this process when
:func:`ingest.read.csv_bounded` proves the file small and linear to read, as this one is, else in the limited
worker; validate against 20 000 parcels, fingerprints, duplicate search, one-transaction commit with its
audit), without the interpreter start and without the ``parcel_status`` refresher (its cost:
``benchmarks/bench_parcel_status.py``; the split of one import with it: ``benchmarks/profile_import_counts.py``). The *floor* is what any import of the same bytes must do:
``pandas.read_csv`` of the file, then one bulk insert of its rows into a plain table of the same store
database (``executemany`` of a prepared INSERT on SQLite, ``COPY … FROM STDIN`` on PostgreSQL).
Runs alternate floor / ours; each of ours is reverted afterwards (untimed) so the next one commits
again. Prints the medians of wall time and of this process's CPU time (``time.process_time``; the
PostgreSQL server's own CPU is not in it), their ratios and the load average (the machine is shared:
compare ratios).
Generators: :mod:`benchmarks.bench_ingest`.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd
from sqlalchemy import text

from benchmarks._postgis import bench_database
from benchmarks.bench_ingest import make_file, write_sources
from tests.support.actors import office_admin

_FLOOR_TABLE = "bench_floor_rows"


def floor_once(store, data: bytes) -> tuple[float, float]:
    """(wall, CPU) seconds for pandas read + bulk insert of every row (as text) into a fresh plain table."""
    t, c = time.perf_counter(), time.process_time()
    frame = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    names = [f"c{i}" for i in range(frame.shape[1])]
    rows = list(frame.itertuples(index=False, name=None))
    with store.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {_FLOOR_TABLE}"))
        conn.execute(text(f"CREATE TABLE {_FLOOR_TABLE} ({', '.join(n + ' TEXT' for n in names)})"))
        if conn.dialect.name == "postgresql":
            with (conn.connection.driver_connection.cursor() as cursor,
                  cursor.copy(f"COPY {_FLOOR_TABLE} FROM STDIN") as copy):
                for row in rows:
                    copy.write_row(row)
        else:
            conn.exec_driver_sql(f"INSERT INTO {_FLOOR_TABLE} VALUES ({', '.join('?' * len(names))})", rows)
    return time.perf_counter() - t, time.process_time() - c


def ours_once(store, data: bytes, n: int) -> tuple[float, float]:
    """(wall, CPU) seconds for :func:`ingest.importer.import_counts` of the file; the upload is then reverted
    (untimed)."""
    from ingest.importer import import_counts

    actor = office_admin(store)
    t, c = time.perf_counter(), time.process_time()
    result = import_counts(data, store, actor=actor, file_name=f"bench_{n}.csv", source="cli")
    elapsed = time.perf_counter() - t, time.process_time() - c
    assert result.status == "committed" and result.rows_committed == n, (result.status, result.message_vi)
    store.revert_upload(result.upload_id, actor=actor, reason="benchmark")
    return elapsed


def run(url: str, sources: Path, sizes: list[int], runs: int, label: str) -> None:
    from tests.support.stores import demo_store

    store = demo_store(url, sources_dir=sources)
    for n in sizes:
        data = make_file(n)
        floors, ours = [], []
        for _ in range(runs):
            floors.append(floor_once(store, data))
            ours.append(ours_once(store, data, n))
        f, o = (statistics.median(w for w, _ in floors), statistics.median(w for w, _ in ours))
        fc, oc = (statistics.median(c for _, c in floors), statistics.median(c for _, c in ours))
        print(f"{label}: {n:>7,} rows: ours {o:5.2f} s, floor {f:5.2f} s, ratio {o / f:4.1f}× wall; "
              f"CPU ours {oc:5.2f} s, floor {fc:5.2f} s, ratio {oc / fc:4.1f}× "
              f"(medians of {runs}; load average {os.getloadavg()[0]:.2f})", flush=True)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = write_sources(Path(tmp) / "sources")
        run(f"sqlite:///{Path(tmp) / 'bench.gpkg'}", sources, args.sizes, args.runs, "GeoPackage")
        if not args.no_postgis:
            with bench_database("bench_import_floor", "PostGIS") as url:
                if url is not None:
                    run(url, sources, args.sizes, args.runs, "PostGIS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
