// The sweep page's re-run buttons: each path's form (POST {api}/sweeps/{id}/paths/{n}/run) is sent
// by fetch with `Authorization: Bearer <token>`, the token taken from the page's token field (an
// HTML form cannot send that header, and the page never carries the token itself). The answer is
// shown in the path's row: on 202 a link to the run it queued, else the problem's detail (no token
// typed, a wrong token, a server started without one, a path it does not have). The buttons are
// disabled in the HTML and enabled here, so without this script none of them looks usable.
(function () {
  'use strict';
  var tokenInput = document.getElementById('rerun-token');
  var forms = document.querySelectorAll('form.rerun');

  function say(form, text) {
    var out = form.querySelector('.rerun-status');
    if (out) out.textContent = text;
  }

  function queued(form, runId) {
    var link = document.createElement('a');
    link.href = '/runs/' + encodeURIComponent(runId);
    link.textContent = 'run ' + runId;
    var note = document.createElement('span');
    note.className = 'note';
    note.textContent = ' (queued: its page is there once a worker starts it)';
    var cell = form.parentNode;
    cell.replaceChildren(link, note);
  }

  function send(form, button) {
    var token = tokenInput ? tokenInput.value.trim() : '';
    if (token === '') {
      say(form, 'type the server token (EXECSIM_TOKEN) into the token field above first');
      if (tokenInput) tokenInput.focus();
      return;
    }
    button.disabled = true;
    say(form, 'starting…');
    fetch(form.action, {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (res) {
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (res.status === 202 && typeof body.runId === 'string') {
              queued(form, body.runId);
              return;
            }
            say(form, 'not re-run: ' + (body.detail || 'the server answered ' + res.status));
            button.disabled = false;
          });
      })
      .catch(function (err) {
        say(form, 'not re-run: the server could not be reached (' + ((err && err.message) || err) + ')');
        button.disabled = false;
      });
  }

  Array.prototype.forEach.call(forms, function (form) {
    var button = form.querySelector('button');
    if (!button) return;
    button.disabled = false;
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      send(form, button);
    });
  });
})();
