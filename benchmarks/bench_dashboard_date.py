"""A new as-of date on the dashboard at 52 416 parcels: the steps around the snapshot, ours against what they
replaced (issue 13).

    python benchmarks/bench_dashboard_date.py [--cache DIR] [--copies 13] [--runs 7]

The large store of ``benchmarks/bench_dashboard_browser.py`` (built once into ``--cache``, default ``gpmb_bench``
in the temporary folder). In one process, on the same inputs (the snapshot at each new date, prepared once per
data version as the dashboard does), sides alternating per run, each run at a date not seen before:

- people figures: ``people_at`` on the registers read once per data version (``dashboard.state`` keeps them)
  against ``people_figures`` as it was (every register read again, the monthly letter counts by the loop of
  ``tests/people/complaints_reference.py``);
- communes league: ``communes_league`` with the field-count dates gathered once (``count_dates``) against the
  whole ledger re-grouped at each date (``tests/milestones/league_reference.py``), both units;
- map date state: ``mapview.parcel_layer.map_date_state`` (flag bitmasks with numpy) against the per-parcel
  Python loop (``tests/mapview/flag_reference.py``);
- map marker masks: ``map_marker_masks`` with the parcels' letter keys kept per data version
  (``milestones.complaints.letter_keys``) against making them again at each date.

Both sides are checked equal first. Prints medians of wall and CPU time (``time.process_time``: the figure that
compares on a loaded machine), their ratio, and the load average (``os.getloadavg``) before and after.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextlib.contextmanager
def patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def same(a, b) -> None:
    import pandas as pd

    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, list) and a and isinstance(a[0], pd.DataFrame):
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, tuple) and a and hasattr(a[0], "dtype"):
        assert all((x == y).all() for x, y in zip(a, b, strict=True))
    elif isinstance(a, dict):
        assert a.keys() == b.keys() and all(same(a[k], b[k]) is None for k in a)
    else:
        assert a == b, (a, b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "gpmb_bench")
    parser.add_argument("--copies", type=int, default=13)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    from benchmarks.bench_dashboard_browser import large_store
    from mapview import parcel_layer
    from milestones import complaints, league, people
    from milestones.prepared import prepare, snapshot_at
    from store import open_store
    from tests.mapview.flag_reference import map_date_state_reference
    from tests.milestones.league_reference import with_last_counts_reference
    from tests.people.complaints_reference import monthly_counts_reference

    template = large_store(args.cache, args.copies)
    with tempfile.TemporaryDirectory(prefix="bench_date_") as folder:
        shutil.copy(template, Path(folder) / "large.gpkg")
        store = open_store(f"sqlite:///{Path(folder) / 'large.gpkg'}")
        prepared, events = prepare(store), store.events()
        registers = people.read_people(store)
        print(f"load average before: {load()}  (cores: {os.cpu_count()}); parcels: {len(store.parcels())}, "
              f"events: {len(events)}", flush=True)
        snaps = {}
        counts = {}

        def snap(day):
            if day not in snaps:
                snaps[day] = snapshot_at(prepared, day)
            return snaps[day]

        def league_ours(day):
            s = snap(day)
            for unit in ("commune", "former"):
                if unit not in counts:
                    counts[unit] = league.count_dates(s.parcels, events, unit)
            return [league.communes_league(s, events, unit=u, counts=counts[u]) for u in ("commune", "former")]

        def league_anchor(day):
            def old(out, _counts, as_of, stale):
                return with_last_counts_reference(out, current["p"], events, as_of, stale)

            s = snap(day)
            out = []
            for unit in ("commune", "former"):
                current = {"p": s.parcels.assign(_unit=league._units(s.parcels, unit))}
                with patched(league, "_with_last_counts", old), patched(league, "count_dates", lambda *a: None):
                    out.append(league.communes_league(s, events, unit=unit))
            return out

        def people_anchor(day):
            with patched(people, "monthly_counts", monthly_counts_reference):
                return people.people_figures(store, day)

        figures, keys = {}, {}

        def people_of(day):
            if day not in figures:
                figures[day] = people.people_at(registers, day)
            return figures[day]

        def masks_ours(day):
            if "keys" not in keys:
                keys["keys"] = complaints.letter_keys(snap(day).parcels)
            return parcel_layer.map_marker_masks(snap(day), people=people_of(day), letter_keys=keys["keys"])

        steps = {
            "people figures": (lambda d: people.people_at(registers, d), people_anchor),
            "communes league (both units)": (league_ours, league_anchor),
            "map date state (all projects)": (lambda d: parcel_layer.map_date_state(snap(d)),
                                              lambda d: map_date_state_reference(snap(d))),
            "map marker masks": (masks_ours, lambda d: parcel_layer.map_marker_masks(snap(d), people=people_of(d))),
        }
        assert complaints.monthly_counts is not monthly_counts_reference
        first = date(2024, 7, 31)
        for ours, anchor in steps.values():
            same(ours(first), anchor(first))
        print("both sides equal at", first, flush=True)
        times = {name: {"ours": [], "anchor": []} for name in steps}
        for run in range(args.runs):
            day = first + timedelta(days=7 * (run + 1))
            snap(day), people_of(day)       # the inputs of the map steps, outside the timings
            for name, (ours, anchor) in steps.items():
                sides = (("ours", ours), ("anchor", anchor)) if run % 2 == 0 else (("anchor", anchor), ("ours", ours))
                for side, fn in sides:
                    wall, cpu, _ = timed(lambda fn=fn, day=day: fn(day))
                    times[name][side].append((wall, cpu))
        store.close()
    print(f"{'step':<32}{'ours wall s':>12}{'anchor wall s':>14}{'ours cpu s':>12}{'anchor cpu s':>13}"
          f"{'ratio cpu':>10}{'ratio wall':>11}")
    for name, sides in times.items():
        med = {side: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for side, v in sides.items()}
        print(f"{name:<32}{med['ours'][0]:>12.3f}{med['anchor'][0]:>14.3f}{med['ours'][1]:>12.3f}{med['anchor'][1]:>13.3f}"
              f"{med['anchor'][1] / med['ours'][1]:>10.1f}{med['anchor'][0] / med['ours'][0]:>11.1f}")
    print(f"load average after:  {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
