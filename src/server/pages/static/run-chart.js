// The run page's charts, drawn with uPlot (loaded before this script) from the run's series
// (GET /runs/{id}/series, columnar, already decimated by the server to the page's maxPoints).
// The execution chart plots bid and ask as lines, public trades as points (VWAP between
// samples), our fills as discs whose area grows with their quantity (green buys, red sells), each
// slice as a tick at its planned time coloured by its outcome (a triangle above it when it was
// sent), and each parent's arrival price as a diamond at its start, with a dashed line through the
// parent's own schedule (to its last planned or filled instant), in the parent's colour. Spans the
// run went through are shaded behind it all: the scenario's declared faults (amber) and what the
// log shows (grey: a stream down, a market data gap, the breaker open, the kill switch off
// active), each labelled with its kind where there is room. Our round trips (the report's trades,
// #trade-marks) are marked: a triangle at each entry, a cross at each exit, joined by a line green
// for a winner and red for a loser.
// The second chart plots each parent's planned and filled quantity over time, in the same
// colours. The third, the run's net P&L (realized + unrealized - fees, quote currency, on the left
// axis) and the position of its symbol (base units, on the right axis) over time, as steps. Every
// axis has a title: time with its zone and clock (the page's data-time-title: simulated for a
// backtest, wall clock for a paper run), price with its instrument, quantity and position in base
// units, P&L in quote currency. Times are epoch ms (uPlot `ms: 1`), shown in UTC. Until the
// series is there each chart says "loading…" (the page renders it); when it cannot be drawn, why.
// When done, #chart carries data-ready and the number of points it plotted per series
// (data-book-points, ..., data-equity-points) and in all (data-points): the browser test compares
// them with the API.
(function () {
  'use strict';
  var el = document.getElementById('chart');
  var progressEl = document.getElementById('progress');
  var equityEl = document.getElementById('equity');
  var note = document.getElementById('chart-note');
  if (!el) return;
  // Slice outcome colours, as the page's legend shows them (OUTCOME_COLOURS in run-page.tsx), and
  // each parent's colour by id, as its legend entry shows it (parentColours in run-page.tsx).
  var OUTCOME = JSON.parse(el.dataset.outcomeColours || '{}');
  var COLOURS = JSON.parse(el.dataset.parentColours || '{}');
  var PALETTE = JSON.parse(el.dataset.palette || '["#4575b4"]');
  var TIME_TITLE = el.dataset.timeTitle || 'time (UTC)';
  var PRICE_TITLE = el.dataset.priceTitle || 'price';
  var POSITION_TITLE = el.dataset.positionTitle || 'position (base units)';
  // The round trips the report folded (trades-section.tsx), marked on the execution chart.
  var marks = document.getElementById('trade-marks');
  var TRADES = JSON.parse((marks && marks.dataset.trades) || '[]');

  /** Replaces what a chart's element says ("loading…") with `text` (an error's when `error`);
   *  null: says nothing. */
  function status(target, text, error) {
    var old = target.querySelector('.chart-status');
    if (old) old.remove();
    if (text === null) return;
    var p = document.createElement('p');
    p.className = error ? 'chart-status error' : 'chart-status';
    p.textContent = text;
    target.appendChild(p);
  }

  function fail(err) {
    el.dataset.error = String((err && err.message) || err);
    el.textContent = '';
    status(el, 'Could not load the chart: ' + el.dataset.error, true);
    [progressEl, equityEl].forEach(function (other) {
      if (!other) return;
      other.textContent = '';
      status(other, 'Could not load the chart: ' + el.dataset.error, true);
    });
  }

  if (typeof uPlot === 'undefined') {
    fail(new Error('the chart library did not load'));
    return;
  }

  /** A parent's colour: its legend entry's, else (a parent the report does not list yet, as in a
   *  run still running) the next in the palette, with a legend entry added for it. */
  function colourOf(parentId) {
    if (Object.prototype.hasOwnProperty.call(COLOURS, parentId)) return COLOURS[parentId];
    var colour = PALETTE[Object.keys(COLOURS).length % PALETTE.length];
    COLOURS[parentId] = colour;
    var more = document.getElementById('arrival-more');
    if (more) {
      var key = document.createElement('span');
      key.className = 'key arrival';
      key.dataset.parent = parentId;
      key.style.setProperty('--c', colour);
      key.textContent = 'arrival price ' + parentId;
      more.appendChild(key);
    }
    return colour;
  }

  function utc(ts) {
    return uPlot.tzDate(new Date(ts), 'Etc/UTC');
  }

  // Time labels in 24-hour UTC, as precise as the spacing of the ticks needs (milliseconds when
  // ticks are less than a second apart); the date when ticks are a day or more apart.
  var FMT = {
    ms: uPlot.fmtDate('{HH}:{mm}:{ss}.{fff}'),
    s: uPlot.fmtDate('{HH}:{mm}:{ss}'),
    min: uPlot.fmtDate('{HH}:{mm}'),
    day: uPlot.fmtDate('{YYYY}-{MM}-{DD}'),
  };
  function timeLabels(u, splits, axisIdx, space, incr) {
    var f = incr < 1000 ? FMT.ms : incr < 60000 ? FMT.s : incr < 86400000 ? FMT.min : FMT.day;
    return splits.map(function (v) {
      return f(utc(v));
    });
  }

  /** Sorted merge of several time columns, duplicates kept: [x, for each input the index it
   *  landed at per element]. Each input point gets its own slot, so every point is plotted. */
  function merge(columns) {
    var total = 0;
    columns.forEach(function (c) {
      total += c.length;
    });
    var x = new Array(total);
    var slots = columns.map(function (c) {
      return new Array(c.length);
    });
    var pos = columns.map(function () {
      return 0;
    });
    for (var k = 0; k < total; k++) {
      var best = -1;
      for (var j = 0; j < columns.length; j++) {
        if (pos[j] < columns[j].length && (best === -1 || columns[j][pos[j]] < columns[best][pos[best]])) best = j;
      }
      x[k] = columns[best][pos[best]];
      slots[best][pos[best]] = k;
      pos[best]++;
    }
    return { x: x, slots: slots };
  }

  function column(length, slots, values) {
    var out = new Array(length).fill(null);
    for (var i = 0; i < slots.length; i++) out[slots[i]] = values[i];
    return out;
  }

  function countNonNull(a) {
    var n = 0;
    for (var i = 0; i < a.length; i++) if (a[i] !== null && a[i] !== undefined) n++;
    return n;
  }

  /** A parent's last planned or filled instant (its start when it has neither). */
  function lastOf(p) {
    var t = p.createdAt;
    if (p.planned.t.length) t = Math.max(t, p.planned.t[p.planned.t.length - 1]);
    if (p.filled.t.length) t = Math.max(t, p.filled.t[p.filled.t.length - 1]);
    return t;
  }

  function drawExecution(s) {
    var spans = s.spans || [];
    var m = merge([s.book.t, s.trades.t]);
    var n = m.x.length;
    var bid = column(n, m.slots[0], s.book.bid);
    var ask = column(n, m.slots[0], s.book.ask);
    var vwap = column(n, m.slots[1], s.trades.vwap);
    var times = m.x.concat(s.fills.t, s.slices.plannedAt);
    s.parents.forEach(function (p) {
      times.push(p.createdAt);
    });
    // A further symbol's parents have their own prices: only the run's symbol's are on this axis.
    var ownParents = s.parents.filter(function (p) {
      return p.symbol === s.symbol;
    });
    var prices = []
      .concat(s.book.bid, s.book.ask, s.trades.vwap, s.fills.price)
      .concat(
        ownParents.map(function (p) {
          return p.arrivalPrice;
        }),
      )
      .filter(function (v) {
        return v !== null && v !== undefined;
      });
    var xmin = Math.min.apply(null, times.length ? times : [s.from]);
    var xmax = Math.max.apply(null, times.length ? times : [s.to]);
    if (xmax <= xmin) xmax = xmin + 1000;
    var ymin = prices.length ? Math.min.apply(null, prices) : 0;
    var ymax = prices.length ? Math.max.apply(null, prices) : 1;
    var pad = (ymax - ymin) * 0.05 || Math.abs(ymax) * 0.0005 || 1;
    var maxQty = Math.max.apply(null, [0].concat(s.fills.qty));

    var drawExtras = function (u) {
      var ctx = u.ctx;
      var dpr = uPlot.pxRatio;
      var top = u.bbox.top;
      var bottom = u.bbox.top + u.bbox.height;
      ctx.save();
      // The spans, behind everything else: declared faults amber, observed ones grey.
      var right = u.bbox.left + u.bbox.width;
      ctx.font = 10 * dpr + 'px sans-serif';
      ctx.textBaseline = 'top';
      spans.forEach(function (span, i) {
        var x0 = Math.max(u.bbox.left, u.valToPos(span.from, 'x', true));
        var x1 = Math.min(right, u.valToPos(span.until, 'x', true));
        if (x1 < x0) return;
        var w = Math.max(x1 - x0, 2 * dpr);
        ctx.fillStyle = span.declared ? 'rgba(253,174,97,0.22)' : 'rgba(120,120,120,0.16)';
        ctx.fillRect(x0, top, w, bottom - top);
        if (w > 40 * dpr) {
          ctx.fillStyle = span.declared ? '#a6611a' : '#444';
          // Labels of overlapping spans step down a line each.
          ctx.fillText(span.kind, x0 + 3 * dpr, top + 2 * dpr + (i % 3) * 12 * dpr, w - 6 * dpr);
        }
      });
      // Arrival price of each parent: a diamond at its start, dashed through its own schedule.
      ownParents.forEach(function (p) {
        if (p.arrivalPrice === null) return;
        var x0 = u.valToPos(p.createdAt, 'x', true);
        var x1 = u.valToPos(lastOf(p), 'x', true);
        var y = u.valToPos(p.arrivalPrice, 'y', true);
        var colour = colourOf(p.id);
        ctx.strokeStyle = colour;
        ctx.setLineDash([6 * dpr, 4 * dpr]);
        ctx.lineWidth = 1.5 * dpr;
        if (x1 > x0) {
          ctx.beginPath();
          ctx.moveTo(x0, y);
          ctx.lineTo(Math.min(x1, right), y);
          ctx.stroke();
        }
        ctx.setLineDash([]);
        var d = 5 * dpr;
        ctx.beginPath();
        ctx.moveTo(x0, y - d);
        ctx.lineTo(x0 + d, y);
        ctx.lineTo(x0, y + d);
        ctx.lineTo(x0 - d, y);
        ctx.closePath();
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.strokeStyle = '#222';
        ctx.lineWidth = 1 * dpr;
        ctx.stroke();
      });
      ctx.setLineDash([]);
      // The slice schedule: a tick at each planned time, a triangle when it was sent.
      for (var i = 0; i < s.slices.plannedAt.length; i++) {
        var colour = OUTCOME[s.slices.outcome[i]] || '#000';
        var xp = u.valToPos(s.slices.plannedAt[i], 'x', true);
        ctx.fillStyle = colour;
        ctx.fillRect(xp - 1.5 * dpr, bottom - 12 * dpr, 3 * dpr, 12 * dpr);
        if (s.slices.sentAt[i] !== null) {
          var xs = u.valToPos(s.slices.sentAt[i], 'x', true);
          ctx.beginPath();
          ctx.moveTo(xs, bottom - 20 * dpr);
          ctx.lineTo(xs - 4 * dpr, bottom - 13 * dpr);
          ctx.lineTo(xs + 4 * dpr, bottom - 13 * dpr);
          ctx.closePath();
          ctx.fill();
        }
      }
      // Our fills: discs with area proportional to quantity.
      for (var f = 0; f < s.fills.t.length; f++) {
        var r = (3 + 9 * Math.sqrt(maxQty > 0 ? s.fills.qty[f] / maxQty : 0)) * dpr;
        var fx = u.valToPos(s.fills.t[f], 'x', true);
        var fy = u.valToPos(s.fills.price[f], 'y', true);
        if (fy < top - r || fy > bottom + r) continue;
        ctx.beginPath();
        ctx.arc(fx, fy, r, 0, 2 * Math.PI);
        ctx.fillStyle = s.fills.side[f] === 'buy' ? 'rgba(26,152,80,0.55)' : 'rgba(215,48,39,0.55)';
        ctx.fill();
        ctx.strokeStyle = '#222';
        ctx.lineWidth = 1 * dpr;
        ctx.stroke();
      }
      // Our trades, over the fills: an entry triangle (up for a long, down for a short) and an exit cross, joined
      // by a thin line green for a winner and red for a loser.
      TRADES.forEach(function (t) {
        var ex = u.valToPos(t.entryTime, 'x', true);
        var ey = u.valToPos(t.entryPrice, 'y', true);
        var colour = t.net >= 0 ? '#1a9850' : '#d73027';
        if (t.exitTime !== null && t.exitPrice !== null) {
          var xx = u.valToPos(t.exitTime, 'x', true);
          var xy = u.valToPos(t.exitPrice, 'y', true);
          ctx.strokeStyle = colour;
          ctx.lineWidth = 1 * dpr;
          ctx.beginPath();
          ctx.moveTo(ex, ey);
          ctx.lineTo(xx, xy);
          ctx.stroke();
          var c = 5 * dpr;
          ctx.lineWidth = 2 * dpr;
          ctx.beginPath();
          ctx.moveTo(xx - c, xy - c);
          ctx.lineTo(xx + c, xy + c);
          ctx.moveTo(xx - c, xy + c);
          ctx.lineTo(xx + c, xy - c);
          ctx.stroke();
        }
        var h = 7 * dpr;
        var up = t.side !== 'short';
        ctx.beginPath();
        ctx.moveTo(ex, up ? ey - h : ey + h);
        ctx.lineTo(ex - h * 0.7, up ? ey + h * 0.5 : ey - h * 0.5);
        ctx.lineTo(ex + h * 0.7, up ? ey + h * 0.5 : ey - h * 0.5);
        ctx.closePath();
        ctx.fillStyle = colour;
        ctx.fill();
      });
      ctx.restore();
    };

    var width = Math.max(320, el.clientWidth || 900);
    status(el, null);
    new uPlot(
      {
        width: width,
        height: 380,
        ms: 1,
        tzDate: utc,
        legend: { show: false },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: true, range: [xmin, xmax] }, y: { range: [ymin - pad, ymax + pad] } },
        axes: [
          { values: timeLabels, size: 32, label: TIME_TITLE, labelSize: 20 },
          { size: 80, label: PRICE_TITLE, labelSize: 22 },
        ],
        series: [
          {},
          { label: 'bid', stroke: '#2166ac', width: 1.5, spanGaps: true, points: { show: false } },
          { label: 'ask', stroke: '#b2182b', width: 1.5, spanGaps: true, points: { show: false } },
          {
            label: 'trades',
            stroke: '#555',
            paths: function () {
              return null;
            },
            points: { show: true, size: 4, fill: '#777', stroke: '#555' },
          },
        ],
        hooks: { draw: [drawExtras] },
      },
      [m.x, bid, ask, vwap],
      el,
    );
    return {
      range: [xmin, xmax],
      book: countNonNull(bid) + countNonNull(ask) - countBoth(s.book.bid, s.book.ask),
      trades: countNonNull(vwap),
      fills: s.fills.t.length,
      slices: s.slices.plannedAt.length,
      spans: spans.length,
      roundTrips: TRADES.length,
    };
  }

  /** Book points where both sides are present count once (one point, two values). */
  function countBoth(bid, ask) {
    var n = 0;
    for (var i = 0; i < bid.length; i++) if (bid[i] !== null && ask[i] !== null) n++;
    return n;
  }

  /** The quantity panel, on the execution chart's time range so the two line up. */
  function drawProgress(s, range) {
    if (!progressEl) return 0;
    if (s.parents.length === 0) {
      status(progressEl, 'No parent orders.');
      return 0;
    }
    var columns = [];
    s.parents.forEach(function (p) {
      columns.push(p.planned.t, p.filled.t);
    });
    var m = merge(columns);
    var n = m.x.length;
    var data = [m.x];
    var series = [{}];
    var points = 0;
    s.parents.forEach(function (p, i) {
      var colour = colourOf(p.id);
      data.push(column(n, m.slots[2 * i], p.planned.qty));
      data.push(column(n, m.slots[2 * i + 1], p.filled.qty));
      points += p.planned.t.length + p.filled.t.length;
      series.push({
        label: p.id + ' planned',
        stroke: colour,
        dash: [6, 4],
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      });
      series.push({
        label: p.id + ' filled',
        stroke: colour,
        width: 2,
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      });
    });
    status(progressEl, null);
    new uPlot(
      {
        width: Math.max(320, progressEl.clientWidth || 900),
        height: 220,
        ms: 1,
        tzDate: utc,
        scales: { x: { time: true, range: range } },
        axes: [
          { values: timeLabels, size: 32, label: TIME_TITLE, labelSize: 20 },
          { size: 80, label: 'quantity (base units)', labelSize: 22 },
        ],
        series: series,
      },
      data,
      progressEl,
    );
    return points;
  }

  /** Net P&L and position over time, on the execution chart's time range; returns the points. */
  function drawEquity(s, range) {
    if (!equityEl) return 0;
    var e = s.equity;
    if (!e || e.t.length === 0) {
      status(equityEl, 'No P&L: the run has no fills or marks yet.');
      return 0;
    }
    var t = e.t.slice();
    var net = e.net.slice();
    var position = e.position.slice();
    // The last value held to the chart's right edge.
    if (range[1] > t[t.length - 1]) {
      t.push(range[1]);
      net.push(net[net.length - 1]);
      position.push(position[position.length - 1]);
    }
    status(equityEl, null);
    new uPlot(
      {
        width: Math.max(320, equityEl.clientWidth || 900),
        height: 300,
        ms: 1,
        tzDate: utc,
        // The right axis's title needs room past the canvas's edge.
        padding: [12, 16, 0, 0],
        scales: { x: { time: true, range: range }, pos: {} },
        axes: [
          { values: timeLabels, size: 32, label: TIME_TITLE, labelSize: 20 },
          { size: 80, label: 'net P&L (quote currency)', labelSize: 22 },
          { scale: 'pos', side: 1, size: 80, label: POSITION_TITLE, labelSize: 22, grid: { show: false } },
        ],
        series: [
          {},
          {
            label: 'net P&L',
            stroke: '#1a9850',
            fill: 'rgba(26,152,80,0.08)',
            width: 2,
            paths: uPlot.paths.stepped({ align: 1 }),
            points: { show: false },
          },
          {
            label: 'position',
            scale: 'pos',
            stroke: '#984ea3',
            width: 1.5,
            dash: [6, 4],
            paths: uPlot.paths.stepped({ align: 1 }),
            points: { show: false },
          },
        ],
      },
      [t, net, position],
      equityEl,
    );
    return e.t.length;
  }

  fetch(el.dataset.series, { headers: { accept: 'application/json' } })
    .then(function (res) {
      if (res.ok) return res.json();
      // A refusal's problem document says why; anything else is named by its status.
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (problem) {
          var detail = problem && typeof problem.detail === 'string' ? ': ' + problem.detail : '';
          throw new Error('the series request answered ' + res.status + detail);
        });
    })
    .then(function (s) {
      var plotted = drawExecution(s);
      var progress = drawProgress(s, plotted.range);
      var equity = drawEquity(s, plotted.range);
      el.dataset.bookPoints = String(plotted.book);
      el.dataset.tradePoints = String(plotted.trades);
      el.dataset.fillPoints = String(plotted.fills);
      el.dataset.slicePoints = String(plotted.slices);
      el.dataset.spans = String(plotted.spans);
      el.dataset.roundTrips = String(plotted.roundTrips);
      el.dataset.progressPoints = String(progress);
      el.dataset.equityPoints = String(equity);
      el.dataset.points = String(plotted.book + plotted.trades + plotted.fills + plotted.slices);
      if (note && s.decimated) {
        note.textContent =
          'Decimated on the server to at most ' +
          s.maxPoints +
          ' points per series: ' +
          Object.keys(s.counts)
            .filter(function (k) {
              return s.counts[k].after < s.counts[k].before;
            })
            .map(function (k) {
              return k + ' ' + s.counts[k].before + ' → ' + s.counts[k].after;
            })
            .join(', ') +
          '.';
      }
      el.dataset.ready = 'true';
    })
    .catch(fail);
})();
