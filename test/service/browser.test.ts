// The pages in a real browser: Debian's Chromium (headless) driven by playwright-core against a
// real HTTP server (@hono/node-server on 127.0.0.1, an ephemeral port) serving the pages and the
// API over a store with runs of bundled scenarios and a sweep, with a token and a run pool (one
// worker thread) so the sweep page's re-run button can POST. The runs list and a run page load
// without console errors or page errors; the run page's charts say "loading…" while their series
// request is held, then the chart canvas has a size and drawn pixels, every axis of the three
// charts its title (what uPlot draws on the canvas: time with zone and clock, price with the
// symbol, quantity, net P&L in quote currency, position in base units) and the number of points
// it plotted per series equals what the API serves for the same maxPoints; the equity chart has
// the report's net P&L beside it; a series request that fails or cannot be made turns "loading…" into the reason.
// The cost table shows each parent's cost parts as the report has them, and the markout curve is
// drawn with every markout the report has.
// From the runs list the nav leads to the sweeps list and a sweep; its re-run button asks for the
// token, shows a wrong token's refusal, and with the token POSTs the re-run and links the run,
// which the pool runs to the path's digest. Screenshots go to test-output/ (the README's picture
// to docs/img/run-page.png with EXECSIM_README_SCREENSHOT=1). Without Chromium (EXECSIM_CHROMIUM,
// else /usr/bin/chromium) the suite is skipped and says why; CI installs it (.ci/run).
import { serve, type ServerType } from '@hono/node-server';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunPool, type RunUpdate } from '../../src/sweep/run-pool.ts';
import { newSweep, newSweepId, SweepRecorder } from '../../src/sweep/sweep-recorder.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { RunSeries } from '../../src/store/read-model-port.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';
import { pageApp, storeWithRuns } from '../support/page-app.ts';

const CHROMIUM = process.env.EXECSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const WAIT_MS = 20_000;
const TOKEN = 'browser-test-token-0123456789abcdef';

/** Records every text drawn on a canvas (uPlot draws its axes' titles and ticks with fillText)
 *  into window.__drawnTexts: added to a page before its scripts run. */
function recordCanvasText(): void {
  const w = globalThis as unknown as {
    __drawnTexts: string[];
    CanvasRenderingContext2D: { prototype: { fillText(text: string, ...rest: unknown[]): void } };
  };
  w.__drawnTexts = [];
  const proto = w.CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  proto.fillText = function (this: unknown, text: string, ...rest: unknown[]) {
    w.__drawnTexts.push(String(text));
    return fillText.call(this, text, ...rest);
  };
}

/** The size of the canvas under `selector` and how many of its pixels are drawn (not transparent):
 *  a chart that drew nothing has none. */
async function canvasPixels(page: Page, selector: string): Promise<{ width: number; height: number; drawn: number }> {
  return page.$eval(selector, (c) => {
    // The DOM's types are not in this project's lib: the canvas as far as it is used here.
    const el = c as unknown as {
      width: number;
      height: number;
      getContext(
        kind: '2d',
      ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
    };
    const img = el.getContext('2d')?.getImageData(0, 0, el.width, el.height).data;
    let drawn = 0;
    if (img) for (let i = 3; i < img.length; i += 4) if ((img[i] ?? 0) > 0) drawn++;
    return { width: el.width, height: el.height, drawn };
  });
}

describe.skipIf(!haveChromium)('pages in Chromium', () => {
  const { store, reports, file } = storeWithRuns([
    { name: 'twap-calm' },
    { name: 'twap-limit-partial' },
    { name: 'fill-detection-faults' },
    { name: 'strategy-breakout' },
  ]);
  // A stored sweep of 3 twap-calm paths, none re-run yet.
  const sweepId = newSweepId();
  const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
  const sweeps = new SweepStore(store.db);
  sweeps.create(newSweep(sweepId, { loaded, text: readFileSync('scenarios/twap-calm.yaml', 'utf8') }, 3, 3));
  const recorder = new SweepRecorder(sweeps, sweepId, { batchPaths: 3 });
  const swept = runSweep(loaded, { paths: 3, seed: 3, onPath: (p, parents) => recorder.add(p, parents) });
  recorder.finish(swept);
  const pool = new RunPool({ dbPath: file, size: 1 });
  const app = pageApp(file, { token: TOKEN, sweepJobs: pool });
  let server: ServerType;
  let base = '';
  let browser: Browser;

  beforeAll(async () => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
      timeout: WAIT_MS,
    });
    mkdirSync('test-output', { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool.close();
    store.db.close();
  });

  /** A page that records console errors and uncaught exceptions. */
  async function open(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.addInitScript(recordCanvasText);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    return { page, problems };
  }

  it('loads the runs list with every run linked', async () => {
    const { page, problems } = await open();
    const res = await page.goto(`${base}/`, { timeout: WAIT_MS });
    expect(res?.status()).toBe(200);
    await page.waitForSelector('table.runs tbody tr', { timeout: WAIT_MS });
    const hrefs = await page.$$eval('table.runs a', (as) => as.map((a) => a.getAttribute('href')));
    for (const r of reports) expect(hrefs).toContain(`/runs/${r.runId}`);
    await page.screenshot({ path: 'test-output/runs-list.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  for (const maxPoints of [2000, 60]) {
    it(`draws a run's chart with as many points as the API serves (maxPoints ${maxPoints})`, async () => {
      const run = reports[0];
      const { page, problems } = await open();
      // The series request is held until both charts were seen saying they load.
      let release = (): void => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/series\?/, async (route: Route) => {
        await held;
        await route.continue();
      });
      const res = await page.goto(`${base}/runs/${run?.runId}?maxPoints=${maxPoints}`, { timeout: WAIT_MS });
      expect(res?.status()).toBe(200);
      for (const chart of ['#chart', '#progress', '#equity']) {
        const status = page.locator(`${chart} .chart-status`);
        expect(await status.isVisible(), chart).toBe(true);
        expect(await status.textContent()).toBe('loading…');
      }
      if (maxPoints === 2000) await page.screenshot({ path: 'test-output/run-page-loading.png' });
      release();
      await page.waitForSelector('#chart[data-ready], #chart[data-error]', { timeout: WAIT_MS });
      expect(await page.locator('.chart-status').count()).toBe(0);
      const data = await page.$eval('#chart', (el) => ({
        ...(el as unknown as { dataset: Record<string, string | undefined> }).dataset,
      }));
      expect(data.error).toBeUndefined();

      const api = await fetch(`${base}/api/v1/runs/${run?.runId}/series?maxPoints=${maxPoints}`);
      expect(api.status).toBe(200);
      const s = (await api.json()) as RunSeries;
      const bookPoints = s.book.t.filter((_, i) => s.book.bid[i] !== null || s.book.ask[i] !== null).length;
      expect(Number(data.bookPoints)).toBe(bookPoints);
      expect(Number(data.tradePoints)).toBe(s.trades.t.length);
      expect(Number(data.fillPoints)).toBe(s.fills.t.length);
      expect(Number(data.slicePoints)).toBe(s.slices.childId.length);
      expect(Number(data.points)).toBe(bookPoints + s.trades.t.length + s.fills.t.length + s.slices.childId.length);
      expect(Number(data.progressPoints)).toBe(
        s.parents.reduce((n, p) => n + p.planned.t.length + p.filled.t.length, 0),
      );
      expect(Number(data.equityPoints)).toBe(s.equity.t.length);
      expect(s.equity.t.length).toBeGreaterThan(1);
      expect(s.equity.t.length).toBeLessThanOrEqual(maxPoints);
      expect(Number(data.points)).toBeGreaterThan(0);
      for (const n of [s.book.t.length, s.trades.t.length, s.fills.t.length]) expect(n).toBeLessThanOrEqual(maxPoints);

      // The canvas has a size and something drawn on it.
      const canvas = await canvasPixels(page, '#chart canvas');
      expect(canvas.width).toBeGreaterThan(0);
      expect(canvas.height).toBeGreaterThan(0);
      expect(canvas.drawn).toBeGreaterThan(1000);
      expect(await page.$$eval('#progress canvas', (cs) => cs.length)).toBe(1);
      expect(await page.$$eval('#equity canvas', (cs) => cs.length)).toBe(1);
      // The report's P&L beside the equity chart, net first.
      expect(await page.locator('p.pnl').textContent()).toContain(`net P&L ${run?.pnl.total.net} = realized`);

      // Both axes of both charts have their titles drawn: time in UTC on the run's (simulated)
      // clock, price of the run's symbol, quantity. And one arrival-price legend entry per parent.
      const drawn = await page.evaluate(() => (globalThis as unknown as { __drawnTexts: string[] }).__drawnTexts);
      const count = (text: string): number => drawn.filter((t) => t === text).length;
      expect(count('time (UTC, simulated)')).toBe(3);
      expect(count('price of BTCUSDT (quote currency)')).toBe(1);
      expect(count('quantity (base units)')).toBe(1);
      expect(count('net P&L (quote currency)')).toBe(1);
      expect(count('position in BTCUSDT (base units)')).toBe(1);
      expect(await page.$$eval('.legend .arrival', (es) => es.map((e) => e.textContent))).toEqual(
        s.parents.map((p) => `arrival price ${p.id}`),
      );

      // The cost table: one row per parent with its parts as the report has them (they add up to
      // its total), and the run's sums; the markout curve drawn with every markout the report has.
      for (const p of run?.parents ?? []) {
        const row = page.locator(`table.costs tr[data-parent="${p.id}"]`);
        for (const part of ['delay', 'timing', 'spread', 'opportunity', 'fees', 'total'] as const)
          expect(await row.locator(`td[data-part="${part}"]`).textContent(), `${p.id} ${part}`).toBe(
            p.costs.quote?.[part],
          );
      }
      expect(await page.locator('table.costs tr.total td[data-part="total"]').textContent()).toBe(
        run?.costs.quote.total,
      );
      await page.waitForSelector('#markouts[data-ready]', { timeout: WAIT_MS });
      const markouts = [...(run?.parents ?? []).map((p) => p.costs.markouts), run?.costs.markouts ?? []];
      const expectedPoints = markouts.flat().filter((m) => m.bps !== null).length;
      expect(expectedPoints).toBeGreaterThan(0);
      expect(
        Number(
          await page.$eval('#markouts', (el) => (el as unknown as { dataset: { points: string } }).dataset.points),
        ),
      ).toBe(expectedPoints);
      const markoutPixels = (await canvasPixels(page, '#markouts canvas')).drawn;
      expect(markoutPixels).toBeGreaterThan(100);
      const texts = await page.evaluate(() => (globalThis as unknown as { __drawnTexts: string[] }).__drawnTexts);
      expect(texts).toContain('markout (bps, positive = favourable)');
      expect(texts).toContain('horizon after the fill (s)');

      await page.screenshot({ path: `test-output/run-page-${maxPoints}.png`, fullPage: true });
      if (maxPoints === 2000) {
        // The README's picture (the summary and both charts), rewritten only when asked:
        // EXECSIM_README_SCREENSHOT=1 (it changes with every run's id and start time).
        const shot = process.env.EXECSIM_README_SCREENSHOT === '1' ? 'docs/img/run-page.png' : 'test-output/readme.png';
        await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: 980 } });
        expect(statSync(shot).size).toBeLessThan(300_000);
      }
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('shades the faults a run went through and folds the legend of many parents', async () => {
    // fill-detection-faults: nine parents, and three declared faults (lost reports, 5xx, an outage).
    const run = reports[2];
    const { page, problems } = await open();
    await page.goto(`${base}/runs/${run?.runId}`, { timeout: WAIT_MS });
    await page.waitForSelector('#chart[data-ready], #chart[data-error]', { timeout: WAIT_MS });
    const api = await fetch(`${base}/api/v1/runs/${run?.runId}/series?maxPoints=2000`);
    const s = (await api.json()) as RunSeries;
    const declared = s.spans.filter((x) => x.declared).map((x) => x.kind);
    expect(declared).toEqual(['lost_reports', 'http_5xx', 'outage']);
    expect(
      Number(await page.$eval('#chart', (el) => (el as unknown as { dataset: { spans: string } }).dataset.spans)),
    ).toBe(s.spans.length);
    // Each declared span is wide enough on this run's chart to carry its label.
    const drawn = await page.evaluate(() => (globalThis as unknown as { __drawnTexts: string[] }).__drawnTexts);
    for (const kind of declared) expect(drawn, kind).toContain(kind);
    // The legend lists eight parents on its line and folds the ninth into a line that opens.
    expect(s.parents.length).toBe(9);
    expect(await page.locator('.legend > .arrival').count()).toBe(8);
    const folded = page.locator('.legend details.more-parents');
    expect((await folded.locator('summary').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'arrival prices of 1 more parent',
    );
    expect(await folded.locator('.arrival').textContent()).toBe(`arrival price ${s.parents[8]?.id}`);
    expect(await folded.locator('.arrival').isVisible()).toBe(false);
    await folded.locator('summary').click();
    expect(await folded.locator('.arrival').isVisible()).toBe(true);
    await page.screenshot({ path: 'test-output/run-page-faults.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lists a strategy run’s trades with their statistics and marks them on the chart', async () => {
    const run = reports[3];
    const { page, problems } = await open();
    await page.goto(`${base}/runs/${run?.runId}`, { timeout: WAIT_MS });
    await page.waitForSelector('#chart[data-ready], #chart[data-error]', { timeout: WAIT_MS });
    const trades = run?.trades;
    const all = [...(trades?.closed ?? []), ...(trades?.open ?? [])];
    expect(all.length).toBeGreaterThan(1);
    // One row per trade, the open one last and marked at the run's last mark.
    const rows = await page.$$eval('table.trades tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows.map((r) => [r[3], r[9]])).toEqual(all.map((t) => [t.entryPrice, t.net]));
    expect(rows.at(-1)?.[4]).toBe('open');
    expect(rows.at(-1)?.[5]).toBe(`marked ${trades?.open[0]?.mark}`);
    const stats = await page.locator('p.trade-stats').textContent();
    expect(stats?.replace(/\s+/g, ' ')).toContain(
      `${trades?.stats.trades} closed (${trades?.stats.wins} won, ${trades?.stats.losses} lost`,
    );
    // Every trade of the run's symbol marked on the execution chart.
    const marked = await page.$eval('#chart', (el) => (el as unknown as { dataset: { roundTrips: string } }).dataset);
    expect(Number(marked.roundTrips)).toBe(all.length);
    await page.screenshot({ path: 'test-output/run-page-trades.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('overlays the compared runs’ equity curves on the compare page', async () => {
    const { page, problems } = await open();
    const ids = reports.map((r) => r.runId);
    await page.goto(`${base}/compare?runs=${ids.join(',')}`, { timeout: WAIT_MS });
    await page.waitForSelector('#equity-compare[data-ready], #equity-compare[data-error]', { timeout: WAIT_MS });
    const data = await page.$eval('#equity-compare', (el) => ({
      ...(el as unknown as { dataset: Record<string, string | undefined> }).dataset,
    }));
    expect(data.error).toBeUndefined();
    let points = 0;
    for (const id of ids) {
      const s = (await (await fetch(`${base}/api/v1/runs/${id}/series?maxPoints=1000`)).json()) as RunSeries;
      expect(s.equity.t.length).toBeGreaterThan(1);
      points += s.equity.t.length;
    }
    expect(Number(data.points)).toBe(points);
    const pixels = (await canvasPixels(page, '#equity-compare canvas')).drawn;
    expect(pixels).toBeGreaterThan(1000);
    const drawn = await page.evaluate(() => (globalThis as unknown as { __drawnTexts: string[] }).__drawnTexts);
    expect(drawn).toContain('net P&L (quote currency)');
    expect(drawn).toContain('minutes since the run started');
    expect(await page.$$eval('.legend .arrival', (es) => es.map((e) => e.textContent))).toEqual(ids);
    await page.screenshot({ path: 'test-output/compare-page.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says why a chart cannot be drawn when its series request fails or cannot be made', async () => {
    const run = reports[1];
    for (const [how, reason] of [
      ['answers 500', 'the series request answered 500: the stored series cannot be read'],
      ['is refused', 'Failed to fetch'],
    ] as const) {
      const { page } = await open();
      await page.route(/\/series\?/, (route: Route) =>
        how === 'answers 500'
          ? route.fulfill({
              status: 500,
              contentType: 'application/problem+json',
              body: '{"detail":"the stored series cannot be read"}',
            })
          : route.abort('connectionrefused'),
      );
      await page.goto(`${base}/runs/${run?.runId}`, { timeout: WAIT_MS });
      await page.waitForSelector('#chart[data-error]', { timeout: WAIT_MS });
      for (const chart of ['#chart', '#progress', '#equity']) {
        expect(await page.locator(`${chart} .chart-status`).textContent(), `${how}: ${chart}`).toBe(
          `Could not load the chart: ${reason}`,
        );
      }
      expect(await page.locator('#chart canvas').count()).toBe(0);
      if (how === 'answers 500') await page.screenshot({ path: 'test-output/run-page-error.png' });
      await page.close();
    }
  });

  it('reaches a sweep from the nav; its re-run button asks for the token, then POSTs and links the run', async () => {
    const { page, problems } = await open();
    await page.goto(`${base}/`, { timeout: WAIT_MS });
    await page.click('nav a[href="/sweeps"]');
    await page.waitForURL(`${base}/sweeps`, { timeout: WAIT_MS });
    await page.screenshot({ path: 'test-output/sweeps-list.png' });
    await page.click(`table.sweeps a[href="/sweeps/${sweepId}"]`);
    await page.waitForURL(`${base}/sweeps/${sweepId}`, { timeout: WAIT_MS });

    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(`${r.url()} ${r.headers()['authorization'] ?? '(no authorization)'}`);
    });
    const form = page.locator(`form.rerun[action="/api/v1/sweeps/${sweepId}/paths/0/run"]`);
    const button = form.locator('button');
    const status = form.locator('.rerun-status');
    // The script enabled every path's button.
    await button.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await page.locator('form.rerun button:disabled').count()).toBe(0);
    expect(await page.locator('form.rerun button').count()).toBe(3);

    // No token typed: nothing is sent, the row says what is missing.
    await button.click();
    expect(await status.textContent()).toBe('type the server token (EXECSIM_TOKEN) into the token field above first');
    expect(posts).toEqual([]);

    // A wrong token: the server's refusal, shown in the row; the button can be used again.
    await page.fill('#rerun-token', 'not-the-token');
    await button.click();
    await page.waitForFunction((el) => (el?.textContent ?? '').startsWith('not re-run'), await status.elementHandle(), {
      timeout: WAIT_MS,
    });
    expect(await status.textContent()).toBe('not re-run: the bearer token does not match the server token');
    expect(await button.isEnabled()).toBe(true);

    // The token: one POST with it, and the row links the queued run.
    await page.fill('#rerun-token', TOKEN);
    await button.click();
    const link = page.locator('table.paths a[href^="/runs/"]');
    await link.waitFor({ timeout: WAIT_MS });
    const href = (await link.getAttribute('href')) as string;
    const runId = href.slice('/runs/'.length);
    expect(await link.textContent()).toBe(`run ${runId}`);
    const url = `${base}/api/v1/sweeps/${sweepId}/paths/0/run`;
    expect(posts).toEqual([`${url} Bearer not-the-token`, `${url} Bearer ${TOKEN}`]);
    expect(await page.locator('form.rerun').count()).toBe(2);
    await page.screenshot({ path: 'test-output/sweep-page.png', fullPage: true });

    // The pool runs it to the path's digest; the run's page then opens from the link.
    const final = await new Promise<RunUpdate>((resolve) => {
      const stop = pool.follow(runId, 0, (u) => {
        if (u.type === 'finished' || u.type === 'failed' || u.type === 'interrupted') {
          queueMicrotask(() => stop?.());
          resolve(u);
        }
      });
    });
    expect(final.type).toBe('finished');
    const stored = (await (await fetch(`${base}/api/v1/runs/${runId}`)).json()) as { digest: string };
    expect(stored.digest).toBe(swept.perPath[0]?.digest);
    await link.click();
    await page.waitForURL(`${base}${href}`, { timeout: WAIT_MS });
    expect(await page.locator('h1').textContent()).toBe(`Run ${runId}`);
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
    await page.close();
  });
});

describe.skipIf(haveChromium)('pages in Chromium (skipped)', () => {
  it(`needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set EXECSIM_CHROMIUM): not found, so the browser test did not run`, () => {
    console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    expect(haveChromium).toBe(false);
  });
});
