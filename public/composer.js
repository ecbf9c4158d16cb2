// The post composer, on top of a form that works without it: a small Markdown toolbar (bold,
// italic, link, list, quote), a preview rendered by the server's own renderer, and files sent as
// soon as they are picked, pasted or dropped, each with its progress. A file sent this way joins the
// form as a ticked `attachmentIds` box (the same as a file kept with a draft), so the plain file
// input is left empty and the post's own request carries only text.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload-target]');
  Array.prototype.forEach.call(forms, function (form) {
    var textarea = form.querySelector('textarea[name=body]');
    var input = form.querySelector('[data-upload-input]');
    var list = form.querySelector('[data-upload-list]');
    var token = form.querySelector('input[name=_csrf]');
    var cohort = /^\/cohorts\/([0-9a-f-]{36})\//.exec(new URL(form.action, location.href).pathname);
    if (!textarea || !input || !list || !token || !cohort) return;
    var base = '/cohorts/' + cohort[1];
    // The page gives the words, in its reader's language (views/partials/attachment-picker.hbs).
    var wordsOf = form.querySelector('[data-composer-words]');
    var words = wordsOf ? wordsOf.dataset : {};
    var say = function (key, file) { return String(words[key] || '').replace('{file}', file || ''); };
    addToolbar(form, textarea, base, token.value, words);

    function upload(file) {
      var item = document.createElement('li');
      item.className = 'uploading';
      var label = document.createElement('span');
      label.textContent = file.name + ' ';
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', say('sending', file.name));
      item.appendChild(label);
      item.appendChild(bar);
      list.appendChild(item);
      var data = new FormData();
      data.append('files', file, file.name || 'pasted-picture.png');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', base + '/media?target=' + encodeURIComponent(form.getAttribute('data-upload-target')));
      xhr.setRequestHeader('x-csrf-token', token.value);
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: an error page */ }
        item.textContent = '';
        item.className = '';
        if (xhr.status === 201) {
          var box = document.createElement('input');
          box.type = 'checkbox';
          box.name = 'attachmentIds';
          box.value = answer.id;
          box.checked = true;
          var l = document.createElement('label');
          l.appendChild(box);
          l.appendChild(document.createTextNode(' ' + answer.name + ' '));
          var info = document.createElement('span');
          info.className = 'muted';
          info.textContent = '(' + answer.type + ', ' + answer.size + ')';
          l.appendChild(info);
          item.appendChild(l);
          item.setAttribute('data-test', 'uploaded');
        } else {
          item.setAttribute('role', 'alert');
          item.className = 'alert';
          item.textContent = answer.message || say('failed', file.name);
        }
      });
      xhr.addEventListener('error', function () {
        item.textContent = say('offline', file.name);
        item.className = 'alert';
        item.setAttribute('role', 'alert');
      });
      xhr.send(data);
    }

    function uploadAll(files) {
      Array.prototype.forEach.call(files, upload);
    }
    input.addEventListener('change', function () {
      uploadAll(input.files);
      input.value = '';
    });
    textarea.addEventListener('paste', function (e) {
      var files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) {
        e.preventDefault();
        uploadAll(files);
      }
    });
    textarea.addEventListener('dragover', function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, 'Files') >= 0) e.preventDefault();
    });
    textarea.addEventListener('drop', function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        e.preventDefault();
        uploadAll(e.dataTransfer.files);
      }
    });
  });

  /** Buttons that wrap the selection in Markdown, and a preview of the text as it will show. */
  function addToolbar(form, textarea, base, csrf, words) {
    var bar = document.createElement('div');
    bar.className = 'composer-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', words.formatting || '');
    bar.setAttribute('aria-controls', textarea.id);
    // [name, before, after, sample]: the name keys the button's words and its data-test.
    var actions = [
      ['bold', '**', '**'],
      ['italic', '*', '*'],
      ['link', '[', '](https://)'],
      ['list', '\n- ', ''],
      ['quote', '\n> ', ''],
    ].map(function (a) { return [a[0], a[1], a[2], words[a[0] + 'Sample'] || a[0]]; });
    actions.forEach(function (a) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = words[a[0]] || a[0];
      b.setAttribute('data-test', 'format-' + a[0]);
      b.addEventListener('click', function () {
        var start = textarea.selectionStart;
        var end = textarea.selectionEnd;
        var chosen = textarea.value.slice(start, end) || a[3];
        var before = start === 0 && a[1].charAt(0) === '\n' ? a[1].slice(1) : a[1];
        textarea.setRangeText(before + chosen + a[2], start, end, 'end');
        textarea.selectionStart = start + before.length;
        textarea.selectionEnd = start + before.length + chosen.length;
        textarea.focus();
        textarea.dispatchEvent(new Event('input', { bubbles: true }));
      });
      bar.appendChild(b);
    });
    var toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'secondary';
    toggle.textContent = words.preview || '';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('data-test', 'preview-toggle');
    bar.appendChild(toggle);
    var preview = document.createElement('div');
    preview.className = 'post-body composer-preview';
    preview.hidden = true;
    preview.setAttribute('aria-live', 'polite');
    preview.setAttribute('data-test', 'preview');
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.parentNode.insertBefore(preview, textarea.nextSibling);
    var timer = null;
    function refresh() {
      var body = new URLSearchParams();
      body.set('_csrf', csrf);
      body.set('body', textarea.value);
      fetch(base + '/posts/preview', { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
        // The server's renderer sanitises with the same allow-list as every post.
        .then(function (html) { if (html) preview.innerHTML = html; else { preview.innerHTML = '<p class="muted"></p>'; preview.firstChild.textContent = words.nothing || ''; } })
        .catch(function () { preview.textContent = words.unavailable || ''; });
    }
    toggle.addEventListener('click', function () {
      preview.hidden = !preview.hidden;
      toggle.setAttribute('aria-expanded', String(!preview.hidden));
      toggle.textContent = preview.hidden ? words.preview : words.hidePreview;
      if (!preview.hidden) refresh();
    });
    textarea.addEventListener('input', function () {
      if (preview.hidden) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  }
})();
