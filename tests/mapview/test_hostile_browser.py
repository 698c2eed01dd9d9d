"""Hostile text in real Chromium (every non-local request blocked): nothing runs, nothing is fetched,
the text is shown as written; the sandboxed frame cannot reach the app around it."""
import functools
import html
import http.server
import threading

import folium
import geopandas as gpd
import pytest
from shapely.geometry import box

from mapview import build_map, sandboxed_document, standalone_html
from mapview.preview import preview_map_html
from tests.mapview.hostile import IMG, JS_URL, MARKDOWN, SCRIPT, VISIBLE, hostile_snapshot, hostile_store
from tests.support.browser import block_outside, chromium
from tests.support.parcel_map import COUNTS_JS, DRAWN, FOCUS_JS

pytestmark = pytest.mark.browser

#: Centre a feature whose property ``key`` equals ``value`` at zoom ≤ 19; its page coordinates.
FEATURE_POINT_JS = """([key, value]) => { for (const k in window) { const m = window[k];
  if (k.startsWith('map_') && m && m.eachLayer) { let target = null;
    m.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties[key] === value
                           && l.getBounds) { target = l; } });
    if (!target) { return null; }
    m.fitBounds(target.getBounds(), {animate: false, maxZoom: 19});
    const pt = m.latLngToContainerPoint(target.getBounds().getCenter());
    const frame = m.getContainer().getBoundingClientRect();
    return {x: frame.left + pt.x, y: frame.top + pt.y}; } } return null; }"""
#: Open the tooltip of every feature that has one (boundaries, roads, centrelines); their texts.
OPEN_TOOLTIPS_JS = """() => { const out = []; for (const k in window) { const m = window[k];
  if (k.startsWith('map_') && m && m.eachLayer) { m.eachLayer(l => {
    if (l.feature && l.getTooltip && l.getTooltip()) { l.openTooltip(); out.push(l.getTooltip().getElement().innerText); }
  }); } } return out; }"""
#: What data-borne markup would leave in the DOM had it been parsed as markup.
PLANTED_JS = """() => document.querySelectorAll('[onerror], script[src], img[src="x"], a[href^="javascript:"]').length"""


class Watch:
    """Dialogs, script errors, CSP refusals (console) and refused requests of one page, all frames."""

    def __init__(self, page):
        self.dialogs, self.errors, self.csp = [], [], []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.csp.append(m.text) if "Content Security Policy" in m.text else None)
        self.requested = block_outside(page)

    def quiet(self) -> bool:
        return not (self.dialogs or self.errors or self.csp or self.requested)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def watched(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    yield page, Watch(page)
    page.close()


@pytest.fixture
def local_site(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path`` (the app's origin in the sandbox tests)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hover(page_or_frame, mouse, key, value, parcel=False):
    """Move the mouse onto the feature (a parcel of the canvas layer when ``parcel``) whose property
    ``key`` equals ``value``."""
    spot = page_or_frame.evaluate(FOCUS_JS, [key, value, 19]) if parcel else \
        page_or_frame.evaluate(FEATURE_POINT_JS, [key, value])
    assert spot is not None, (key, value)
    mouse.move(spot["x"] - 8, spot["y"] - 8)
    mouse.move(spot["x"], spot["y"], steps=3)


def hostile_map() -> folium.Map:
    store = hostile_store()
    return build_map(hostile_snapshot(store), store, include_personal_data=True)


def test_hostile_map_shows_text_literally_and_runs_nothing(tmp_path, watched):
    page, watch = watched
    path = tmp_path / "map.html"
    path.write_text(standalone_html(hostile_map()), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function(DRAWN)
    labels = page.locator(".gpmb-commune-label").all_inner_texts()
    assert sorted(labels) == sorted([f"Xã {IMG}", f"Phường {MARKDOWN}"])
    hover(page, page.mouse, "n", html.escape(IMG), parcel=True)        # the parcel numbered with markup
    tip = page.locator(".leaflet-tooltip.gpmb-tip")
    tip.wait_for(timeout=15_000)
    text = tip.inner_text()
    for shown in (f"thửa {IMG}", f"Phường {IMG}", f"Xã cũ {SCRIPT}", f"CCN {JS_URL}", VISIBLE[IMG],
                  "Người sử dụng đất: Hộ"):
        assert shown in text, (shown, text)
    assert "Xóa màn hình" in text
    tips = " ".join(page.evaluate(OPEN_TOOLTIPS_JS))
    for shown in (f"Chỉ giới GPMB – Đường {SCRIPT}", f"Dự án {MARKDOWN}", f"Gần đúng: Ghi chú {IMG}",
                  f"QL {IMG}", f"Đường sắt {SCRIPT}", f"Tim tuyến Đường {SCRIPT}"):
        assert shown in tips, shown
    legend = page.locator(".gpmb-legend summary")
    legend.click()
    legend.click()                                                      # closed and opened again
    assert "Giai đoạn GPMB" in page.locator(".gpmb-legend").inner_text()
    assert page.evaluate(PLANTED_JS) == 0 and page.locator(".leaflet-tile").count() == 0
    page.wait_for_timeout(300)
    assert watch.quiet(), vars(watch)


PLANTED = ('<img id="i1" src="http://example.invalid/x.png" onerror="document.title=\'img ran\'">'
           '<img id="i2" src="x" onerror="document.title=\'onerror ran\'">'
           '<script>document.title = "script ran";</script>'
           '<a id="js" href="javascript:void(document.title=\'url ran\')">liên kết</a>')


@pytest.mark.parametrize("with_policy", [True, False], ids=["csp", "control-without-csp"])
def test_policy_stops_markup_that_escaped_escaping(tmp_path, watched, with_policy):
    """As if an escape were missed: markup planted in the page is parsed, and the CSP alone keeps it
    from running or fetching (the control run without the policy shows the test can fail)."""
    page, watch = watched
    map_page = standalone_html(build_map(hostile_snapshot(hostile_store()), hostile_store()))
    if not with_policy:
        map_page = map_page.replace(map_page[map_page.index("<meta http-equiv"):map_page.index("<style>")], "", 1)
    planted = map_page.replace("<body>", "<body>" + PLANTED, 1)
    path = tmp_path / "planted.html"
    path.write_text(planted, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function(DRAWN)                                       # the map's own scripts still run
    page.click("#js")
    page.wait_for_timeout(500)
    title = page.title()
    if with_policy:
        assert "ran" not in title
        assert watch.requested == [] and watch.dialogs == [] and len(watch.csp) >= 4, vars(watch)
    else:
        assert title == "url ran" and watch.requested == ["http://example.invalid/x.png"]


PROBE_JS = """
(function() {
  var out = document.createElement('div'); out.id = 'probe';
  function attempt(name, f) { try { f(); return name + ': done'; } catch (e) { return name + ': ' + e.name; } }
  out.textContent = [
    attempt('parent', function() { return parent.document.body.innerHTML; }),
    attempt('commit', function() { top.document.getElementById('commit').click(); }),
    attempt('popup', function() { if (!window.open('about:blank')) { throw {name: 'NoPopup'}; } }),
  ].join(' | ');
  document.body.appendChild(out);
})();
"""


def probe_map() -> str:
    m = hostile_map()
    m.get_root().script.add_child(folium.Element(PROBE_JS))
    return standalone_html(m)


def app_page(map_document: str) -> str:
    """The app as Streamlit serves it: a commit button, and the map in a same-origin srcdoc iframe."""
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
            '<button id="commit" onclick="document.body.dataset.committed = \'yes\'">Ghi vào kho dữ liệu</button>'
            f'<iframe id="st" style="width:1100px;height:700px" srcdoc="{html.escape(map_document)}"></iframe>'
            '</body></html>')


def map_frame(page, selector: str, timeout_s: float = 15.0):
    """The first child frame holding ``selector`` (waiting for it up to ``timeout_s``), else None."""
    for _ in range(int(timeout_s * 10)):
        for frame in page.frames:
            if frame != page.main_frame and frame.query_selector(selector):
                return frame
        page.wait_for_timeout(100)
    return None


@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandboxed", "control-raw-srcdoc"])
def test_sandboxed_map_cannot_reach_the_app(local_site, watched, sandboxed):
    folder, origin = local_site
    page, watch = watched
    inner = probe_map()
    (folder / "app.html").write_text(app_page(sandboxed_document(inner) if sandboxed else inner), encoding="utf-8")
    page.goto(f"{origin}/app.html")
    frame = map_frame(page, "#probe")
    assert frame is not None
    probe = frame.inner_text("#probe")
    committed = page.evaluate("() => document.body.dataset.committed || ''")
    if sandboxed:
        assert probe == "parent: SecurityError | commit: SecurityError | popup: NoPopup", probe
        assert committed == ""
        frame.wait_for_function(DRAWN)
        assert frame.evaluate(COUNTS_JS)["drawn"] >= 18                  # the map works inside
        assert watch.requested == [] and watch.errors == [] and watch.csp == [], vars(watch)
    else:
        assert probe.startswith("parent: done | commit: done") and committed == "yes"


def _square(x0, y0, **attrs):
    return gpd.GeoDataFrame({k: [v] for k, v in attrs.items()},
                            geometry=[box(x0, y0, x0 + 60, y0 + 60)], crs=9215)


def hostile_preview() -> str:
    parcels = _square(450_000, 2_410_000, parcel_id="P/1", parcel_number=IMG, land_use=SCRIPT,
                      area_to_recover_m2=3600.0)
    rejected = _square(450_150, 2_410_000, row=f"{IMG}.shp dòng 3", reason=f"Trùng khóa {MARKDOWN}")
    return preview_map_html([(f"Tệp {IMG}.zip", parcels, "#1565c0"), ("Thửa bị loại", rejected, "#c62828")])


def test_preview_with_hostile_file_and_member_names(tmp_path, watched):
    page, watch = watched
    path = tmp_path / "preview.html"
    path.write_text(hostile_preview(), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    assert f"Tệp {IMG}.zip" in page.locator(".leaflet-control-layers").inner_text()
    hover(page, page.mouse, "row", html.escape(f"{IMG}.shp dòng 3"))     # the zip member's row
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=15_000)
    assert f"{IMG}.shp dòng 3" in tip.inner_text() and f"Trùng khóa {MARKDOWN}" in tip.inner_text()
    hover(page, page.mouse, "parcel_id", "P/1")
    page.wait_for_function("() => document.querySelector('.leaflet-tooltip').innerText.includes('P/1')")
    assert IMG in tip.inner_text() and SCRIPT in tip.inner_text()
    assert page.evaluate(PLANTED_JS) == 0
    page.wait_for_timeout(300)
    assert watch.quiet(), vars(watch)


def test_sandboxed_preview_draws_inside_the_app(local_site, watched):
    folder, origin = local_site
    page, watch = watched
    (folder / "app.html").write_text(app_page(sandboxed_document(hostile_preview())), encoding="utf-8")
    page.goto(f"{origin}/app.html")
    frame = map_frame(page, ".leaflet-control-layers")
    assert frame is not None and frame.url == "about:srcdoc"
    assert f"Tệp {IMG}.zip" in frame.inner_text(".leaflet-control-layers")
    assert frame.locator(".leaflet-overlay-pane canvas").count() == 1
    assert frame.evaluate("() => { try { return parent.document && 'read'; } catch (e) { return e.name; } }") \
        == "SecurityError"
    assert watch.quiet(), vars(watch)

