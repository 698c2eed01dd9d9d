"""Cost of the procedure plan in the schedule computations: legal clocks and blocking sets with and without a plan.

Usage: ``python benchmarks/bench_procedure_plan.py [--parcels 100000] [--runs 5]``

A synthetic state of N parcels over three projects (stages, stage dates and land use drawn with a fixed seed)
and a plan of every stage for each project. Per run, in alternating order, :func:`milestones.clocks.parcel_clocks`
then :func:`milestones.blockers.blocking_sets` (one 100 % area milestone per project) are timed without a plan and
with it (:mod:`milestones.procedure_plan`: a join per project × next stage). Prints both medians, their ratio
(median of the per-pair ratios) and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from domain.stages import STAGES  # noqa: E402
from milestones.blockers import blocking_sets  # noqa: E402
from milestones.clocks import parcel_clocks  # noqa: E402
from milestones.procedure_plan import stage_plan  # noqa: E402

AS_OF = date(2024, 6, 30)
PROJECTS = ("A", "B", "C")


def state(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(12)
    rank = rng.integers(0, len(STAGES), n)
    started = pd.to_datetime(AS_OF) - pd.to_timedelta(rng.integers(1, 400, n), unit="D")
    return pd.DataFrame({
        "parcel_id": [f"P{i}" for i in range(n)], "project_id": np.asarray(PROJECTS)[rng.integers(0, 3, n)],
        "commune": "Xã X", "commune_former": "Xã X", "land_use": np.where(rng.random(n) < 0.6, "LUC", "ODT"),
        "household_id": [f"H{i // 2}" for i in range(n)], "area_to_recover_m2": rng.uniform(50, 900, n),
        "chainage_m": np.nan, "stage": np.asarray(STAGES, dtype=object)[rank], "stage_rank": rank,
        "stage_date": started.where(rank > 0), "complaint_open": rng.random(n) < 0.02,
        "complaint_since": started, "compulsory_inventory": False, "enforced": False,
    })


def plan() -> pd.DataFrame:
    rows = [dict(project_id=p, step_code=f"C{k:03d}", stage=s, lead_body="UBND xã",
                 planned_date=date(2024, 1, 1) + timedelta(days=40 * k)) for p in PROJECTS
            for k, s in enumerate(STAGES[1:], start=1)]
    return stage_plan(pd.DataFrame(rows))


def milestones() -> pd.DataFrame:
    return pd.DataFrame([dict(milestone_id=f"M{p}", project_id=p, scope="project", metric="percent_area_handed_over",
                              actual_percent=10.0, target_percent=100.0, shortfall_m2=1e12, status="behind")
                         for p in PROJECTS])


def once(frame: pd.DataFrame, the_plan) -> float:
    observed = pd.DataFrame(columns=["project_id", "stage", "median_days", "parcels"])
    started = time.perf_counter()
    clocks = parcel_clocks(frame[frame["stage"] != "handed_over"], AS_OF, None, plan=the_plan)
    blocking_sets(frame, milestones(), clocks, observed, AS_OF, None, plan=the_plan)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    frame, the_plan = state(args.parcels), plan()
    once(frame, None)                                   # warm-up (holiday tables, imports)
    without, with_, ratios = [], [], []
    for k in range(args.runs):
        pair = [("none", None), ("plan", the_plan)]
        for name, p in (pair if k % 2 == 0 else pair[::-1]):
            (without if name == "none" else with_).append(once(frame, p))
        ratios.append(with_[-1] / without[-1])
    print(f"{args.parcels} parcels, {args.runs} alternating runs")
    print(f"clocks + blocking sets without a plan: median {statistics.median(without):.3f} s")
    print(f"clocks + blocking sets with a plan:    median {statistics.median(with_):.3f} s")
    print(f"ratio with / without (median of pairs): {statistics.median(ratios):.3f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
