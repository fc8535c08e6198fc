// The run page's markout curve (cost-section.tsx): bps after our fills at each horizon, one line per
// parent and one for the whole run, from the data the #markouts element carries (no request).
// The horizons are spread on a log scale (1 s to 5 min). Once drawn, the element says how many
// points it plotted (data-points) and that it is ready (data-ready).
(function () {
  'use strict';
  var el = document.getElementById('markouts');
  if (!el) return;

  function status(text) {
    var old = el.querySelector('.chart-status');
    if (old) old.remove();
    if (text === null) return;
    var p = document.createElement('p');
    p.className = 'chart-status error';
    p.textContent = text;
    el.appendChild(p);
  }

  if (typeof uPlot === 'undefined') {
    el.dataset.error = 'the chart library did not load';
    status('Could not draw the markouts: ' + el.dataset.error);
    return;
  }
  var data;
  try {
    data = JSON.parse(el.dataset.markouts || '{}');
  } catch (err) {
    el.dataset.error = String(err && err.message);
    status('Could not draw the markouts: ' + el.dataset.error);
    return;
  }
  var seconds = (data.horizonsMs || []).map(function (ms) {
    return ms / 1000;
  });
  var points = 0;
  var series = [{}];
  var columns = [seconds];
  (data.series || []).forEach(function (s) {
    points += s.bps.filter(function (v) {
      return v !== null;
    }).length;
    series.push({
      label: s.label,
      stroke: s.colour,
      width: s.label.indexOf('run') === 0 ? 2.5 : 1.5,
      points: { show: true, size: 6 },
      spanGaps: false,
    });
    columns.push(s.bps);
  });
  status(null);
  new uPlot(
    {
      width: Math.max(320, el.clientWidth || 900),
      height: 260,
      scales: { x: { time: false, distr: 3 } },
      axes: [
        {
          label: 'horizon after the fill (s)',
          labelSize: 20,
          size: 32,
          values: function (u, splits) {
            return splits.map(function (v) {
              return v >= 60 ? v / 60 + ' min' : v + ' s';
            });
          },
        },
        { label: 'markout (bps, positive = favourable)', labelSize: 22, size: 80 },
      ],
      series: series,
    },
    columns,
    el,
  );
  el.dataset.points = String(points);
  el.dataset.ready = 'true';
})();
