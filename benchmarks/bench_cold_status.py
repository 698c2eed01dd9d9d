"""Cold ``python cli.py status`` (a new process each run) against the anchor of issue 13, ``import geopandas``.

    python benchmarks/bench_cold_status.py [--runs 5] [--database-url URL]

Four sides, alternating, each a fresh ``python3`` process timed from outside (wall time, and the CPU
time of the child from ``resource.getrusage(RUSAGE_CHILDREN)``, because the machine is shared):
- ``status, answered before``: the same as-of date again on unchanged data — the answer comes from the
  store's ``cli_cache`` through the standard-library path of ``cli.py`` (:mod:`store.output_cache`);
- ``status, new date``: an as-of date not asked before (a day later each run) — evaluated from the status
  document stored for this data version (:func:`cli.fast_status`, :mod:`milestones.status_fast`);
- ``status, new date, full path``: the same kind of date with ``--debug``, which skips both stored paths:
  the computation of the snapshot (``compute_snapshot``) as every new date was answered before;
- ``anchor: import geopandas``.
Medians, the ratios to the anchor, and the load average are printed. The store is the default
``data/gpmb.gpkg`` (made on first run) unless ``--database-url`` names another GeoPackage. The first
call (not timed) stores the document when the data or the program changed.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one run of ``cmd`` in a new process."""
    c0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    db = ["--database-url", args.database_url] if args.database_url else []
    status = [sys.executable, "cli.py", "status", "--as-of", "2024-06-30", *db]
    subprocess.run(status, cwd=REPO, check=True, stdout=subprocess.DEVNULL)      # first answer stored
    print(f"load average {os.getloadavg()[0]:.2f}")
    sides: dict[str, list[tuple[float, float]]] = {"status, answered before": [], "status, new date": [],
                                                   "status, new date, full path": [],
                                                   "anchor: import geopandas": []}
    start = date(2023, 1, 1) + timedelta(days=int(time.time()) % 300)          # dates not asked before
    for run in range(args.runs):
        sides["status, answered before"].append(timed(status))
        new_date = (start + timedelta(days=2 * run)).isoformat()
        sides["status, new date"].append(timed([sys.executable, "cli.py", "status", "--as-of", new_date, *db]))
        other_date = (start + timedelta(days=2 * run + 1)).isoformat()
        sides["status, new date, full path"].append(
            timed([sys.executable, "cli.py", "--debug", "status", "--as-of", other_date, *db]))
        sides["anchor: import geopandas"].append(timed([sys.executable, "-c", "import geopandas"]))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in sides.items()}
    for k, (wall, cpu) in med.items():
        print(f"  {k:30s} median {wall:6.3f} s wall, {cpu:6.3f} s CPU  runs {', '.join(f'{w:.3f}' for w, _ in sides[k])}")
    a = med["anchor: import geopandas"]
    for k in ("status, answered before", "status, new date", "status, new date, full path"):
        print(f"  ratio {k} / anchor: wall {med[k][0] / a[0]:.2f}, CPU {med[k][1] / a[1]:.2f}")
    print(f"  load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
