"""Benchmark of the parcel-key change on field-count validation: ``ingest.validate.validate`` of N parcel rows
against 20 000 parcels, this checkout against another one (e.g. ``main`` before text keys).

    python benchmarks/bench_parcel_keys.py --other /path/to/other/checkout [--rows 20000] [--runs 5]

Each run is a fresh process (``--one``) timing ``build_lookups`` + ``validate`` once; the two checkouts
alternate (A B A B …), so a change of machine load hits both. Prints each side's median, the ratio
(this ÷ other) and the load average before and after. Pure computation: no store, nothing written.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COMMUNES = ["Xã Hợp Thành", "Xã Gia Cát", "Xã Tân Liên", "Xã Phú Xá", "Thị trấn Cao Lộc"]
N_PARCELS = 20_000


def _frames(n_rows: int):
    import pandas as pd

    parcels = pd.DataFrame({
        "parcel_id": [f"B/{i % 5}/{i // 1000}/{i % 1000 + 1}" for i in range(N_PARCELS)],
        "project_id": "B", "commune": [COMMUNES[i % 5] for i in range(N_PARCELS)],
        "commune_former": [COMMUNES[i % 5] for i in range(N_PARCELS)],
        "map_sheet": [i // 1000 for i in range(N_PARCELS)], "parcel_number": [i % 1000 + 1 for i in range(N_PARCELS)],
        "area_to_recover_m2": 500.0})
    projects = pd.DataFrame({"project_id": ["B"], "name": ["Bench"], "short_name": ["B"], "start_date": [None],
                             "section_from_m": [float("nan")], "section_to_m": [float("nan")]})
    rows = pd.DataFrame({
        "project": "B", "commune": [COMMUNES[i % 5] for i in range(n_rows)],
        "map_sheet": [str(i % N_PARCELS // 1000) for i in range(n_rows)],
        "parcel_number": [str(i % N_PARCELS % 1000 + 1) for i in range(n_rows)],
        "event": "Kiểm đếm", "event_date": "01/03/2024", "area_m2": "120,5"}, dtype=object)
    rows.index = pd.RangeIndex(2, 2 + n_rows, name="row")
    return parcels, projects, rows


def one(n_rows: int) -> float:
    """Seconds of one validation of ``n_rows`` rows in this process's checkout."""
    from ingest.validate import validate

    parcels, projects, rows = _frames(n_rows)
    start = time.perf_counter()
    report = validate(rows, parcels, projects, None, date(2024, 6, 30))
    elapsed = time.perf_counter() - start
    assert report.rows_valid == n_rows, report.problems[:3]
    return elapsed


def _run(checkout: Path, n_rows: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", "--rows", str(n_rows)],
                         cwd=checkout, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--other", type=Path)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", action="store_true")
    args = parser.parse_args()
    if args.one:
        sys.path.insert(0, os.getcwd())
        print(one(args.rows))
        return
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    times: dict[str, list[float]] = {"this": [], "other": []}
    for _ in range(args.runs):
        times["this"].append(_run(HERE, args.rows))
        times["other"].append(_run(args.other, args.rows))
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    this, other = statistics.median(times["this"]), statistics.median(times["other"])
    print(f"validate {args.rows} rows / {N_PARCELS} parcels, {args.runs} alternating runs each")
    print(f"  this checkout ({HERE}): median {this:.3f} s  {[round(t, 3) for t in times['this']]}")
    print(f"  other ({args.other}): median {other:.3f} s  {[round(t, 3) for t in times['other']]}")
    print(f"  ratio this/other: {this / other:.3f}")
    print(f"  load average before {' '.join(load_before)}, after {' '.join(load_after)}")


if __name__ == "__main__":
    main()
