// The facilitator console while a new cohort's first roster is on its way: asks for the roster part
// of the page until it has arrived, then swaps it in (no reload). Without it, a reload shows it.
(function () {
  'use strict';
  var pending = document.querySelector('[data-roster-pending]');
  if (!pending || !window.fetch || !window.DOMParser) return;
  var url = pending.getAttribute('data-roster-pending');
  var tries = 0;
  function later() {
    // About two minutes; a roster that takes longer shows at the next visit.
    if (++tries <= 80) setTimeout(ask, 1500);
  }
  function ask() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (html === null) return later();
        var doc = new DOMParser().parseFromString(html, 'text/html');
        if (doc.querySelector('[data-roster-pending]')) return later();
        document.querySelectorAll('[data-roster-part]').forEach(function (part) {
          var fresh = doc.querySelector('[data-roster-part="' + part.getAttribute('data-roster-part') + '"]');
          if (fresh) part.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(later);
  }
  later();
})();
