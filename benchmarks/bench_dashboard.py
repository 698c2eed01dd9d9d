"""Dashboard responsiveness on the bundled data: rerun times (Streamlit AppTest, server side) and map HTML.

Prints:
* the store build from data/sources on a fresh file (first start of the dashboard);
* overview page: cold first run, warm rerun, rerun after a new as-of date, after a date seen before;
* map page: first run, rerun after a filter change (first time / second time), after a new as-of date;
* parcel list: rerun after a filter change;
* map HTML per as-of date: build_map and standalone_html times, size (raw and gzip), parcels drawn;
  the snapshot by the direct path (``compute_snapshot``: store read + everything) and by the
  dashboard's prepared path (``milestones.prepared.snapshot_at``, after one ``prepare`` per data
  version).

Usage: ``python benchmarks/bench_dashboard.py`` (uses a temporary store; nothing in data/ is touched).
Times are wall-clock seconds on this machine; the browser's own rendering is not included.
"""
from __future__ import annotations

import gzip
import logging
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def page_script(module: str) -> str:
    return ("import importlib\nfrom dashboard import state\nstate.render_sidebar()\n"
            f"importlib.import_module('dashboard.pages.{module}').render()\n")


def main() -> int:
    logging.disable(logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="bench_dashboard_")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/gpmb.gpkg"

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import state
    from mapview import build_map, standalone_html
    from milestones.snapshot import compute_snapshot
    from store import init_store, open_store

    t, store = timed(lambda: init_store(os.environ["DATABASE_URL"], demo=True))
    print(f"store build from data/sources (fresh file): {t:6.2f} s")
    t, _ = timed(lambda: open_store(os.environ["DATABASE_URL"]))
    print(f"store open (existing file):                 {t:6.2f} s")
    print(f"parcels: {len(store.parcels())}, events: {len(store.events())}")

    def run(at, label):
        t, _ = timed(at.run)
        if at.exception:
            raise SystemExit(f"{label}: {at.exception}")
        print(f"  {label:<52} {t:6.2f} s")
        return t

    st.cache_data.clear()
    st.cache_resource.clear()
    print("overview (app.py, default page):")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    run(at, "cold first run (open store, snapshot 30/06/2024)")
    run(at, "warm rerun, nothing changed")
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 9, 30))
    run(at, "as-of date changed to a new date (30/09/2024)")
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 6, 30))
    run(at, "as-of date back to a date seen before (30/06/2024)")
    at.multiselect(key=state.PROJECTS_KEY).set_value(["QL4B"])
    run(at, "project filter changed")

    print("map page:")
    at = AppTest.from_string(page_script("20_map"), default_timeout=600)
    run(at, "first run at 30/06/2024 (map HTML built)")
    run(at, "warm rerun, nothing changed")
    at.multiselect(key=state.STAGES_KEY).set_value(["paid", "approved"])
    run(at, "stage filter changed (first time: map HTML built)")
    at.multiselect(key=state.STAGES_KEY).set_value([])
    run(at, "stage filter cleared (map HTML cached)")
    at.multiselect(key=state.STAGES_KEY).set_value(["paid", "approved"])
    run(at, "same stage filter again (map HTML cached)")
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31))
    run(at, "as-of date changed to a new date (31/03/2024)")
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 6, 30))
    run(at, "as-of date back to 30/06/2024 (cached)")

    print("parcel list page:")
    at = AppTest.from_string(page_script("30_parcels"), default_timeout=600)
    run(at, "first run at 30/06/2024")
    at.multiselect(key=state.COMMUNES_KEY).set_value(["Xã Hợp Thành"])
    run(at, "commune filter changed")

    print("map HTML per as-of date (all parcels, no filter; the first build_map also converts the static")
    print("layers and parcel geometries of this store, later ones reuse them):")
    from milestones.prepared import prepare, snapshot_at

    t_prep, prepared = timed(lambda: prepare(store))
    print(f"  prepare (once per data version): {t_prep:.2f} s")
    print(f"  {'as-of':<11}{'direct s':>9}{'sliced s':>9}{'build_map s':>12}{'html s':>8}{'size MB':>9}"
          f"{'gzip MB':>9}{'parcels':>9}")
    for day in (date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)):
        t_direct, _ = timed(lambda day=day: compute_snapshot(store, day))
        t_snap, snap = timed(lambda day=day: snapshot_at(prepared, day))
        t_build, m = timed(lambda snap=snap: build_map(snap, store, None))
        t_html, html = timed(lambda m=m: standalone_html(m))
        raw = html.encode("utf-8")
        print(f"  {day:%d/%m/%Y} {t_direct:>8.2f}{t_snap:>9.2f}{t_build:>12.2f}{t_html:>8.2f}{len(raw) / 1e6:>9.2f}"
              f"{len(gzip.compress(raw)) / 1e6:>9.2f}{len(snap.parcels):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
