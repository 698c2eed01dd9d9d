"""The map page's server side at province scale (issue 13), ours against an anchor commit, alternating runs.

Each run is a fresh process that calls, on the PostGIS store of ≈500 000 parcels
(``benchmarks/_province_store.py``, ``bench_province_<copies>``, must exist), the cached functions of
``dashboard/state.py`` the map page calls, in the page's order, and times each:

* ``first``: the snapshot at 30/06/2024 (prepared data + as-of slice: what the login's overview pays), the
  map state (date part, marker masks with the people figures, filters), the page (``_cached_map_document``
  in viewport mode), the whole map's view (``_cached_map_view``: view parts, payload or commune discs);
* ``second``: a new as-of date (30/09/2024): its snapshot, its map state, the whole map's view.

The anchor is ``git archive <--anchor>`` of this repository unpacked in a temporary folder (default ``main``);
ours is this worktree (or ``git archive <--ours>``). Runs alternate (anchor, ours, ours, anchor, …); printed: per step the median of each
side, ours ÷ anchor, the runs, and the load average before and after (the machine is shared).

Usage: ``python benchmarks/bench_map_page_server.py [--runs 2] [--copies 124] [--anchor main] [--ours HEAD]``
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIRST, SECOND = date(2024, 6, 30), date(2024, 9, 30)


def child(url: str) -> dict:
    """Times (s) of the page's steps, run in the tree on ``sys.path[0]``."""
    os.environ["DATABASE_URL"] = url
    import geopandas as gpd
    from shapely.geometry import box

    from dashboard import state
    from gis.crs import to_wgs84
    from milestones.filters import Filters

    times: dict[str, float] = {}

    def timed(name, call):
        t0 = time.perf_counter()
        value = call()
        times[name] = time.perf_counter() - t0
        print(f"  {name:<34}{times[name]:8.2f} s", file=sys.stderr, flush=True)
        return value

    version = state.data_version_key(state._cached_reader(url, ()))
    f = Filters()
    for label, day in (("first", FIRST), ("second", SECOND)):
        snap = timed(f"{label}: snapshot", lambda d=day: state._cached_snapshot(d, url, version, ()))
        timed(f"{label}: map state", lambda d=day: state._cached_map_state(d, f, url, version, ()))
        if label == "first":
            timed(f"{label}: map page", lambda: state._cached_map_document((), url, version, FIRST, (), True))
            w, s, e, n = to_wgs84(gpd.GeoSeries([box(*snap.parcels.total_bounds)], crs=snap.parcels.crs)).total_bounds
            whole = tuple((k, round(float(v), 6)) for k, v in zip("wsen", (w, s, e, n)))
        timed(f"{label}: whole-map view", lambda d=day, b=whole: state._cached_map_view(d, f, b, url, version, ()))
    return times


def run(tree: Path, url: str) -> dict:
    # Under load, reading 3 million events keeps the read transaction open longer than the store's 60 s
    # idle_in_transaction_session_timeout (store.pg_session): both timeouts are lifted for the benchmark.
    env = {**os.environ, "GPMB_PG_STATEMENT_TIMEOUT": "600s", "GPMB_PG_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "0",
           "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--url", url],
                         cwd=tree, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{tree}: run failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def export(ref: str, folder: Path) -> Path:
    """``git archive ref`` of this repository unpacked in ``folder`` (returned)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each side")
    parser.add_argument("--copies", type=int, default=124)
    parser.add_argument("--anchor", default="main", help="git ref of the anchor")
    parser.add_argument("--ours", help="git ref of ours (default: this worktree as it is)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path[:] = [str(args.child.resolve())] + [p for p in sys.path if Path(p or ".").resolve() != REPO]
        print(json.dumps(child(args.url)))
        return 0
    sys.path.insert(0, str(REPO))
    from benchmarks import _province_store
    from tests.support.postgis import database_url

    if not _province_store.database_exists(args.copies):
        raise SystemExit(f"{_province_store.database_name(args.copies)} is missing: python benchmarks/_province_store.py")
    url = database_url(_province_store.database_name(args.copies))
    print(f"load average before: {os.getloadavg()}  (cores: {os.cpu_count()})", flush=True)
    results: dict[str, list[dict]] = {"anchor": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="bench_anchor_") as folder:
        trees = {"anchor": export(args.anchor, Path(folder) / "anchor"),
                 "ours": export(args.ours, Path(folder) / "ours") if args.ours else REPO}
        for i in range(args.runs):
            for side in (("anchor", "ours") if i % 2 == 0 else ("ours", "anchor")):
                print(f"run {i + 1} {side} (load {os.getloadavg()[0]:.1f})", flush=True)
                results[side].append(run(trees[side], url))
    steps = list(results["ours"][0])
    print(f"{'step':<34}{'anchor s':>10}{'ours s':>10}{'ours÷anchor':>13}   runs anchor | ours")
    for name in steps:
        a = statistics.median(r[name] for r in results["anchor"])
        o = statistics.median(r[name] for r in results["ours"])
        runs = " | ".join(", ".join(f"{r[name]:.1f}" for r in results[side]) for side in ("anchor", "ours"))
        print(f"{name:<34}{a:>10.2f}{o:>10.2f}{o / a:>13.2f}   {runs}")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
