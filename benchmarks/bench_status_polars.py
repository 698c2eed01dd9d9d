"""Status at a new as-of date, 100 000 parcels / 1 000 000 events: ours against the polars anchor of issue 13.

    python benchmarks/bench_status_polars.py [--parcels 100000] [--events 1000000] [--runs 3]

Sides, each at a NEW as-of date per run (the dates cycle through 2023–2024):
- ``ours: snapshot_at`` — :func:`milestones.prepared.snapshot_at` on data prepared once per data version:
  everything a view shows (stages, flags, amounts, milestone status with forecasts, risk, blocking sets,
  legal clocks, commune/segment tables, S-curve).
- ``ours: stages + project %`` — :func:`milestones.parcel_state.parcel_stages` from the prepared ledger and the
  handed-over share per project: the same figures the anchor computes.
- ``anchor: polars`` — polars on native frames (built once, outside the timing): chainage-range events joined to
  the parcels whose chainage lies in them (``join_where``), then the stage of every parcel at the
  date by the one stage rule (a stage event raises the stage, a correction sets it: the stage is the maximum
  rank since the last correction), then the area handed over ÷ area to recover per project.
The two "stages" sides are checked to agree parcel by parcel. Runs alternate; medians of wall and CPU time
(``time.process_time``: on a shared machine the CPU figure is the one that compares), ratios, load average.
What ``snapshot_at`` times is everything: its Snapshot has no lazy field (blocking sets, clocks, S-curve and
tables are computed before it returns). The first run also fills the per-scope step functions cached in
``PreparedData.history`` (once per data version); its time is shown apart.
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

import numpy as np
import pandas as pd
import polars as pl
from bench_status import generate

from domain.stages import HANDED_OVER_RANK, STAGE_RANK, STAGES
from milestones.events import prepare_events, to_timestamp
from milestones.parcel_state import parcel_stages
from milestones.prepared import prepare_frames, snapshot_at

DATES = [date(2023, 3, 31), date(2023, 9, 30), date(2024, 3, 31), date(2024, 6, 30), date(2024, 12, 31)]


def polars_frames(data: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ev = data["events"]
    rg = ev[(ev["kind"] == "chainage_range") & ev["event"].isin(list(STAGE_RANK))]
    ranges = pl.DataFrame({"project_id": rg["project_id"].astype(str).to_numpy(),
                           "lo": np.fmin(rg["chainage_from_m"], rg["chainage_to_m"]).to_numpy(float),
                           "hi": np.fmax(rg["chainage_from_m"], rg["chainage_to_m"]).to_numpy(float),
                           "rank": rg["event"].map(STAGE_RANK).to_numpy(dtype=np.int8),
                           "event_date": pd.to_datetime(rg["event_date"]).to_numpy(dtype="datetime64[ms]"),
                           "event_id": rg["event_id"].to_numpy(), "is_correction": rg["is_correction"].to_numpy(bool)})
    ev = ev[(ev["kind"] == "parcel") & ev["event"].isin(list(STAGE_RANK))]
    events = pl.DataFrame({"parcel_id": ev["parcel_id"].astype(str).to_numpy(),
                           "rank": ev["event"].map(STAGE_RANK).to_numpy(dtype=np.int8),
                           "event_date": pd.to_datetime(ev["event_date"]).to_numpy(dtype="datetime64[ms]"),
                           "event_id": ev["event_id"].to_numpy(), "is_correction": ev["is_correction"].to_numpy(bool)})
    parcels = pl.DataFrame({"parcel_id": data["parcels"]["parcel_id"].to_numpy().astype(str),
                            "project_id": data["parcels"]["project_id"].to_numpy().astype(str),
                            "area_m2": data["parcels"]["area_to_recover_m2"].to_numpy(float),
                            "chainage_m": data["parcels"]["chainage_m"].to_numpy(float)})
    return events, parcels, ranges


def anchor(events: pl.DataFrame, parcels: pl.DataFrame, ranges: pl.DataFrame,
           as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    day = pl.lit(as_of).cast(pl.Datetime("ms"))
    # Chainage ranges to the parcels whose chainage lies in them (same project), as parcel events.
    expanded = (parcels.lazy().select("parcel_id", "project_id", "chainage_m")
                .join_where(ranges.lazy().filter(pl.col("event_date") <= day),
                            pl.col("project_id") == pl.col("project_id_right"),
                            pl.col("chainage_m") >= pl.col("lo"), pl.col("chainage_m") <= pl.col("hi"))
                .select("parcel_id", "rank", "event_date", "event_id", "is_correction"))
    upto = (pl.concat([events.lazy().filter(pl.col("event_date") <= day), expanded])
            .sort(["parcel_id", "event_date", "event_id"])
            .with_columns(seg=pl.col("is_correction").cast(pl.Int32).cum_sum().over("parcel_id")))
    stages = (upto.filter(pl.col("seg") == pl.col("seg").max().over("parcel_id"))
              .group_by("parcel_id").agg(pl.col("rank").max()))
    joined = parcels.lazy().join(stages, on="parcel_id", how="left").with_columns(pl.col("rank").fill_null(STAGE_RANK[STAGES[0]]))
    per_project = (joined.group_by("project_id")
                   .agg(handed=(pl.col("area_m2") * (pl.col("rank") == HANDED_OVER_RANK)).sum(), total=pl.col("area_m2").sum())
                   .with_columns(percent=100 * pl.col("handed") / pl.col("total")))
    return joined.collect(), per_project.collect()


def ours_stages(prepared, as_of: date) -> pd.DataFrame:
    ts = to_timestamp(as_of)
    by_parcel = prepared.by_parcel[prepared.by_parcel["event_date"] <= ts]
    state = parcel_stages(prepared.parcels, prepare_events(prepared.events, ts), ts, events_by_parcel=by_parcel)
    handed = np.where(state["stage"] == "handed_over", state["area_to_recover_m2"], 0.0)
    state.assign(handed=handed).groupby("project_id")[["handed", "area_to_recover_m2"]].sum()
    return state


def timed(fn, *args):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    timed.cpu = time.process_time() - c0
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    data = generate(args.parcels, args.events)
    t_prep, prepared = timed(lambda: prepare_frames(**data, rules=None))
    events, parcels, ranges = polars_frames(data)
    print(f"{args.parcels:,} parcels, {len(data['events']):,} events; prepare_frames once {t_prep:.2f} s; "
          f"load average {os.getloadavg()[0]:.2f}")
    t_first, _ = timed(snapshot_at, prepared, date(2022, 12, 31))
    print(f"  first snapshot_at (fills the cached step functions) {t_first:.3f} s wall / {timed.cpu:.3f} s CPU")
    times: dict[str, list[float]] = {"ours: snapshot_at": [], "ours: stages + project %": [], "anchor: polars": []}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    for run in range(args.runs):
        day = DATES[run % len(DATES)]
        for name, fn, fargs in (("ours: snapshot_at", snapshot_at, (prepared, day)),
                                ("ours: stages + project %", ours_stages, (prepared, day)),
                                ("anchor: polars", anchor, (events, parcels, ranges, day))):
            t, out = timed(fn, *fargs)
            times[name].append(t)
            cpu[name].append(timed.cpu)
            if name == "ours: stages + project %":
                state = out
            elif name == "anchor: polars":
                joined = out[0]
        ours_rank = state["stage"].map(STAGE_RANK).fillna(-1).astype(int).to_numpy()
        theirs = joined.sort("parcel_id")["rank"].to_numpy()
        order = np.argsort(state["parcel_id"].astype(str).to_numpy(), kind="stable")
        assert (ours_rank[order] == theirs).all(), f"stages differ at {day}"
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    for k, v in med.items():
        print(f"  {k:28s} median {v:6.3f} s wall, {med_cpu[k]:6.3f} s CPU;  runs {', '.join(f'{t:.3f}' for t in times[k])}")
    a, a_cpu = med["anchor: polars"], med_cpu["anchor: polars"]
    print(f"  ratio snapshot_at / polars {med['ours: snapshot_at'] / a:.1f} wall, "
          f"{med_cpu['ours: snapshot_at'] / a_cpu:.1f} CPU; "
          f"stages + project % / polars {med['ours: stages + project %'] / a:.2f} wall; "
          f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
