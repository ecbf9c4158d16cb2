// After a failed submit: focus the error summary (so a screen reader reads it and the person sees it
// first), and make each of its links move focus to its field, not only scroll to it.
(function () {
  var summary = document.querySelector('[data-error-summary]');
  if (!summary) return;
  summary.focus();
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!target) return;
    // A fieldset or form: its first field.
    var field = target.matches('input, textarea, select') ? target : target.querySelector('input:not([type=hidden]), textarea, select');
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector('label[for="' + field.id + '"]');
    (label || field).scrollIntoView({ block: 'start' });
    field.focus({ preventScroll: true });
  });
})();
