// A smoke test of the Binance adapter's REST side through the real ccxt library over loopback.
// TEMPORARY: the server below is a throwaway that answers a handful of REST calls exactly as
// the spot API docs show them (exchangeInfo, POST/GET/DELETE order, myTrades, account), to run
// the adapter end to end before the local Binance gateway exists; the contract suite over that
// gateway replaces it (and covers the websockets, which this does not).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../src/core/model/ids.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import type { OrderRequest } from '../src/core/model/order.ts';
import type { VenueMessage } from '../src/core/model/reports.ts';
import { BinanceAdapter } from '../src/live/binance/binance-adapter.ts';
import { WallClock } from '../src/live/wall-clock.ts';
import { runPaper, VenueUnavailable } from '../src/runtime/paper-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { EXCHANGE_INFO } from './support/binance-markets.ts';

const KEY = 'smoke-api-key-0123456789';
const SECRET = 'smoke-secret-9876543210';
const INSTRUMENT = { symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' };

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly apiKey: string | undefined;
}

type Answer = { status: number; body: unknown };

/** The throwaway venue: each route answers from `routes`, and every request is recorded. */
async function venue(routes: Record<string, (p: URLSearchParams) => Answer>) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
      const apiKey = req.headers['x-mbx-apikey'];
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        params,
        apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      });
      const route = routes[`${req.method} ${url.pathname}`];
      const answer = route ? route(params) : { status: 404, body: { code: -1000, msg: 'no such route here' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  // No websockets here: an upgrade is recorded and its socket destroyed.
  const upgrades: string[] = [];
  server.on('upgrade', (req: IncomingMessage, socket: { destroy(): void }) => {
    upgrades.push(req.url ?? '');
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    upgrades,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const exchangeInfo = (): Answer => ({ status: 200, body: { ...EXCHANGE_INFO, serverTime: Date.now() } });

/** An order as GET/DELETE/POST answer it, for the client id the request named. */
const order = (cid: string, over: Record<string, unknown> = {}) => ({
  symbol: 'BTCUSDT',
  orderId: 4242,
  orderListId: -1,
  clientOrderId: cid,
  transactTime: 1772323200100,
  price: '100000.00000000',
  origQty: '0.00300000',
  executedQty: '0.00000000',
  cummulativeQuoteQty: '0.00000000',
  status: 'NEW',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  time: 1772323200100,
  updateTime: 1772323200100,
  workingTime: 1772323200100,
  selfTradePreventionMode: 'NONE',
  ...over,
});

const request = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: clientOrderId('x0123456789abcdef01234567'),
  parentId: parentOrderId('p1'),
  sliceNum: 1,
  totalSlices: 1,
  scheduledTime: 0,
  symbol: symbol('BTCUSDT'),
  side: 'buy',
  type: 'limit',
  tif: 'GTC',
  qty: 300,
  limitPrice: 10_000_000,
  postOnly: false,
  ...over,
});

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function adapterOn(
  routes: Record<string, (p: URLSearchParams) => Answer>,
  instrument = INSTRUMENT,
  stream = false,
) {
  const v = await venue({ 'GET /api/v3/exchangeInfo': exchangeInfo, ...routes });
  const adapter = new BinanceAdapter({
    instrument: makeInstrument(instrument),
    runId: 'run-smoke-1',
    apiKey: KEY,
    secret: SECRET,
    url: v.url,
    clock: new WallClock(),
    requestTimeoutMs: 2000,
    marketData: { stream },
  });
  const reports: VenueMessage[] = [];
  adapter.setReportHandler((m) => reports.push(m));
  cleanup.push(async () => {
    await adapter.stop();
    await v.close();
  });
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (reports.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${reports.length} reports: ${JSON.stringify(reports)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return reports;
  };
  return { adapter, reports, until, seen: v.seen, upgrades: v.upgrades };
}

describe('the Binance adapter over loopback (throwaway REST venue)', () => {
  it('loads the markets with one request, and submits with the namespaced client id and FULL', async () => {
    const { adapter, until, seen } = await adapterOn({
      'POST /api/v3/order': (p) => ({
        status: 200,
        body: order(p.get('newClientOrderId') ?? '', {
          type: 'LIMIT',
          timeInForce: 'IOC',
          status: 'EXPIRED',
          executedQty: '0.00100000',
          cummulativeQuoteQty: '100.00000000',
          fills: [
            {
              price: '100000.00000000',
              qty: '0.00100000',
              commission: '0.00000150',
              commissionAsset: 'BNB',
              tradeId: 56,
            },
          ],
        }),
      }),
    });
    adapter.submit(request({ tif: 'IOC' }));
    const reports = await until(3);
    expect(reports.map((r) => r.kind)).toEqual(['AckReport', 'FillReport', 'ExpiredReport']);
    expect(reports[1]).toMatchObject({
      clientOrderId: 'x0123456789abcdef01234567',
      venueOrderId: '4242',
      tradeId: '56',
      qty: 100,
      price: 10_000_000,
      liquidity: 'taker',
      fee: 0,
      commission: { asset: 'BNB', amount: '0.0000015' },
    });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/exchangeInfo', 'POST /api/v3/order']);
    const post = seen[1];
    expect(post?.params.get('newClientOrderId')).toMatch(/^E[A-Za-z0-9_-]{10}x0123456789abcdef01234567$/);
    expect(post?.params.get('newClientOrderId')).toHaveLength(36);
    expect(post?.params.get('newOrderRespType')).toBe('FULL');
    expect(post?.params.get('timeInForce')).toBe('IOC');
    expect(post?.params.get('quantity')).toBe('0.003');
    expect(post?.params.get('price')).toBe('100000');
    expect(post?.params.get('signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(post?.apiKey).toBe(KEY);
  });

  it("answers Binance's refusals and lost answers with their class, and no key or signature in any text", async () => {
    let answer: Answer = { status: 400, body: { code: -2010, msg: 'Duplicate order sent.' } };
    const { adapter, until } = await adapterOn({ 'POST /api/v3/order': () => answer });
    adapter.submit(request());
    await until(1);
    answer = {
      status: 503,
      body: {
        code: -1007,
        msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      },
    };
    adapter.submit(request());
    await until(2);
    answer = { status: 429, body: { code: -1003, msg: 'Too much request weight used.' } };
    adapter.submit(request());
    const reports = await until(3);
    expect(reports[0]).toMatchObject({ kind: 'RejectReport', code: '-2010', duplicate: true });
    expect(reports[1]).toMatchObject({ kind: 'OutcomeUnknownReport', request: 'submit', category: 'timeout' });
    expect(reports[2]).toMatchObject({ kind: 'RetryableRejectReport' });
    const text = JSON.stringify(reports);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/signature=[0-9a-f]/);
  });

  it('cancels by client id; an order already filled answers not_cancelable after a lookup', async () => {
    let deleted: Answer = { status: 200, body: order('', { status: 'CANCELED' }) };
    const { adapter, until, seen } = await adapterOn({
      'DELETE /api/v3/order': (p) =>
        deleted.status === 200
          ? { status: 200, body: order(p.get('origClientOrderId') ?? '', { status: 'CANCELED' }) }
          : deleted,
      'GET /api/v3/order': (p) => ({
        status: 200,
        body: order(p.get('origClientOrderId') ?? '', {
          status: 'FILLED',
          executedQty: '0.00300000',
          cummulativeQuoteQty: '300',
        }),
      }),
      'GET /api/v3/myTrades': () => ({ status: 200, body: [] }),
    });
    adapter.cancel(clientOrderId('x0123456789abcdef01234567'), null);
    await until(1);
    deleted = { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
    adapter.cancel(clientOrderId('x0123456789abcdef01234567'), null);
    const reports = await until(2);
    expect(reports[0]).toEqual({ kind: 'CancelReport', clientOrderId: 'x0123456789abcdef01234567' });
    expect(reports[1]).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_cancelable' });
    const del = seen.find((s) => s.method === 'DELETE');
    expect(del?.params.get('origClientOrderId')).toMatch(/^E.{10}x0123456789abcdef01234567$/);
  });

  it('reads the account: the base and quote balances, free and locked, in lots and notional units', async () => {
    const { adapter, until } = await adapterOn({
      'GET /api/v3/account': () => ({
        status: 200,
        body: {
          makerCommission: 10,
          takerCommission: 10,
          canTrade: true,
          accountType: 'SPOT',
          balances: [
            { asset: 'BTC', free: '0.50000000', locked: '0.00100000' },
            { asset: 'USDT', free: '1000.00000000', locked: '50.00000000' },
            { asset: 'BNB', free: '1.00000000', locked: '0.00000000' },
          ],
          permissions: ['SPOT'],
          uid: 1,
        },
      }),
    });
    adapter.queryAccount('baseline');
    const [account] = await until(1);
    expect(account).toMatchObject({
      kind: 'AccountReport',
      requestId: 'baseline',
      symbol: 'BTCUSDT',
      position: 50_100,
      quote: 10_500_000_000,
      balances: { base: { free: 50_000, locked: 100 }, quote: { free: 10_000_000_000, locked: 500_000_000 } },
    });
    expect(typeof (account as { asOf?: unknown }).asOf).toBe('number');
  });

  it('refuses an instrument that disagrees with the filters before anything is sent', async () => {
    const { adapter, until, seen } = await adapterOn({}, { ...INSTRUMENT, tickSize: '0.1' });
    expect(await adapter.instrumentRefusal()).toMatch(
      /instrument\.tickSize is 0\.1 but Binance's PRICE_FILTER tickSize is 0\.01/,
    );
    adapter.submit(request({ limitPrice: 1_000_000 }));
    const [reject] = await until(1);
    expect(reject).toMatchObject({ kind: 'RejectReport', code: 'instrument' });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/exchangeInfo']);
  });

  it('a paper run whose instrument disagrees with the filters is refused before anything is sent or stored', async () => {
    const v = await venue({ 'GET /api/v3/exchangeInfo': exchangeInfo });
    const dir = mkdtempSync(path.join(tmpdir(), 'execsim-binance-smoke-'));
    const store = new RunStore(openDatabase(path.join(dir, 'runs.db')));
    cleanup.push(async () => {
      store.db.close();
      rmSync(dir, { recursive: true, force: true });
      await v.close();
    });
    const text = readFileSync('scenarios/twap-calm.yaml', 'utf8').replace('lotSize: "0.00001"', 'lotSize: "0.001"');
    expect(text).toContain('lotSize: "0.001"');
    const err = await runPaper(parseScenario(text, 'twap-calm.yaml'), {
      store,
      venueUrl: v.url,
      marketHours: 'always',
      venue: (instrument, clock, runId) =>
        new BinanceAdapter({
          instrument,
          clock,
          runId,
          url: v.url,
          apiKey: KEY,
          secret: SECRET,
          marketData: { stream: false },
        }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueUnavailable);
    expect((err as Error).message).toBe(
      `the venue at ${v.url} refuses the run: the scenario's instrument disagrees with Binance's filters for BTCUSDT: ` +
        "instrument.lotSize is 0.001 but Binance's LOT_SIZE stepSize is 0.00001; nothing was sent",
    );
    expect(store.listRuns()).toEqual([]);
    expect(v.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/exchangeInfo']);
  });

  it('dials the user data stream and the market streams at the local paths, and survives their refusal quietly', async () => {
    const { adapter, reports, upgrades } = await adapterOn({}, INSTRUMENT, true);
    adapter.start();
    const deadline = Date.now() + 5000;
    const dialed = () => ['/ws-api/v3', '/ws/0', '/ws/1', '/ws/2'].every((p) => upgrades.includes(p));
    while (!dialed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(upgrades).toEqual(expect.arrayContaining(['/ws-api/v3', '/ws/0', '/ws/1', '/ws/2']));
    // Never connected, so no connection changed: nothing to report (and nothing crashed: a failed
    // subscription left no unhandled rejection behind).
    await adapter.stop();
    expect(reports).toEqual([]);
  });

  it('a post-only order is a LIMIT_MAKER without a time in force; a market order has no price', async () => {
    const { adapter, until, seen } = await adapterOn({
      'POST /api/v3/order': (p) => ({
        status: 200,
        body: order(p.get('newClientOrderId') ?? '', { type: p.get('type') }),
      }),
    });
    adapter.submit(request({ postOnly: true }));
    const { limitPrice: _limit, ...marketOrder } = request({
      clientOrderId: clientOrderId('x0123456789abcdef0123456m'),
    });
    adapter.submit({ ...marketOrder, type: 'market' });
    await until(2);
    const posts = seen.filter((s) => s.method === 'POST').map((s) => Object.fromEntries(s.params));
    const maker = posts.find((p) => p['type'] === 'LIMIT_MAKER');
    expect(maker).toMatchObject({ side: 'BUY', quantity: '0.003', price: '100000' });
    expect(maker?.['timeInForce']).toBeUndefined();
    const market = posts.find((p) => p['type'] === 'MARKET');
    expect(market).toMatchObject({ quantity: '0.003' });
    expect(market?.['price']).toBeUndefined();
    expect(market?.['quoteOrderQty']).toBeUndefined();
  });

  it('a submit whose markets cannot be read was never sent: a retryable refusal, not an unknown outcome', async () => {
    const adapter = new BinanceAdapter({
      instrument: makeInstrument(INSTRUMENT),
      runId: 'run-smoke-2',
      apiKey: KEY,
      secret: SECRET,
      url: 'http://127.0.0.1:9', // the discard port: connection refused
      clock: new WallClock(),
      requestTimeoutMs: 2000,
      marketData: { stream: false },
    });
    cleanup.push(() => adapter.stop());
    const reports: VenueMessage[] = [];
    adapter.setReportHandler((m) => reports.push(m));
    adapter.submit(request());
    const deadline = Date.now() + 5000;
    while (reports.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      kind: 'RetryableRejectReport',
      reason: expect.stringMatching(/^not sent: the venue's markets could not be read: /),
    });
    expect(await adapter.instrumentRefusal()).toBeNull(); // unreachable is not a refusal: the account read says it
  });
});
