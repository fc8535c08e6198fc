// The session page in a real browser: Debian's Chromium (headless) driven by playwright-core
// against a real HTTP server (@hono/node-server on 127.0.0.1, an ephemeral port) serving the pages
// and the session stream over a real sim session (the sandbox session file's simulated venue,
// on the wall clock, in this process). The page loads without console or page errors and says it
// is live; a TWAP submitted to the session then appears without a reload: its entries (the parent,
// the slices' sends and fills) at the top of the events list, each once, newest first, the list
// kept at its size, and the parent's row in the parents table with all its slices sent and filled.
// A session of two symbols shows each one's row, and the entries the stream adds for an order of
// the second symbol in that symbol's decimals. Screenshots go to test-output/. Without Chromium
// (EXECSIM_CHROMIUM, else /usr/bin/chromium) the suite is skipped.
import { serve, type ServerType } from '@hono/node-server';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSession } from '../../src/runtime/session-root.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { registerRoutes } from '../../src/server/register-routes.ts';
import { sessionStreamRoutes } from '../../src/server/routes/session-stream-routes.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { parentOrderId, type Symbol } from '../../src/core/model/ids.ts';
import { openSimSession, submitTwap } from '../support/sim-session.ts';

const CHROMIUM = process.env.EXECSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const WAIT_MS = 20_000;

/** A sim session of `file` behind a real HTTP server (its pages and its stream) and a Chromium. */
function servedSession(file?: string) {
  const s = {
    session: undefined as unknown as ServiceSession,
    store: undefined as RunStore | undefined,
    reader: undefined as ReturnType<typeof openStoreReader> | undefined,
    server: undefined as ServerType | undefined,
    browser: undefined as unknown as Browser,
    base: '',
  };
  const shutdown = new AbortController();

  beforeAll(async () => {
    let dbFile: string;
    ({ session: s.session, store: s.store, file: dbFile } = await openSimSession(file));
    s.reader = openStoreReader(dbFile);
    const app = new Hono<{ Variables: { routePattern?: string } }>();
    registerRoutes(app, sessionStreamRoutes(s.session, { signal: shutdown.signal }), {
      apiBase: '/api/v1',
      token: null,
      maxBodyBytes: 1000,
      checkResponses: false,
    });
    app.route('/', pageRoutes(s.reader.reader, { apiBase: '/api/v1', session: s.session }));
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    s.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    s.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
      timeout: WAIT_MS,
    });
    mkdirSync('test-output', { recursive: true });
  });

  afterAll(async () => {
    await s.browser?.close();
    // The page's stream would hold the server open: ended first, as a server shutting down does.
    shutdown.abort();
    await new Promise<void>((resolve) => (s.server ? s.server.close(() => resolve()) : resolve()));
    await s.session?.stop('test');
    s.reader?.close();
    s.store?.db.close();
  });
  return s;
}

describe.skipIf(!haveChromium)('the session page in Chromium', () => {
  const s = servedSession();

  it("shows a TWAP's entries and progress as they commit, without a reload", async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    let loads = 0;
    page.on('load', () => loads++);

    const res = await page.goto(`${s.base}/session`, { timeout: WAIT_MS });
    expect(res?.status()).toBe(200);
    // What the server rendered, before the script added anything.
    const html = (await res?.text()) ?? '';
    const rendered = Number(/<div id="session" [^>]*data-last-seq="(\d+)"/.exec(html)?.[1]);
    const rows = [...html.matchAll(/<tr data-seq="/g)].length;
    expect(rows).toBeGreaterThan(0);
    await page.locator('#stream-status:text-is("live")').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#session-parents tr[data-parent="browser-1"]').count()).toBe(0);

    expect((await submitTwap(s.session, 'browser-1', 100, 4, 800)).outcome).toBe('accepted');
    // The parent's last slice filled and the parent completed: the list shows it.
    await page.waitForSelector('#session-events tbody tr td:text-is("ParentOrderCompleted")', { timeout: WAIT_MS });
    const seqs = (
      await page.$$eval('#session-events tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-seq')))
    ).map(Number);
    const received = Number(await page.getAttribute('#session', 'data-received'));
    expect(received).toBeGreaterThan(0);
    // Newest first, each once, with no gap (entries' seqs run on by one), the rendered ones and
    // those received, kept at 50.
    const top = seqs[0] ?? 0;
    expect(top).toBe(rendered + received);
    expect(seqs).toEqual(Array.from({ length: Math.min(50, rows + received) }, (_, i) => top - i));
    const kinds = await page.$$eval('#session-events tbody tr td:nth-child(3)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(kinds).toContain('FillReport');

    // The state part re-read: the parent done, every slice sent, all of it filled.
    const row = page.locator('#session-parents tr[data-parent="browser-1"]');
    await row.waitFor({ timeout: WAIT_MS });
    for (const cell of ['filled', '0.001 / 0.001', '4 / 4'])
      await row.locator(`td:text-is("${cell}")`).waitFor({ timeout: WAIT_MS });
    expect(loads).toBe(1);
    await page.screenshot({ path: 'test-output/session-page.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!haveChromium)('the page of a session of two symbols in Chromium', () => {
  const s = servedSession('scenarios/session/sandbox-two-symbols.yaml');

  it("shows each symbol's row, and a second symbol's entries in its own decimals", async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${s.base}/session`, { timeout: WAIT_MS });
    await page.locator('#stream-status:text-is("live")').waitFor({ timeout: WAIT_MS });
    for (const symbol of ['BTCUSDT', 'ETHUSDT'])
      await page.locator(`#session-symbols tr[data-symbol="${symbol}"]`).waitFor({ timeout: WAIT_MS });

    // 1.5 ETH bought at once (15,000 lots of 0.0001), after the page was rendered.
    const r = await s.session.submit({
      kind: 'SubmitParent',
      request: {
        parentId: parentOrderId('eth-browser'),
        symbol: 'ETHUSDT' as Symbol,
        side: 'buy',
        qty: 15_000,
        type: 'market',
        tif: 'IOC',
        route: 'single',
        source: 'http',
      },
      confirmations: [],
      confirmedBy: null,
    });
    expect(r.outcome).toBe('accepted');
    await page.waitForSelector('#session-events tbody tr td:text-is("ParentOrderCompleted")', { timeout: WAIT_MS });
    // The fills the stream added, in ETH's decimals: 1.5 in all, none in raw lots.
    const fills = await page.$$eval('#session-events tbody tr', (trs) =>
      trs
        .filter((tr) => tr.children[2]?.textContent === 'FillReport')
        .map((tr) => JSON.parse(tr.children[3]?.textContent ?? '{}') as { qty: string }),
    );
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.reduce((n, f) => n + Number(f.qty), 0)).toBeCloseTo(1.5, 9);
    // The state part re-read: ETH's position grew by 1.5 from its 100.
    await page
      .locator('#session-symbols tr[data-symbol="ETHUSDT"] td:nth-child(2):text-is("101.5")')
      .waitFor({ timeout: WAIT_MS });
    // The account's quote in account units (BTCUSDT's, the finer), ETH's baseline included: as
    // rendered, and as the page's script shows an entry it receives.
    const baseline = await page.$$eval('#session-events tbody tr', (trs) =>
      trs
        .filter((tr) => tr.children[2]?.textContent === 'AccountBaseline')
        .map((tr) => JSON.parse(tr.children[3]?.textContent ?? '{}') as { symbol: string; quote: string }),
    );
    expect(baseline.map((b) => [b.symbol, b.quote]).sort()).toEqual([
      ['BTCUSDT', '1000000'],
      ['ETHUSDT', '1000000'],
    ]);
    // In the page: its tables, ETH's instrument and the account's, as the script reads them.
    const live: unknown = await page.evaluate(`(() => {
      const root = document.getElementById('session');
      const read = (k) => JSON.parse(root.dataset[k] || 'null');
      const payload = { symbol: 'ETHUSDT', position: 1000000, quote: 10000000000000, balances: null };
      return window.execsimReadable(read('units'), read('instruments')[1], 'AccountBaseline', payload, read('accountInstrument'));
    })()`);
    expect(live).toEqual({ symbol: 'ETHUSDT', position: '100', quote: '1000000', balances: null });
    await page.screenshot({ path: 'test-output/session-page-two-symbols.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
