// Live updates on discussion pages (progressive enhancement: without it, reload shows everything).
// The stream carries ids; the post itself is fetched through the same access checks as the page.
(function () {
  'use strict';
  var root = document.querySelector('[data-live-events]');
  if (!root || !window.EventSource) return;
  var threadId = root.getAttribute('data-thread-id');
  var cohortPath = location.pathname.split('/').slice(0, 3).join('/');
  var source = new EventSource(root.getAttribute('data-live-events'));
  // Says on the page whether the stream is open (the server subscribes before it answers), so that
  // a test waits for this page's own stream and not for the previous page's.
  source.addEventListener('open', function () { root.setAttribute('data-live-open', ''); });
  source.addEventListener('error', function () { root.removeAttribute('data-live-open'); });
  // The server ends the stream for good when access has ended: no reconnecting then.
  source.addEventListener('end', function () { source.close(); });
  source.addEventListener('post', function (event) {
    var data = JSON.parse(event.data);
    if (document.getElementById('post-' + data.postId)) return;
    // Replies are appended on the thread's latest page; elsewhere (another thread, an older page)
    // a notice says there is something new.
    if (threadId && data.threadId === threadId && document.querySelector('[data-live-posts]')) {
      fetch(cohortPath + '/posts/' + data.postId + '/fragment', { credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.text() : ''; })
        .then(function (html) {
          if (!html || document.getElementById('post-' + data.postId)) return;
          var box = document.querySelector('[data-live-posts]');
          box.insertAdjacentHTML('beforeend', html);
        });
    } else {
      var note = document.querySelector('[data-live-notice]');
      if (note) note.hidden = false;
    }
  });
})();
