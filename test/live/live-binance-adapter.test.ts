// The Binance adapter end to end: the real ccxt library over loopback to execsim's Binance
// gateway, on a static BTCUSDT book (asks 0.1 @ 65000, 1 @ 65001, 5 @ 65003; bids 0.2 @ 64999,
// 0.5 @ 64998; 1,000,000 USDT and no BTC; no fees). Both streams connect, the book reaches the
// top of book, a market order's two executions are told by the POST answer, the stream and the
// lookup and counted once, a resting order is cancelled once, the listings and the account agree.
// Real sockets on 127.0.0.1; every wait is a bounded condition.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { OrderRequest } from '../../src/core/model/order.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { runPaper, VenueUnavailable } from '../../src/runtime/paper-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, BTC_FIXTURE, binanceGateway } from '../support/binance-gateway-harness.ts';
import { onCleanup, waitFor } from '../support/gateway-harness.ts';

const BTCUSDT = symbol('BTCUSDT');
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-binance-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The static book with the scenario's `faults:` appended (windows count from the gateway's start). */
const withFaults = (name: string, ...faults: string[]): string => {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `${readFileSync(BTC_FIXTURE, 'utf8')}faults:\n${faults.map((f) => `  - ${f}\n`).join('')}`);
  return file;
};

const order = (cid: string, over: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: clientOrderId(cid),
  parentId: parentOrderId(`p-${cid}`),
  sliceNum: 1,
  totalSlices: 1,
  scheduledTime: 0,
  symbol: BTCUSDT,
  side: 'buy',
  type: 'market',
  tif: 'GTC',
  qty: 15_000, // 0.15 BTC
  postOnly: false,
  ...over,
});

async function started(runId = 'run-e2e-1', file = BTC_FIXTURE) {
  const gw = await binanceGateway(file);
  const adapter = new BinanceAdapter({
    instrument: makeInstrument(gw.venue.scenario.instrument),
    runId,
    apiKey: API_KEY,
    secret: API_SECRET,
    url: gw.url,
    clock: new WallClock(),
    requestTimeoutMs: 3000,
    reconnectInitialMs: 50,
  });
  const reports: VenueMessage[] = [];
  adapter.setReportHandler((m) => reports.push(m));
  onCleanup(() => adapter.stop());
  const connected = (stream: 'orders' | 'market_data') =>
    reports.some((r) => r.kind === 'ConnectionReport' && r.stream === stream && r.state === 'connected');
  adapter.start();
  await waitFor(() => connected('orders') && connected('market_data'));
  const of = <K extends VenueMessage['kind']>(kind: K, cid?: string) =>
    reports.filter(
      (r): r is Extract<VenueMessage, { kind: K }> =>
        r.kind === kind && (cid === undefined || ('clientOrderId' in r && r.clientOrderId === cid)),
    );
  return { gw, adapter, reports, of };
}

describe('the Binance adapter over the local Binance gateway', () => {
  it('connects both streams and shows the book as its top', async () => {
    const { adapter } = await started();
    await waitFor(() => adapter.topOfBook(BTCUSDT).ask !== null);
    expect(adapter.topOfBook(BTCUSDT)).toEqual({ bid: 6_499_900, bidQty: 20_000, ask: 6_500_000, askQty: 10_000 });
  });

  it("a market order's executions are counted once across the POST answer, the stream and the lookup", async () => {
    const { adapter, of } = await started();
    adapter.submit(order('x00000000000000000000mkt1', {}));
    await waitFor(() => of('AckReport', 'x00000000000000000000mkt1').length === 1);
    // 0.15 takes 0.1 at 65000 and 0.05 at 65001: two executions.
    await waitFor(() => of('FillReport', 'x00000000000000000000mkt1').length >= 2);
    adapter.queryOrder(clientOrderId('x00000000000000000000mkt1'), 7);
    const [status] = await waitFor(() => {
      const s = of('OrderStatusReport', 'x00000000000000000000mkt1').filter((r) => r.source === 'lookup');
      return s.length > 0 && s;
    });
    expect(status).toMatchObject({ status: 'filled', qty: 15_000, filledQty: 15_000, askedAfterSeq: 7 });
    const fills = of('FillReport', 'x00000000000000000000mkt1');
    expect(fills.map((f) => [f.qty, f.price])).toEqual([
      [10_000, 6_500_000],
      [5_000, 6_500_100],
    ]);
    expect(status?.trades?.map((t) => t.tradeId).sort()).toEqual(fills.map((f) => f.tradeId).sort());
    // The stream tells the same executions after the answer did: still two.
    adapter.queryAccount('after');
    const [account] = await waitFor(() => of('AccountReport').length > 0 && of('AccountReport'));
    expect(account).toMatchObject({ requestId: 'after', symbol: 'BTCUSDT', position: 15_000 });
    expect(of('FillReport', 'x00000000000000000000mkt1')).toHaveLength(2);
  });

  it('a resting order is acknowledged, listed, cancelled once, and listed again as cancelled', async () => {
    const { adapter, of, gw } = await started();
    const since = gw.venue.startedAt;
    adapter.submit(order('x00000000000000000000lmt1', { type: 'limit', limitPrice: 6_499_000, qty: 1_000 }));
    await waitFor(() => of('AckReport', 'x00000000000000000000lmt1').length === 1);
    adapter.queryOpenOrders('open');
    const [open] = await waitFor(() => of('OpenOrdersReport').length > 0 && of('OpenOrdersReport'));
    expect(open?.orders).toEqual([
      expect.objectContaining({
        clientOrderId: 'x00000000000000000000lmt1',
        status: 'new',
        qty: 1_000,
        limitPrice: 6_499_000,
      }),
    ]);
    adapter.cancel(clientOrderId('x00000000000000000000lmt1'), null);
    await waitFor(() => of('CancelReport', 'x00000000000000000000lmt1').length === 1);
    adapter.queryOrdersSince(since, 10, undefined, 'page');
    const [page] = await waitFor(() => of('OrdersPageReport').length > 0 && of('OrdersPageReport'));
    expect(page?.orders).toEqual([
      expect.objectContaining({ clientOrderId: 'x00000000000000000000lmt1', status: 'canceled', filledQty: 0 }),
    ]);
    expect(page?.next).toBeNull();
    expect(of('CancelReport', 'x00000000000000000000lmt1')).toHaveLength(1);
  });

  it("a lookup by client id never finds another run's order with the same local id", async () => {
    const { adapter: first, of: seen1, gw } = await started('run-e2e-a');
    first.submit(order('x00000000000000000000same', { type: 'limit', limitPrice: 6_499_000, qty: 1_000 }));
    await waitFor(() => seen1('AckReport').length === 1);
    const second = new BinanceAdapter({
      instrument: makeInstrument(gw.venue.scenario.instrument),
      runId: 'run-e2e-b',
      apiKey: API_KEY,
      secret: API_SECRET,
      url: gw.url,
      clock: new WallClock(),
      requestTimeoutMs: 3000,
      marketData: { stream: false },
    });
    onCleanup(() => second.stop());
    const reports: VenueMessage[] = [];
    second.setReportHandler((m) => reports.push(m));
    second.queryOrder(clientOrderId('x00000000000000000000same'));
    await waitFor(() => reports.length > 0);
    expect(reports).toEqual([{ kind: 'OrderNotFoundReport', clientOrderId: 'x00000000000000000000same' }]);
  });

  it('a client id still open is refused as a duplicate; a post-only order rests as LIMIT_MAKER', async () => {
    const { adapter, of, gw } = await started();
    adapter.submit(
      order('x0000000000000000000post1', { type: 'limit', limitPrice: 6_499_500, qty: 1_000, postOnly: true }),
    );
    await waitFor(() => of('AckReport', 'x0000000000000000000post1').length === 1);
    adapter.submit(order('x0000000000000000000post1', { type: 'limit', limitPrice: 6_499_500, qty: 1_000 }));
    const [dup] = await waitFor(() => of('RejectReport', 'x0000000000000000000post1').length > 0 && of('RejectReport'));
    expect(dup).toMatchObject({ code: '-2010', reason: '-2010 Duplicate order sent.', duplicate: true });
    // Our client id on the wire: the run's 11-character prefix, then ours, 36 characters in all.
    expect(gw.orders.orders()).toEqual([
      expect.objectContaining({
        type: 'limit',
        postOnly: true,
        clientOrderId: expect.stringMatching(/^E[A-Za-z0-9_-]{10}x0000000000000000000post1$/),
      }),
    ]);
  });

  it('-1007 in a 5xx window is an unknown outcome; 429 in a rate-limit window a retryable refusal', async () => {
    const { adapter, of, gw } = await started(
      'run-e2e-faults',
      withFaults(
        'answers',
        '{ kind: http_5xx, from: PT1S, until: PT2S, probability: 1 }',
        '{ kind: rate_limit, from: PT2S, until: PT1H, scope: all }',
      ),
    );
    await waitFor(() => Date.now() >= gw.venue.startedAt + 1100);
    adapter.submit(order('x00000000000000000000u5xx', {}));
    const [unknown] = await waitFor(() => of('OutcomeUnknownReport').length > 0 && of('OutcomeUnknownReport'));
    expect(unknown).toMatchObject({
      clientOrderId: 'x00000000000000000000u5xx',
      request: 'submit',
      category: 'timeout',
    });
    expect(unknown?.reason).toMatch(/^-1007 /);
    await waitFor(() => Date.now() >= gw.venue.startedAt + 2100);
    adapter.submit(order('x00000000000000000000r429', {}));
    const [limited] = await waitFor(() => of('RetryableRejectReport').length > 0 && of('RetryableRejectReport'));
    expect(limited).toMatchObject({ clientOrderId: 'x00000000000000000000r429', code: '-1003' });
    const text = JSON.stringify(of('OutcomeUnknownReport').concat(of('RetryableRejectReport') as never[]));
    expect(text).not.toContain(API_SECRET);
    expect(text).not.toMatch(/signature=[0-9a-f]/);
  });

  it('a paper run whose instrument disagrees with the filters is refused before anything is sent or stored', async () => {
    const gw = await binanceGateway();
    const store = new RunStore(openDatabase(path.join(dir, 'refused.db')));
    onCleanup(() => void store.db.close());
    const text = readFileSync('scenarios/twap-calm.yaml', 'utf8').replace('lotSize: "0.00001"', 'lotSize: "0.001"');
    expect(text).toContain('lotSize: "0.001"');
    const err = await runPaper(parseScenario(text, 'twap-calm.yaml'), {
      store,
      venueUrl: gw.url,
      marketHours: 'always',
      venue: (instrument, clock, runId) =>
        new BinanceAdapter({ instrument, clock, runId, url: gw.url, apiKey: API_KEY, secret: API_SECRET }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueUnavailable);
    expect((err as Error).message).toBe(
      `the venue at ${gw.url} refuses the run: the scenario's instrument disagrees with Binance's filters for BTCUSDT: ` +
        "instrument.lotSize is 0.001 but Binance's LOT_SIZE stepSize is 0.00001; nothing was sent",
    );
    expect(store.listRuns()).toEqual([]);
    expect(gw.orders.orders()).toEqual([]);
  });
});
