// The Alpaca adapter end to end: real SDK v4 -> AlpacaAdapter -> execsim's Alpaca gateway on
// 127.0.0.1, in this process. The gateway serves test/fixtures/gateway/alpaca-aapl.yaml (a static
// AAPL book: asks 10 @ 187.50, 100 @ 187.60, 500 @ 187.80; bids 20 @ 187.40, 50 @ 187.30; cash
// 100,000). Every answer is read from the reports the adapter hands its handler; every wait is
// for a condition, bounded.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAlpacaGateway, type AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import {
  AlpacaAdapter,
  type AlpacaAdapterOptions,
  type ConnectionChange,
} from '../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { clientOrderId, parentOrderId, symbol, type ClientOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from '../../src/core/model/order.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { REFUSAL_CLASSES } from '../../src/core/venues/venue-rules.ts';
import { FIXTURE, onCleanup, waitFor } from '../support/gateway-harness.ts';

const KEY = 'adapter-test-key-id';
const SECRET = 'adapter-test-secret-value';
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

async function gateway(file = FIXTURE): Promise<AlpacaGateway> {
  const gw = await startAlpacaGateway({ scenarioFile: file, keyId: KEY, secretKey: SECRET });
  onCleanup(() => gw.close());
  return gw;
}

interface Rig {
  gw: AlpacaGateway;
  adapter: AlpacaAdapter;
  reports: VenueMessage[];
  connections: ConnectionChange[];
  /** Reports of one kind (for one order when given). */
  of<K extends VenueMessage['kind']>(kind: K, cid?: string): Array<Extract<VenueMessage, { kind: K }>>;
  /** Waits for the first report of a kind (for one order when given). */
  next<K extends VenueMessage['kind']>(kind: K, cid?: string, ms?: number): Promise<Extract<VenueMessage, { kind: K }>>;
  /** Waits for the answer to a lookup of one order (not the stream's full states). */
  lookup(cid: string): Promise<Extract<VenueMessage, { kind: 'OrderStatusReport' }>>;
}

async function rig(
  gw: AlpacaGateway,
  options: Partial<AlpacaAdapterOptions> = {},
  { start = true }: { start?: boolean } = {},
): Promise<Rig> {
  const connections: ConnectionChange[] = [];
  const adapter = new AlpacaAdapter({
    instrument: AAPL,
    keyId: KEY,
    secret: SECRET,
    baseUrl: gw.url,
    clock: new WallClock(),
    requestTimeoutMs: 3000,
    reconnectInitialMs: 20,
    cancelConfirm: { firstDelayMs: 20 },
    // The gateway has no market-data websocket yet: quotes come over REST.
    marketData: { stream: false },
    ...options,
  });
  const reports: VenueMessage[] = [];
  adapter.setReportHandler((r) => {
    if (r.kind === 'ConnectionReport') connections.push({ stream: r.stream, state: r.state, reason: r.reason });
    else reports.push(r);
  });
  onCleanup(() => adapter.stop());
  const of = <K extends VenueMessage['kind']>(kind: K, cid?: string) =>
    reports.filter(
      (r): r is Extract<VenueMessage, { kind: K }> =>
        r.kind === kind && (cid === undefined || ('clientOrderId' in r && r.clientOrderId === cid)),
    );
  const next = <K extends VenueMessage['kind']>(kind: K, cid?: string, ms?: number) =>
    waitFor(() => of(kind, cid)[0], ms);
  const lookup = (cid: string) => waitFor(() => of('OrderStatusReport', cid).find((x) => x.source === 'lookup'));
  if (start) {
    adapter.start();
    await waitFor(() => connections.some((c) => c.stream === 'orders' && c.state === 'connected'));
  }
  return { gw, adapter, reports, connections, of, next, lookup };
}

function order(
  id: string,
  side: Side,
  type: OrderType,
  qty: number,
  extra: { limitPrice?: number; tif?: TimeInForce; postOnly?: boolean } = {},
): OrderRequest {
  const { tif, ...rest } = extra;
  return {
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('parent'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('AAPL'),
    side,
    type,
    tif: tif ?? 'DAY',
    qty,
    ...rest,
  };
}

/**
 * Waits until the stream has delivered everything published so far: a probe order's fill comes
 * on the stream after every earlier event (the stream keeps its order).
 */
let probes = 0;
async function streamCaughtUp(r: Rig): Promise<void> {
  const cid = `probe-${++probes}`;
  r.adapter.submit(order(cid, 'buy', 'market', 1));
  await r.next('FillReport', cid);
}

/** The answers (not stream reports) for one order: what its commands produced. */
const kinds = (r: Rig, cid: string) =>
  r.reports.filter((x) => 'clientOrderId' in x && x.clientOrderId === cid).map((x) => x.kind);

describe('AlpacaAdapter against the gateway', () => {
  it('submit: acked with Alpaca id, fills on the stream add up to the order, lookup and account agree', async () => {
    const r = await rig(await gateway());
    r.adapter.submit(order('m-1', 'buy', 'market', 30));
    const ack = await r.next('AckReport', 'm-1');
    expect(ack.venueOrderId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => r.of('FillReport', 'm-1').reduce((s, f) => s + f.qty, 0) >= 30);
    const fills = r.of('FillReport', 'm-1');
    expect(fills.map((f) => [f.qty, f.price, f.fee, f.liquidity])).toEqual([
      [10, 18750, 0, 'taker'],
      [20, 18760, 0, 'taker'],
    ]);
    expect(fills.every((f) => f.venueOrderId === ack.venueOrderId)).toBe(true);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(2);
    for (const f of fills) expect(Math.abs(f.venueTime - Date.now())).toBeLessThan(10_000);

    r.adapter.queryOrder(clientOrderId('m-1'), 7);
    const status = await r.lookup('m-1');
    expect(status).toMatchObject({
      venueOrderId: ack.venueOrderId,
      status: 'filled',
      qty: 30,
      filledQty: 30,
      side: 'buy',
      limitPrice: null,
      source: 'lookup',
      askedAfterSeq: 7,
    });
    expect(status.trades).toBeUndefined();
    // The gateway states the average with 4 decimals more than the tick (187.5667).
    expect(status.avgPrice).toBeCloseTo((10 * 18750 + 20 * 18760) / 30, 3);
    expect(typeof status.updatedAt).toBe('number');

    const askedAt = Date.now();
    r.adapter.queryAccount('read-1');
    const account = await r.next('AccountReport');
    // A snapshot echoes its request's id and says how new it is (no older than the request).
    expect(account.requestId).toBe('read-1');
    expect(account.asOf).toBeGreaterThanOrEqual(askedAt);
    const cost = 10 * 187.5 + 20 * 187.6;
    expect(account).toMatchObject({
      symbol: 'AAPL',
      position: 30,
      quote: Math.round((100_000 - cost) * 100),
      balances: { base: { free: 30, locked: 0 }, quote: { free: Math.round((100_000 - cost) * 100), locked: null } },
    });
    // One answer per command: one ack, and nothing refused.
    expect(kinds(r, 'm-1').filter((k) => k === 'AckReport')).toHaveLength(1);
    expect(r.of('RejectReport')).toEqual([]);
  });

  it('a partial fill, then a cancel by client id alone (the lookup path): one CancelReport', async () => {
    const r = await rig(await gateway());
    // Buy 15 at 187.55: takes the 10 at 187.50, the rest (5) rests below the 187.60 ask.
    r.adapter.submit(order('p-1', 'buy', 'limit', 15, { limitPrice: 18755, tif: 'GTC' }));
    await r.next('AckReport', 'p-1');
    const fill = await r.next('FillReport', 'p-1');
    expect([fill.qty, fill.price]).toEqual([10, 18750]);
    r.adapter.queryOrder(clientOrderId('p-1'));
    const st = await r.lookup('p-1');
    expect(st).toMatchObject({ status: 'partially_filled', qty: 15, filledQty: 10, limitPrice: 18755 });
    expect(st.askedAfterSeq).toBeUndefined();

    r.adapter.cancel(clientOrderId('p-1'), null);
    await r.next('CancelReport', 'p-1');
    const rec = r.gw.orders.byClientOrderId('p-1');
    expect(rec && r.gw.orders.status(rec)).toBe('canceled');
    await streamCaughtUp(r);
    r.adapter.queryOpenOrders();
    const openOrders = await r.next('OpenOrdersReport');
    expect(openOrders.orders).toEqual([]);
    expect(r.of('CancelReport', 'p-1')).toHaveLength(1);
    expect(r.of('CancelRejectReport', 'p-1')).toEqual([]);
  });

  it('a resting limit order is open, then cancels with its venue id; the stream event does not answer twice', async () => {
    const r = await rig(await gateway());
    r.adapter.submit(order('l-1', 'buy', 'limit', 5, { limitPrice: 18700, tif: 'GTC' }));
    const ack = await r.next('AckReport', 'l-1');
    r.adapter.queryOpenOrders();
    const listed = await r.next('OpenOrdersReport');
    expect(listed.orders).toEqual([
      expect.objectContaining({
        clientOrderId: 'l-1',
        venueOrderId: ack.venueOrderId,
        status: 'new',
        qty: 5,
        filledQty: 0,
        side: 'buy',
        limitPrice: 18700,
      }),
    ]);
    r.adapter.queryAccount();
    expect((await r.next('AccountReport')).position).toBe(0);

    r.adapter.cancel(clientOrderId('l-1'), ack.venueOrderId);
    await r.next('CancelReport', 'l-1');
    await streamCaughtUp(r);
    r.adapter.queryOrder(clientOrderId('l-1'));
    expect((await r.lookup('l-1')).status).toBe('canceled');
    expect(r.of('CancelReport', 'l-1')).toHaveLength(1);
  });

  it('cancel of a filled order is not_cancelable (by venue id and by lookup); an unknown order is not_found', async () => {
    const r = await rig(await gateway());
    r.adapter.submit(order('f-1', 'buy', 'market', 1));
    const ack = await r.next('AckReport', 'f-1');
    await r.next('FillReport', 'f-1');
    r.adapter.cancel(clientOrderId('f-1'), ack.venueOrderId);
    const refused = await r.next('CancelRejectReport', 'f-1');
    expect(refused).toMatchObject({ failure: 'not_cancelable', code: '42210000' });
    expect(refused.reason).toContain('filled');

    r.reports.length = 0;
    r.adapter.cancel(clientOrderId('f-1'), null);
    expect((await r.next('CancelRejectReport', 'f-1')).failure).toBe('not_cancelable');

    r.adapter.cancel(clientOrderId('ghost'), null);
    expect((await r.next('CancelRejectReport', 'ghost')).failure).toBe('not_found');
    r.adapter.cancel(clientOrderId('ghost2'), '00000000-0000-4000-8000-000000000000' as never);
    expect((await r.next('CancelRejectReport', 'ghost2')).failure).toBe('not_found');
  });

  it('a duplicate client id is refused with the class of the rules table; post-only is refused before sending', async () => {
    const r = await rig(await gateway());
    r.adapter.submit(order('d-1', 'buy', 'limit', 1, { limitPrice: 18000 }));
    await r.next('AckReport', 'd-1');
    r.adapter.submit(order('d-1', 'buy', 'limit', 1, { limitPrice: 18000 }));
    const refused = await r.next('RejectReport', 'd-1');
    expect(REFUSAL_CLASSES['duplicate-client-id']).toBe('reject');
    expect(refused.code).toBe('40010001');
    expect(refused.reason).toContain('client_order_id must be unique');

    // Insufficient buying power: 40310000, also 'reject'.
    r.adapter.submit(order('big', 'buy', 'limit', 1000, { limitPrice: 18700 }));
    expect((await r.next('RejectReport', 'big')).code).toBe('40310000');

    r.adapter.submit(order('po', 'buy', 'limit', 1, { limitPrice: 18000, postOnly: true }));
    await r.next('RejectReport', 'po');
    expect(r.gw.orders.byClientOrderId('po')).toBeUndefined();
  });

  it('lookup of an unknown client id is OrderNotFoundReport with its stamp', async () => {
    const r = await rig(await gateway(), {}, { start: false });
    r.adapter.queryOrder(clientOrderId('nope'), 42);
    expect(await r.next('OrderNotFoundReport', 'nope')).toEqual({
      kind: 'OrderNotFoundReport',
      clientOrderId: 'nope',
      askedAfterSeq: 42,
    });
  });

  it('orders since: pages of 2 by submission time list every order exactly once', async () => {
    const r = await rig(await gateway(), {}, { start: false });
    const since = Date.now() - 1000;
    const ids: ClientOrderId[] = [];
    for (let i = 0; i < 7; i++) {
      const cid = `s-${i}`;
      r.adapter.submit(order(cid, 'buy', 'limit', 1, { limitPrice: 18000 + i, tif: 'GTC' }));
      await r.next('AckReport', cid);
      ids.push(clientOrderId(cid));
    }
    r.adapter.cancel(clientOrderId('s-3'), null); // one closed: status=all still lists it
    await r.next('CancelReport', 's-3');

    const seen: string[] = [];
    let after: { at: number; venueOrderId: string } | undefined;
    for (let page = 0; page < 10; page++) {
      r.reports.length = 0;
      r.adapter.queryOrdersSince(since, 2, after);
      const got = await r.next('OrdersPageReport');
      expect(got.orders.length).toBeLessThanOrEqual(2);
      expect(got.since).toBe(since);
      seen.push(...got.orders.map((o) => o.clientOrderId));
      if (got.next === null) break;
      after = got.next;
    }
    expect(seen).toEqual(ids);
    // A `since` after every order: an empty last page.
    r.reports.length = 0;
    r.adapter.queryOrdersSince(Date.now() + 60_000, 2);
    expect(await r.next('OrdersPageReport')).toMatchObject({ orders: [], next: null });
  });

  it('bad keys: every answer is a refusal of class reject, and no report or connection event carries the keys', async () => {
    const gw = await gateway();
    const badSecret = 'wrong-secret-do-not-show';
    const r = await rig(gw, { secret: badSecret }, { start: false });
    r.adapter.start();
    r.adapter.submit(order('k-1', 'buy', 'market', 1));
    r.adapter.queryAccount();
    r.adapter.queryOrder(clientOrderId('k-1'));
    r.adapter.queryOpenOrders();
    r.adapter.queryOrdersSince(0, 10);
    r.adapter.cancel(clientOrderId('k-1'), null);
    const rejected = await r.next('RejectReport', 'k-1');
    expect(rejected.code).toBe('40110000');
    await waitFor(() => r.of('QueryFailedReport').length === 4);
    for (const q of r.of('QueryFailedReport')) expect(q).toMatchObject({ failure: 'reject', category: 'refused' });
    // A cancel that was not processed (refused at the door) may be asked again: transient.
    expect((await r.next('CancelRejectReport', 'k-1')).failure).toBe('transient');
    await waitFor(() => r.connections.some((c) => c.stream === 'orders' && c.state === 'disconnected'));
    const text = JSON.stringify([r.reports, r.connections]);
    for (const secret of [KEY, badSecret]) expect(text).not.toContain(secret);
  });

  it('stop closes the stream and leaves nothing reported afterwards', async () => {
    const gw = await gateway();
    const r = await rig(gw);
    expect(gw.stream.size).toBe(1);
    await r.adapter.stop();
    await waitFor(() => gw.stream.size === 0);
    r.adapter.queryAccount();
    r.adapter.submit(order('after-stop', 'buy', 'market', 1));
    // In-flight and later requests are aborted at once (no I/O): their rejections settle
    // within this turn of the event loop, and report nothing.
    await new Promise((res) => setImmediate(res));
    expect(r.reports).toEqual([]);
    expect(gw.orders.byClientOrderId('after-stop')).toBeUndefined();
  });
});

describe('faults on the wire', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'execsim-live-alpaca-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withFault = (name: string, fault: string): string => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, `${readFileSync(FIXTURE, 'utf8')}faults:\n  - ${fault}\n`);
    return file;
  };

  it('429 on orders: RetryableRejectReport (class transient in the rules table); reads still work', async () => {
    const r = await rig(
      await gateway(withFault('rate', '{ kind: rate_limit, from: PT0S, until: PT1H, scope: orders }')),
      {},
      { start: false },
    );
    r.adapter.submit(order('r-1', 'buy', 'market', 1));
    const refused = await r.next('RetryableRejectReport', 'r-1');
    expect(refused.code).toBe('42910000');
    expect(REFUSAL_CLASSES['rate-limited']).toBe('transient');
    r.adapter.queryOrder(clientOrderId('r-1'));
    await r.next('OrderNotFoundReport', 'r-1');
  });

  it('503: OutcomeUnknownReport for the submit; a failed read is QueryFailedReport transient', async () => {
    const r = await rig(
      await gateway(withFault('e5', '{ kind: http_5xx, from: PT0S, until: PT1H }')),
      {},
      { start: false },
    );
    r.adapter.submit(order('x-1', 'buy', 'market', 1));
    const unknown = await r.next('OutcomeUnknownReport', 'x-1');
    expect(unknown.request).toBe('submit');
    expect(unknown.reason).toContain('503');
    expect(unknown.category).toBe('server');
    expect(kinds(r, 'x-1')).toEqual(['OutcomeUnknownReport']);
  });

  it('a request that outlives the timeout: OutcomeUnknownReport, and a lookup by client id finds the order', async () => {
    const r = await rig(
      await gateway(
        withFault('out', '{ kind: outage, from: PT0S, until: PT1S, mode: timeout_after, timeoutMs: 4000 }'),
      ),
      { requestTimeoutMs: 200 },
      { start: false },
    );
    const t0 = Date.now();
    r.adapter.submit(order('t-1', 'buy', 'market', 1));
    const unknown = await r.next('OutcomeUnknownReport', 't-1');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(unknown).toMatchObject({ request: 'submit', category: 'timeout' });
    expect(unknown.reason).toMatch(/timed out/i);
    // timeout_after: the venue executed it. Reads fail while the outage lasts (each lookup times
    // out as a QueryFailedReport); asked again, a lookup after the window finds the order filled.
    let found: Extract<VenueMessage, { kind: 'OrderStatusReport' }> | undefined;
    for (let attempt = 1; attempt <= 20 && found === undefined; attempt++) {
      const failedBefore = r.of('QueryFailedReport', 't-1').length;
      r.adapter.queryOrder(clientOrderId('t-1'));
      await waitFor(
        () => r.of('OrderStatusReport', 't-1').length > 0 || r.of('QueryFailedReport', 't-1').length > failedBefore,
      );
      found = r.of('OrderStatusReport', 't-1').find((x) => x.source === 'lookup');
    }
    expect(found?.filledQty).toBe(1);
    expect(r.of('QueryFailedReport', 't-1').every((f) => f.failure === 'transient')).toBe(true);
  });
});

describe('stream connection life cycle', () => {
  it('a server-side drop reports disconnected then connected; an order filled meanwhile is found by lookup', async () => {
    const gw = await gateway();
    const r = await rig(gw, { reconnectInitialMs: 200 });
    expect(r.connections).toEqual([expect.objectContaining({ stream: 'orders', state: 'connected' })]);
    gw.stream.dropAll();
    await waitFor(() => r.connections.some((c) => c.state === 'disconnected'));
    // While the stream is down: a market order fills; its events may be lost.
    r.adapter.submit(order('gap-1', 'buy', 'market', 5));
    await r.next('AckReport', 'gap-1');
    await waitFor(() => r.connections.filter((c) => c.state === 'connected').length === 2);
    expect(r.connections.map((c) => `${c.stream}:${c.state}`)).toEqual([
      'orders:connected',
      'orders:disconnected',
      'orders:connected',
    ]);
    r.adapter.queryOrdersSince(0, 10);
    const page = await r.next('OrdersPageReport');
    expect(page.orders).toEqual([expect.objectContaining({ clientOrderId: 'gap-1', status: 'filled', filledQty: 5 })]);
    // After the reconnect the stream delivers again.
    r.adapter.submit(order('post-1', 'buy', 'market', 2));
    await waitFor(() => r.of('FillReport', 'post-1').reduce((s, f) => s + f.qty, 0) === 2);
  });
});

describe('market data over REST', () => {
  it('top of book in ticks and lots, arrival time, and the tape from polling', async () => {
    const gw = await gateway();
    const before = Date.now();
    const r = await rig(gw, { marketData: { stream: false, pollMs: 20 } });
    const aapl = symbol('AAPL');
    await waitFor(() => r.adapter.topOfBook(aapl).bid !== null);
    expect(r.adapter.topOfBook(aapl)).toEqual({ bid: 18740, bidQty: 20, ask: 18750, askQty: 10 });
    const at = r.adapter.lastUpdateAt(aapl) as number;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(r.adapter.lastUpdateAt(symbol('MSFT'))).toBeNull();
    expect(r.adapter.tradesSince?.(aapl, 0)).toMatchObject({ trades: 0, last: null });

    r.adapter.submit(order('md-1', 'buy', 'market', 30));
    await waitFor(() => (r.adapter.tradesSince?.(aapl, 0).trades ?? 0) >= 1);
    const tape = r.adapter.tradesSince?.(aapl, 0);
    expect(tape?.last).toBe(18760);
    const w = r.adapter.window(aapl, before, Date.now());
    expect(w.volume).toBeGreaterThan(0);
    expect(w.twapMid).not.toBeNull();
  });
});

// The gateway's market-data websocket (/v2/iex) is being added on another branch; until it is
// in this tree this test is skipped. Checked by hand against that branch: quotes and both
// executions of a 30-lot market buy arrived through the SDK's msgpack stream.
const gatewayHasMarketStream = existsSync('src/gateway/alpaca/market-stream.ts');

describe('market data over the SDK stream', () => {
  it.skipIf(!gatewayHasMarketStream)(
    'quotes and every trade arrive on the stream; the connection is reported',
    async () => {
      const gw = await gateway();
      const r = await rig(gw, { marketData: { stream: true } });
      const aapl = symbol('AAPL');
      await waitFor(() => r.connections.some((c) => c.stream === 'market_data' && c.state === 'connected'));
      await waitFor(() => r.adapter.topOfBook(aapl).bid !== null);
      expect(r.adapter.topOfBook(aapl)).toEqual({ bid: 18740, bidQty: 20, ask: 18750, askQty: 10 });
      r.adapter.submit(order('mds-1', 'buy', 'market', 30));
      await waitFor(() => (r.adapter.tradesSince?.(aapl, 0).volume ?? 0) >= 30);
      expect(r.adapter.tradesSince?.(aapl, 0)).toMatchObject({ trades: 2, volume: 30, last: 18760 });
    },
  );
});
