// Keeps a copy of what is typed in activity forms in this browser, so nothing is lost when a session
// expires or a submit fails: restored into empty fields on the next visit, cleared after a save.
(function () {
  'use strict';
  var saved = /[?&](saved|submitted)=([a-z0-9-]+)/.exec(location.search);
  document.querySelectorAll('form[data-draft-key]').forEach(function (form) {
    var key = 'circlework-draft:' + form.getAttribute('data-draft-key');
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
