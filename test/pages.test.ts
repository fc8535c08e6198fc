// The web pages through app.request over a store with real runs of bundled scenarios: the runs
// list filters (a GET form), pages by cursor and links each run; a run page links its chart to
// the series route (which answers it), lists each parent of the report and the events with
// their reasons, paged and filtered by kind; bad parameters are a 400 page naming them, unknown
// runs a 404; text from runs is escaped and no page has an inline script; the static files are
// served with a year's cache; the sweep page (over a reader object: sweeps are stored by another
// part) draws the histogram and links drill-down runs; the compare page shows runs side by side.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/runtime/backtest-run.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { pageRoutes } from '../src/server/pages/page-routes.tsx';
import type { RunReader, RunSeries } from '../src/store/read-model-port.ts';
import { pageApp, storeWithRuns } from './support/page-app.ts';
import { SqliteRunReader } from './support/sqlite-run-reader.ts';

const { store, reports } = storeWithRuns([
  { name: 'twap-calm' },
  { name: 'twap-calm', seed: 8 },
  { name: 'walkthrough' },
  { name: 'walkthrough' },
]);
// A run whose operator reason is markup: it must be shown as text.
const HOSTILE = `</td><script>alert("x")</script><img src=x onerror=alert(1)>`;
const hostileYaml = readFileSync('scenarios/walkthrough.yaml', 'utf8')
  .replace('name: walkthrough', 'name: hostile')
  .concat(`actions:\n  - { at: PT30S, kind: kill_switch, state: halted, actor: ops, reason: '${HOSTILE}' }\n`);
const hostile = runScenario(parseScenario(hostileYaml, 'hostile.yaml'), { store });
afterAll(() => store.db.close());

const reader = new SqliteRunReader(store.db);
const app = pageApp(reader);
const [calm, calm8, walk1, walk2] = reports as [RunReport, RunReport, RunReport, RunReport];

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

  it('answers a bad filter with a 400 page naming it', async () => {
    expect(await html('/?passed=maybe', 400)).toContain('passed');
    expect(await html('/?limit=0', 400)).toContain('limit');
    expect(await html('/?cursor=garbage', 400)).toContain('cursor');
  });
});

describe('run page', () => {
  it("links the chart to the series route, which serves it, and lists the report's parents", async () => {
    const body = await html(`/runs/${calm.runId}`);
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
    expect(walk).toContain('fill detection deadline');
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
    expect(await html('/runs/run-nope', 404)).toContain('run-nope');
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
});

describe('sweep page', () => {
  // Sweeps are stored by another part of the store: a reader object answers the three calls.
  const sweep = {
    id: 'sweep-1',
    scenario: 'twap-calm',
    state: 'finished',
    sweepSeed: 1,
    pathsRequested: 3,
    pathsDone: 3,
    pathsPassed: 2,
    pathsFailed: 1,
    parents: [
      {
        parent: 'twap-buy',
        notFilled: 1,
        shortfallBps: { mean: 1.5, p5: 0.1, p50: 1.2, p95: 3 },
        fillRatio: { mean: 0.9 },
      },
    ],
  };
  const paths = [
    { path: 0, seed: 11, passed: true, shortfallBps: 1.2, fillRatio: 1, digest: 'ab'.repeat(32), runId: calm.runId },
    { path: 1, seed: 12, passed: false, shortfallBps: 3, fillRatio: 0.5, digest: 'cd'.repeat(32), runId: null },
  ];
  const sweepReader = {
    ...reader,
    getSweep: (id: string) => (id === 'sweep-1' ? sweep : null),
    sweepHistogram: (id: string) =>
      id === 'sweep-1' ? { sweepId: id, paths: 3, edges: [0, 1, 2, 3], counts: [1, 0, 2], missing: 0 } : null,
    sweepPaths: (id: string) => (id === 'sweep-1' ? { items: paths, nextCursor: 'c2' } : null),
  } as unknown as RunReader;
  const sweepApp = pageRoutes(sweepReader);

  it('draws the shortfall histogram, the per-parent statistics and the paths with drill-down', async () => {
    const res = await sweepApp.request('/sweeps/sweep-1');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('data-bins="3"');
    expect((body.match(/<rect /g) ?? []).length).toBe(3);
    expect(links(body)).toContain(`/runs/${calm.runId}`);
    expect(body).toContain('POST /api/v1/sweeps/sweep-1/paths/1/run');
    expect(links(body)).toContain('/sweeps/sweep-1?cursor=c2#paths');
    expect(body).toContain('twap-buy');
    expect((await sweepApp.request('/sweeps/nope')).status).toBe(404);
    expect((await sweepApp.request('/sweeps/sweep-1?sort=worst')).status).toBe(400);
  });
});
