/* The parcel layer's geometry decoding as it was before issue 13's page-load work (mapview/static/gpmb/parcels.js
 * until then): atob and a byte copy, then the vertices, then the boxes in a second pass. Kept as the reference
 * the new decode must equal exactly (tests/mapview/test_page_load_browser.py); never shipped in a page.
 * Evaluated as an expression: it gives the decode function. */
(function () {
  function int32(text) {
    var bin = atob(text), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Int32Array(bytes.buffer, 0, n >> 2);
  }
  /* Web Mercator pixel coordinates at zoom 0 (what map.project(latlng, 0) gives for EPSG:3857). */
  function decode(g) {
    var q = int32(g.coords), rings = int32(g.rings), parts = int32(g.parts), n = g.n;
    var nv = q.length >> 1, X = new Float64Array(nv), Y = new Float64Array(nv);
    var x = g.origin[0], y = g.origin[1], max = 85.0511287798, d = Math.PI / 180;
    for (var i = 0; i < nv; i++) {
      x += q[2 * i]; y += q[2 * i + 1];
      var lat = Math.max(Math.min(y / g.scale, max), -max), s = Math.sin(lat * d);
      X[i] = 256 * (x / g.scale / 360 + 0.5);
      Y[i] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
    }
    var ringStart = new Int32Array(rings.length + 1), partStart = new Int32Array(n + 1);
    for (var r = 0; r < rings.length; r++) { ringStart[r + 1] = ringStart[r] + Math.abs(rings[r]); }
    for (var p = 0; p < n; p++) { partStart[p + 1] = partStart[p] + parts[p]; }
    var box = new Float64Array(4 * n);
    for (p = 0; p < n; p++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var v = ringStart[partStart[p]]; v < ringStart[partStart[p + 1]]; v++) {
        if (X[v] < x0) { x0 = X[v]; } if (X[v] > x1) { x1 = X[v]; }
        if (Y[v] < y0) { y0 = Y[v]; } if (Y[v] > y1) { y1 = Y[v]; }
      }
      box[4 * p] = x0; box[4 * p + 1] = y0; box[4 * p + 2] = x1; box[4 * p + 3] = y1;
    }
    return {n: n, X: X, Y: Y, ringStart: ringStart, partStart: partStart, box: box};
  }
  return decode;
})()
