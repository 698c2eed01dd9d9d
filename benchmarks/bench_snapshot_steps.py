"""Two steps of ``snapshot_at`` at 100 000 parcels / 1 000 000 events, ours against what they replaced (issue 13).

    python benchmarks/bench_snapshot_steps.py [--parcels 100000] [--events 1000000] [--runs 7]

Sides, in one process on the same inputs (a state at 30/06/2024), runs alternating:
- blocking rows: ``chosen_frame`` with the one joined frame (``milestones.blockers._joined_frame``) against one
  frame per milestone concatenated (``tests/milestones/blocking_frame_reference.py``, the code it replaced);
- progress tables: ``commune_and_project_areas`` + ``project_progress`` + ``segment_progress`` given the
  household codes kept per data version (``ParcelKeys.household_code``) against making them from the state.
Both sides are checked equal first. Medians of wall and CPU time (``time.process_time``: the figure that compares
on a loaded machine), their ratio, and the load average (``os.getloadavg``).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from bench_status import generate

from milestones.aggregates import aggregate_reports
from milestones.blockers import _Candidates, _joined_frame, chosen_frame, observed_stage_days
from milestones.events import prepare_events, to_timestamp
from milestones.prepared import prepare_frames, snapshot_at
from milestones.tables import commune_and_project_areas, project_progress, segment_progress
from tests.milestones.blocking_frame_reference import blocking_frames_per_milestone


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def tables(state, events, ts, reports, hh):
    areas = commune_and_project_areas(state, reports, ts, hh)
    return areas, project_progress(state, events, ts, reports=reports, areas=areas, household_code=hh), \
        segment_progress(state, 500.0, hh)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = generate(args.parcels, args.events)
    p = prepare_frames(**data, rules=None)
    snap = snapshot_at(p, date(2024, 6, 30))         # its state, milestones and clocks are the steps' inputs
    ts = to_timestamp(snap.as_of)
    state, ms, clocks = snap.parcels, snap.milestones, snap.clocks
    events = prepare_events(p.events, ts)
    observed = observed_stage_days(p.parcels, p.by_parcel)
    cand = _Candidates.build(state, clocks, observed, ts, p.rules, frozenset(), None, p.parcel_keys)
    reports = aggregate_reports(state, events, ts)
    hh = p.parcel_keys.household_code
    sides = {
        "blocking rows: joined frame (ours)": lambda: chosen_frame(cand, ms, _joined_frame)[0],
        "blocking rows: frame per milestone": lambda: chosen_frame(cand, ms, blocking_frames_per_milestone)[0],
        "tables: kept household codes (ours)": lambda: tables(state, events, ts, reports, hh),
        "tables: codes from the state": lambda: tables(state, events, ts, reports, None),
    }
    names = list(sides)
    pd.testing.assert_frame_equal(sides[names[0]](), sides[names[1]](), check_exact=True)
    for g, w in zip(sides[names[2]]()[1:], sides[names[3]]()[1:], strict=True):
        pd.testing.assert_frame_equal(g, w, check_exact=True)
    print(f"{args.parcels:,} parcels, {len(data['events']):,} events, {len(sides[names[0]]()):,} blocking rows; "
          f"load average {os.getloadavg()[0]:.2f}")
    wall = {n: [] for n in names}
    cpu = {n: [] for n in names}
    for _ in range(args.runs):
        for n in names:                          # alternating: ours, then what it replaced, each run
            w, c, _ = timed(sides[n])
            wall[n].append(w)
            cpu[n].append(c)
    for n in names:
        print(f"  {n:38s} median {statistics.median(wall[n]):.4f} s wall, {statistics.median(cpu[n]):.4f} s CPU")
    for ours, old in ((names[0], names[1]), (names[2], names[3])):
        print(f"  ratio {ours} / {old}: {statistics.median(wall[ours]) / statistics.median(wall[old]):.2f} wall, "
              f"{statistics.median(cpu[ours]) / statistics.median(cpu[old]):.2f} CPU")
    print(f"  load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
