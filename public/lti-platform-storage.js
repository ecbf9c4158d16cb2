// LTI platform storage (1EdTech "LTI Client Side postMessages" and its OIDC profile): at login the
// state and nonce are put into the platform's storage, at launch they are read back, for browsers
// that refuse our cookies inside the LMS frame. Messages to the storage frame carry the platform's
// origin as targetOrigin, and only answers from that origin, to our message id, are taken.
(function () {
  'use strict';
  var root = document.querySelector('[data-platform-storage]');
  if (!root) return;
  var mode = root.getAttribute('data-mode');
  var storageTarget = root.getAttribute('data-target');
  var storageOrigin = root.getAttribute('data-origin');
  var state = root.getAttribute('data-state');
  var nonce = root.getAttribute('data-nonce');
  var TIMEOUT_MS = 2000;

  function messageId() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + String(Date.now());
  }

  // Sends `message` to `target` and resolves with its answer, or null after the timeout. `accept`
  // decides whether an event comes from where the answer must come from.
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
        // Canvas's docs name some answers wrongly (surprise 20): any subject other than the request's own.
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

  // lti.capabilities goes to the platform's window (whose origin we do not know, and the request
  // carries nothing secret); the answer must come from that very window.
  function storageFrame() {
    if (window.parent === window) return Promise.resolve(null);
    return ask(window.parent, '*', { subject: 'lti.capabilities' }, function (e) { return e.source === window.parent; }).then(function (caps) {
      var supported = caps && Array.isArray(caps.supported_messages) ? caps.supported_messages : [];
      var put = supported.filter(function (m) { return m && m.subject === 'lti.put_data'; })[0];
      var get = supported.filter(function (m) { return m && m.subject === 'lti.get_data'; })[0];
      if (!put || !get) return null;
      var name = put.frame || storageTarget;
      var frame = null;
      try {
        frame = name && name !== '_parent' ? window.parent.frames[name] : window.parent;
      } catch (e) {
        frame = null;
      }
      return frame || null;
    });
  }

  function fromStorage(e) {
    return e.origin === storageOrigin;
  }

  function put(frame, key, value) {
    return ask(frame, storageOrigin, { subject: 'lti.put_data', key: key, value: value }, fromStorage);
  }

  function get(frame, key) {
    return ask(frame, storageOrigin, { subject: 'lti.get_data', key: key }, fromStorage).then(function (answer) {
      return answer && !answer.error && answer.key === key && typeof answer.value === 'string' ? answer.value : '';
    });
  }

  if (mode === 'login') {
    var next = root.querySelector('[data-next]').getAttribute('href');
    storageFrame()
      .then(function (frame) {
        if (!frame) return null;
        return Promise.all([put(frame, 'state-' + state, state), put(frame, 'nonce-' + nonce, nonce)]);
      })
      .then(function () { location.replace(next); }, function () { location.replace(next); });
  } else {
    var form = root.querySelector('[data-launch-form]');
    storageFrame()
      .then(function (frame) {
        if (!frame) return ['', ''];
        return Promise.all([get(frame, 'state-' + state), get(frame, 'nonce-' + nonce)]);
      })
      .then(function (values) {
        form.elements.namedItem('lti_storage_state').value = values[0];
        form.elements.namedItem('lti_storage_nonce').value = values[1];
        form.submit();
      });
  }
})();
