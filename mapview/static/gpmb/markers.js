/* GPMB Tracker - people-side markers of the progress map (Apache-2.0, part of this repository).
 *
 * window.GPMBMarkers.layer(parcelLayer, {kind, colour, offset, radius}) makes one Leaflet L.Canvas (no child
 * layers) that draws a small circle at the label point of every parcel listed in the parcel layer's state:
 *   state.markers = {complaint: [parcel index, ...], unpaid: [...]}   (mapview.people.marker_indices)
 * `offset` shifts the circle sideways in pixels, so the two markers of one parcel and its risk dot all show.
 * The canvas lies above the parcel canvas and takes no pointer events: the parcel under a marker keeps its
 * hover outline and tooltip. The layer follows every parcelLayer.setState (its 'gpmbstate' event), whether
 * it is on the map or switched off in the layer control. Indices outside the payload are ignored.
 */
(function () {
  'use strict';
  var L = window.L;

  var MarkerLayer = L.Canvas.extend({
    options: {padding: 0.1, kind: '', colour: '#000000', offset: 0, radius: 4, edge: '#ffffff', zIndex: 260},

    initialize: function (parcels, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._parcels = parcels;
      this._points = {};      // parcel index -> label point [x, y] (zoom-0 pixels): the geometry never changes
      this.drawn = 0;
      this.setState(parcels.currentState());
      parcels.on('gpmbstate', function (e) { this.setState(e.state); }, this);
    },

    /* The marked parcels of this kind in `state` (none when the state has no such list). */
    setState: function (state) {
      var list = state && state.markers && state.markers[this.options.kind];
      // a new payload (the map by viewport): positions now name other parcels, their label points too
      if (this._geo !== this._parcels._geo) { this._geo = this._parcels._geo; this._points = {}; }
      this._marked = Array.isArray(list) ? list : [];
      if (this._map) { this._redraw(); }
      return this;
    },

    marked: function () { return this._marked.slice(); },

    /* Label point of parcel p (zoom-0 pixels), or null for an index outside the payload or no geometry. */
    point: function (p) {
      if (!(p in this._points)) {
        var pt = typeof p === 'number' ? this._parcels.labelPoint(p) : null;
        this._points[p] = pt && isFinite(pt[0]) && isFinite(pt[1]) ? pt : null;
      }
      return this._points[p];
    },

    /* Container point of parcel p's marker (its centre), or null. */
    containerPoint: function (p) {
      var pt = this.point(p);
      if (!pt || !this._map) { return null; }
      var c = this._map.latLngToContainerPoint(this._map.unproject(pt, 0));
      return L.point(c.x + this.options.offset, c.y);
    },

    onAdd: function (map) {
      L.Canvas.prototype.onAdd.call(this, map);
      this._container.style.pointerEvents = 'none';
      this._container.style.zIndex = this.options.zIndex;   // above the parcel canvas (250)
    },

    // No child layers and no pointer events: the L.Canvas handlers stay idle.
    _onMouseMove: function () {}, _onClick: function () {}, _handleMouseOut: function () {},

    /* L.Canvas clears before every draw: a canvas nothing was drawn on since is left alone, so an empty
       marker layer never makes the browser allocate, clear and composite its bitmap (_draw hides its canvas;
       at 10 000 parcels two empty marker canvases cost about 18 ms of the page's about 210 ms of CPU to its first frame). */
    _clear: function () {
      if (this._painted) { L.Canvas.prototype._clear.call(this); }
      this._painted = false;
    },

    /* Called by L.Canvas after every move, zoom and resize: every marker in view, one path. */
    _draw: function () {
      var map = this._map, ctx = this._ctx, b = this._bounds;
      if (!map || !ctx || !b) { return; }
      var k = map.options.crs.scale(map.getZoom()) / 256, origin = map.getPixelOrigin(), o = this.options;
      var r = o.radius, xs = [], ys = [];
      for (var i = 0; i < this._marked.length; i++) {
        var pt = this.point(this._marked[i]);
        if (!pt) { continue; }
        var x = pt[0] * k - origin.x + o.offset, y = pt[1] * k - origin.y;
        if (x < b.min.x - r || x > b.max.x + r || y < b.min.y - r || y > b.max.y + r) { continue; }
        xs.push(x); ys.push(y);
      }
      if (xs.length) {
        ctx.save();
        ctx.beginPath();
        for (i = 0; i < xs.length; i++) { ctx.moveTo(xs[i] + r, ys[i]); ctx.arc(xs[i], ys[i], r, 0, 2 * Math.PI); }
        ctx.fillStyle = o.colour; ctx.fill();
        ctx.lineWidth = 1; ctx.strokeStyle = o.edge; ctx.stroke();
        ctx.restore();
        this._painted = true;
      }
      this._container.style.display = xs.length ? '' : 'none';
      this.drawn = xs.length;
      this.fire('drawn', {count: xs.length});
    }
  });

  window.GPMBMarkers = {
    layers: [],
    layer: function (parcels, options) {
      var layer = new MarkerLayer(parcels, options);
      this.layers.push(layer);
      return layer;
    }
  };
})();
