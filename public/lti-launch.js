// After a launch that came without cookies: does this frame keep a cookie at all? If so, go on (our
// session cookie was set with the launch); if not, offer the new window the page holds the way to.
(function () {
  'use strict';
  var root = document.querySelector('[data-launch-enter]');
  if (!root) return;
  var next = root.getAttribute('data-next');
  var probe = 'cw_probe=' + String(Math.random()).slice(2);
  var attributes = location.protocol === 'https:' ? '; Path=/; Max-Age=60; Secure; SameSite=None; Partitioned' : '; Path=/; Max-Age=60; SameSite=Lax';
  var kept = false;
  try {
    document.cookie = probe + attributes;
    kept = document.cookie.indexOf(probe) !== -1;
    document.cookie = 'cw_probe=' + attributes.replace('Max-Age=60', 'Max-Age=0');
  } catch (e) {
    kept = false;
  }
  if (kept) {
    location.replace(next);
    return;
  }
  root.querySelector('[data-cookies-blocked]').hidden = false;
  root.querySelector('[data-open-window]').addEventListener('submit', function () {
    root.querySelector('[data-window-opened]').hidden = false;
  });
})();
