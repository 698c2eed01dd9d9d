"""Benchmark of the status computations (milestones/): prints figures, asserts nothing.

1. Bundled data: seeding a fresh store from ``data/sources/`` (first run), then in a *new Python
   process* the cold path of every view: imports + ``open_store`` on the existing file +
   ``compute_snapshot``; then ``compute_snapshot`` again in the same process (warm); then the
   prepared path of the dashboard: ``milestones.prepared.prepare`` once per data version and
   ``snapshot_at`` at new as-of dates.
2. A generated large case: 100 000 parcels and 1 000 000 field-count events (5 projects,
   20 communes each, stage sequences with complaints, corrections, chainage-range and aggregate
   reports), computed from frames (no store), step by step, then ``prepare_frames`` + ``snapshot_at``.

Usage: ``python benchmarks/bench_status.py [--parcels 100000] [--events 1000000] [--skip-bundled]``
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.stages import STAGES  # noqa: E402
from milestones.progress import ProgressHistory, parcel_stages, prepare_events  # noqa: E402
from milestones.snapshot import compute_snapshot_from_frames  # noqa: E402
from milestones.status import milestone_status  # noqa: E402

AS_OF = date(2024, 6, 30)

_COLD = """
import time, sys
t0 = time.perf_counter(); c0 = time.process_time()
sys.path.insert(0, {repo!r})
from datetime import date
from store import open_store
from milestones.snapshot import compute_snapshot
t1 = time.perf_counter()
store = open_store({url!r})
t2 = time.perf_counter()
snap = compute_snapshot(store, date(2024, 6, 30))
t3 = time.perf_counter()
print(f"{{t1 - t0:.2f}} {{t2 - t1:.2f}} {{t3 - t2:.2f}} {{time.process_time() - c0:.2f}}")
"""


def bench_bundled() -> None:
    from milestones.snapshot import compute_snapshot
    from store import init_store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/gpmb.gpkg"
        t = time.perf_counter()
        store = init_store(url, demo=True)
        seed_s = time.perf_counter() - t
        events = store.events()
        print(f"bundled data: {len(store.parcels())} parcels, {len(events)} events, "
              f"{len(store.milestones())} milestones")
        print(f"  init --demo (create + seed from data/sources): {seed_s:.2f} s")
        out = subprocess.run([sys.executable, "-c", _COLD.format(repo=str(REPO), url=url)],
                             capture_output=True, text=True, check=True).stdout.split()
        print(f"  cold process: imports {out[0]} s + open_store {out[1]} s + compute_snapshot {out[2]} s "
              f"= {sum(map(float, out[:3])):.2f} s wall ({out[3]} s CPU)")
        runs = []
        for _ in range(3):
            with Timer() as t:
                compute_snapshot(store, AS_OF)
            runs.append(str(t))
        print(f"  warm compute_snapshot (store read + compute), 3 runs: {'; '.join(runs)}")
        from milestones.prepared import prepare, snapshot_at

        with Timer() as t:
            prepared = prepare(store)
        print(f"  prepare (store read + as-of-independent part, once per data version): {t}")
        runs = []
        for day in (date(2024, 3, 31), date(2024, 9, 30), date(2024, 12, 31)):
            with Timer() as t:
                snapshot_at(prepared, day)
            runs.append(f"{day:%d/%m/%Y} {t}")
        print(f"  snapshot_at at new as-of dates: {'; '.join(runs)}")
        store.close()


def generate(n_parcels: int, n_events: int, seed: int = 7) -> dict:
    """Deterministic synthetic tables with the contract columns (no geometry)."""
    rng = np.random.default_rng(seed)
    projects = [f"P{i}" for i in range(5)]
    project = rng.integers(0, 5, n_parcels)
    commune = rng.integers(0, 20, n_parcels)
    parcels = pd.DataFrame({
        "parcel_id": [f"P{p}/{c}/{i}" for i, (p, c) in enumerate(zip(project, commune))],
        "project_id": np.array(projects, dtype=object)[project],
        "commune": np.array([f"Xã {c}" for c in range(20)], dtype=object)[commune],
        "commune_former": np.array([f"Xã cũ {c}" for c in range(40)], dtype=object)[commune * 2 + rng.integers(0, 2, n_parcels)],
        "land_use": rng.choice(np.array(["LUC", "BHK", "CLN", "RSX", "ONT", "ODT"], dtype=object), n_parcels),
        "household_id": np.array([f"H{h}" for h in range(n_parcels // 2)], dtype=object)[rng.integers(0, n_parcels // 2, n_parcels)],
        "area_to_recover_m2": rng.uniform(80, 5000, n_parcels).round(1),
        "chainage_m": rng.uniform(0, 40_000, n_parcels).round(1),
    })
    # Stage sequences: each parcel reaches a random final stage; remaining events are flags,
    # corrections, chainage ranges and aggregates.
    final = rng.integers(1, len(STAGES), n_parcels)
    n_stage_events = int(final.sum())
    pidx = np.repeat(np.arange(n_parcels), final)
    step = np.arange(n_stage_events) - np.repeat(np.cumsum(final) - final, final) + 1
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n_parcels), unit="D")
    day = start.to_numpy()[pidx] + pd.to_timedelta(step * 40 + rng.integers(0, 30, n_stage_events), unit="D").to_numpy()
    stage_ev = pd.DataFrame({"kind": "parcel", "pidx": pidx, "event": np.array(STAGES, dtype=object)[step],
                             "event_date": day, "is_correction": False})
    rest = max(n_events - n_stage_events, 0)
    n_flags = int(rest * 0.985)
    f_pidx = rng.integers(0, n_parcels, n_flags)
    flags = pd.DataFrame({"kind": "parcel", "pidx": f_pidx,
                          "event": rng.choice(np.array(["complaint", "complaint_resolved", "compulsory_inventory",
                                                        "enforced", "inventory"], dtype=object), n_flags),
                          "event_date": start.to_numpy()[f_pidx] + pd.to_timedelta(rng.integers(0, 900, n_flags), unit="D").to_numpy(),
                          "is_correction": rng.random(n_flags) < 0.05})
    n_ranges = int(rest * 0.005)
    lo = rng.uniform(0, 39_000, n_ranges)
    ranges = pd.DataFrame({"kind": "chainage_range", "pidx": -1, "event": "handed_over",
                           "project_id": np.array(projects, dtype=object)[rng.integers(0, 5, n_ranges)],
                           "chainage_from_m": lo, "chainage_to_m": lo + rng.uniform(20, 150, n_ranges),
                           "event_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n_ranges), unit="D"),
                           "is_correction": False})
    n_agg = rest - n_flags - n_ranges
    aggs = pd.DataFrame({"kind": "aggregate", "pidx": -1, "event": "handed_over",
                         "project_id": np.array(projects, dtype=object)[rng.integers(0, 5, n_agg)],
                         "commune": np.where(rng.random(n_agg) < 0.5, None,
                                             np.array([f"Xã {c}" for c in range(20)], dtype=object)[rng.integers(0, 20, n_agg)]),
                         "area_m2": rng.uniform(0, 200_000, n_agg),
                         "event_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n_agg), unit="D"),
                         "is_correction": False})
    events = pd.concat([stage_ev, flags, ranges, aggs], ignore_index=True)
    has_parcel = events["pidx"].to_numpy() >= 0
    events["parcel_id"] = np.where(has_parcel, parcels["parcel_id"].to_numpy()[np.maximum(events["pidx"], 0)], None)
    events.loc[has_parcel, "project_id"] = parcels["project_id"].to_numpy()[events.loc[has_parcel, "pidx"]]
    events = events.drop(columns="pidx").sample(frac=1.0, random_state=seed).reset_index(drop=True)
    events["event_id"] = np.arange(1, len(events) + 1)
    events["amount_vnd"] = np.where(events["event"].isin(["approved", "paid"]), 1e8, np.nan)
    milestones = pd.DataFrame([
        dict(milestone_id=f"{p}-{t}", project_id=p, due_date=due, metric=metric, target_percent=t,
             scope=scope, label=f"{p} {t}%")
        for p in projects
        for (due, t, metric, scope) in [("30/06/2024", 70, "percent_area_handed_over", "project"),
                                        ("31/12/2024", 100, "percent_area_handed_over", "project"),
                                        ("30/09/2024", 80, "percent_households_paid", "project"),
                                        ("31/12/2024", 100, "percent_area_handed_over", "Xã 3")]])
    proj = pd.DataFrame({"project_id": projects, "name": [f"Dự án {p}" for p in projects],
                         "start_date": [date(2022, 1, 1)] * 5})
    return dict(projects=proj, parcels=parcels, events=events, milestones=milestones)


class Timer:
    """Wall-clock and CPU time of a block (the CPU figure is what counts on a shared machine)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self):
        return f"{self.wall:.2f} s wall / {self.cpu:.2f} s CPU"


def bench_large(n_parcels: int, n_events: int) -> None:
    t = time.perf_counter()
    data = generate(n_parcels, n_events)
    print(f"\ngenerated large case: {len(data['parcels'])} parcels, {len(data['events'])} events "
          f"({data['events']['kind'].value_counts().to_dict()}), {len(data['milestones'])} milestones "
          f"in {time.perf_counter() - t:.1f} s")
    parcels, events = data["parcels"], data["events"]
    with Timer() as t:
        prepared = prepare_events(events, AS_OF)
    print(f"  prepare_events (dtypes, filter): {t}")
    with Timer() as t:
        state = parcel_stages(parcels, prepared, AS_OF)
    print(f"  parcel_stages: {t} (handed over: {int((state['stage'] == 'handed_over').sum())} parcels)")
    with Timer() as t:
        history = ProgressHistory.build(parcels, prepared, AS_OF)
    print(f"  ProgressHistory.build (per-day state changes): {t} ({len(history.changes)} changes)")
    with Timer() as t:
        ms = milestone_status(data["milestones"], history, AS_OF)
    print(f"  milestone_status ({len(ms)} milestones): {t}; statuses {ms['status'].value_counts().to_dict()}")
    with Timer() as t:
        snap = compute_snapshot_from_frames(**data, rules=None, as_of=AS_OF)
    print(f"  compute_snapshot_from_frames (everything: stages, history, status, risk, tables, S-curve): {t}")
    from milestones.prepared import prepare_frames, snapshot_at

    with Timer() as t:
        prepared = prepare_frames(**data, rules=None)
    print(f"  prepare_frames (once per data version): {t}")
    with Timer() as t:
        snapshot_at(prepared, date(2024, 9, 30))
    print(f"  snapshot_at a new as-of date (sliced): {t}")
    print(f"  peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"  snapshot sizes: parcels {len(snap.parcels)}, communes {len(snap.communes)}, "
          f"segments {len(snap.segments)}, s_curve {len(snap.s_curve)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--skip-bundled", action="store_true")
    args = parser.parse_args()
    if not args.skip_bundled:
        bench_bundled()
    bench_large(args.parcels, args.events)


if __name__ == "__main__":
    main()
