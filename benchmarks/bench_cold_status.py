"""Cold ``python cli.py status`` (a new process each run) against the anchor of issue 13, ``import geopandas``.

    python benchmarks/bench_cold_status.py [--runs 5] [--database-url URL]

Three sides, alternating, each a fresh ``python3`` process timed from outside:
- ``status, answered before``: the same as-of date again on unchanged data — the answer comes from the
  store's ``cli_cache`` through the standard-library path of ``cli.py`` (:mod:`store.output_cache`);
- ``status, new date``: an as-of date not asked before (a day later each run) — the full computation,
  which then stores its answer;
- ``anchor: import geopandas``.
Medians, the ratios to the anchor, and the load average are printed. The store is the default
``data/gpmb.gpkg`` (made on first run) unless ``--database-url`` names another GeoPackage.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    db = ["--database-url", args.database_url] if args.database_url else []
    status = [sys.executable, "cli.py", "status", "--as-of", "2024-06-30", *db]
    subprocess.run(status, cwd=REPO, check=True, stdout=subprocess.DEVNULL)      # first answer stored
    print(f"load average {os.getloadavg()[0]:.2f}")
    sides: dict[str, list[float]] = {"status, answered before": [], "status, new date": [],
                                     "anchor: import geopandas": []}
    start = date(2023, 1, 1) + timedelta(days=int(time.time()) % 300)          # dates not asked before
    for run in range(args.runs):
        sides["status, answered before"].append(timed(status))
        new_date = (start + timedelta(days=run)).isoformat()
        sides["status, new date"].append(timed([sys.executable, "cli.py", "status", "--as-of", new_date, *db]))
        sides["anchor: import geopandas"].append(timed([sys.executable, "-c", "import geopandas"]))
    med = {k: statistics.median(v) for k, v in sides.items()}
    for k, v in med.items():
        print(f"  {k:28s} median {v:6.3f} s  runs {', '.join(f'{t:.3f}' for t in sides[k])}")
    a = med["anchor: import geopandas"]
    print(f"  ratio answered before / anchor {med['status, answered before'] / a:.2f}; "
          f"new date / anchor {med['status, new date'] / a:.2f}; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
