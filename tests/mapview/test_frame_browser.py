"""The map in a frame that has no height when it loads (Streamlit's iframe before its first layout):
it is fitted once the frame grows, and draws its parcels."""
import html
from datetime import date

import pytest

from mapview import build_map, sandboxed_document, standalone_html
from tests.dashboard import synthetic
from tests.support.browser import offline_page

pytestmark = pytest.mark.browser

VIEW_JS = """() => { const l = window.GPMBParcels && window.GPMBParcels.layers[0]; if (!l || !l._map) { return null; }
  const m = l._map, g = l._grid, k = m.options.crs.scale(m.getZoom()) / 256;   // all parcels' extent
  return {zoom: m.getZoom(), width: g.w * g.side * k, drawn: l.drawn}; }"""


@pytest.mark.parametrize("sandboxed", [False, True], ids=["direct", "sandboxed"])
def test_map_fits_once_its_frame_has_a_size(tmp_path, sandboxed):
    store = synthetic.FakeStore()
    page_html = standalone_html(build_map(synthetic.compute_snapshot(store, date(2024, 6, 30)), store))
    shown = sandboxed_document(page_html) if sandboxed else page_html
    app = (f'<!DOCTYPE html><html><body><iframe id="st" style="width:940px;height:0;border:0" '
           f'srcdoc="{html.escape(shown)}"></iframe><script>setTimeout(function() {{'
           ' document.getElementById("st").style.height = "720px"; }, 1000);</script></body></html>')
    path = tmp_path / "app.html"
    path.write_text(app, encoding="utf-8")
    with offline_page(allow_localhost=False, viewport={"width": 1200, "height": 900}) as (page, requested):
        page.goto(path.as_uri())
        page.wait_for_timeout(2500)
        frame = page.frames[-1]                                        # the innermost frame holds the map
        view = frame.evaluate(VIEW_JS)
        assert view is not None and 10 <= view["zoom"] <= 18 and view["width"] > 100, view
        assert view["drawn"] == 18 and requested == []


#: The map container's height, Leaflet's idea of it, and the parcel canvas' CSS height.
SIZES_JS = """() => { const l = window.GPMBParcels.layers[0], m = l._map;
  return {box: m.getContainer().clientHeight, map: m.getSize().y, canvas: l._container.clientHeight || l._container.height}; }"""


def test_the_map_follows_its_container_without_a_window_resize(tmp_path):
    """The map's container changes size with no window ``resize`` (Leaflet listens only to that): the map
    learns its new size and its parcel canvas follows."""
    store = synthetic.FakeStore()
    path = tmp_path / "map.html"
    path.write_text(standalone_html(build_map(synthetic.compute_snapshot(store, date(2024, 6, 30)), store)),
                    encoding="utf-8")
    with offline_page(allow_localhost=False, viewport={"width": 1000, "height": 800}) as (page, requested):
        page.goto(path.as_uri())
        page.wait_for_function("() => window.GPMBParcels && window.GPMBParcels.layers[0].drawn === 18", timeout=30_000)
        page.evaluate("() => { window.addEventListener('resize', () => { window.__resized = true; }); "
                      "window.GPMBParcels.layers[0]._map.getContainer().style.height = '300px'; }")
        page.wait_for_function("() => window.GPMBParcels.layers[0]._map.getSize().y === 300", timeout=10_000)
        page.wait_for_timeout(500)                                     # the debounced moveend redraws the canvas
        sizes = page.evaluate(SIZES_JS)
        assert page.evaluate("() => window.__resized === undefined")   # no window resize was involved
        assert sizes["box"] == sizes["map"] == 300 and 300 <= sizes["canvas"] <= 400, sizes
        assert requested == []
