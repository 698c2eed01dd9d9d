"""The print-map PDF (A3 landscape, overview + one page per project + strip + table pages) of ~50 000 parcels.

    python benchmarks/bench_print_map.py [--copies 12] [--runs 1]

The bundled demo data (4 032 parcels) is made in a temporary store; its parcels and their field-count
events are copied ``--copies`` times, each copy shifted a few metres north (so every page keeps its
extent and draws every copy), then the snapshot is computed from frames and the PDF rendered by
:func:`exports.printmap.render_print_map`. Prints the parcel count, seconds per run, pages and size,
the goal of issue 13 (≤ 10 s for 50 000 parcels) and the load average.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd
import pandas as pd
import shapely

from exports.options import ExportOptions
from exports.printmap import render_print_map
from milestones.snapshot import compute_snapshot_from_frames
from store import init_store

AS_OF = date(2024, 6, 30)


class Reader:
    """The layers of the store with the scaled parcels and ledger (what render_print_map reads)."""

    def __init__(self, store, parcels, events):
        self._store, self._parcels, self._events = store, parcels, events

    def projects(self):
        return self._store.projects()

    def centrelines(self):
        return self._store.centrelines()

    def communes(self):
        return self._store.communes()

    def roads(self):
        return self._store.roads()

    def parcels(self, project_id=None):
        return self._parcels if project_id is None else self._parcels[self._parcels.project_id == project_id]

    def events(self, include_reverted=False):
        return self._events

    def data_version(self):
        return self._store.data_version()


def scaled(store, copies: int):
    parcels, events = store.parcels(), store.events()
    frames, ledgers = [parcels], [events]
    for i in range(1, copies):
        p = parcels.copy()
        p["parcel_id"] = p["parcel_id"] + f"#{i}"
        p["geometry"] = shapely.transform(p.geometry.values, lambda xy, i=i: xy + [0.0, 3.0 * i])
        frames.append(p)
        e = events[events["kind"] == "parcel"].copy()
        e["parcel_id"] = e["parcel_id"] + f"#{i}"
        ledgers.append(e)
    ledger = pd.concat(ledgers, ignore_index=True)
    ledger["event_id"] = range(1, len(ledger) + 1)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=parcels.crs), ledger


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(f"sqlite:///{Path(tmp) / 'bench.gpkg'}", demo=True)
        parcels, events = scaled(store, args.copies)
        snapshot = compute_snapshot_from_frames(projects=store.projects(), parcels=parcels, events=events,
                                                milestones=store.milestones(AS_OF), rules=store.rules(AS_OF),
                                                as_of=AS_OF)
        reader = Reader(store, parcels, events)
        print(f"{len(parcels):,} parcels, {len(events):,} events; load average {os.getloadavg()[0]:.2f}")
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            pdf = render_print_map(snapshot, reader, ExportOptions(), "pdf")
            times.append(time.perf_counter() - t0)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"  PDF A3: median {statistics.median(times):.1f} s (runs {', '.join(f'{t:.1f}' for t in times)}), "
              f"{pages} pages, {len(pdf) / 1e6:.1f} MB; goal ≤ 10 s; load average after {os.getloadavg()[0]:.2f}")
        store.close()


if __name__ == "__main__":
    main()
