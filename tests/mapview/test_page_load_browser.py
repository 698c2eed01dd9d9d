"""What the parcel page does while it loads (issue 13): the geometry decode equals the reference one it
replaced (tests/mapview/decode_reference.js) through both base64 paths, the hit-test grid is built on
first use, and an empty marker layer shows no canvas until it has a marker to draw."""
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from mapview import build_map, standalone_html
from mapview.encode import encode_geometries
from tests.dashboard import synthetic
from tests.support.browser import offline_page

pytestmark = pytest.mark.browser

REFERENCE_JS = Path(__file__).with_name("decode_reference.js").read_text(encoding="utf-8")

#: Both decodes of geometry payload g: is each array equal, element by element (NaN equal to NaN)?
COMPARE_JS = """([g, native]) => {
  const reference = REFERENCE;
  const saved = Uint8Array.fromBase64;
  if (!native) { delete Uint8Array.fromBase64; }
  let ours;
  try { ours = window.GPMBParcels.decode(g); } finally { if (!native) { Uint8Array.fromBase64 = saved; } }
  const ref = reference(g), out = {n: ours.n === ref.n, native: typeof saved === 'function'};
  for (const name of ['X', 'Y', 'ringStart', 'partStart', 'box']) {
    const a = ours[name], b = ref[name];
    out[name] = a.constructor === b.constructor && a.length === b.length &&
      a.every((v, i) => v === b[i] || (v !== v && b[i] !== b[i]));
  }
  out.vertices = ref.X.length;
  return out; }""".replace("REFERENCE", REFERENCE_JS, 1)


def real_shaped(n: int, seed: int = 13) -> list:
    """``n`` parcels in EPSG:4326 as the map gets them: jittered 6-vertex shapes of ≈ 20 × 25 m on a grid at
    Lạng Sơn, one in 50 a two-part parcel with a hole, one missing and one empty geometry."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    shape = np.array([[0, 0], [10, -1], [20, 0], [21, 12], [20, 25], [0, 24]], dtype=float)
    metres = 1 / 111_000
    out = []
    for k in range(n):
        ring = (shape + rng.uniform(-2, 2, (6, 2)) + (k % side * 26.0, k // side * 31.0)) * metres + (106.76, 21.85)
        out.append(Polygon(ring) if k % 50 else MultiPolygon([
            Polygon(ring, [ring.mean(axis=0) + (np.array([[-3, -3], [3, -3], [3, 3], [-3, 3]]) * metres)]),
            Polygon(ring + 40 * metres)]))
    out[n // 3], out[n // 2] = None, shapely.Polygon()
    return out


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    store = synthetic.FakeStore()
    path = tmp_path_factory.mktemp("page") / "map.html"
    path.write_text(standalone_html(build_map(synthetic.compute_snapshot(store, date(2024, 6, 30)), store)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("native", [True, False], ids=["fromBase64", "atob"])
def test_decode_equals_the_reference(page_file, native):
    geometry = encode_geometries(real_shaped(3000))
    with offline_page(allow_localhost=False) as (page, requested):
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.__gpmbDrawn > 0")
        result = page.evaluate(COMPARE_JS, [geometry, native])
        assert page.evaluate("() => typeof Uint8Array.fromBase64") == ("function" if result["native"] else "undefined")
        assert requested == []
    assert result.pop("vertices") > 3000 * 6
    result.pop("native")
    assert result == {"n": True, "X": True, "Y": True, "ringStart": True, "partStart": True, "box": True}


#: {display of each marker canvas, drawn of each marker layer} after the parcel layer takes ``markers``.
MARKERS_STATE_JS = """(markers) => { const l = window.GPMBParcels.layers[0];
  l.setState(Object.assign({}, l.currentState(), {markers: markers}));
  return window.GPMBMarkers.layers.map(m => [m._container.style.display, m.drawn]); }"""


def test_empty_marker_canvas_is_hidden_until_it_has_a_marker(page_file):
    with offline_page(allow_localhost=False, viewport={"width": 1000, "height": 700}) as (page, _):
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.__gpmbDrawn > 0")
        assert page.evaluate("() => window.GPMBParcels.layers[0].__grid !== undefined")
        assert page.evaluate(MARKERS_STATE_JS, {"complaint": [], "unpaid": []}) == [["none", 0], ["none", 0]]
        assert page.evaluate(MARKERS_STATE_JS, {"complaint": [2], "unpaid": []}) == [["", 1], ["none", 0]]
        # the marker is painted: its colour at its centre
        rgba = page.evaluate("""() => { const m = window.GPMBMarkers.layers[0], c = m.containerPoint(2);
          const o = m._map.containerPointToLayerPoint(c).subtract(m._bounds.min);
          return Array.from(m._ctx.getImageData(Math.round(o.x), Math.round(o.y), 1, 1).data); }""")
        assert rgba[3] == 255 and rgba[:3] != [255, 255, 255], rgba
        assert page.evaluate(MARKERS_STATE_JS, {"complaint": [], "unpaid": [3]}) == [["none", 0], ["", 1]]
        # the hit-test grid is there when first read (built on first use or when the page was idle)
        hit = page.evaluate("() => { const l = window.GPMBParcels.layers[0]; return l.hitTest(l.labelLatLng(4)); }")
        assert hit == 4
