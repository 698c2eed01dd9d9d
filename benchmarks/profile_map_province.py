"""The server side of the map page at province scale, step by step, without Streamlit or a browser (issue 13).

Calls what ``dashboard/state.py`` calls for the map page (first paint, a whole-map view, a new as-of date)
on a snapshot of ≈500 000 parcels, and prints the seconds of each step:

* ``--url URL``: the snapshot of a store (e.g. the PostGIS ``bench_province_124`` of
  ``benchmarks/_province_store.py``), prepared once (``milestones.prepared``) and sliced per date;
* otherwise the bundled demo store's snapshot with its parcels repeated ``--copies`` times in memory (the
  layout of ``_province_store.copies``): the map steps see the same frame shape without a database.

``--profile FILE`` writes a cProfile of the map steps (not of reading the store) for ``pstats``.
Usage: ``python benchmarks/profile_map_province.py [--url URL | --copies 124] [--profile OUT.prof]``
"""
from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST, SECOND = date(2024, 6, 30), date(2024, 9, 30)


@contextmanager
def step(name: str, times: dict):
    t0 = time.perf_counter()
    yield
    times[name] = time.perf_counter() - t0
    print(f"  {name:<44}{times[name]:8.2f} s", flush=True)


def replicated(snapshot, k: int):
    """``snapshot`` with its parcels repeated ``k`` times (ids suffixed ``#i``, geometry shifted on the grid)."""
    import dataclasses

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from benchmarks._province_store import COLUMNS, STEP_X_M, STEP_Y_M

    frames = [snapshot.parcels]
    for i in range(1, k):
        shift = np.array([(i % COLUMNS) * STEP_X_M, (i // COLUMNS) * STEP_Y_M])
        p = snapshot.parcels.copy()
        p["parcel_id"] = p["parcel_id"] + f"#{i}"
        p["geometry"] = shapely.transform(p.geometry.values, lambda xy, s=shift: xy + s)
        frames.append(p)
    parcels = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=snapshot.parcels.crs)
    return dataclasses.replace(snapshot, parcels=parcels)


def map_steps(snap, reader, people, times: dict, label: str) -> None:
    """The steps of one date: the map state (date part, marker masks, filters), the page, the view parts and the
    payload of the whole map's view."""
    from mapview import build_map, standalone_html
    from mapview.cache import StoreMemo
    from mapview.context import project_table
    from mapview.parcel_layer import map_date_state, map_marker_masks, map_state
    from mapview.viewport import static_columns, view_index, view_parcels, view_payload
    from milestones.filters import Filters

    f = Filters()
    projects = project_table(reader)
    with step(f"{label}: map date state", times):
        dated = map_date_state(snap, ())
    with step(f"{label}: marker masks", times):
        masks = map_marker_masks(snap, (), people=people)
    with step(f"{label}: map state (filters)", times):
        full = map_state(snap, projects, f, dated, marker_masks=masks)
    if label == "first":
        with step(f"{label}: page (build_map viewport + html)", times):
            state = {k: v for k, v in full.items() if k != "size"}   # the dashboard passes its cached state
            standalone_html(build_map(snap, reader, f, people=people, viewport=True, state=state))
        with step(f"{label}: view parts (columns, index)", times):
            parcels = view_parcels(snap.parcels, ())
            columns, _ = static_columns(StoreMemo(reader), parcels, projects)
            index = view_index(parcels)
        times["parts"] = (parcels, index, columns)
    parcels, index, columns = times["parts"]
    whole = {"w": float(index.west[~_nan(index.west)].min()), "e": float(index.east[~_nan(index.east)].max()),
             "s": float(index.south[~_nan(index.south)].min()), "n": float(index.north[~_nan(index.north)].max())}
    with step(f"{label}: view payload (whole map)", times):
        view_payload(parcels, columns, full, index, whole)


def _nan(values):
    import numpy as np

    return np.isnan(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (PostGIS province store); default: the demo store replicated")
    parser.add_argument("--copies", type=int, default=124)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    from milestones.people import people_figures
    from milestones.prepared import prepare, snapshot_at
    from store import init_store, open_store

    print(f"load average before: {os.getloadavg()}", flush=True)
    times: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        reader = open_store(args.url) if args.url else init_store(f"sqlite:///{tmp}/demo.gpkg", demo=True)
        with step("prepare (read the store)", times):
            prepared = prepare(reader)
        with step("people figures, both dates", times):
            people = {d: people_figures(reader, d) for d in (FIRST, SECOND)}
        profiler = cProfile.Profile() if args.profile else None
        for label, day in (("first", FIRST), ("second", SECOND)):
            with step(f"{label}: snapshot_at", times):
                snap = snapshot_at(prepared, day)
            if not args.url:
                snap = replicated(snap, args.copies)
            print(f"  ({len(snap.parcels):,} parcels)", flush=True)
            if profiler:
                profiler.enable()
            map_steps(snap, reader, people[day], times, label)
            if profiler:
                profiler.disable()
        reader.close()
    if profiler:
        profiler.dump_stats(args.profile)
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
