"""The dashboard in Chromium: how long a new as-of date or a filter change takes to settle (issue 13).

Two stores, each behind its own ``streamlit run app.py`` (``tests.support.login.admin_app``):

* ``bundled`` – the demo store (4 032 parcels, ``cli.py init --demo``): the anchor;
* ``large`` – the bundled data repeated ``--copies`` times (13 → 52 416 parcels, each copy with its own
  events: ``benchmarks/_big_store.py``), a GeoPackage built once and kept in ``--cache`` (build time
  printed).

On each: log in (overview), then per round, alternating the two stores: on the overview a new as-of date,
a date seen before, a commune filter added and removed; then on the map page (reached through the
sidebar: a reload logs out) the first map paint, a new as-of date, a date seen before, a commune filter
added and removed. "Settled" is the later of: the page's script run finished (``data-test-script-state``
of ``stApp`` back to ``notRunning`` after a run that started after the action, seen by a
``MutationObserver``), and on the map page the live map's restyle (``window.__gpmbStateAt`` of the
innermost frame, set by ``parcels.js`` after ``setState`` redrew the canvas). Times are ms from the
action (keyboard Enter / Backspace) to settled, ``Date.now()`` on both sides (one clock for all frames).

Prints per store and step the median and the runs, the ratio large / bundled, and the load average
before and after. The server-side part of each step is in the Streamlit log (not parsed here).

Usage: ``python benchmarks/bench_dashboard_browser.py [--rounds 3] [--copies 13] [--cache DIR]`` (default DIR: ``gpmb_bench`` in the temporary folder)
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Records script-state transitions of the app (running / notRunning) with their Date.now().
OBSERVE_JS = """() => {
  if (window.__runs) { return; }
  window.__runs = [];
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => window.__runs.push([app.getAttribute('data-test-script-state'), Date.now()]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
#: Date.now() at which a run that started at or after t0 finished, or false.
SETTLED_JS = """(t0) => {
  const runs = window.__runs || [];
  let started = false;
  for (const [s, t] of runs) {
    if (t < t0) { continue; }
    if (s === 'running') { started = true; } else if (started) { return t; }
  }
  return false;
}"""
MAP_APPLIED_JS = "(n) => (window.__gpmbStates || 0) > n ? window.__gpmbStateAt : false"
MAP_DRAWN_JS = """() => { const l = window.GPMBParcels && window.GPMBParcels.layers[0];
  return l && window.__gpmbDrawn > 0 ? {n: l._geo.n, drawn: l.drawn} : false; }"""

NEW_DATES = ["31/07/2024", "31/08/2024", "30/09/2024", "31/10/2024", "30/11/2024", "31/12/2024", "31/01/2025"]
SEEN_DATE = "30/06/2024"

#: The app's own frames, not the zero-height login-cookie frame every logged-in page draws first.
APP_FRAMES = 'iframe:not([title*="session_cookie"])'


def large_store(cache: Path, copies: int) -> Path:
    """The cached large store file (built with ``benchmarks/_big_store.py`` when missing)."""
    path = cache / f"large_{copies}.gpkg"
    if not path.exists():
        import subprocess

        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f"large_{copies}.partial.gpkg"
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "_big_store.py"), f"sqlite:///{partial}", str(copies)],
                       check=True, cwd=REPO)
        partial.rename(path)
        print(f"large store built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


class Session:
    """One logged-in page on one server, with the step timings."""

    def __init__(self, browser, base: str, label: str) -> None:
        from tests.support.browser import block_outside
        from tests.support.login import log_in

        self.label, self.base = label, base
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.blocked = block_outside(self.page)
        started = time.perf_counter()
        log_in(self.page, base + "/", timeout_ms=600_000)
        self.page.get_by_text("Các mốc tiến độ").wait_for(timeout=600_000)
        self.login_s = time.perf_counter() - started
        self.page.evaluate(OBSERVE_JS)
        self.times: dict[str, list[float]] = {}
        self.dates = iter(NEW_DATES)
        self.commune_chosen = False

    def _record(self, step: str, ms: float) -> None:
        self.times.setdefault(step, []).append(ms)
        print(f"  {self.label:<8} {step:<44} {ms:8.0f} ms  (load {load()})", flush=True)

    def _now(self) -> int:
        return self.page.evaluate("() => Date.now()")

    def _settled(self, t0: int, map_before: int | None) -> int:
        done = self.page.wait_for_function(SETTLED_JS, arg=t0, polling=10, timeout=600_000).json_value()
        if map_before is not None:
            applied = self.map_frame().wait_for_function(MAP_APPLIED_JS, arg=map_before, polling=10,
                                                         timeout=600_000).json_value()
            done = max(done, applied)
        return done - t0

    def map_frame(self):
        return next(f for f in self.page.frames if f.url == "about:srcdoc" and f.parent_frame is not None
                    and f.parent_frame != self.page.main_frame)

    def _map_count(self, on_map: bool) -> int | None:
        return self.map_frame().evaluate("() => window.__gpmbStates || 0") if on_map else None

    def set_date(self, text: str, step: str, on_map: bool) -> None:
        """Type ``text`` (dd/mm/yyyy) into the as-of date field."""
        box = self.page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] input").first
        box.fill("-".join(reversed(text.split("/"))))       # an <input type="date">: ISO value
        before = self._map_count(on_map)
        t0 = self._now()
        # Committed when the focus leaves the widget (Tab stays inside, on its calendar button): click the title.
        self.page.locator("h1").first.click()
        self._record(step, self._settled(t0, before))

    def toggle_commune(self, step: str, on_map: bool) -> None:
        """Add the first commune offered (when none is chosen) or remove the chosen one."""
        box = self.page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Xã / phường")
        box.evaluate("e => e.scrollIntoView({block: 'center'})")    # not under the sticky sidebar header
        box.click()
        adding = not self.commune_chosen
        if adding:
            self.page.keyboard.press("ArrowDown")
        before = self._map_count(on_map)
        t0 = self._now()
        self.page.keyboard.press("Enter" if adding else "Backspace")
        self._record(step + (" added" if adding else " removed"), self._settled(t0, before))
        self.commune_chosen = adding
        self.page.keyboard.press("Escape")

    def overview_round(self) -> None:
        self.set_date(next(self.dates), "overview: new as-of date", on_map=False)
        self.set_date(SEEN_DATE, "overview: date seen before", on_map=False)
        self.toggle_commune("overview: commune filter", on_map=False)
        self.toggle_commune("overview: commune filter", on_map=False)

    def open_map(self) -> None:
        t0 = self._now()
        self.page.get_by_text("Bản đồ", exact=True).first.click()
        frame = self.page.frame_locator(APP_FRAMES).first.frame_locator(APP_FRAMES).first   # the sandboxed map
        try:
            frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=600_000)
        except Exception:
            self.page.screenshot(path=str(Path(tempfile.gettempdir()) / f"bench_dashboard_{self.label}.png"), full_page=True)
            raise
        counts = self.map_frame().wait_for_function(MAP_DRAWN_JS, polling=10, timeout=600_000).json_value()
        self._record("map page: first paint (all parcels drawn)" if counts["drawn"] >= counts["n"]
                     else "map page: first paint (commune discs)", self.map_frame().evaluate("() => Date.now()") - t0)
        self.n_parcels = counts["n"]

    def map_round(self) -> None:
        self.set_date(next(self.dates), "map: new as-of date", on_map=True)
        self.set_date(SEEN_DATE, "map: date seen before", on_map=True)
        self.toggle_commune("map: commune filter", on_map=True)
        self.toggle_commune("map: commune filter", on_map=True)

    def back_to_overview(self) -> None:
        self.page.get_by_text("Tổng quan", exact=True).first.click()
        self.page.get_by_text("Các mốc tiến độ").wait_for(timeout=600_000)
        self.page.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                                    ".getAttribute('data-test-script-state') === 'notRunning'", timeout=600_000)


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(sessions: list[Session]) -> None:
    steps = list(dict.fromkeys(s for sess in sessions for s in sess.times))
    print(f"{'step':<44}" + "".join(f"{s.label + ' median ms':>22}" for s in sessions) + "   ratio   runs (ms)")
    for step in steps:
        medians = [statistics.median(s.times[step]) if step in s.times else float("nan") for s in sessions]
        runs = " | ".join(", ".join(f"{v:.0f}" for v in s.times.get(step, [])) for s in sessions)
        ratio = medians[-1] / medians[0] if len(medians) > 1 and medians[0] else float("nan")
        print(f"{step:<44}" + "".join(f"{m:>22.0f}" for m in medians) + f"   {ratio:5.1f}   {runs}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=13)
    parser.add_argument("--stores", nargs="+", default=["bundled", "large"], choices=["bundled", "large"])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "gpmb_bench")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium_path
    from tests.support.login import add_account, admin_app
    from tests.support.stores import demo_store_url

    template = large_store(args.cache, args.copies)
    print(f"load average before: {load()}  (cores: {os.cpu_count()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_dash_") as folder, contextlib.ExitStack() as stack:
        tmp = Path(folder)
        shutil.copy(template, tmp / "large.gpkg")
        (tmp / "bundled").mkdir()
        (tmp / "large").mkdir()
        urls = {"bundled": demo_store_url(f"sqlite:///{tmp / 'bundled.gpkg'}"), "large": f"sqlite:///{tmp / 'large.gpkg'}"}
        add_account(urls["large"], "admin")     # the large store's only account is the builder's (quan_tri)
        options = {"extra_args": ("--server.fileWatcherType", "none", "--server.runOnSave", "false"), "timeout_s": 600.0}
        bases = {k: stack.enter_context(admin_app(tmp / k, database_url=u, **options)) for k, u in urls.items()
                 if k in args.stores}
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        sessions = [Session(browser, bases[k], k) for k in args.stores]
        for s in sessions:
            print(f"{s.label}: logged in, overview drawn in {s.login_s:.1f} s", flush=True)
        for _ in range(args.rounds):
            for s in sessions:
                s.overview_round()
        for s in sessions:
            s.open_map()
            print(f"{s.label}: {s.n_parcels} parcels on the map", flush=True)
        for _ in range(args.rounds):
            for s in sessions:
                s.map_round()
        report(sessions)
        print(f"refused outside requests: {sum(len(s.blocked) for s in sessions)}")
    print(f"load average after:  {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
