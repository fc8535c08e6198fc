// The session page in a real browser: Debian's Chromium (headless) driven by playwright-core
// against a real HTTP server (@hono/node-server on 127.0.0.1, an ephemeral port) serving the pages
// and the session stream over a real sim session (the sandbox session file's simulated venue,
// on the wall clock, in this process). The page loads without console or page errors and says it
// is live; a TWAP submitted to the session then appears without a reload: its entries (the parent,
// the slices' sends and fills) at the top of the events list, each once, newest first, the list
// kept at its size, and the parent's row in the parents table with all its slices sent and filled.
// A screenshot goes to test-output/. Without Chromium (EXECSIM_CHROMIUM, else /usr/bin/chromium)
// the suite is skipped.
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
import { openSimSession, submitTwap } from '../support/sim-session.ts';

const CHROMIUM = process.env.EXECSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const WAIT_MS = 20_000;

describe.skipIf(!haveChromium)('the session page in Chromium', () => {
  let session: ServiceSession;
  let store: RunStore;
  let reader: ReturnType<typeof openStoreReader>;
  let server: ServerType;
  let browser: Browser;
  let base = '';
  const shutdown = new AbortController();

  beforeAll(async () => {
    let file: string;
    ({ session, store, file } = await openSimSession());
    reader = openStoreReader(file);
    const app = new Hono<{ Variables: { routePattern?: string } }>();
    registerRoutes(app, sessionStreamRoutes(session, { signal: shutdown.signal }), {
      apiBase: '/api/v1',
      token: null,
      maxBodyBytes: 1000,
      checkResponses: false,
    });
    app.route('/', pageRoutes(reader.reader, { apiBase: '/api/v1', session }));
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
    // The page's stream would hold the server open: ended first, as a server shutting down does.
    shutdown.abort();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await session?.stop('test');
    reader?.close();
    store?.db.close();
  });

  it("shows a TWAP's entries and progress as they commit, without a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    let loads = 0;
    page.on('load', () => loads++);

    const res = await page.goto(`${base}/session`, { timeout: WAIT_MS });
    expect(res?.status()).toBe(200);
    // What the server rendered, before the script added anything.
    const html = (await res?.text()) ?? '';
    const rendered = Number(/<div id="session" [^>]*data-last-seq="(\d+)"/.exec(html)?.[1]);
    const rows = [...html.matchAll(/<tr data-seq="/g)].length;
    expect(rows).toBeGreaterThan(0);
    await page.locator('#stream-status:text-is("live")').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#session-parents tr[data-parent="browser-1"]').count()).toBe(0);

    expect((await submitTwap(session, 'browser-1', 100, 4, 800)).outcome).toBe('accepted');
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
