// The web pages through app.request over a store with real runs of bundled scenarios (and a paper
// run's row): every page's navigation links runs and sweeps; the runs list shows each run's mode,
// filters (a GET form), pages by cursor and links each run; a run page links its chart to the
// series route (which answers it), labels its times with the run's clock (simulated for a
// backtest, wall clock for a paper run), gives each parent's arrival price a legend entry in the
// colour its chart line gets, says "loading…" where its charts will be, lists each parent of the
// report and the events with their reasons, paged and filtered by kind; bad parameters are a 400
// page naming them, unknown runs a 404; text from runs is escaped and no page has an inline
// script; the static files are served with a year's cache; the sweeps list (real stored sweeps)
// links each sweep, pages by cursor and reads no sweep's result; the sweep page draws the
// histogram on a count axis, links drill-down runs and gives every other path a re-run form (a
// POST to the API's re-run route, its button enabled only by the page's script); the compare page
// shows runs side by side; a run of two symbols is named with both and listed under each.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/runtime/backtest-run.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { newSweep, newSweepId, SweepRecorder } from '../../src/sweep/sweep-recorder.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { PARENT_COLOURS } from '../../src/server/pages/run-page.tsx';
import { countTicks } from '../../src/server/pages/sweep-histogram.tsx';
import type { RunSeries } from '../../src/store/read-model-port.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';
import { pageApp, PAPER_STARTED, storePaperRun, storeWithRuns } from '../support/page-app.ts';

const { store, reports, file } = storeWithRuns([
  { name: 'twap-calm' },
  { name: 'twap-calm', seed: 8 },
  { name: 'walkthrough' },
  { name: 'walkthrough' },
  // A twap-calm run whose expectations fail (at seed 82 its shortfall is outside +-5 bps):
  // the passed filter must leave it out.
  { name: 'twap-calm', seed: 82 },
]);
// A run whose operator reason is markup: it must be shown as text.
const HOSTILE = `</td><script>alert("x")</script><img src=x onerror=alert(1)>`;
const hostileYaml = readFileSync('scenarios/walkthrough.yaml', 'utf8')
  .replace('name: walkthrough', 'name: hostile')
  .concat(`actions:\n  - { at: PT30S, kind: kill_switch, state: halted, actor: ops, reason: '${HOSTILE}' }\n`);
const hostile = runScenario(parseScenario(hostileYaml, 'hostile.yaml'), { store });
// A run of two symbols: its page names both, and the list filtered by the second finds it.
const twoSymbols = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'), { store });
// A run whose one order never fills: no fall of its equity, so no drawdown to speak of.
const quietYaml = readFileSync('scenarios/static-book-sweep.yaml', 'utf8')
  .replace('name: static-book-sweep', 'name: never-filled')
  .replace(
    /^orders:[\s\S]*$/m,
    'orders:\n  - { id: far-bid, at: PT1S, side: buy, qty: "0.01", type: limit, limitPrice: "50000.00" }\n',
  );
const quiet = runScenario(parseScenario(quietYaml, 'never-filled.yaml'), { store });
const PAPER = 'run-paper-aapl';
storePaperRun(store, PAPER);
afterAll(() => store.db.close());

// Lines the app logs (stored data it cannot read), kept to check rather than printed.
const logged: string[] = [];
const app = pageApp(file, { logLine: (line) => logged.push(line) });
const [calm, calm8, walk1, walk2, calmFailed] = reports as [RunReport, RunReport, RunReport, RunReport, RunReport];

async function html(path: string, status = 200): Promise<string> {
  const res = await app.request(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  const body = await res.text();
  expect(body.startsWith('<!DOCTYPE html>')).toBe(true);
  // Every script is a static file: nothing inline for an injected string to join.
  expect(body.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? []).toEqual([]);
  return body;
}

const links = (body: string): string[] =>
  [...body.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));

describe('runs list', () => {
  it('sorts by net P&L and the trading figures as the API does, and shows them', async () => {
    for (const sort of ['netPnl', 'sharpe', 'winRate', 'drawdown', 'trades']) {
      const body = await html(`/?sort=${sort}&order=desc&limit=50`);
      expect(body).toMatch(new RegExp(`<option value="${sort}" selected`));
      const api = (await (await app.request(`/api/v1/runs?sort=${sort}&order=desc&limit=50`)).json()) as {
        items: { id: string }[];
      };
      expect(links(body).filter((l) => /^\/runs\/[^/?]+$/.test(l))).toEqual(api.items.map((r) => `/runs/${r.id}`));
    }
    const body = await html('/');
    for (const head of ['net P&amp;L', 'trades', 'win rate', 'Sharpe', 'max drawdown'])
      expect(body).toContain(`<th class="n">${head}</th>`);
  });

  it('links every stored run, and filters by scenario and passed with a GET form', async () => {
    const all = await html('/');
    expect(all).toContain('<form method="get" action="/"');
    for (const r of [...reports, hostile]) expect(links(all)).toContain(`/runs/${r.runId}`);
    const calmOnly = await html('/?scenario=twap-calm&passed=true&status=');
    expect(
      links(calmOnly)
        .filter((l) => l.startsWith('/runs/'))
        .sort(),
    ).toEqual([`/runs/${calm.runId}`, `/runs/${calm8.runId}`].sort());
    expect(calmOnly).toContain('value="twap-calm"');
    expect(calmFailed.passed).toBe(false);
    expect(links(await html('/?scenario=twap-calm&passed=false&status='))).toContain(`/runs/${calmFailed.runId}`);
  });

  it('pages by the reader cursor, keeping the filters in the next link', async () => {
    const first = await html('/?scenario=walkthrough&limit=1');
    const next = links(first).find((l) => l.includes('cursor='));
    expect(next).toBeDefined();
    expect(next).toContain('scenario=walkthrough');
    const second = await html(next as string);
    const shown = [first, second].flatMap((b) => links(b).filter((l) => l.startsWith('/runs/')));
    expect(shown.sort()).toEqual([`/runs/${walk1.runId}`, `/runs/${walk2.runId}`].sort());
    expect(links(second).some((l) => l.includes('cursor='))).toBe(false);
  });

  it("filters by the API's other filters too (from, to, codeVersion), and its form keeps them", async () => {
    const runLinks = (body: string): string[] => links(body).filter((l) => l.startsWith('/runs/'));
    expect(runLinks(await html('/?codeVersion=no-such-version'))).toEqual([]);
    expect(runLinks(await html('/?from=2999-01-01T00:00:00Z'))).toEqual([]);
    expect(runLinks(await html('/?to=2000-01-01T00:00:00Z'))).toEqual([]);
    const since = await html('/?from=2000-01-01T00:00:00Z&scenario=walkthrough');
    expect(runLinks(since).sort()).toEqual([`/runs/${walk1.runId}`, `/runs/${walk2.runId}`].sort());
    expect(since).toContain('name="from" value="2000-01-01T00:00:00Z"');
    expect(await html('/?from=yesterday', 400)).toContain('from');
  });

  it("shows each run's mode in a column, and filters by it with a select of the modes", async () => {
    const body = await html('/');
    const headers = [
      ...(body.split('<table class="runs">')[1]?.split('</thead>')[0] ?? '').matchAll(/<th(?: [^>]*)?>([^<]*)</g),
    ].map((m) => m[1]);
    const modeAt = headers.indexOf('mode');
    expect(modeAt).toBeGreaterThan(0);
    /** Each row's run id and the text of its cell under "mode". */
    const modes = (page: string): Record<string, string> =>
      Object.fromEntries(
        [...(page.split('<tbody>')[1]?.split('</tbody>')[0] ?? '').matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => {
          const cells = [...(row[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1] ?? '');
          return [/href="\/runs\/([^"]+)"/.exec(row[1] ?? '')?.[1] ?? '', cells[modeAt] ?? ''];
        }),
      );
    const all = modes(body);
    expect(all[PAPER]).toBe('paper');
    for (const r of [...reports, hostile]) expect(all[r.runId]).toBe('backtest');
    expect(body).toMatch(
      /<select name="mode"><option value="">any<\/option><option value="backtest">backtest<\/option><option value="paper">paper<\/option><\/select>/,
    );

    const paperOnly = await html('/?mode=paper');
    expect(Object.keys(modes(paperOnly))).toEqual([PAPER]);
    expect(paperOnly).toContain('<option value="paper" selected="">paper</option>');
    expect(Object.keys(modes(await html('/?mode=backtest&scenario=walkthrough'))).sort()).toEqual(
      [walk1.runId, walk2.runId].sort(),
    );
    // A mode this page does not offer (a later store's) is still filtered on and kept in the form.
    const later = await html('/?mode=live');
    expect(Object.keys(modes(later))).toEqual([]);
    expect(later).toContain('<option value="live" selected="">live</option>');
  });

  it('names every symbol of a run of several, and finds it under each with the symbol filter', async () => {
    const page = await html(`/runs/${twoSymbols.runId}`);
    expect(page).toContain('<dt>venue / symbols</dt>');
    expect(page).toMatch(/binance-spot\s*BTCUSDT, ETHUSDT/);
    const single = await html(`/runs/${calm.runId}`);
    expect(single).toContain('<dt>venue / symbol</dt>');
    for (const symbol of ['BTCUSDT', 'ETHUSDT'])
      expect(await html(`/?symbol=${symbol}&status=`)).toContain(twoSymbols.runId!);
    expect(await html('/?symbol=ETHUSDT&status=')).not.toContain(calm.runId!);
  });

  it('answers a bad filter with a 400 page naming it', async () => {
    expect(await html('/?passed=maybe', 400)).toContain('passed');
    expect(await html('/?limit=0', 400)).toContain('limit');
    expect(await html('/?cursor=garbage', 400)).toContain('cursor');
  });
});

describe('run page', () => {
  it("links the chart to the series route, which serves it, and lists the report's parents", async () => {
    const body = await html(`/runs/${calm.runId}`);
    // A finished run's page stays put (a running one reloads itself: the service tests).
    expect(body).not.toContain('http-equiv="refresh"');
    const url = /data-series="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');
    expect(url).toBe(`/api/v1/runs/${calm.runId}/series?maxPoints=2000`);
    const res = await app.request(url as string);
    expect(res.status).toBe(200);
    const series = (await res.json()) as RunSeries;
    expect(series.book.t.length).toBeGreaterThan(0);
    for (const p of calm.parents) expect(body).toContain(`<td>${p.id}</td>`);
    expect(body).toMatch(/src="\/static\/uPlot\.iife\.min\.js\?v=[0-9a-f]{12}"/);
    expect(body).toMatch(/src="\/static\/run-chart\.js\?v=[0-9a-f]{12}"/);
    expect(body).toContain('data-max-points="2000"');
    expect(await html(`/runs/${calm.runId}?maxPoints=300`)).toContain('series?maxPoints=300');
  });

  it("answers 400 naming query.from for a series window that starts after a finished run's end", async () => {
    const whole = (await (await app.request(`/api/v1/runs/${calm.runId}/series?maxPoints=2`)).json()) as RunSeries;
    const length = (whole.end as number) - whole.start;
    const past = await app.request(`/api/v1/runs/${calm.runId}/series?from=${length + 1}`);
    expect(past.status).toBe(400);
    const problem = (await past.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors).toEqual([
      {
        path: 'query.from',
        message: `${length + 1} is after the run's end (it lasted ${length} ms of simulated time): the window would be empty`,
      },
    ]);
    // A window from the end itself is the one instant, from equal to to.
    const atEnd = (await (await app.request(`/api/v1/runs/${calm.runId}/series?from=${length}`)).json()) as RunSeries;
    expect([atEnd.from, atEnd.to]).toEqual([whole.end, whole.end]);
  });

  it("labels a run's times with its clock: simulated for a backtest, wall clock for a paper run", async () => {
    const backtest = await html(`/runs/${calm.runId}`);
    // twap-calm's 15 minutes from its start instant.
    expect(backtest).toContain('<dt>simulated time</dt><dd>2024-08-09 00:00:00.000 – 2024-08-09 00:15:00.000 UTC</dd>');
    expect(backtest).toContain('<th>time (UTC, simulated)</th>');
    expect(backtest).toContain('data-time-title="time (UTC, simulated)"');
    expect(backtest).toContain('data-price-title="price of BTCUSDT (quote currency)"');
    expect(backtest).not.toContain('wall-clock time');

    const paper = await html(`/runs/${PAPER}`);
    const start = new Date(PAPER_STARTED).toISOString().replace('T', ' ').replace('Z', '');
    expect(paper).toContain(`<dt>wall-clock time</dt><dd>${start} – (no end yet) UTC</dd>`);
    expect(paper).toContain('<th>time (UTC, wall clock)</th>');
    expect(paper).toContain('data-time-title="time (UTC, wall clock)"');
    expect(paper).toContain('data-price-title="price of AAPL (quote currency)"');
    expect(paper).toContain('<dt>mode</dt><dd>paper</dd>');
    expect(paper).not.toContain('simulated');
  });

  it("gives each parent's arrival price a legend entry in its chart colour, and says loading where the charts go", async () => {
    const body = await html(`/runs/${calm.runId}`);
    const entries = [
      ...body.matchAll(
        /<span class="key arrival" data-parent="([^"]+)" style="--c: ([^"]+)">arrival price ([^<]+)<\/span>/g,
      ),
    ].map((m) => ({ parent: m[1], colour: m[2], text: m[3] }));
    expect(entries.map((e) => e.parent)).toEqual(calm.parents.map((p) => p.id));
    expect(entries.map((e) => e.text)).toEqual(calm.parents.map((p) => p.id));
    expect(new Set(entries.map((e) => e.colour)).size).toBe(calm.parents.length);
    // The chart script colours each parent's line as its entry (by id).
    const colours = JSON.parse(
      (/data-parent-colours="([^"]+)"/.exec(body)?.[1] ?? '{}').replaceAll('&quot;', '"'),
    ) as Record<string, string>;
    expect(colours).toEqual(Object.fromEntries(entries.map((e) => [e.parent, e.colour])));
    expect(Object.values(colours)).toEqual(PARENT_COLOURS.slice(0, calm.parents.length));
    // Both charts say they are loading until the script replaces it; without scripts it is hidden.
    for (const chart of ['chart', 'progress']) {
      const div = body.split(`id="${chart}"`)[1]?.split('</div>')[0] ?? '';
      expect(div, chart).toContain('<p class="chart-status needs-script">loading…</p>');
    }
    expect(body).toContain('<noscript><style>.needs-script { display: none; }</style></noscript></head>');
    // A run without a report yet (the paper run's row) lists no parents: the script adds what the
    // series has.
    expect(await html(`/runs/${PAPER}`)).not.toContain('class="key arrival"');
  });

  it('lists the events paged, with their reasons, and filters them by kind', async () => {
    const body = await html(`/runs/${calm.runId}`);
    const rows = body.split('<table class="events">')[1]?.split('</table>')[0] ?? '';
    expect((rows.match(/<tr>/g) ?? []).length).toBe(1 + 100);
    const next = links(body).find((l) => l.includes('fromSeq=101'));
    expect(next).toBeDefined();
    const fills = await html(`/runs/${calm.runId}?kinds=FillReport`);
    const kinds = [...(fills.split('<table class="events">')[1] ?? '').matchAll(/<td>([A-Za-z]+)<\/td>/g)].map(
      (m) => m[1],
    );
    expect(new Set(kinds)).toEqual(new Set(['FillReport']));
    const walk = await html(`/runs/${walk1.runId}?kinds=OrderStatusChanged,CancelOrder`);
    expect(walk).toContain('scenario cancelAt');
  });

  it("states a drawdown's span and whether it recovered only for a fall that happened", async () => {
    const fell = await html(`/runs/${calm.runId}`);
    expect(fell).toMatch(/max drawdown 157\.2228556\s*over 15 min, not recovered/);
    const flat = await html(`/runs/${quiet.runId}`);
    expect(quiet.fills).toBe(0);
    expect(flat).toMatch(/max drawdown 0\s*<\/p>/);
    expect(flat).not.toContain('not recovered');
  });

  it('shows text from runs as text', async () => {
    const body = await html(`/runs/${hostile.runId}?kinds=KillSwitchChanged`);
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script&gt;alert(');
  });

  it('answers bad parameters with 400 and an unknown run with 404', async () => {
    expect(await html(`/runs/${calm.runId}?maxPoints=1`, 400)).toContain('maxPoints');
    expect(await html(`/runs/${calm.runId}?maxPoints=10001`, 400)).toContain('maxPoints');
    const badKind = await html(`/runs/${calm.runId}?kinds=${encodeURIComponent('a"><b>x')}`, 400);
    expect(badKind).toContain('kinds');
    expect(badKind).not.toContain('"><b>');
    // A misspelt kind is named with the kind it most likely meant, not shown as an empty log.
    expect(await html(`/runs/${calm.runId}?kinds=FillReport,SliceSkiped`, 400)).toContain('did you mean SliceSkipped?');
    expect(await html('/runs/run-nope', 404)).toContain('run-nope');
  });

  it('answers a page path asked with another method with 405 and Allow, as the API does', async () => {
    for (const [path, method] of [
      [`/runs/${calm.runId}`, 'DELETE'],
      ['/', 'POST'],
      ['/compare', 'PUT'],
      ['/static/pages.css', 'POST'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(((await res.json()) as { detail: string }).detail).toContain(`${method} is not allowed here`);
    }
  });
});

describe('static files', () => {
  it('serves uPlot from node_modules and the chart script, cached for a year', async () => {
    for (const [name, type] of [
      ['uPlot.iife.min.js', 'text/javascript'],
      ['uPlot.min.css', 'text/css'],
      ['run-chart.js', 'text/javascript'],
      ['pages.css', 'text/css'],
    ] as const) {
      const res = await app.request(`/static/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await app.request('/static/nope.js')).status).toBe(404);
  });
});

describe('compare page', () => {
  it('shows runs side by side, says whether their logs are the same, and asks for two runs', async () => {
    const differ = await html(`/compare?runs=${calm.runId},${calm8.runId}`);
    expect(links(differ)).toEqual(expect.arrayContaining([`/runs/${calm.runId}`, `/runs/${calm8.runId}`]));
    expect(differ).toContain('different');
    const same = await html(`/compare?runs=${walk1.runId}&runs=${walk2.runId}`);
    expect(same).toContain('identical (same digest)');
    expect(await html('/compare')).toContain('Name two or more runs');
    expect(await html(`/compare?runs=${encodeURIComponent('<x>')},b`, 400)).toContain('&lt;x&gt;');
  });

  it('answers a run id no run has with 404 (as the API does), and claims nothing about fewer than two runs', async () => {
    const missing = await html(`/compare?runs=${walk1.runId},run-nope`, 404);
    expect(missing).toContain('No stored run: run-nope');
    expect(missing).not.toContain('identical');
    expect(missing).not.toContain('Scenario: the same');
    const oneOfThree = await html(`/compare?runs=${walk1.runId},${walk2.runId},run-nope`, 404);
    expect(oneOfThree).toContain('identical (same digest)');
  });
});

describe('sweep page', () => {
  // A real sweep in the same store: 12 paths of twap-calm; path 1 drilled down to a stored run.
  // Stored when this block starts, so the runs list above sees only its own runs.
  const sweepId = newSweepId();
  let drill: RunReport;
  beforeAll(() => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const sweeps = new SweepStore(store.db);
    sweeps.create(newSweep(sweepId, { loaded, text: readFileSync('scenarios/twap-calm.yaml', 'utf8') }, 5, 12));
    const recorder = new SweepRecorder(sweeps, sweepId, { batchPaths: 5 });
    const swept = runSweep(loaded, { paths: 12, seed: 5, onPath: (p, parents) => recorder.add(p, parents) });
    recorder.finish(swept);
    drill = runScenario(loaded, { store, seed: swept.perPath[1]?.seed as number });
    sweeps.setPathRun(sweepId, 1, drill.runId);
  });
  const sweepApp = app;

  it('draws the shortfall histogram, the per-parent statistics and the paths with drill-down', async () => {
    const res = await sweepApp.request(`/sweeps/${sweepId}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const histogram = (await (await app.request(`/api/v1/sweeps/${sweepId}/histogram?bins=20`)).json()) as {
      counts: number[];
    };
    const bars = histogram.counts.length;
    expect(bars).toBeGreaterThan(0);
    expect(body).toContain(`data-bins="${bars}"`);
    expect((body.match(/<rect /g) ?? []).length).toBe(bars);
    expect(links(body)).toContain(`/runs/${drill.runId}`);
    expect(body).toContain('twap-buy');
    expect((await sweepApp.request('/sweeps/nope')).status).toBe(404);
    expect((await sweepApp.request(`/sweeps/${sweepId}?sort=worst`)).status).toBe(400);
  });

  it('draws the histogram on a count axis: round ticks from 0 past the fullest bin, bars to its scale', async () => {
    const body = await html(`/sweeps/${sweepId}`);
    const { counts } = (await (await app.request(`/api/v1/sweeps/${sweepId}/histogram?bins=20`)).json()) as {
      counts: number[];
    };
    const svg = body.split('<svg id="histogram"')[1]?.split('</svg>')[0] ?? '';
    const ticks = (/<g class="count-axis" data-ticks="([^"]+)"/.exec(svg)?.[1] ?? '').split(',').map(Number);
    expect(ticks).toEqual(countTicks(Math.max(...counts)));
    const axis = svg.split('<g class="count-axis"')[1]?.split('</g>')[0] ?? '';
    // A label per tick, and the axis's title.
    expect([...axis.matchAll(/text-anchor="end">(\d+)<\/text>/g)].map((m) => Number(m[1]))).toEqual(ticks);
    expect(axis).toMatch(/>paths<\/text>$/);
    expect(svg).toContain('>implementation shortfall (bps)</text>');
    // Each bar is as tall as its count on the axis: the top tick's height (172) times count / top.
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    const top = ticks.at(-1) as number;
    expect(heights.map((h) => Math.round((h / 172) * top * 1e6) / 1e6)).toEqual(counts);
  });

  it("gives a path not yet re-run a form whose button POSTs to the API's re-run route", async () => {
    const body = await html(`/sweeps/${sweepId}`);
    const rows = [...(body.split('<table class="paths">')[1]?.split('</table>')[0] ?? '').matchAll(/<tr>(.*?)<\/tr>/g)]
      .slice(1)
      .map((m) => m[1] ?? '');
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      const path = Number(/<td class="n">(\d+)<\/td>/.exec(row)?.[1]);
      if (path === 1) {
        // The drilled-down path links its run and offers no second re-run.
        expect(row).toContain(`<a href="/runs/${drill.runId}">run ${drill.runId}</a>`);
        expect(row).not.toContain('<form');
        continue;
      }
      expect(row).toContain(
        `<form class="rerun" method="post" action="/api/v1/sweeps/${sweepId}/paths/${path}/run">` +
          `<button type="submit" disabled="">re-run path ${path}</button>`,
      );
    }
    // The script that sends them (with the token) is the page's only script; the token field is in
    // no form, so pressing Enter in it cannot send the token anywhere as a query string.
    expect(body.match(/<script [^>]*>/g)).toEqual([
      expect.stringMatching(/src="\/static\/sweep-rerun\.js\?v=[0-9a-f]{12}"/),
    ]);
    expect(body).toContain('<input type="password" id="rerun-token"');
    const beforeToken = body.split('id="rerun-token"')[0] ?? '';
    expect(beforeToken.lastIndexOf('<form')).toBeLessThan(beforeToken.lastIndexOf('</form>') + 1);
    expect((await app.request('/static/sweep-rerun.js')).status).toBe(200);
    // The route the forms post to is the API's (here the app has no run pool: not offered).
    const res = await app.request(`/api/v1/sweeps/${sweepId}/paths/0/run`, { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('answers a cursor it did not give out, or one of another sort, with a 400 page naming the cursor', async () => {
    expect(await html(`/sweeps/${sweepId}?cursor=garbage`, 400)).toContain('cursor');
    // A cursor as the paths list gives out for the shortfall sort, sent with another sort.
    const cursor = Buffer.from(
      JSON.stringify({ k: 'paths', w: sweepId, s: 'shortfall', o: 'asc', v: 0, p: 0 }),
    ).toString('base64url');
    expect((await sweepApp.request(`/sweeps/${sweepId}?sort=shortfall&cursor=${cursor}`)).status).toBe(200);
    expect(await html(`/sweeps/${sweepId}?sort=seed&cursor=${cursor}`, 400)).toContain('cursor');
  });

  it("answers a parent that no stored path has with a 400 naming the parent and the sweep's parents", async () => {
    const res = await app.request(`/api/v1/sweeps/${sweepId}/histogram?parent=twap-by`);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors[0]?.path).toBe('query.parent');
    expect(problem.errors[0]?.message).toBe(
      'no stored path of this sweep has a parent "twap-by" (its paths have auto-sell, small-buy, twap-buy)',
    );
    expect(await html(`/sweeps/${sweepId}?parent=twap-by`, 400)).toContain('twap-by');
    const known = (await (await app.request(`/api/v1/sweeps/${sweepId}/histogram?parent=twap-buy`)).json()) as {
      paths: number;
      missing: number;
    };
    expect(known).toMatchObject({ paths: 12, missing: 0 });
  });

  it('pages the paths by cursor, keeping the sort', async () => {
    const first = await (await sweepApp.request(`/sweeps/${sweepId}?sort=shortfall`)).text();
    const next = links(first).find((l) => l.includes('cursor='));
    if (next === undefined) {
      // Every path fits on one page: then there is no next link at all.
      expect(first).not.toContain('cursor=');
      return;
    }
    expect(next).toContain('sort=shortfall');
    expect((await sweepApp.request(next)).status).toBe(200);
  });
});

describe('sweeps list', () => {
  // Beside the sweep page's sweep: a grid sweep just created (none of its paths stored yet) and a
  // finished sweep whose stored result (summary_json) is damaged.
  const gridId = newSweepId();
  const damagedId = newSweepId();
  beforeAll(() => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const text = readFileSync('scenarios/twap-calm.yaml', 'utf8');
    const sweeps = new SweepStore(store.db);
    sweeps.create(newSweep(gridId, { loaded, text }, 9, 2, [{ key: 'orders[0].qty', values: ['1', '2', '3'] }]));
    sweeps.create(newSweep(damagedId, { loaded, text }, 7, 2));
    const recorder = new SweepRecorder(sweeps, damagedId, { batchPaths: 2 });
    recorder.finish(runSweep(loaded, { paths: 2, seed: 7, onPath: (p, parents) => recorder.add(p, parents) }));
    store.db.prepare('UPDATE sweeps SET summary_json = ? WHERE id = ?').run('{"expectations": not json', damagedId);
  });

  const sweepLinks = (body: string): string[] => links(body).filter((l) => /^\/sweeps\/[^?]+$/.test(l));

  it('is linked from every page, and lists the stored sweeps as the API does, each linking its page', async () => {
    for (const path of ['/', `/runs/${calm.runId}`, '/compare', '/runs/nope']) {
      const res = await app.request(path);
      expect(links(await res.text()), path).toContain('/sweeps');
    }
    const body = await html('/sweeps');
    const api = (await (await app.request('/api/v1/sweeps')).json()) as { items: { id: string }[] };
    expect(api.items.length).toBe(3);
    expect(sweepLinks(body)).toEqual(api.items.map((s) => `/sweeps/${s.id}`));
    const row = (id: string): string[] =>
      [...(body.split(`<a href="/sweeps/${id}">`)[1]?.split('</tr>')[0] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map(
        (m) => m[1] ?? '',
      );
    // state, paths done (of requested), passed, failed, grid, sweep seed
    expect(row(gridId).slice(1, 7)).toEqual(['running', '0 of 6', '0', '0', 'orders[0].qty (3)', '9']);
    expect(row(damagedId).slice(1, 7)).toEqual(['finished', '2 of 2', '2', '0', '–', '7']);
  });

  it("reads no sweep's stored result: a damaged one is still listed, while its page says what is damaged", async () => {
    expect(sweepLinks(await html('/sweeps'))).toContain(`/sweeps/${damagedId}`);
    const before = logged.length;
    const res = await app.request(`/sweeps/${damagedId}`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('summary_json');
    expect(logged.slice(before)).toEqual([
      expect.stringMatching(new RegExp(`GET /sweeps/${damagedId}: .*summary_json`)),
    ]);
  });

  it('pages by the cursor the reader gives out, one sweep a page, each sweep once', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/sweeps?limit=1';
    for (let pages = 0; next !== undefined && pages < 10; pages++) {
      const body = await html(next);
      seen.push(...sweepLinks(body));
      if (pages > 0) expect(links(body)).toContain('/sweeps?limit=1');
      next = links(body).find((l) => l.includes('cursor='));
      if (next !== undefined) expect(next).toContain('limit=1');
    }
    expect(next).toBeUndefined();
    expect(seen).toEqual(sweepLinks(await html('/sweeps')));
  });

  it('answers a bad cursor or page size with a 400 page naming it', async () => {
    expect(await html('/sweeps?cursor=garbage', 400)).toContain('cursor');
    const runsCursor = links(await html('/?limit=1'))
      .find((l) => l.includes('cursor='))
      ?.split('cursor=')[1];
    expect(await html(`/sweeps?cursor=${runsCursor}`, 400)).toContain('cursor');
    expect(await html('/sweeps?limit=0', 400)).toContain('limit');
    expect(await html('/sweeps?limit=501', 400)).toContain('limit');
    expect(await html('/sweeps?limit=two', 400)).toContain('limit');
  });
});

describe('count axis ticks', () => {
  it('are round whole numbers, evenly spaced from 0 to the first tick at or past the most, at most six', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (most) => {
        const ticks = countTicks(most);
        expect(ticks[0]).toBe(0);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        expect(ticks.length).toBeLessThanOrEqual(6);
        const step = (ticks[1] as number) - 0;
        expect(/^[125]0*$/.test(String(step))).toBe(true);
        ticks.forEach((t, i) => expect(t).toBe(i * step));
        const top = ticks.at(-1) as number;
        expect(top).toBeGreaterThanOrEqual(Math.max(1, most));
        expect(top - step).toBeLessThan(Math.max(1, most));
      }),
    );
  });
});
