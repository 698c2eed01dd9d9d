"""Cost of keeping ``parcel_status`` current: a 10-event upload committed with and without the refresher.

Usage: ``python benchmarks/bench_parcel_status.py [--scales 1 12] [--no-postgis]``

Each backend gets a store seeded from ``data/sources/`` (4 032 parcels). Scale ``k`` > 1 replaces the
parcels by ``k`` shifted copies (ids suffixed ``#i``, 12 → 48 384 parcels) and commits the bundled events
once per copy, so the ledger grows in proportion. Then, per scale, the same small upload (10 events) is
committed three times with the refresher registered (the layer recomputed in the write transaction:
:func:`milestones.status_layer.parcel_status_frame`) and three times without (``register_refresher(None)``);
the medians and their difference (the cost of the layer) are printed, for a stale layer (recomputed
whole, as every commit did before issue 13) and a current one (only the touched projects recomputed:
:func:`store.parcel_status.refresh_in` with ``projects``).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from benchmarks._postgis import bench_database  # noqa: E402
from milestones.status_layer import parcel_status_frame  # noqa: E402
from store import parcel_status as ps  # noqa: E402
from tests.support.stores import demo_store  # noqa: E402


def scaled(store, k: int):
    """``k`` copies of the bundled parcels (shifted 20 km east each) and of their events."""
    parcels, events = store.parcels(), store.events()
    events = events[events["kind"] == "parcel"]
    copies, ledgers = [], []
    for i in range(1, k):
        p = parcels.copy()
        p["parcel_id"] = p["parcel_id"] + f"#{i}"
        p["geometry"] = shapely.transform(p.geometry.values, lambda xy, i=i: xy + [20_000.0 * i, 0.0])
        copies.append(p)
        e = events.drop(columns=["event_id", "upload_id"]).copy()
        e["parcel_id"] = e["parcel_id"] + f"#{i}"
        ledgers.append(e)
    return gpd.GeoDataFrame(pd.concat([parcels, *copies], ignore_index=True), crs=parcels.crs), ledgers


def small_upload(store) -> pd.DataFrame:
    ids = store.parcels()["parcel_id"].head(10).tolist()
    return pd.DataFrame({"kind": "parcel", "parcel_id": ids, "event": "complaint", "event_date": "2024-05-01"})


def commit_times(store, actor, frame, refresher, *, current: bool, runs: int = 3) -> list[float]:
    """Seconds of ``runs`` commits of ``frame`` with ``refresher`` registered (None: without the layer).

    ``current``: the layer is current before each commit (the revert between runs, untimed, refreshes it),
    so the commit recomputes the touched projects only; otherwise the revert leaves it stale, and the
    commit recomputes the whole layer (what every commit did before the partial refresh).
    """
    times = []
    for _ in range(runs):
        ps.register_refresher(refresher)
        sha = hashlib.sha256(secrets.token_bytes(8)).hexdigest()
        started = time.perf_counter()
        result = store.commit_upload(frame, actor=actor, file_name="bench.csv", file_sha256=sha, rows_read=len(frame))
        times.append(time.perf_counter() - started)
        ps.register_refresher(refresher if current else None)   # the revert is not what is measured
        store.revert_upload(result.upload_id, actor=actor)
    return times


def run_backend(label: str, url: str, scales: list[int]) -> None:
    from tests.support.actors import office_admin

    ps.register_refresher(None)
    store = demo_store(url)                   # a new store with the bundled data (cli.py init --demo)
    actor = office_admin(store)
    for k in scales:
        if k > 1:
            parcels, ledgers = scaled(store, k)
            store.replace_layer("parcels", parcels, actor=actor, report={"benchmark": k})
            for i, e in enumerate(ledgers):
                store.commit_upload(e, actor=actor, file_name=f"copy{i}.csv",
                                    file_sha256=hashlib.sha256(f"{k}-{i}".encode()).hexdigest(), rows_read=len(e))
        frame = small_upload(store)
        without = statistics.median(commit_times(store, actor, frame, None, current=False))
        whole = statistics.median(commit_times(store, actor, frame, parcel_status_frame, current=False))
        commit_times(store, actor, frame, parcel_status_frame, current=True, runs=1)  # leaves the layer current
        partial = statistics.median(commit_times(store, actor, frame, parcel_status_frame, current=True))
        print(f"[{label}] {len(store.parcels()):>6,} parcels, {len(store.events()):>7,} events: commit of 10 events "
              f"{without:6.2f} s without the layer; with it {whole:6.2f} s recomputing the whole layer "
              f"(+{whole - without:5.2f} s), {partial:6.2f} s recomputing the touched project "
              f"(+{partial - without:5.2f} s); load average {os.getloadavg()[0]:.2f}", flush=True)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 12])
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.gpkg'}", args.scales)
    if not args.no_postgis:
        with bench_database("bench_status_layer", "[postgis]") as url:
            if url is not None:
                run_backend("postgis", url, args.scales)
    return 0


if __name__ == "__main__":
    sys.exit(main())
