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
