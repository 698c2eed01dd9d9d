/* GPMB Tracker - parcel layer of the progress map (Apache-2.0, part of this repository: see LICENSE).
 *
 * One <canvas> (a Leaflet L.Canvas renderer without child layers) draws every parcel from a compact
 * payload written by mapview/encode.py:
 *   geometry: {scale, origin: [lon0, lat0], coords: b64 Int32 (dx, dy) deltas, rings: b64 Int32
 *              signed vertex counts (negative = hole), parts: b64 Int32 rings per parcel, n}
 *   columns:  {name: [values] | {dict: [texts], codes: [index | -1]}} - static tooltip properties
 *   state:    {s: stage index, r: 1 at risk, v: 1 shown, d: stage date text, f: flag bitmask,
 *              flags: [labels], title, legend} - what changes with the as-of date and the filters
 * Fill colour = stage colour, outline red and thicker when at risk (a red dot under it is seen at any
 * zoom), one tooltip and one hover outline for the whole layer, hit-tested with a grid index.
 * Viewport mode (options.viewport, stores above mapview.viewport.VIEWPORT_ABOVE parcels): the page starts with
 * no parcel; after every move it posts {gpmbView: {w, s, e, n, z}} to its parent (or calls
 * GPMBParcels.onView(view, layer) when set) and setPayload(payload) draws the parcels of that view, or the
 * commune discs computed in Python (payload.aggregated, payload.groups) when too many are in view.
 * Every text in columns/state is HTML-escaped in Python; the tooltip only joins them with fixed markup.
 * setState(state) restyles the live map without touching the geometry.
 * Above options.aggregateAbove shown parcels in view (low zoom on a large store) the layer draws one disc
 * per commune instead, coloured by its share of shown parcels handed over (the last stage), with its own
 * tooltip; zoomed in below that count it draws the parcels again (layer.aggregated says which).
 */
(function () {
  'use strict';
  performance.mark('gpmb-script');
  var L = window.L;

  /* base64 -> bytes: natively where the browser has Uint8Array.fromBase64 (Chromium 140+, Firefox 133+),
     else atob and a copy (at 10 000 parcels the decode took about 10 ms of CPU less, cold, as the page loads). */
  function bytes(text) {
    if (typeof Uint8Array.fromBase64 === 'function') { return Uint8Array.fromBase64(text); }
    var bin = atob(text), n = bin.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function int32(text) {
    var b = bytes(text);
    return new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
  }

  function column(spec, n) {
    if (!spec || !spec.dict) { return spec || new Array(n); }
    var out = new Array(n), d = spec.dict, c = spec.codes;
    for (var i = 0; i < n; i++) { out[i] = c[i] < 0 ? null : d[c[i]]; }
    return out;
  }

  /* Web Mercator pixel coordinates at zoom 0 (what map.project(latlng, 0) gives for EPSG:3857), and each
     parcel's box, in one pass over the vertices (this runs once, cold: one loop costs less than two). */
  function decode(g) {
    var q = int32(g.coords), rings = int32(g.rings), parts = int32(g.parts), n = g.n;
    var nv = q.length >> 1, X = new Float64Array(nv), Y = new Float64Array(nv);
    var ringStart = new Int32Array(rings.length + 1), partStart = new Int32Array(n + 1), box = new Float64Array(4 * n);
    for (var r = 0; r < rings.length; r++) { ringStart[r + 1] = ringStart[r] + Math.abs(rings[r]); }
    for (var p = 0; p < n; p++) { partStart[p + 1] = partStart[p] + parts[p]; }
    var x = g.origin[0], y = g.origin[1], max = 85.0511287798, d = Math.PI / 180, i = 0;
    for (p = 0; p < n; p++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var end = ringStart[partStart[p + 1]]; i < end; i++) {
        x += q[2 * i]; y += q[2 * i + 1];
        var lat = Math.max(Math.min(y / g.scale, max), -max), s = Math.sin(lat * d);
        var px = 256 * (x / g.scale / 360 + 0.5), py = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
        X[i] = px; Y[i] = py;
        if (px < x0) { x0 = px; } if (px > x1) { x1 = px; }
        if (py < y0) { y0 = py; } if (py > y1) { y1 = py; }
      }
      box[4 * p] = x0; box[4 * p + 1] = y0; box[4 * p + 2] = x1; box[4 * p + 3] = y1;
    }
    return {n: n, X: X, Y: Y, ringStart: ringStart, partStart: partStart, box: box};
  }

  /* Uniform grid over the parcels' extent: cell -> parcel indices (CSR arrays). */
  function gridIndex(geo) {
    var n = geo.n, box = geo.box, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, p;
    for (p = 0; p < n; p++) {
      if (!(box[4 * p] <= box[4 * p + 2])) { continue; }
      x0 = Math.min(x0, box[4 * p]); y0 = Math.min(y0, box[4 * p + 1]);
      x1 = Math.max(x1, box[4 * p + 2]); y1 = Math.max(y1, box[4 * p + 3]);
    }
    var side = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(n / 2))));
    var grid = {side: side, x0: x0, y0: y0, w: Math.max(x1 - x0, 1e-12) / side, h: Math.max(y1 - y0, 1e-12) / side};
    var counts = new Int32Array(side * side + 1), pass, cx, cy;
    for (pass = 0; pass < 2; pass++) {
      for (p = 0; p < n; p++) {
        if (!(box[4 * p] <= box[4 * p + 2])) { continue; }
        var a = cell(grid, box[4 * p], box[4 * p + 1]), b = cell(grid, box[4 * p + 2], box[4 * p + 3]);
        for (cy = a[1]; cy <= b[1]; cy++) {
          for (cx = a[0]; cx <= b[0]; cx++) {
            if (pass === 0) { counts[cy * side + cx + 1]++; } else { grid.items[grid.fill[cy * side + cx]++] = p; }
          }
        }
      }
      if (pass === 0) {
        for (var c = 0; c < side * side; c++) { counts[c + 1] += counts[c]; }
        grid.start = counts; grid.fill = counts.slice(0, side * side); grid.items = new Int32Array(counts[side * side]);
      }
    }
    return grid;
  }

  function cell(grid, x, y) {
    var s = grid.side - 1;
    return [Math.max(0, Math.min(s, Math.floor((x - grid.x0) / grid.w))),
            Math.max(0, Math.min(s, Math.floor((y - grid.y0) / grid.h)))];
  }

  /* Even-odd point in the rings of parcel p (holes and multi-part parcels included). */
  function contains(geo, p, x, y) {
    var X = geo.X, Y = geo.Y, inside = false;
    for (var r = geo.partStart[p]; r < geo.partStart[p + 1]; r++) {
      var a = geo.ringStart[r], b = geo.ringStart[r + 1];
      for (var i = a, j = b - 1; i < b; j = i++) {
        if ((Y[i] > y) !== (Y[j] > y) && x < (X[j] - X[i]) * (y - Y[i]) / (Y[j] - Y[i]) + X[i]) { inside = !inside; }
      }
    }
    return inside;
  }

  /* A point inside parcel p: the middle of the widest run of its horizontal mid-line inside it. */
  function labelPoint(geo, p) {
    var box = geo.box, y = (box[4 * p + 1] + box[4 * p + 3]) / 2, xs = [], X = geo.X, Y = geo.Y;
    for (var r = geo.partStart[p]; r < geo.partStart[p + 1]; r++) {
      var a = geo.ringStart[r], b = geo.ringStart[r + 1];
      for (var i = a, j = b - 1; i < b; j = i++) {
        if ((Y[i] > y) !== (Y[j] > y)) { xs.push((X[j] - X[i]) * (y - Y[i]) / (Y[j] - Y[i]) + X[i]); }
      }
    }
    xs.sort(function (u, w) { return u - w; });
    var best = -1, at = (box[4 * p] + box[4 * p + 2]) / 2;
    for (var k = 0; k + 1 < xs.length; k += 2) {
      if (xs[k + 1] - xs[k] > best) { best = xs[k + 1] - xs[k]; at = (xs[k] + xs[k + 1]) / 2; }
    }
    return [at, y];
  }

  var ParcelLayer = L.Canvas.extend({
    // aggregateAbove: more shown parcels than this in view -> one disc per commune instead (low zoom).
    options: {padding: 0.1, colours: [], edge: '#37474f', risk: '#d50000', fillOpacity: 0.8, hover: '#000000',
              aggregateAbove: 20000},

    initialize: function (payload, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._tables = payload.tables;
      this._tip = L.tooltip({sticky: true, className: 'gpmb-tip', direction: 'auto', offset: [14, 0]});
      this._hovered = -1;
      this.drawn = 0;
      this._load(payload);
      this.setState(payload.state, true);
      this._onDom = L.bind(this._onDom, this);
      this._onView = L.bind(this._requestView, this);
    },

    _load: function (payload) {
      this._geo = decode(payload.geometry);
      this.__grid = null;   // the hit-test grid (layer._grid) is built on first use, or when the page is idle
      if (window.requestIdleCallback) { window.requestIdleCallback(L.bind(function () { return this._grid; }, this)); }
      this._columns = {};
      for (var name in payload.columns) { this._columns[name] = column(payload.columns[name], this._geo.n); }
      // viewport mode: the commune discs of the whole layer come computed (mapview.viewport.commune_groups)
      this._serverGroups = payload.aggregated ? (payload.groups || []) : null;
      this.rows = payload.rows || null;     // positions of these parcels in the whole layer (viewport mode)
    },

    /* Viewport mode (options.viewport): the parcels of a new view, with their state (mapview.viewport.view_payload).
       Replaces geometry, columns and state and redraws. */
    setPayload: function (payload) {
      this._setHover(-1, null);
      this._load(payload);
      this.setState(payload.state);
      window.__gpmbPayloads = (window.__gpmbPayloads || 0) + 1;   // for benchmarks and tests
      window.__gpmbPayloadAt = Date.now();
      return this;
    },

    /* The view to ask parcels for: {w, s, e, n} (degrees, padded like the canvas) and z (zoom). */
    view: function () {
      var b = this._map.getBounds().pad(this.options.padding);
      return {w: b.getWest(), s: b.getSouth(), e: b.getEast(), n: b.getNorth(), z: this._map.getZoom()};
    },

    _requestView: function () {
      if (!this._map) { return; }
      var view = this.view();
      if (window.parent !== window) { window.parent.postMessage({gpmbView: view}, '*'); }
      if (typeof window.GPMBParcels.onView === 'function') { window.GPMBParcels.onView(view, this); }
    },

    /* Per-date / per-filter state: replaces s, r, v, d, f (+ flags table, title, legend) and redraws. */
    setState: function (state, initial) {
      var n = this._geo.n;
      if (!state || !state.s || state.s.length !== n) { return this; }   // a state for another payload
      this._s = state.s; this._r = state.r; this._v = state.v;
      this._columns.d = column(state.d, n); this._columns.f = state.f;
      this._tables.flags = state.flags || [];
      this._state = state;
      this._groups = null;
      if (!initial) {
        this._setHover(-1, null);
        this._html('.gpmb-title', state.title);
        this._html('.gpmb-legend', state.legend);
        if (this._map) { this._redraw(); }
        // For benchmarks and tests: how many states were applied, and when (Date.now(): one clock
        // across the frames of the dashboard, unlike performance.now()).
        window.__gpmbStates = (window.__gpmbStates || 0) + 1;
        window.__gpmbStateAt = Date.now();
      }
      this.fire('gpmbstate', {state: state});   // markers.js hook: the marker layers follow the state
      return this;
    },

    /* markers.js hook: the current state, and parcel p's label point (zoom-0 pixels) or null. */
    currentState: function () { return this._state; },
    labelPoint: function (p) { return p >= 0 && p < this._geo.n ? labelPoint(this._geo, p) : null; },

    _html: function (selector, text) {
      var el = this._map && this._map.getContainer().querySelector(selector);
      if (el && typeof text === 'string') { el.innerHTML = text; }
    },

    onAdd: function (map) {
      // L.Canvas.onAdd draws at once; the page fits its view right after adding the layer (a second,
      // full draw): draw on the next frame instead, unless a move has drawn the layer by then. Nor clear the
      // canvas just sized (blank): its bitmap is then allocated once, by the first draw.
      var draw = this._draw, clear = this._clear;
      this._draw = this._clear = function () {};
      L.Canvas.prototype.onAdd.call(this, map);
      this._draw = draw; this._clear = clear;
      this._firstDraw = L.Util.requestAnimFrame(function () { if (this._map && !this._drawnOnce) { this._redraw(); } }, this);
      this._container.style.pointerEvents = 'none';      // hit-testing below, on the map container
      this._container.style.zIndex = 250;                // above the SVG layers (leaflet.css: svg 200, canvas 100)
      var c = map.getContainer();
      c.addEventListener('mousemove', this._onDom);
      c.addEventListener('click', this._onDom);
      c.addEventListener('mouseleave', this._onDom);
      if (this.options.viewport) { map.on('moveend', this._onView); }
    },

    onRemove: function (map) {
      var c = map.getContainer();
      c.removeEventListener('mousemove', this._onDom);
      c.removeEventListener('click', this._onDom);
      c.removeEventListener('mouseleave', this._onDom);
      map.off('moveend', this._onView);
      this._setHover(-1, null);
      L.Util.cancelAnimFrame(this._firstDraw);
      this._drawnOnce = false;
      L.Canvas.prototype.onRemove.call(this, map);
    },

    // The canvas takes no pointer events: the L.Canvas handlers for child layers stay idle.
    _onMouseMove: function () {}, _onClick: function () {}, _handleMouseOut: function () {},

    _onDom: function (e) {
      var map = this._map;
      if (!map) { return; }
      if (e.type === 'mouseleave' || map._animatingZoom || (map.dragging && map.dragging.moving())) {
        this._setHover(-1, null); return;
      }
      var latlng = map.mouseEventToLatLng(e);
      if (this.aggregated) { this._setGroupHover(this.groupAt(latlng), latlng); return; }
      this._setHover(this.hitTest(latlng), latlng);
    },

    /* Indices of every shown parcel under latlng (overlapping parcels: more than one). */
    parcelsAt: function (latlng) {
      var pt = this._map.project(latlng, 0), out = [];
      for (var p = 0; p < this._geo.n; p++) { if (this._v[p] && contains(this._geo, p, pt.x, pt.y)) { out.push(p); } }
      return out;
    },

    /* Index of the shown parcel under latlng (the last drawn wins), or -1. */
    hitTest: function (latlng) {
      var pt = this._map.project(latlng, 0), g = this._grid, geo = this._geo, box = geo.box;
      if (!(pt.x >= g.x0 && pt.y >= g.y0 && pt.x <= g.x0 + g.w * g.side && pt.y <= g.y0 + g.h * g.side)) { return -1; }
      var c = cell(g, pt.x, pt.y), k = c[1] * g.side + c[0];
      for (var j = g.start[k + 1] - 1; j >= g.start[k]; j--) {
        var p = g.items[j];
        if (!this._v[p] || pt.x < box[4 * p] || pt.x > box[4 * p + 2] || pt.y < box[4 * p + 1] || pt.y > box[4 * p + 3]) { continue; }
        if (contains(geo, p, pt.x, pt.y)) { return p; }
      }
      return -1;
    },

    _setHover: function (p, latlng) {
      var map = this._map;
      if (p !== this._hovered) {
        if (this._outline) { this._outline.remove(); this._outline = null; }
        this._hovered = p;
        if (map && p >= 0) {
          this._outline = L.polygon(this.latLngs(p), {interactive: false, fill: false, color: this.options.hover, weight: 3}).addTo(map);
          this._tip.setContent(this.tooltipHtml(p));
        }
        if (map) { map.getContainer().style.cursor = p >= 0 ? 'pointer' : ''; }
      }
      if (!map) { return; }
      if (p >= 0) {
        this._tip.setLatLng(latlng);
        if (!map.hasLayer(this._tip)) { map.openTooltip(this._tip); }
      } else if (map.hasLayer(this._tip)) {
        map.closeTooltip(this._tip);
      }
    },

    /* The parcel's properties as one object (what window.GPMB.tip reads). */
    properties: function (p) {
      var out = {s: this._s[p], r: this._r[p]}, cols = this._columns, f = cols.f[p], list = [];
      for (var name in cols) { if (name !== 'f') { out[name] = cols[name][p]; } }
      for (var i = 0; f >> i; i++) { if ((f >> i) & 1) { list.push(i); } }
      out.f = list;
      return out;
    },

    tooltipHtml: function (p) { return window.GPMB.tip(this.properties(p)); },

    /* [[ring latlngs], ...] of parcel p (for the hover outline and for fitting the view). */
    latLngs: function (p) {
      var geo = this._geo, map = this._map, out = [];
      for (var r = geo.partStart[p]; r < geo.partStart[p + 1]; r++) {
        var ring = [];
        for (var v = geo.ringStart[r]; v < geo.ringStart[r + 1]; v++) { ring.push(map.unproject([geo.X[v], geo.Y[v]], 0)); }
        out.push(ring);
      }
      return out;
    },

    bounds: function (p) {
      var b = this._geo.box, m = this._map;
      return L.latLngBounds(m.unproject([b[4 * p], b[4 * p + 3]], 0), m.unproject([b[4 * p + 2], b[4 * p + 1]], 0));
    },

    labelLatLng: function (p) { var pt = labelPoint(this._geo, p); return this._map.unproject(pt, 0); },

    /* Index of the first parcel whose property `name` equals value, or -1. */
    find: function (name, value) {
      var col = name === 's' ? this._s : name === 'r' ? this._r : this._columns[name];
      for (var p = 0; col && p < col.length; p++) { if (col[p] === value) { return p; } }
      return -1;
    },

    /* Bytes held in typed arrays (geometry, boxes, grid): outside the JS heap V8 reports. */
    typedBytes: function () {
      var g = this._geo, i = this._grid;
      return [g.X, g.Y, g.ringStart, g.partStart, g.box, i.start, i.fill, i.items].reduce(function (t, a) { return t + a.byteLength; }, 0);
    },

    shownCount: function () { var n = 0; for (var p = 0; p < this._geo.n; p++) { n += this._v[p] ? 1 : 0; } return n; },

    /* [fill colour, outline colour, outline width] of each parcel, null when it is not shown. */
    styles: function () {
      var out = [], o = this.options;
      for (var p = 0; p < this._geo.n; p++) {
        out.push(this._v[p] ? [o.colours[this._s[p]], this._r[p] ? o.risk : o.edge, this._r[p] ? 2.5 : 0.7] : null);
      }
      return out;
    },

    /* Shown parcels per commune (column c): [{c, n, h handed over, x, y mean box centre (zoom-0 px)}]. */
    groups: function () {
      if (this._serverGroups) { return this._serverGroups; }
      if (this._groups) { return this._groups; }
      var geo = this._geo, box = geo.box, c = this._columns.c || [], last = this.options.colours.length - 1;
      var at = {}, out = [];
      for (var p = 0; p < geo.n; p++) {
        if (!this._v[p] || !(box[4 * p] <= box[4 * p + 2])) { continue; }
        var key = c[p] === undefined || c[p] === null ? -1 : c[p];
        var g = at[key] || (at[key] = out[out.push({c: key, n: 0, h: 0, x: 0, y: 0}) - 1]);
        g.n++; g.h += this._s[p] === last ? 1 : 0;
        g.x += (box[4 * p] + box[4 * p + 2]) / 2; g.y += (box[4 * p + 1] + box[4 * p + 3]) / 2;
      }
      for (var i = 0; i < out.length; i++) { out[i].x /= out[i].n; out[i].y /= out[i].n; }
      this._groups = out;
      return out;
    },

    _radius: function (g) { return Math.max(10, Math.min(40, 8 + Math.sqrt(g.n) / 3)); },

    /* Fill colour of a handed-over share 0..1: red -> amber -> green. */
    shareColour: function (share) { return 'hsl(' + Math.round(120 * share) + ',70%,38%)'; },

    /* Index in groups() of the commune disc under latlng (aggregated mode), or -1. */
    groupAt: function (latlng) {
      var map = this._map, k = map.options.crs.scale(map.getZoom()) / 256, pt = map.project(latlng, 0), gs = this.groups();
      for (var i = gs.length - 1; i >= 0; i--) {
        var dx = (gs[i].x - pt.x) * k, dy = (gs[i].y - pt.y) * k, r = this._radius(gs[i]);
        if (dx * dx + dy * dy <= r * r) { return i; }
      }
      return -1;
    },

    groupHtml: function (i) {
      var g = this.groups()[i], names = (this._tables.communes || [])[g.c] || ['', ''];
      var name = names[1] && names[1] !== names[0] ? names[1] + ' (nay ' + names[0] + ')' : (names[0] || 'Chưa rõ xã');
      var pct = (100 * g.h / g.n).toFixed(1).replace('.', ',');
      return '<b>' + name + '</b><br>' + g.n.toLocaleString('vi-VN') + ' thửa đang hiển thị<br>Đã bàn giao mặt bằng: ' +
        g.h.toLocaleString('vi-VN') + ' thửa (' + pct + ' %)<br><i>Phóng to để xem từng thửa</i>';
    },

    _setGroupHover: function (i, latlng) {
      var map = this._map;
      this._setHover(-1, null);
      map.getContainer().style.cursor = i >= 0 ? 'pointer' : '';
      if (i < 0) { return; }
      this._tip.setContent(this.groupHtml(i));
      this._tip.setLatLng(latlng);
      if (!map.hasLayer(this._tip)) { map.openTooltip(this._tip); }
    },

    /* One disc per commune with its handed-over share (% in the middle). */
    _drawGroups: function (ctx, k, ox, oy) {
      var gs = this.groups(), i, g, r;
      ctx.save();
      ctx.lineWidth = 1.5; ctx.strokeStyle = '#ffffff'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      ctx.font = 'bold 11px sans-serif';
      for (i = 0; i < gs.length; i++) {
        g = gs[i]; r = this._radius(g);
        var x = g.x * k - ox, y = g.y * k - oy;
        ctx.beginPath(); ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.globalAlpha = 0.85; ctx.fillStyle = this.shareColour(g.h / g.n); ctx.fill();
        ctx.globalAlpha = 1; ctx.stroke();
        ctx.fillStyle = '#ffffff'; ctx.fillText(Math.round(100 * g.h / g.n) + '%', x, y);
      }
      ctx.restore();
      return gs.length;
    },

    _path: function (ctx, p, k, ox, oy) {
      var geo = this._geo, X = geo.X, Y = geo.Y;
      for (var r = geo.partStart[p]; r < geo.partStart[p + 1]; r++) {
        var a = geo.ringStart[r], b = geo.ringStart[r + 1];
        ctx.moveTo(X[a] * k - ox, Y[a] * k - oy);
        for (var v = a + 1; v < b; v++) { ctx.lineTo(X[v] * k - ox, Y[v] * k - oy); }
        ctx.lineTo(X[a] * k - ox, Y[a] * k - oy);   // not closePath(): Chromium makes that O(path length)
      }
    },

    /* Called by L.Canvas after every move, zoom and resize: the whole layer in five batched passes. */
    _draw: function () {
      var map = this._map, ctx = this._ctx, b = this._bounds;
      if (!map || !ctx || !b) { return; }
      var k = map.options.crs.scale(map.getZoom()) / 256, origin = map.getPixelOrigin();
      var ox = origin.x, oy = origin.y, geo = this._geo, box = geo.box, n = geo.n, o = this.options;
      var vx0 = (b.min.x + ox) / k, vy0 = (b.min.y + oy) / k, vx1 = (b.max.x + ox) / k, vy1 = (b.max.y + oy) / k;
      var shown = [], small = [], p, i;
      for (p = 0; p < n; p++) {
        if (!this._v[p] || box[4 * p] > vx1 || box[4 * p + 2] < vx0 || box[4 * p + 1] > vy1 || box[4 * p + 3] < vy0) { continue; }
        shown.push(p);
        small.push((box[4 * p + 2] - box[4 * p]) * k < 1.5 && (box[4 * p + 3] - box[4 * p + 1]) * k < 1.5);
      }
      var aggregate = this._serverGroups ? true : shown.length > o.aggregateAbove;
      if (aggregate !== this.aggregated) { this._setHover(-1, null); }
      this.aggregated = aggregate;
      if (aggregate) {
        this.drawnGroups = this._drawGroups(ctx, k, ox, oy);
        this.drawn = 0;
        this._drawnOnce = true;
        window.__gpmbDrawn = (window.__gpmbDrawn || 0) + 1;
        if (window.__gpmbDrawn === 1) { performance.mark('gpmb-first-draw'); }
        this.fire('drawn', {count: 0, groups: this.drawnGroups});
        return;
      }
      ctx.save();
      // 1. risk dots, under the parcels: they stick out of a tiny parcel, a large one covers them.
      ctx.beginPath();
      for (i = 0; i < shown.length; i++) {
        p = shown[i];
        if (!this._r[p]) { continue; }
        var c = labelPoint(geo, p), cx = c[0] * k - ox, cy = c[1] * k - oy;
        ctx.moveTo(cx + 3.5, cy); ctx.arc(cx, cy, 3.5, 0, 2 * Math.PI);
      }
      ctx.fillStyle = o.risk; ctx.globalAlpha = 0.95; ctx.fill();
      ctx.globalAlpha = 1; ctx.lineWidth = 0.8; ctx.strokeStyle = '#ffffff'; ctx.stroke();
      // 2. fills, one path per stage colour.
      ctx.globalAlpha = o.fillOpacity;
      for (var s = 0; s < o.colours.length; s++) {
        ctx.beginPath();
        for (i = 0; i < shown.length; i++) {
          p = shown[i];
          if (this._s[p] !== s) { continue; }
          if (small[i]) { ctx.rect(box[4 * p] * k - ox, box[4 * p + 1] * k - oy, 1.5, 1.5); } else { this._path(ctx, p, k, ox, oy); }
        }
        ctx.fillStyle = o.colours[s]; ctx.fill();
      }
      // 3. outlines of parcels not at risk, 4. thick red outlines of those at risk (on top).
      ctx.globalAlpha = 1; ctx.lineJoin = 'round';
      for (var risky = 0; risky < 2; risky++) {
        ctx.beginPath();
        for (i = 0; i < shown.length; i++) {
          p = shown[i];
          if (small[i] || (this._r[p] ? 1 : 0) !== risky) { continue; }
          this._path(ctx, p, k, ox, oy);
        }
        ctx.lineWidth = risky ? 2.5 : 0.7; ctx.strokeStyle = risky ? o.risk : o.edge; ctx.stroke();
      }
      ctx.restore();
      this.drawn = shown.length;
      this._drawnOnce = true;
      window.__gpmbDrawn = (window.__gpmbDrawn || 0) + 1;
      if (window.__gpmbDrawn === 1) { performance.mark('gpmb-first-draw'); }
      this.fire('drawn', {count: shown.length});
    }
  });

  /* The payload of data block `id` and of block `id`_text, its entries with non-ASCII text
     (mapview.encode.split_blocks): a dict entry of the second is merged into the first's dict of that name. */
  function merged(id) {
    var payload = JSON.parse(document.getElementById(id).textContent), el = document.getElementById(id + '_text');
    var more = el ? JSON.parse(el.textContent) : {};
    for (var key in more) {
      var into = payload[key], value = more[key];
      if (into && typeof into === 'object' && !Array.isArray(into) && value && typeof value === 'object' && !Array.isArray(value)) {
        for (var name in value) { into[name] = value[name]; }
      } else {
        payload[key] = value;
      }
    }
    return payload;
  }

  /* The hit-test grid of the current geometry (gridIndex), built the first time it is read: not needed to draw. */
  Object.defineProperty(ParcelLayer.prototype, '_grid', {
    get: function () { return this.__grid || (this.__grid = gridIndex(this._geo)); }
  });

  // In a frame (the dashboard's persistent map): take new states from the parent page only, and say
  // when the map is ready for them.
  window.addEventListener('message', function (event) {
    var state = event.data && event.data.gpmbState, layer = window.GPMBParcels.layers[0];
    var view = event.data && event.data.gpmbPayload;
    if (window.parent !== window && event.source === window.parent && layer) {
      if (view) { layer.setPayload(view); } else if (state) { layer.setState(state); }
    }
  });
  if (window.parent !== window) {
    window.addEventListener('load', function () {
      window.parent.postMessage({gpmbReady: true}, '*');
      var layer = window.GPMBParcels.layers[0];     // viewport mode: ask for the first view's parcels
      if (layer && layer.options.viewport && layer._map) { layer._requestView(); }
    });
  }

  window.GPMBParcels = {
    layers: [],
    /* payload: the object, or the id of a JSON data block (script element of type application/json) holding it (JSON.parse
       of a data block is several times faster than parsing the same megabytes as a JS literal). */
    layer: function (payload, options) {
      performance.mark('gpmb-layer-start');   // marks for benchmarks (performance.getEntriesByType('mark'))
      if (typeof payload === 'string') { payload = merged(payload); }
      performance.mark('gpmb-parsed');
      var layer = new ParcelLayer(payload, options);
      performance.mark('gpmb-decoded');
      this.layers.push(layer);
      return layer;
    },
    decode: decode
  };
})();
