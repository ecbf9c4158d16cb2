// A table region that scrolls sideways is a tab stop (keyboard users can scroll it); one that fits
// is not, so Tab does not stop on something with nothing to do. Without this script every region
// stays a tab stop, which is safe. Checked again when the window is resized.
(function () {
  'use strict';
  function update() {
    document.querySelectorAll('.scroll-x').forEach(function (region) {
      if (region.scrollWidth > region.clientWidth + 1) region.setAttribute('tabindex', '0');
      else region.removeAttribute('tabindex');
    });
  }
  update();
  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
})();
