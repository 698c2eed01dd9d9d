/* GPMB Tracker - the dashboard's persistent map (a Streamlit component, no build step, no library).
 *
 * Streamlit renders this page once per map element and sends it `streamlit:render` messages with
 * args {map_key, document, state, height, title}. `document` (the whole offline map page, with its own
 * Content-Security-Policy) comes only when Python does not know this frame to hold the map `map_key`
 * (a data version and project filter); it is loaded once into an inner <iframe sandbox="allow-scripts">
 * (opaque origin: it cannot reach the app). Every render then only posts `state` (stage, flags and
 * filter mask per parcel, title, legend) to that frame, whose parcel layer restyles itself; the
 * per-parcel vectors come as bytes arguments (state_s, state_r, state_v, state_f, state_dc: unpack()).
 * The component's value is the key of the map it holds, so Python can stop sending the document; in
 * viewport mode (a page built without parcels, mapview.viewport) it is {key, view}: the view the map shows,
 * answered by args.view (the parcels of that view and their state, posted as {gpmbPayload}) once per
 * args.view_token.
 * This page never parses data as HTML: the document goes to the `srcdoc` property of the inner frame.
 */
(function () {
  'use strict';
  var frame = null, key = null, ready = false, pending = null, pendingView = null, viewToken = null, reported;

  function toStreamlit(type, data) {
    var message = {isStreamlitMessage: true, type: type};
    for (var k in data) { message[k] = data[k]; }
    window.parent.postMessage(message, '*');
  }

  function report(value) {
    if (value === reported) { return; }
    reported = value;
    toStreamlit('streamlit:setComponentValue', {value: value, dataType: 'json'});
  }

  /* The state with its per-parcel vectors put back (mapview.parcel_layer.pack_state): args.state_<name>
   * arrives as a Uint8Array (Streamlit's bytes argument); s, r, v are one byte per parcel, f and the
   * date codes dc little-endian Int32 (copied: the bytes need not start at a multiple of 4). */
  function unpack(args) {
    var small = args.state || {}, out = {}, names = small.packed || [], k, i;
    for (k in small) { if (k !== 'packed') { out[k] = small[k]; } }
    for (i = 0; i < names.length; i++) {
      var bytes = args['state_' + names[i]];
      if (!(bytes instanceof Uint8Array)) { return null; }     // an incomplete message: keep the old state
      if (names[i] === 'f' || names[i] === 'dc') {
        var words = new Int32Array(bytes.slice().buffer);
        if (names[i] === 'f') { out.f = words; } else { out.d = {dict: (small.d || {}).dict || [], codes: words}; }
      } else {
        out[names[i]] = bytes;
      }
    }
    return out;
  }

  function flush() {
    if (frame && ready && pending) { frame.contentWindow.postMessage({gpmbState: pending}, '*'); pending = null; }
    if (frame && ready && pendingView) { frame.contentWindow.postMessage({gpmbPayload: pendingView}, '*'); pendingView = null; }
  }

  function load(args) {
    if (frame) { frame.remove(); }
    key = args.map_key; ready = false; viewToken = null; pendingView = null;
    frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.title = String(args.title || '');
    frame.srcdoc = args.document;
    document.body.appendChild(frame);
  }

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (frame && event.source === frame.contentWindow) {
      if (data.gpmbReady) { ready = true; flush(); report(key); }
      // viewport mode: the map moved; Python answers with the parcels of that view (args.view)
      if (data.gpmbView) { report({key: key, view: data.gpmbView}); }
      return;
    }
    if (event.source !== window.parent || data.type !== 'streamlit:render') { return; }
    var args = data.args || {};
    toStreamlit('streamlit:setFrameHeight', {height: args.height});
    if (typeof args.document === 'string' && args.map_key !== key) { load(args); }
    if (args.map_key !== key) { report(null); return; }   // Python thinks we hold a map we do not: ask again
    if (args.view) {                       // viewport mode: the parcels of the view, with their state
      if (args.view_token !== viewToken) { viewToken = args.view_token; pendingView = args.view; }
    } else {
      pending = unpack(args);
    }
    flush();
  });

  toStreamlit('streamlit:componentReady', {apiVersion: 1});
})();
