// The session page, live: follows the session's log stream (Server-Sent Events, resuming after
// the last entry the page was rendered with) and puts each new entry at the top of the events
// list, keeping the page's number of rows; and re-reads the state part of the page (readiness,
// kill switch, breaker, parents' progress, the quote and its age) shortly after entries arrive
// and every few seconds. The stream is read with fetch rather than EventSource: its events are
// named by entry kind, which EventSource would hand only to a listener per kind. A stream that
// ends or fails is followed again after a pause with Last-Event-ID, so no entry is missed or
// shown twice. When the state part comes from another session (the server restarted with a new
// one) the page reloads, since the entries it shows belong to the old one. Entries are shown as
// the rendered ones are: quantities, prices and fees in their symbol's decimals, times as
// ISO-8601 (readable-payload.js, loaded before this).
(function () {
  'use strict';
  var root = document.getElementById('session');
  if (!root || !window.fetch || !window.TextDecoder) return;
  var streamUrl = root.dataset.stream;
  var stateUrl = root.dataset.state;
  var lastSeq = Number(root.dataset.lastSeq) || 0;
  var maxRows = Number(root.dataset.maxEvents) || 50;
  var tbody = document.querySelector('#session-events tbody');
  var statusEl = document.getElementById('stream-status');
  var sessionId = currentSessionId(document);
  var RETRY_MS = 2000;
  var STATE_EVERY_MS = 2000;
  var STATE_AFTER_EVENT_MS = 250;
  var stateTimer = null;
  var stateDue = 0;
  var stateBusy = false;
  var received = 0;

  function say(text) {
    if (statusEl) statusEl.textContent = text;
  }

  function currentSessionId(doc) {
    var el = doc.getElementById('session-state');
    return el ? el.getAttribute('data-session-id') : null;
  }

  function instant(ms) {
    return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  }

  // The page's tables for showing a payload (readable-payload.js): as the rendered rows show it.
  var units = readJson(root.dataset.units);
  var instrument = readJson(root.dataset.instrument);
  // A session of several symbols: each entry in its symbol's units, found from its symbol, or
  // its order's or parent's (the working ones come with the page, later ones are learnt here).
  var instruments = readJson(root.dataset.instruments) || (instrument ? [instrument] : []);
  var bySymbol = {};
  instruments.forEach(function (i) {
    bySymbol[i.symbol] = i;
  });
  var account = readJson(root.dataset.accountInstrument);
  var known = readJson(root.dataset.working) || {};
  var orderSymbol = known.orders || {};
  var parentSymbol = known.parents || {};

  /** The instrument an event is in, or null when it cannot be told (shown unconverted). */
  function instrumentOf(event) {
    if (instruments.length <= 1) return instrument;
    if (typeof event.symbol === 'string') {
      if (event.kind === 'OrderCreated' && typeof event.clientOrderId === 'string')
        orderSymbol[event.clientOrderId] = event.symbol;
      if ((event.kind === 'OrderCreated' || event.kind === 'ParentOrderCreated') && typeof event.parentId === 'string')
        parentSymbol[event.parentId] = event.symbol;
      return bySymbol[event.symbol] || null;
    }
    var s =
      (typeof event.clientOrderId === 'string' && orderSymbol[event.clientOrderId]) ||
      (typeof event.parentId === 'string' && parentSymbol[event.parentId]);
    return (s && bySymbol[s]) || null;
  }

  function readJson(text) {
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  function eventText(event) {
    var rest = {};
    for (var k in event) if (k !== 'kind') rest[k] = event[k];
    var inst = instrumentOf(event);
    var shown =
      units && inst && window.execsimReadable ? window.execsimReadable(units, inst, event.kind, rest, account) : rest;
    var text = JSON.stringify(shown);
    return text.length > 200 ? text.slice(0, 200) + '…' : text;
  }

  function cell(text, cls, code) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    if (code) {
      var c = document.createElement('code');
      c.textContent = text;
      td.appendChild(c);
    } else td.textContent = text;
    return td;
  }

  function addEntry(entry) {
    if (!tbody || entry.seq <= lastSeq) return;
    lastSeq = entry.seq;
    var tr = document.createElement('tr');
    tr.setAttribute('data-seq', String(entry.seq));
    tr.appendChild(cell(String(entry.seq), 'n'));
    tr.appendChild(cell(instant(entry.time)));
    tr.appendChild(cell(entry.kind));
    tr.appendChild(cell(eventText(entry.event), null, true));
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.rows.length > maxRows) tbody.deleteRow(tbody.rows.length - 1);
    received++;
    root.dataset.received = String(received);
    root.dataset.lastSeq = String(lastSeq);
    scheduleState(STATE_AFTER_EVENT_MS);
  }

  /** Hands each complete event of `text` (blocks ending in a blank line) to addEntry; returns the
   *  incomplete rest. Comment lines (keep-alives) are skipped. */
  function parse(text) {
    var blocks = text.split('\n\n');
    var rest = blocks.pop();
    for (var i = 0; i < blocks.length; i++) {
      var data = [];
      var lines = blocks[i].split('\n');
      for (var j = 0; j < lines.length; j++) {
        if (lines[j].indexOf('data:') === 0) data.push(lines[j].slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      try {
        addEntry(JSON.parse(data.join('\n')));
      } catch (err) {
        say('could not read an entry: ' + err.message);
      }
    }
    return rest;
  }

  function follow() {
    say('connecting…');
    fetch(streamUrl, { headers: { 'Last-Event-ID': String(lastSeq) }, cache: 'no-store' })
      .then(function (res) {
        if (res.status !== 200 || !res.body) throw new Error('the stream answered ' + res.status);
        say('live');
        var reader = res.body.getReader();
        var decoder = new window.TextDecoder();
        var buffered = '';
        function read() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffered = parse(buffered + decoder.decode(chunk.value, { stream: true }));
            return read();
          });
        }
        return read();
      })
      .then(
        function () {
          say('reconnecting…');
        },
        function (err) {
          say('disconnected (' + err.message + '); retrying…');
        },
      )
      .then(function () {
        window.setTimeout(follow, RETRY_MS);
      });
  }

  function refreshState() {
    stateTimer = null;
    if (stateBusy) return scheduleState(STATE_AFTER_EVENT_MS);
    stateBusy = true;
    fetch(stateUrl, { cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('the state answered ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var doc = new window.DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('session-state');
        var current = document.getElementById('session-state');
        if (!fresh || !current) return;
        if (currentSessionId(doc) !== sessionId) {
          window.location.reload();
          return;
        }
        current.replaceWith(document.importNode(fresh, true));
        root.dataset.stateAt = String(Date.now());
      })
      .catch(function (err) {
        say('could not read the session state (' + err.message + ')');
      })
      .then(function () {
        stateBusy = false;
        scheduleState(STATE_EVERY_MS);
      });
  }

  /** Re-reads the state in `ms`, unless a read is already due sooner. */
  function scheduleState(ms) {
    var due = Date.now() + ms;
    if (stateTimer !== null) {
      if (stateDue <= due) return;
      window.clearTimeout(stateTimer);
    }
    stateDue = due;
    stateTimer = window.setTimeout(refreshState, ms);
  }

  follow();
  scheduleState(STATE_EVERY_MS);
})();
