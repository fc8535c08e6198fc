// The sweep page's costs per grid point in a real browser (Debian's Chromium, headless, driven by
// playwright-core against the pages served on 127.0.0.1): a grid over algorithms (twap, vwap) of
// twap-calm, two paths a point, stored as `execsim sweep --store` stores it. The page's costs
// table shows, per point, each part of the shortfall (mean ± sd over the paths), the total's p95,
// the markouts and the participation exactly as the sweep's JSON (printed and served by the API)
// has them, so a grid over algorithms answers which one costs what on this market. Without
// Chromium the suite is skipped and says why.
import { serve, type ServerType } from '@hono/node-server';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { pageApp } from '../support/page-app.ts';

const CHROMIUM = process.env.EXECSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const WAIT_MS = 20_000;

function existsSync(p: string): boolean {
  return fs.existsSync(p);
}

type Stat = { n: number; mean: number | null; std: number | null; p95: number | null };
type Printed = {
  sweepId: string;
  grid: {
    points: Array<{ point: number; settings: Array<{ key: string; value: string }>; costs: Record<string, Stat> }>;
  };
};

/** As the page writes a number (format.ts num). */
const num = (v: number | null): string => (v === null ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));

describe.skipIf(!haveChromium)('the sweep page’s costs per grid point in Chromium', () => {
  let dir: string;
  let server: ServerType;
  let base = '';
  let browser: Browser;
  let printed: Printed;
  let db: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-costs-'));
    db = path.join(dir, 'sweep.db');
    const out: string[] = [];
    const err: string[] = [];
    const args = ['sweep', 'scenarios/twap-calm.yaml', '--paths', '2', '--seed', '3', '--grid', 'algo=twap,vwap'];
    const code = await runCli([...args, '--workers', '1', '--json', '--store', '--db', db], {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      env: {},
    });
    expect(code).toBe(0);
    printed = JSON.parse(out.join('')) as Printed;
    expect(err).toEqual([expect.stringMatching(/^stored sweep \S+ in /)]);
    server = serve({ fetch: pageApp(db).fetch, hostname: '127.0.0.1', port: 0 });
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows each point’s cost parts, markouts and participation as the sweep’s JSON has them', async () => {
    const points = printed.grid.points;
    expect(points.map((p) => p.settings)).toEqual([[{ key: 'algo', value: 'twap' }], [{ key: 'algo', value: 'vwap' }]]);
    // The API serves the same report the CLI printed.
    const api = (await (await fetch(`${base}/api/v1/sweeps/${printed.sweepId}`)).json()) as {
      gridReport: Printed['grid'];
    };
    expect(api.gridReport.points.map((p) => p.costs)).toEqual(points.map((p) => p.costs));
    for (const p of points) {
      expect(p.costs['totalCostBps']!.n).toBe(2);
      expect(p.costs['markout5sBps']!.n).toBeGreaterThan(0);
      expect(p.costs['participationPct']!.mean).toBeGreaterThan(0);
    }

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${base}/sweeps/${printed.sweepId}`, { timeout: WAIT_MS });
    await page.locator('table.costs').waitFor({ timeout: WAIT_MS });
    const headers = await page.locator('table.costs thead th').allInnerTexts();
    expect(headers).toEqual([
      'point',
      'settings',
      'delay',
      'timing',
      'spread',
      'opportunity',
      'fees',
      'total',
      'total p95',
      'markout 1 s',
      'markout 5 s',
      'markout 30 s',
      'markout 5 min',
      'participation %',
    ]);
    for (const p of points) {
      const row = page.locator(`table.costs tr[data-point="${p.point}"]`);
      const cell = (key: string) => row.locator(`td[data-cost="${key}"]`).innerText();
      expect(await row.locator('td').nth(1).innerText()).toBe(`algo=${p.settings[0]!.value}`);
      for (const key of ['delayBps', 'timingBps', 'spreadBps', 'opportunityBps', 'feesBps', 'totalCostBps']) {
        const s = p.costs[key]!;
        expect(await cell(key)).toBe(s.mean === null ? '–' : `${num(s.mean)} ± ${num(s.std)}`);
      }
      expect(await cell('totalCostBpsP95')).toBe(num(p.costs['totalCostBps']!.p95));
      for (const key of ['markout1sBps', 'markout5sBps', 'markout30sBps', 'markout5mBps', 'participationPct'])
        expect(await cell(key)).toBe(num(p.costs[key]!.mean));
    }
    await page.screenshot({ path: path.join(dir, 'sweep-costs.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.skipIf(haveChromium)('the sweep page’s costs per grid point in Chromium (skipped)', () => {
  it(`needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set EXECSIM_CHROMIUM): not found, so the browser test did not run`, () => {
    expect(haveChromium).toBe(false);
  });
});
