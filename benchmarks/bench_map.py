"""The progress map against ``GeoDataFrame.explore()`` on the same generated parcels (issue 13).

For each size (default 10 000 parcels, both sides; 100 000 parcels, ours only — ``explore()`` took
109 s there, pass ``--explore-large`` to include it):

* HTML size: ours (``mapview.build_map`` + ``standalone_html``) and ``explore()`` with the same
  tooltip fields (sheet, parcel, commune, former commune, project, land use, areas, chainage, stage,
  stage date, risk flags), each page with Leaflet inlined (``standalone_html``) so both open offline;
* navigation → all parcels drawn in headless Chromium (/usr/bin/chromium, every outside request
  refused): ours when the canvas layer reports every parcel drawn (``layer.drawn``), ``explore()``
  when every parcel has its SVG ``path``; both observed on an animation frame
  (``requestAnimationFrame`` polling), in ms since navigation start; also first contentful paint;
* main-thread CPU time from navigation to all drawn (CDP ``Performance.getMetrics`` ``ThreadTime`` of the page's
  renderer): on a shared, loaded machine the wall time of a run stretches with the other processes, its CPU
  time much less;
* JS heap used after drawing (CDP ``Performance.getMetrics`` ``JSHeapUsedSize`` after a GC), ours plus
  the bytes of its typed arrays (ArrayBuffers live outside the heap V8 reports: counted, to be fair);
* restyle: ours ``layer.setState`` with the state of another as-of date (ms in the page).

Runs alternate ours / explore, medians are printed with the ratio ours / explore (of the medians, and of
each alternating pair) and the load average. The machine is shared: absolute figures are noisy, the ratios of alternating runs count.

Usage: ``python benchmarks/bench_map.py [--sizes 10000 100000] [--runs 3] [--explore-large]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from domain.stages import STAGES  # noqa: E402
from vocab.labels import STAGE_COLOURS, STAGE_LABELS_VI, risk_flags_text  # noqa: E402

X0, Y0 = 440_000.0, 2_400_000.0
LAND_USES = ("LUC", "BHK", "ONT", "CLN", "RSX", "NTS")
FLAG_CODES = ("complaint_open", "stuck_inventory", "milestone_at_risk", "enforced")
AS_OF = date(2024, 6, 30)


def generate(n: int, seed: int = 13, as_of: date = AS_OF) -> gpd.GeoDataFrame:
    """``n`` parcels as a snapshot would hold them (EPSG:9215): jittered 6-vertex shapes of ~20 × 25 m on
    a grid, 20 communes, 5 projects, stages and flags drawn at random (seeded; ``as_of`` shifts stages)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x, y = X0 + (i % side) * 26.0, Y0 + (i // side) * 31.0
    jitter = rng.uniform(-2.0, 2.0, size=(n, 6, 2))
    shape = np.array([[0, 0], [10, -1], [20, 0], [21, 12], [20, 25], [0, 24]], dtype=float)
    geoms = [Polygon(shape + jitter[k] + (x[k], y[k])) for k in range(n)]
    shift = (as_of - AS_OF).days // 30
    stage = np.clip(rng.integers(0, len(STAGES), n) + shift, 0, len(STAGES) - 1)
    risky = rng.random(n) < 0.08
    flags = [[FLAG_CODES[j] for j in range(len(FLAG_CODES)) if r and rng.random() < 0.5] or (["milestone_at_risk"] if r else [])
             for r in risky]
    start = date(2023, 1, 1)
    return gpd.GeoDataFrame({
        "parcel_id": [f"P{k % 5}/C{k % 20}/{k // 500}/{k}" for k in range(n)],
        "project_id": [f"P{k % 5}" for k in range(n)],
        "commune": [f"Xã Số {k % 20}" for k in range(n)],
        "commune_former": [f"Xã Cũ {k % 37}" for k in range(n)],
        "map_sheet": i // 500, "parcel_number": i,
        "land_use": [LAND_USES[k % len(LAND_USES)] for k in range(n)],
        "area_to_recover_m2": rng.uniform(50, 600, n).round(1),
        "parcel_area_m2": rng.uniform(600, 900, n).round(1),
        "chainage_m": np.where(i % 5 < 2, (i * 7.0) % 30_000, np.nan),
        "stage": [STAGES[s] for s in stage],
        "stage_date": [pd.Timestamp(start + timedelta(days=int(d))) for d in rng.integers(0, 540, n)],
        "risk_flags": flags, "at_risk": risky, "illustrative": False,
    }, geometry=geoms, crs=9215)


class BenchStore:
    """The context layers ``build_map`` reads: five projects, nothing else (no communes, roads, lines)."""

    def __init__(self, parcels: gpd.GeoDataFrame) -> None:
        hull = parcels.geometry.union_all().convex_hull
        self._projects = gpd.GeoDataFrame({"project_id": [f"P{k}" for k in range(5)],
                                           "name": [f"Dự án số {k}" for k in range(5)],
                                           "short_name": [f"DA{k}" for k in range(5)],
                                           "geometry_status": "surveyed"}, geometry=[hull] * 5, crs=9215)
        self._empty = gpd.GeoDataFrame({"project_id": [], "name": []}, geometry=[], crs=9215)

    def projects(self):
        return self._projects.copy()

    def communes(self):
        return self._empty.copy()

    def roads(self):
        return self._empty.copy()

    def centrelines(self):
        return self._empty.copy()

    def data_version(self):
        return {"bench": 1}


def ours_html(parcels: gpd.GeoDataFrame, store: BenchStore) -> str:
    from mapview import build_map, standalone_html

    # Every parcel drawn (no commune discs at low zoom): the same work as explore() does.
    return standalone_html(build_map(SimpleNamespace(parcels=parcels, as_of=AS_OF), store, tile_basemap=False,
                                     aggregate_above=len(parcels) + 1))


def explore_html(parcels: gpd.GeoDataFrame) -> str:
    """``explore()`` with the same tooltip fields as ours (texts formatted the same way), Leaflet inlined."""
    from mapview import standalone_html
    from vocab.format import fmt_date, fmt_number

    g = parcels.to_crs(4326)
    shown = gpd.GeoDataFrame({
        "Tờ": g["map_sheet"], "Thửa": g["parcel_number"], "Xã": g["commune"], "Xã cũ": g["commune_former"],
        "Dự án": g["project_id"], "Loại đất": g["land_use"],
        "Diện tích thu hồi": [fmt_number(v) for v in g["area_to_recover_m2"]],
        "Diện tích thửa": [fmt_number(v) for v in g["parcel_area_m2"]],
        "Lý trình": g["chainage_m"].round(0),
        "Giai đoạn": [STAGE_LABELS_VI[s] for s in g["stage"]],
        "Từ ngày": [fmt_date(d) for d in g["stage_date"]],
        "Rủi ro": [risk_flags_text(f) for f in g["risk_flags"]],
        "colour": [STAGE_COLOURS[s] for s in g["stage"]],
    }, geometry=g.geometry, crs=4326)
    m = shown.explore(color="colour", tooltip=[c for c in shown.columns if c not in ("colour", "geometry")],
                      tiles=None, style_kwds={"fillOpacity": 0.8, "weight": 0.7})
    return standalone_html(m)


OURS_DONE = """() => { const l = window.GPMBParcels && window.GPMBParcels.layers[0];
  return l && l.drawn >= l._geo.n ? performance.now() : false; }"""
EXPLORE_DONE = """(n) => document.querySelectorAll('.leaflet-overlay-pane path').length >= n ? performance.now() : false"""


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def browse(browser, path: Path, done_js: str, arg, restyle: dict | None = None) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    blocked: list[str] = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(("file:", "data:", "about:"))
                                      else (blocked.append(route.request.url), route.abort())))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    thread_s = _metrics(cdp)["ThreadTime"]
    page.goto(path.as_uri(), wait_until="commit", timeout=600_000)
    handle = page.wait_for_function(done_js, arg=arg, polling="raf", timeout=600_000)
    drawn_ms = handle.json_value()
    cpu_ms = (_metrics(cdp)["ThreadTime"] - thread_s) * 1000
    fcp = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
    cdp.send("HeapProfiler.collectGarbage")
    metrics = _metrics(cdp)
    typed = page.evaluate("() => window.GPMBParcels && GPMBParcels.layers.length ? GPMBParcels.layers[0].typedBytes() : 0")
    out = {"drawn_ms": drawn_ms, "cpu_ms": cpu_ms, "fcp_ms": fcp, "heap_mb": (metrics["JSHeapUsedSize"] + typed) / 1e6,
           "nodes": metrics.get("Nodes"), "blocked": len(blocked)}
    if restyle is not None:
        out["restyle_ms"] = page.evaluate("""(state) => { const t = performance.now();
            window.GPMBParcels.layers[0].setState(state); return performance.now() - t; }""", restyle)
    page.close()
    return out


def median(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def _runs(rows: list[dict]) -> str:
    return ", ".join(f"{r['drawn_ms'] / 1000:.2f}" for r in rows)


def bench_size(browser, n: int, runs: int, with_explore: bool, tmp: Path) -> None:
    from mapview.parcel_layer import map_state

    parcels = generate(n)
    store = BenchStore(parcels)
    t0 = time.perf_counter()
    ours = ours_html(parcels, store)
    t_ours = time.perf_counter() - t0
    later = map_state(SimpleNamespace(parcels=generate(n, as_of=AS_OF + timedelta(days=90)),
                                      as_of=AS_OF + timedelta(days=90)), store.projects())
    (tmp / f"ours_{n}.html").write_text(ours, encoding="utf-8")
    line = f"{n:>7} parcels  HTML ours {len(ours.encode()) / 1e6:6.2f} MB (built in {t_ours:5.1f} s)"
    if with_explore:
        t0 = time.perf_counter()
        theirs = explore_html(parcels)
        t_theirs = time.perf_counter() - t0
        (tmp / f"explore_{n}.html").write_text(theirs, encoding="utf-8")
        line += (f" | explore() {len(theirs.encode()) / 1e6:6.2f} MB (built in {t_theirs:5.1f} s)"
                 f" | ratio {len(ours.encode()) / len(theirs.encode()):.3f}")
    print(line, flush=True)
    results: dict[str, list[dict]] = {"ours": [], "explore": []}
    for _ in range(runs):
        results["ours"].append(browse(browser, tmp / f"ours_{n}.html", OURS_DONE, None, later))
        if with_explore:
            results["explore"].append(browse(browser, tmp / f"explore_{n}.html", EXPLORE_DONE, n))
    for side, rows in results.items():
        if rows:
            print(f"         {side:8} navigation → all drawn {median(rows, 'drawn_ms') / 1000:6.2f} s  "
                  f"main-thread CPU {median(rows, 'cpu_ms') / 1000:5.2f} s  "
                  f"first contentful paint {median(rows, 'fcp_ms') / 1000:6.2f} s  JS heap {median(rows, 'heap_mb'):6.1f} MB  "
                  f"DOM nodes {median(rows, 'nodes'):8.0f}"
                  + (f"  restyle {median(rows, 'restyle_ms'):6.1f} ms" if side == "ours" else "")
                  + f"  (runs: {_runs(rows)}; refused requests {sum(r['blocked'] for r in rows)})",
                  flush=True)
    if results["explore"]:
        print(f"         ratio ours / explore: drawn {median(results['ours'], 'drawn_ms') / median(results['explore'], 'drawn_ms'):.3f}"
              f"  CPU {median(results['ours'], 'cpu_ms') / median(results['explore'], 'cpu_ms'):.3f}"
              f"  heap {median(results['ours'], 'heap_mb') / median(results['explore'], 'heap_mb'):.3f}", flush=True)
        pairs = list(zip(results["ours"], results["explore"]))
        print("         each pair ours / explore: drawn "
              + ", ".join(f"{a['drawn_ms'] / b['drawn_ms']:.3f}" for a, b in pairs)
              + " | CPU " + ", ".join(f"{a['cpu_ms'] / b['cpu_ms']:.3f}" for a, b in pairs), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explore-large", action="store_true", help="also run explore() above 20 000 parcels")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium_path

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}  (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory(prefix="bench_map_") as folder, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for n in args.sizes:
                bench_size(browser, n, args.runs, args.explore_large or n <= 20_000, Path(folder))
        finally:
            browser.close()
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
