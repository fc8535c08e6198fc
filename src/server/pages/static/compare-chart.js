// The compare page's overlaid equity curves: each run's net P&L (quote currency) against the time
// since its own start, so runs that started at different instants (a paper run beside its
// backtest, two seeds of a sweep) line up. Fetches GET /api/v1/runs/{id}/series?maxPoints=1000 per
// run (the ids in #equity-compare's data-runs, colours in data-colours), and plots them on one
// time axis of minutes. Says "loading…" until every series arrived and why when one cannot be
// drawn; once drawn, the element carries data-ready and data-points (points plotted in all).
(function () {
  'use strict';
  var el = document.getElementById('equity-compare');
  if (!el) return;
  var ids = JSON.parse(el.dataset.runs || '[]');
  var colours = JSON.parse(el.dataset.colours || '[]');

  function status(text, error) {
    var old = el.querySelector('.chart-status');
    if (old) old.remove();
    if (text === null) return;
    var p = document.createElement('p');
    p.className = error ? 'chart-status error' : 'chart-status';
    p.textContent = text;
    el.appendChild(p);
  }

  function fail(err) {
    el.dataset.error = String((err && err.message) || err);
    status('Could not draw the equity curves: ' + el.dataset.error, true);
  }

  if (typeof uPlot === 'undefined') return fail(new Error('the chart library did not load'));
  if (ids.length === 0) return;

  function series(id) {
    return fetch('/api/v1/runs/' + encodeURIComponent(id) + '/series?maxPoints=1000').then(function (res) {
      if (!res.ok) throw new Error('the series of ' + id + ' answered ' + res.status);
      return res.json();
    });
  }

  Promise.all(ids.map(series))
    .then(function (all) {
      // One x column: every run's minutes since its start, merged; each run's values at its own
      // minutes, null elsewhere (drawn with spanGaps as steps).
      var minutes = [];
      all.forEach(function (s) {
        s.equity.t.forEach(function (t) {
          minutes.push((t - s.start) / 60000);
        });
      });
      minutes = Array.from(new Set(minutes)).sort(function (a, b) {
        return a - b;
      });
      var index = new Map();
      minutes.forEach(function (m, i) {
        index.set(m, i);
      });
      var points = 0;
      var columns = [minutes];
      var lines = [{}];
      all.forEach(function (s, k) {
        var col = new Array(minutes.length).fill(null);
        s.equity.t.forEach(function (t, i) {
          col[index.get((t - s.start) / 60000)] = s.equity.net[i];
        });
        points += s.equity.t.length;
        columns.push(col);
        lines.push({
          label: ids[k],
          stroke: colours[k % colours.length] || '#333',
          width: 1.5,
          spanGaps: true,
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false },
        });
      });
      status(null);
      new uPlot(
        {
          width: Math.max(320, el.clientWidth || 900),
          height: 300,
          scales: { x: { time: false } },
          axes: [
            { label: 'minutes since the run started', labelSize: 20, size: 32 },
            { label: 'net P&L (quote currency)', labelSize: 22, size: 80 },
          ],
          series: lines,
        },
        columns,
        el,
      );
      el.dataset.points = String(points);
      el.dataset.ready = 'true';
    })
    .catch(fail);
})();
