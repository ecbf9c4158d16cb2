// Keeps a copy of what is typed in activity forms in this browser, so nothing is lost when a session
// expires or a submit fails: restored into empty fields on the next visit, cleared after a save.
(function () {
  'use strict';
  var saved = /[?&](saved|submitted)=([a-z0-9-]+)/.exec(location.search);
  // The form submitted from the previous page of this tab. Our handlers redirect only once they have
  // taken what was sent (a refusal re-renders or shows the error page, which loads this script too),
  // so arriving here by a redirect means its copy was posted and must not come back into an empty form.
  try {
    var sent = sessionStorage.getItem('circlework-draft-sent');
    sessionStorage.removeItem('circlework-draft-sent');
    var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
    if (sent && nav && nav.redirectCount > 0) localStorage.removeItem('circlework-draft:' + sent);
  } catch (e) {
    /* storage unavailable: nothing was kept either */
  }
  document.querySelectorAll('form[data-draft-key]').forEach(function (form) {
    var key = 'circlework-draft:' + form.getAttribute('data-draft-key');
    form.addEventListener('submit', function () {
      try { sessionStorage.setItem('circlework-draft-sent', form.getAttribute('data-draft-key')); } catch (e) { /* as above */ }
    });
    try {
      if (saved && form.getAttribute('data-draft-key').endsWith('/' + saved[2])) localStorage.removeItem(key);
      var copy = JSON.parse(localStorage.getItem(key) || 'null');
      if (copy) {
        Object.keys(copy).forEach(function (name) {
          var field = form.elements.namedItem(name);
          if (field && 'value' in field && field.type !== 'radio' && field.type !== 'checkbox' && !field.value) field.value = copy[name];
        });
      }
      form.addEventListener('input', function () {
        var data = {};
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name && el.name !== '_csrf' && (el.tagName === 'TEXTAREA' || el.type === 'text' || el.type === 'url' || el.type === '')) data[el.name] = el.value;
        });
        localStorage.setItem(key, JSON.stringify(data));
      });
    } catch (e) {
      /* storage unavailable (private mode, third-party iframe): the server-side draft still works */
    }
  });
})();
