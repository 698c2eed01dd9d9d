"""Generation time and file size of every export format on the bundled data.

    python benchmarks/bench_exports.py [--as-of 2024-06-30] [--database-url URL] [--repeat 1]

Without ``--database-url`` a fresh store is seeded from ``data/sources`` in a temporary folder (the
shared ``data/gpmb.gpkg`` is not touched). Prints one line per export: seconds (best of ``--repeat``)
and size. Figures only: nothing is asserted.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exports import ExportOptions, export

CASES = [
    ("xlsx", "Excel, all projects", ExportOptions()),
    ("xlsx", "Excel, QL4B", ExportOptions(project_id="QL4B")),
    ("html", "HTML map, all projects", ExportOptions()),
    ("html", "HTML map, CT_HNCL", ExportOptions(project_id="CT_HNCL")),
    ("pdf", "PDF A3 landscape, overview + 1 page/project", ExportOptions()),
    ("pdf", "PDF A4 portrait, QL4B", ExportOptions(project_id="QL4B", paper="A4", orientation="portrait")),
    ("png", "PNG A3 landscape 300 dpi, overview", ExportOptions()),
    ("png", "PNG A4 landscape 300 dpi, CCN_HT1", ExportOptions(project_id="CCN_HT1", paper="A4")),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2024-06-30")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.gpkg'}"
        t0 = time.perf_counter()
        store = demo_store(url)
        t1 = time.perf_counter()
        snapshot = compute_snapshot(store, as_of)
        t2 = time.perf_counter()
        print(f"store open{' + seed' if not args.database_url else ''}: {t1 - t0:6.2f} s; "
              f"compute_snapshot({as_of}): {t2 - t1:6.2f} s; parcels: {len(snapshot.parcels)}")
        print(f"{'format':5} {'case':48} {'seconds':>8} {'size':>10}")
        for fmt, label, options in CASES:
            best = float("inf")
            for _ in range(max(1, args.repeat)):
                start = time.perf_counter()
                result = export(fmt, snapshot, store, options)
                best = min(best, time.perf_counter() - start)
            size = len(result.data)
            print(f"{fmt:5} {label:48} {best:8.2f} {size / 1024:8.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
