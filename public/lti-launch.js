// The launch's own pages inside the LMS frame, for browsers that refuse our cookies there.
//  - login: keep the state and nonce in the platform's storage when it offers one (1EdTech "LTI
//    Client Side postMessages", platform storage), then go on to the platform; where the frame
//    keeps no cookie and nothing could be stored, offer to start the login in a new window.
//  - storage: read the state and nonce back and post the launch again.
//  - enter: after a launch that came without cookies, go on if this frame keeps one, else offer the
//    new window.
// Messages to the storage frame carry the platform's origin as targetOrigin, and only answers from
// that origin, to our message id, are taken.
(function () {
  'use strict';
  var root = document.querySelector('[data-launch-step]');
  if (!root) return;
  var step = root.getAttribute('data-launch-step');
  var storageTarget = root.getAttribute('data-target');
  var storageOrigin = root.getAttribute('data-origin');
  var state = root.getAttribute('data-state');
  var nonce = root.getAttribute('data-nonce');
  var TIMEOUT_MS = 2000;

  // Whether this frame keeps a cookie of ours (a Partitioned one over https, as our own are).
  function cookiesKept() {
    var probe = 'cw_probe=' + String(Math.random()).slice(2);
    var attributes = location.protocol === 'https:' ? '; Path=/; Secure; SameSite=None; Partitioned' : '; Path=/; SameSite=Lax';
    try {
      document.cookie = probe + '; Max-Age=60' + attributes;
      var kept = document.cookie.indexOf(probe) !== -1;
      document.cookie = 'cw_probe=; Max-Age=0' + attributes;
      return kept;
    } catch (e) {
      return false;
    }
  }

  function offerNewWindow() {
    var checking = root.querySelector('[data-checking]');
    if (checking) checking.hidden = true;
    root.querySelector('[data-cookies-blocked]').hidden = false;
    root.querySelector('[data-open-window]').addEventListener('click', function () {
      root.querySelector('[data-window-opened]').hidden = false;
    });
  }

  function messageId() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + String(Date.now());
  }

  // Sends `message` to `target`; resolves with the answer, or null after the timeout. `accept` says
  // whether an event comes from where the answer must come from.
  function ask(target, targetOrigin, message, accept) {
    return new Promise(function (resolve) {
      var id = messageId();
      var done = false;
      function finish(value) {
        if (done) return;
        done = true;
        window.removeEventListener('message', onMessage);
        resolve(value);
      }
      function onMessage(event) {
        var data = event.data;
        if (!data || typeof data !== 'object' || data.message_id !== id || !accept(event)) return;
        // Canvas's docs misname some answers (surprise 20), so any subject is taken but our own request's echo.
        if (data.subject === message.subject && !('value' in data) && !data.error) return;
        finish(data);
      }
      window.addEventListener('message', onMessage);
      message.message_id = id;
      try {
        target.postMessage(message, targetOrigin);
      } catch (e) {
        finish(null);
        return;
      }
      setTimeout(function () { finish(null); }, TIMEOUT_MS);
    });
  }

  // lti.capabilities goes to the platform's window, whose origin we do not know (the request carries
  // nothing secret); the answer must come from that very window.
  function storageFrame() {
    if (!storageTarget || window.parent === window) return Promise.resolve(null);
    return ask(window.parent, '*', { subject: 'lti.capabilities' }, function (e) { return e.source === window.parent; }).then(function (caps) {
      var supported = caps && Array.isArray(caps.supported_messages) ? caps.supported_messages : [];
      var put = supported.filter(function (m) { return m && m.subject === 'lti.put_data'; })[0];
      var get = supported.filter(function (m) { return m && m.subject === 'lti.get_data'; })[0];
      if (!put || !get) return null;
      var name = put.frame || storageTarget;
      try {
        return (name && name !== '_parent' ? window.parent.frames[name] : window.parent) || null;
      } catch (e) {
        return null;
      }
    });
  }

  function fromStorage(e) {
    return e.origin === storageOrigin;
  }

  function put(frame, key, value) {
    return ask(frame, storageOrigin, { subject: 'lti.put_data', key: key, value: value }, fromStorage).then(function (answer) {
      return Boolean(answer && !answer.error);
    });
  }

  function get(frame, key) {
    return ask(frame, storageOrigin, { subject: 'lti.get_data', key: key }, fromStorage).then(function (answer) {
      return answer && !answer.error && answer.key === key && typeof answer.value === 'string' ? answer.value : '';
    });
  }

  if (step === 'login') {
    var next = root.querySelector('[data-next]').getAttribute('href');
    var kept = cookiesKept();
    storageFrame()
      .then(function (frame) {
        if (!frame) return false;
        return Promise.all([put(frame, 'state-' + state, state), put(frame, 'nonce-' + nonce, nonce)]).then(function (r) { return r[0] && r[1]; });
      }, function () { return false; })
      .then(function (stored) {
        if (kept || stored) location.replace(next);
        else offerNewWindow();
      });
  } else if (step === 'storage') {
    var form = root.querySelector('[data-launch-form]');
    storageFrame()
      .then(function (frame) {
        if (!frame) return ['', ''];
        return Promise.all([get(frame, 'state-' + state), get(frame, 'nonce-' + nonce)]);
      }, function () { return ['', '']; })
      .then(function (values) {
        form.elements.namedItem('lti_storage_state').value = values[0];
        form.elements.namedItem('lti_storage_nonce').value = values[1];
        form.submit();
      });
  } else if (step === 'enter') {
    if (cookiesKept()) location.replace(root.getAttribute('data-next'));
    else offerNewWindow();
  }
})();
