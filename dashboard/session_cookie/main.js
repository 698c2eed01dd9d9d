/* GPMB Tracker - keeps the login token in the browser cookie `gpmb_session` (a Streamlit component,
 * no build step, no library). Streamlit's component frames share the app's origin, so the cookie this
 * frame writes is sent with the app's next connection (a reload), where the server takes the token back
 * (dashboard/session_cookie.py, domain/login_tokens.py).
 *
 * args: {name, token, max_age_s}: write `name=token` (token checked to be URL-safe base64);
 *       {name, token: null}: expire the cookie (logout, an expired or refused token).
 * The cookie: Path=/, SameSite=Strict, Max-Age = the absolute session limit, Secure over HTTPS.
 */
(function () {
  'use strict';
  var SAFE = /^[A-Za-z0-9_-]{16,128}$/, NAME = /^[a-z_]{1,32}$/;

  function toStreamlit(type, data) {
    var message = {isStreamlitMessage: true, type: type};
    for (var k in data) { message[k] = data[k]; }
    window.parent.postMessage(message, '*');
  }

  function write(args) {
    if (!NAME.test(String(args.name))) { return 'bad-name'; }
    var secure = window.location.protocol === 'https:' ? '; Secure' : '';
    if (typeof args.token === 'string' && SAFE.test(args.token)) {
      var age = Math.max(0, Math.floor(Number(args.max_age_s) || 0));
      document.cookie = args.name + '=' + args.token + '; Path=/; Max-Age=' + age + '; SameSite=Strict' + secure;
      return 'written';
    }
    document.cookie = args.name + '=; Path=/; Max-Age=0; SameSite=Strict' + secure;
    return 'cleared';
  }

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (event.source !== window.parent || data.type !== 'streamlit:render') { return; }
    // no component value is sent back: a value would rerun the app
    document.body.setAttribute('data-cookie', write(data.args || {}));
    toStreamlit('streamlit:setFrameHeight', {height: 0});
  });

  toStreamlit('streamlit:componentReady', {apiVersion: 1});
})();
