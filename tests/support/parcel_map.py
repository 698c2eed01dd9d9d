"""JavaScript probes of the canvas parcel layer (``mapview/static/gpmb/parcels.js``) for browser tests.

The parcels are pixels on one canvas, not DOM elements: these snippets read the layer's own state
(``window.GPMBParcels.layers``) and the canvas pixels, for ``page.evaluate`` / ``frame.evaluate``.
"""

#: Resolves once the parcel layer has drawn at least once.
DRAWN = "() => window.__gpmbDrawn > 0"

#: {n: parcels in the payload, shown: parcels passing the filters, drawn: drawn in the last redraw}.
COUNTS_JS = """() => { const l = window.GPMBParcels.layers[0];
  return {n: l._geo.n, shown: l.shownCount(), drawn: l.drawn, zoom: l._map.getZoom()}; }"""

#: Centre the parcel whose property ``key`` equals ``value`` at zoom ``zoom`` (no animation): its page
#: coordinates (label point, inside the parcel) and whether the layer's hit-test finds it there.
FOCUS_JS = """([key, value, zoom]) => { const l = window.GPMBParcels.layers[0], m = l._map;
  const p = l.find(key, value); if (p < 0) { return null; }
  const ll = l.labelLatLng(p); m.setView(ll, zoom || 19, {animate: false});
  const pt = m.latLngToContainerPoint(ll), box = m.getContainer().getBoundingClientRect();
  return {index: p, zoom: m.getZoom(), x: box.left + pt.x, y: box.top + pt.y, hit: l.hitTest(ll) === p}; }"""

#: For each shown parcel, fitted in the view (zoom ≤ 19): the canvas pixel inside it (8 px right of its label point
#: for an at-risk parcel, clear of the risk dot) and the stage colour it should have; an optional
#: argument limits the number of parcels sampled.
PIXELS_JS = """(limit) => { const l = window.GPMBParcels.layers[0], m = l._map, c = l._container, out = [];
  for (let p = 0; p < l._geo.n && out.length < (limit || Infinity); p++) { if (!l._v[p]) { continue; }
    m.fitBounds(l.bounds(p), {animate: false, maxZoom: 19}); const ll = l.labelLatLng(p);
    const pt = m.latLngToContainerPoint(ll), r = c.getBoundingClientRect(), mr = m.getContainer().getBoundingClientRect();
    const x = Math.round((mr.left + pt.x - r.left + (l._r[p] ? 8 : 0)) * c.width / r.width);
    const y = Math.round((mr.top + pt.y - r.top) * c.height / r.height);
    const d = l._ctx.getImageData(x, y, 1, 1).data;
    const under = l.parcelsAt(m.containerPointToLatLng([pt.x + (l._r[p] ? 8 : 0), pt.y])).length;
    const b = l.bounds(p), sw = m.latLngToContainerPoint(b.getSouthWest()), ne = m.latLngToContainerPoint(b.getNorthEast());
    out.push({index: p, rgba: [d[0], d[1], d[2], d[3]], expected: l.options.colours[l._s[p]], risk: l._r[p],
              under: under, size: Math.min(Math.abs(ne.x - sw.x), Math.abs(ne.y - sw.y))}); }
  return out; }"""

#: [fill, outline, width] per parcel (null when not shown), the title and legend texts.
STYLES_JS = """() => { const l = window.GPMBParcels.layers[0], m = l._map.getContainer();
  return {styles: l.styles(), title: m.querySelector('.gpmb-title').innerText,
          legend: m.querySelector('.gpmb-legend').innerText}; }"""


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#43a047`` → ``(67, 160, 71)``."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def wrong_pixels(samples: list[dict], tolerance: int = 3) -> list[dict]:
    """The samples of :data:`PIXELS_JS` whose colour is not their stage colour (the canvas keeps the fill
    colour with alpha 0.8: its RGB is the colour itself, up to rounding). A point covered by two
    overlapping parcels (``under`` > 1, some illustrative data) blends their fills, and a sliver parcel
    (under 8 px across at zoom 19) is mostly outline: both are left out, see :func:`single_cover`."""
    return [s for s in single_cover(samples)
            if any(abs(a - b) > tolerance for a, b in zip(s["rgba"][:3], hex_rgb(s["expected"])))
            or not 190 <= s["rgba"][3] <= 215]


def single_cover(samples: list[dict]) -> list[dict]:
    """The samples taken where exactly one shown parcel covers the point, in a parcel ≥ 8 px across."""
    return [s for s in samples if s["under"] == 1 and s["size"] >= 8]


#: Per marker layer of ``mapview/static/gpmb/markers.js``: its kind, whether it is on the map, the parcels its
#: state marks, the markers drawn in the last redraw, and the number of canvases in the overlay pane.
MARKERS_JS = """() => { const ls = window.GPMBMarkers.layers, m = ls[0]._parcels._map || ls[0]._map;
  const canvases = document.querySelectorAll('.leaflet-overlay-pane canvas').length;
  return ls.map(l => ({kind: l.options.kind, on: !!l._map, marked: l.marked(), drawn: l.drawn,
                       colour: l.options.colour, canvases: canvases})); }"""

#: Centre the ``position``-th parcel marked by marker layer ``layer`` at ``zoom`` (no animation) and read the
#: marker canvas at the marker's centre: {index, rgba, colour, x, y (page coordinates), hit (the parcel layer's
#: hit-test finds that parcel under the marker)}; null when the layer marks fewer parcels.
MARKER_PIXEL_JS = """([layer, position, zoom]) => { const l = window.GPMBMarkers.layers[layer], m = l._map;
  const p = l.marked()[position]; if (p === undefined) { return null; }
  m.setView(m.unproject(l.point(p), 0), zoom, {animate: false});
  const pt = l.containerPoint(p), c = l._container, r = c.getBoundingClientRect(), mr = m.getContainer().getBoundingClientRect();
  const x = Math.round((mr.left + pt.x - r.left) * c.width / r.width), y = Math.round((mr.top + pt.y - r.top) * c.height / r.height);
  const d = l._ctx.getImageData(x, y, 1, 1).data;
  return {index: p, rgba: [d[0], d[1], d[2], d[3]], colour: l.options.colour, x: mr.left + pt.x, y: mr.top + pt.y,
          hit: l._parcels.hitTest(m.containerPointToLatLng(pt)) === p}; }"""
