// The real Alpaca SDK (v4) against `execsim gateway alpaca` over loopback sockets: orders, lookups,
// lists with paging, cancels, the account and positions, the trade_updates stream, and Alpaca's
// error answers. The gateway serves test/fixtures/gateway/alpaca-aapl.yaml (a static AAPL book:
// 10 at 187.50, 100 at 187.60, 500 at 187.80; 20 at 187.40 and 50 at 187.30), with 1 ms latency.
// No sleeps: every wait is for a condition, bounded.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { FIXTURE, gateway, KEY, onCleanup, refusal, SECRET, waitFor } from '../support/gateway-harness.ts';

async function client(gw: AlpacaGateway, keyId = KEY, secret = SECRET) {
  const c = gatewayClient(gw.url, keyId, secret);
  const updates: sdkStreaming.TradeUpdate[] = [];
  const listening: unknown[] = [];
  c.updates.onTradeUpdate((u) => updates.push(u));
  c.updates.on('subscription' as never, (s: unknown) => listening.push(s));
  onCleanup(() => c.updates.disconnect());
  return { ...c, updates, listening, stream: c.updates };
}

async function streaming(gw: AlpacaGateway) {
  const c = await client(gw);
  c.stream.connect();
  expect((await c.stream.whenAuthenticated()).authenticated).toBe(true);
  await waitFor(() => c.listening.length >= 1);
  return c;
}

describe('execsim gateway alpaca, through the real SDK', () => {
  it('a market order is acked, fills in two executions, and GET, the stream, positions and account agree', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const before = await c.alpaca.trading.account.getAccount();
    expect(before.status).toBe('ACTIVE');
    expect(before.cash).toBe('100000');

    const posted = await c.alpaca.trading.orders.market({ symbol: 'AAPL', qty: 30, side: 'buy', clientOrderId: 'm-1' });
    expect(posted.clientOrderId).toBe('m-1');
    expect(posted.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted.qty).toBe('30');
    const filled = await waitFor(async () => {
      const o = await c.alpaca.trading.orders.getOrderByOrderID({ orderId: posted.id as string });
      return o.status === 'filled' && o;
    });
    expect(filled.filledQty).toBe('30');
    expect(Number(filled.filledAvgPrice)).toBeCloseTo((10 * 187.5 + 20 * 187.6) / 30, 5);
    const byClient = await c.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: 'm-1' });
    expect(byClient.id).toBe(posted.id);

    // The stream: new, then one event per execution with its own qty and price, the last a fill.
    await waitFor(() => c.updates.some((u) => u.event === 'fill'));
    const mine = c.updates.filter((u) => u.order.id === posted.id);
    expect(mine.map((u) => u.event)).toEqual(['new', 'partial_fill', 'fill']);
    const execs = mine.filter((u) => u.executionId);
    expect(execs.map((u) => [u.qty, u.price, u.positionQty])).toEqual([
      ['10', '187.5', '10'],
      ['20', '187.6', '30'],
    ]);
    expect(new Set(execs.map((u) => u.executionId)).size).toBe(2);
    const qty = execs.reduce((s, u) => s + Number(u.qty), 0);
    const vwap = execs.reduce((s, u) => s + Number(u.qty) * Number(u.price), 0) / qty;
    expect(String(qty)).toBe(filled.filledQty);
    expect(vwap).toBeCloseTo(Number(filled.filledAvgPrice), 5);
    expect(mine[1]?.order.filledQty).toBe('10'); // the snapshot as of that execution
    // listen came twice (subscribe in onConnect, then the SDK's resubscribe): no event twice.
    expect(c.listening.length).toBeGreaterThanOrEqual(2);

    const positions = await c.alpaca.trading.positions.getAllOpenPositions();
    expect(positions.map((p) => [p.symbol, p.qty, p.side])).toEqual([['AAPL', '30', 'long']]);
    expect(Number(positions[0]?.avgEntryPrice)).toBeCloseTo(Number(filled.filledAvgPrice), 5);
    const after = await c.alpaca.trading.account.getAccount();
    expect(after.cash).toBe(String(100000 - (10 * 187.5 + 20 * 187.6)));
    expect(await c.alpaca.marketData.getLatestPrice('AAPL')).toBe(187.6);
  });

  it('a resting limit order is listed open, cancels (pending_cancel, canceled), and a second cancel is 422', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const o = await c.alpaca.trading.orders.limit({
      symbol: 'AAPL',
      qty: '5',
      side: 'buy',
      limitPrice: 187,
      timeInForce: 'gtc',
      clientOrderId: 'l-1',
    });
    expect(o.status).toBe('new');
    expect(o.limitPrice).toBe('187');
    expect(o.timeInForce).toBe('gtc');
    const openOrders = await c.alpaca.trading.orders.getAllOrders({ status: 'open' });
    expect(openOrders.map((x) => x.id)).toEqual([o.id]);
    expect((await c.alpaca.trading.account.getAccount()).buyingPower).toBe(String(100000 - 5 * 187));

    await c.alpaca.trading.orders.deleteOrderByOrderID({ orderId: o.id as string });
    const canceled = await c.alpaca.trading.orders.getOrderByOrderID({ orderId: o.id as string });
    expect(canceled.status).toBe('canceled');
    await waitFor(() => c.updates.some((u) => u.event === 'canceled'));
    expect(c.updates.map((u) => u.event)).toEqual(['new', 'pending_cancel', 'canceled']);
    expect(await c.alpaca.trading.orders.getAllOrders({ status: 'open' })).toEqual([]);
    const closed = await c.alpaca.trading.orders.getAllOrders({ status: 'closed' });
    expect(closed.map((x) => x.id)).toEqual([o.id]);

    const again = await refusal(c.alpaca.trading.orders.deleteOrderByOrderID({ orderId: o.id as string }));
    expect(again).toMatchObject({ status: 422, code: 42210000 });
    expect(again.message).toContain('"canceled"');
  });

  it('closes a position by qty, by percentage and whole, and all positions after cancelling the orders holding them', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    const positionQty = async () => (await alpaca.trading.positions.getAllOpenPositions()).map((p) => p.qty);
    const settled = (id: string | undefined) =>
      waitFor(async () => {
        const o = await alpaca.trading.orders.getOrderByOrderID({ orderId: id as string });
        return o.status === 'filled' && o;
      });
    expect(await alpaca.trading.positions.deleteAllOpenPositions()).toEqual([]);
    expect(await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL' }))).toMatchObject({
      status: 404,
      code: 40410000,
    });
    await settled((await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 30, side: 'buy' })).id);

    // By qty: a market sell of that many, answered as the order.
    const byQty = await alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', qty: 4 });
    expect([byQty.side, byQty.type, byQty.qty, byQty.timeInForce]).toEqual(['sell', 'market', '4', 'day']);
    await settled(byQty.id);
    expect(await positionQty()).toEqual(['26']);
    // By percentage: whole shares, rounded down (10% of 26 is 2).
    const half = await alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', percentage: 10 });
    expect(half.qty).toBe('2');
    await settled(half.id);
    const notANumber = 'half' as unknown as number; // what a client without the SDK's types may send
    for (const [query, message] of [
      [{ qty: 1, percentage: 5 }, 'qty and percentage cannot both be given'],
      [{ percentage: 0 }, 'percentage must be a number above 0 and at most 100'],
      [{ percentage: 150 }, 'percentage must be a number above 0 and at most 100'],
      [{ percentage: notANumber }, 'percentage must be a number above 0 and at most 100'],
      [{ percentage: 1 }, 'percentage 1 of the position is less than one lot (1)'],
    ] as const) {
      const r = await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', ...query }));
      expect(r).toMatchObject({ status: 422, code: 40010001 });
      expect(r.message).toContain(message);
    }
    expect(await positionQty()).toEqual(['24']);

    // A resting sell holds every share: closing is refused as that sell would be, and closing all
    // with cancel_orders cancels it first, then sells the whole position.
    await alpaca.trading.orders.limit({ symbol: 'AAPL', qty: '24', side: 'sell', limitPrice: 200, timeInForce: 'gtc' });
    expect(await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL' }))).toMatchObject({
      status: 403,
    });
    const closed = await alpaca.trading.positions.deleteAllOpenPositions({ cancelOrders: true });
    expect(closed.map((r) => [r.symbol, r.status, r.body?.side, r.body?.qty])).toEqual([['AAPL', 200, 'sell', '24']]);
    await settled(closed[0]?.body?.id);
    expect(await positionQty()).toEqual([]);
    expect(await alpaca.trading.orders.getAllOrders({ status: 'open' })).toEqual([]);
    expect(await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'MSFT' }))).toMatchObject({
      status: 404,
    });
  });

  it('lists one FILL activity per execution, filtered by type, date and time, and paged by token', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    const acts = alpaca.trading.accountActivities;
    expect(await acts.getAccountActivities()).toEqual([]);
    const filled = (id: string | undefined) =>
      waitFor(async () => {
        const o = await alpaca.trading.orders.getOrderByOrderID({ orderId: id as string });
        return o.status === 'filled' && o;
      });
    const buy = await filled((await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 30, side: 'buy' })).id);
    const sell = await filled((await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 5, side: 'sell' })).id);

    // Newest first by default: the sell's one execution, then the buy's two (10 at 187.50, 20 at 187.60).
    const all = await acts.getAccountActivities();
    const row = (a: Record<string, unknown>) =>
      [
        a['activityType'],
        a['type'],
        a['side'],
        a['qty'],
        a['price'],
        a['cumQty'],
        a['leavesQty'],
        a['orderStatus'],
      ].join(' ');
    expect(all.map((a) => row(a as Record<string, unknown>))).toEqual([
      'FILL fill sell 5 187.4 5 0 filled',
      'FILL fill buy 20 187.6 30 0 filled',
      'FILL partial_fill buy 10 187.5 10 20 partially_filled',
    ]);
    expect(all.map((a) => (a as { orderId?: string }).orderId)).toEqual([sell.id, buy.id, buy.id]);
    const ids = all.map((a) => a.id as string);
    // Ids start with the time (executions in one millisecond keep the order they happened in).
    const times = ids.map((id) => id.slice(0, 17));
    expect([...times].sort().reverse()).toEqual(times);
    expect(ids.every((id) => /^\d{17}::[0-9a-f-]{36}$/.test(id))).toBe(true);

    expect(await acts.getAccountActivities({ activityTypes: ['FILL'] })).toHaveLength(3);
    expect(await acts.getAccountActivitiesByActivityType({ activityType: 'FILL' })).toHaveLength(3);
    expect(await acts.getAccountActivities({ activityTypes: ['DIV'] })).toEqual([]);
    expect(await acts.getAccountActivities({ category: 'non_trade_activity' })).toEqual([]);
    const firstAt = (all[2] as { transactionTime: Date }).transactionTime;
    // `date` is a New York calendar day (the SDK sends it as midnight UTC of that date).
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(firstAt);
    expect(await acts.getAccountActivities({ date: new Date(day) })).toHaveLength(3);
    const nextDay = new Date(Date.parse(day) + 86_400_000);
    expect(await acts.getAccountActivities({ date: nextDay })).toEqual([]);
    // after and until are exclusive: the buy's last execution and the sell's are milliseconds apart
    // (the sell went in once the buy had filled); the buy's two executions may share one.
    const at = (a: unknown) => (a as { transactionTime: Date }).transactionTime;
    expect((await acts.getAccountActivities({ after: at(all[1]) })).map((a) => a.id)).toEqual([ids[0]]);
    expect((await acts.getAccountActivities({ until: at(all[0]) })).map((a) => a.id)).toEqual(ids.slice(1));
    expect(await acts.getAccountActivities({ until: firstAt })).toEqual([]);

    // Pages of one: each activity once, in either direction, the token being the last id seen.
    for (const direction of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await acts.getAccountActivities({
          direction,
          pageSize: 1,
          ...(token ? { pageToken: token } : {}),
        });
        if (page.length === 0) break;
        token = page[0]?.id as string;
        seen.push(token);
      }
      expect(seen).toEqual(direction === 'desc' ? ids : [...ids].reverse());
    }

    const bad = async (q: Record<string, unknown>) =>
      refusal(acts.getAccountActivities(q as Parameters<typeof acts.getAccountActivities>[0]));
    expect(await bad({ activityTypes: ['FFFFF'] })).toMatchObject({
      status: 422,
      code: 40010001,
      message: expect.stringContaining('invalid activity type: FFFFF'),
    });
    expect((await bad({ pageSize: 101 })).message).toContain('page_size');
    expect((await bad({ direction: 'sideways' })).message).toContain('direction');
    expect((await bad({ pageToken: 'nope' })).message).toContain('page_token');
    expect((await bad({ category: 'trade_activity', activityTypes: ['FILL'] })).message).toContain('category');
  });

  it('cancel of a filled order is 422 42210000; an unknown order is 404; a duplicate client id is 422 40010001', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    const m = await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', clientOrderId: 'dup' });
    await waitFor(
      async () => (await alpaca.trading.orders.getOrderByOrderID({ orderId: m.id as string })).status === 'filled',
    );
    expect(await refusal(alpaca.trading.orders.deleteOrderByOrderID({ orderId: m.id as string }))).toMatchObject({
      status: 422,
      code: 42210000,
      message: expect.stringContaining('"filled"'),
    });
    // Unique forever: the first order is filled (closed) and its id still cannot be reused.
    const dup = await refusal(
      alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 1, side: 'buy', limitPrice: 180, clientOrderId: 'dup' }),
    );
    expect(dup).toMatchObject({
      status: 422,
      code: 40010001,
      message: expect.stringContaining('client_order_id must be unique'),
    });
    expect((await alpaca.trading.orders.getAllOrders({ status: 'all' })).length).toBe(1);

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await refusal(alpaca.trading.orders.getOrderByOrderID({ orderId: unknown }))).toMatchObject({
      status: 404,
      code: 40410000,
    });
    expect(await refusal(alpaca.trading.orders.deleteOrderByOrderID({ orderId: unknown }))).toMatchObject({
      status: 404,
    });
    expect(await refusal(alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: 'nope' }))).toMatchObject({
      status: 404,
    });
    expect(await refusal(alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'MSFT' }))).toMatchObject({
      status: 404,
    });
  });

  it('lists page by submission time with after/until, limit and direction, each order exactly once', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const o = await alpaca.trading.orders.limit({
        symbol: 'AAPL',
        qty: 1,
        side: 'buy',
        limitPrice: 180 + i,
        clientOrderId: `p-${i}`,
      });
      ids.push(o.id as string);
    }
    // One of them done, so status=all and status=open differ.
    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: ids[3] as string });

    const all = await alpaca.trading.orders.getAllOrders({ status: 'all', limit: 500 });
    expect(all.map((o) => o.id)).toEqual([...ids].reverse()); // newest first by default
    expect((await alpaca.trading.orders.getAllOrders({ status: 'open' })).length).toBe(6);

    // Paging oldest first: after = the last page's last submitted_at (a Date, millisecond precision).
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const got = await alpaca.trading.orders.getAllOrders({
        status: 'all',
        direction: 'asc',
        limit: 3,
        ...(after ? { after } : {}),
      });
      if (got.length === 0) break;
      seen.push(...got.map((o) => o.id as string));
      after = (got[got.length - 1]?.submittedAt as Date).toISOString();
    }
    expect(seen).toEqual(ids);

    // Paging newest first with until.
    const back: string[] = [];
    let until: string | undefined;
    for (let page = 0; page < 10; page++) {
      const got = await alpaca.trading.orders.getAllOrders({ status: 'all', limit: 2, ...(until ? { until } : {}) });
      if (got.length === 0) break;
      back.push(...got.map((o) => o.id as string));
      until = (got[got.length - 1]?.submittedAt as Date).toISOString();
    }
    expect(back).toEqual([...ids].reverse());

    const window = await alpaca.trading.orders.getAllOrders({
      status: 'all',
      direction: 'asc',
      after: (all[5]?.submittedAt as Date).toISOString(),
      until: (all[1]?.submittedAt as Date).toISOString(),
    });
    expect(window.map((o) => o.id)).toEqual(ids.slice(2, 5));
    expect(await alpaca.trading.orders.getAllOrders({ status: 'all', symbols: ['MSFT'] })).toEqual([]);

    const cancelAll = await alpaca.trading.orders.deleteAllOrders();
    expect(cancelAll.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await alpaca.trading.orders.getAllOrders({ status: 'open' })).toEqual([]);
    expect(await alpaca.trading.orders.deleteAllOrders()).toEqual([]);
  });

  it('refuses what the account cannot pay or hold with 403 40310000, and what Alpaca would refuse with 422', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    expect(
      await refusal(alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 1000, side: 'buy', limitPrice: 187 })),
    ).toMatchObject({ status: 403, code: 40310000, message: expect.stringContaining('insufficient buying power') });
    expect(await refusal(alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'sell' }))).toMatchObject({
      status: 403,
      code: 40310000,
      message: expect.stringContaining('insufficient qty available for order (requested: 1, available: 0)'),
    });
    expect(await refusal(alpaca.trading.orders.market({ symbol: 'AAPL', qty: '1.5', side: 'buy' }))).toMatchObject({
      status: 403,
      code: 40310000,
    });
    expect(
      await refusal(alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 1, side: 'buy', limitPrice: '187.123' })),
    ).toMatchObject({ status: 422, code: 42210000, message: expect.stringContaining('sub-penny') });
    expect(await refusal(alpaca.trading.orders.market({ symbol: 'MSFT', qty: 1, side: 'buy' }))).toMatchObject({
      status: 422,
    });
    expect(
      await refusal(alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', timeInForce: 'opg' })),
    ).toMatchObject({ status: 422 });
    expect(await alpaca.trading.orders.getAllOrders({ status: 'all' })).toEqual([]);
  });

  it('open market buys hold buying power at the ask until they fill or close; a buy past it is 403', async () => {
    // The venue's hours, on a Saturday: market orders queue for Monday's open.
    let shift = Date.UTC(2024, 7, 10, 15) - Date.now();
    const gw = await gateway(undefined, { hours: 'venue', now: () => Date.now() + shift });
    const { alpaca } = await client(gw);
    const buyingPower = async () => Number((await alpaca.trading.account.getAccount()).buyingPower);
    const first = await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 300, side: 'buy' });
    expect(first.status).toBe('new');
    expect(await buyingPower()).toBe(100_000 - 300 * 187.5); // 43,750 left
    const refused = { status: 403, code: 40310000, message: expect.stringContaining('insufficient buying power') };
    expect(await refusal(alpaca.trading.orders.market({ symbol: 'AAPL', qty: 300, side: 'buy' }))).toMatchObject(
      refused,
    );
    expect(
      await refusal(alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 300, side: 'buy', limitPrice: 187.5 })),
    ).toMatchObject(refused);
    const second = await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 200, side: 'buy' });
    expect(await buyingPower()).toBe(100_000 - 500 * 187.5);
    // Cancelled: what it held is free again.
    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: first.id as string });
    expect(await buyingPower()).toBe(100_000 - 200 * 187.5);
    // Monday's open: the second fills (10 at 187.50, 100 at 187.60, 90 at 187.80) and holds nothing more.
    shift = Date.UTC(2024, 7, 12, 13, 31) - Date.now();
    // A resting buy of 1 at 100 gives the clock work to run, and with it the open that is now due.
    await alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 1, side: 'buy', limitPrice: 100 });
    await waitFor(
      async () => (await alpaca.trading.orders.getOrderByOrderID({ orderId: second.id as string })).status === 'filled',
    );
    const cash = 100_000 - (10 * 187.5 + 100 * 187.6 + 90 * 187.8);
    expect(await buyingPower()).toBeCloseTo(cash - 100, 6);
  });

  it('unknown keys: REST answers 401 and the stream refuses the authentication', async () => {
    const gw = await gateway();
    const bad = await client(gw, KEY, 'wrong-secret');
    expect(await refusal(bad.alpaca.trading.account.getAccount())).toMatchObject({ status: 401, code: 40110000 });
    const check = await bad.alpaca.trading.validateConnection();
    expect(check.ok).toBe(false);
    bad.stream.connect();
    expect((await bad.stream.whenAuthenticated()).authenticated).toBe(false);
    const raw = await fetch(`${gw.url}/v2/orders`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ code: 40110000, message: 'request is not authorized' });
  });

  it('clock and latest quote follow the venue', async () => {
    const gw = await gateway();
    const { alpaca } = await client(gw);
    const clock = await alpaca.trading.clock.legacyClock();
    expect(clock.isOpen).toBe(true);
    expect(Math.abs((clock.timestamp as Date).getTime() - Date.now())).toBeLessThan(5_000);
    const q = await waitFor(async () => {
      const r = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
      return r.quote;
    });
    expect([q.bp, q.bs, q.ap, q.as]).toEqual([187.4, 20, 187.5, 10]);
  });
});

describe('faults on the wire', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withFault = (name: string, fault: string): string => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, `${readFileSync(FIXTURE, 'utf8')}faults:\n  - ${fault}\n`);
    return file;
  };

  it('a rate-limit window answers POST with 429 42910000 and creates nothing', async () => {
    const gw = await gateway(withFault('rate', '{ kind: rate_limit, from: PT0S, until: PT1H, scope: orders }'));
    const { alpaca } = await client(gw);
    expect(
      await refusal(alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', clientOrderId: 'r' })),
    ).toMatchObject({
      status: 429,
      code: 42910000,
    });
    // scope: orders: reads still work.
    expect(await alpaca.trading.orders.getAllOrders({ status: 'all' })).toEqual([]);
  });

  it('a 5xx window answers 503; an outage drops the connection; after the window a lookup by client id tells', async () => {
    const gw5 = await gateway(withFault('e5', '{ kind: http_5xx, from: PT0S, until: PT1S }'));
    const a = (await client(gw5)).alpaca;
    expect(
      (await refusal(a.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', clientOrderId: 'x' }))).status,
    ).toBe(503);
    // Reads fail in the window too; after it, the lookup says whether the venue got the order (seeded).
    const found = await waitFor(async () => {
      const r = await a.trading.orders.getOrderByClientOrderId({ clientOrderId: 'x' }).then(
        () => 200,
        (e: { status?: number }) => e.status ?? -1,
      );
      return r !== 503 && r;
    });
    expect([200, 404]).toContain(found);

    const gwOut = await gateway(
      withFault('out', '{ kind: outage, from: PT0S, until: PT1S, mode: timeout_after, timeoutMs: 50 }'),
    );
    const b = (await client(gwOut)).alpaca;
    const dropped = await refusal(b.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', clientOrderId: 'y' }));
    expect(dropped.status).toBe(-1); // a FetchError: no HTTP answer at all
    const placed = await waitFor(() =>
      b.trading.orders.getOrderByClientOrderId({ clientOrderId: 'y' }).catch(() => undefined),
    );
    expect(placed.clientOrderId).toBe('y'); // timeout_after: the venue executed it
  });
});

describe('the gateway command', () => {
  const io = (env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
  };
  const keys = { APCA_API_KEY_ID: 'cmd-key', APCA_API_SECRET_KEY: 'cmd-secret-value' };

  it('refuses bad flags, an unknown venue and missing keys with a usage error naming the problem', async () => {
    const { startGateway } = await import('../../src/cli/gateway-command.ts');
    const { UsageError } = await import('../../src/cli/io.ts');
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['alpaca', '--scenario', FIXTURE, '--port', 'x'], keys, /--port/],
      [['kraken', '--scenario', FIXTURE], keys, /unknown gateway "kraken"/],
      [['alpaca'], keys, /--scenario FILE is required/],
      [['alpaca', '--scenario', FIXTURE, '--market-hours', 'nyse'], keys, /--market-hours/],
      [['alpaca', '--scenario', FIXTURE], { APCA_API_KEY_ID: 'k' }, /APCA_API_SECRET_KEY must be set/],
      [['alpaca', '--scenario', FIXTURE, '--bogus'], keys, /bogus/],
    ];
    for (const [args, env, problem] of cases) {
      const err = await startGateway(args, io(env).io).catch((e: unknown) => e);
      expect(err, args.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(problem);
    }
  });

  it('starts on the port asked, prints its URL and the SDK configuration without the keys, and stops', async () => {
    const { startGateway } = await import('../../src/cli/gateway-command.ts');
    const { io: cli, out, err } = io(keys);
    const gw = (await startGateway(['alpaca', '--scenario', FIXTURE, '--port', '0'], cli)) as AlpacaGateway | null;
    expect(gw).not.toBeNull();
    onCleanup(() => gw?.close());
    const printed = [...out, ...err].join('\n');
    expect(printed).toContain(gw?.url);
    expect(printed).toContain(gw?.streamUrl);
    expect(printed).toContain(gw?.dataStreamUrl);
    expect(printed).not.toContain(keys.APCA_API_KEY_ID);
    expect(printed).not.toContain(keys.APCA_API_SECRET_KEY);
    const res = await fetch(`${gw?.url}/v2/clock`, {
      headers: { 'APCA-API-KEY-ID': keys.APCA_API_KEY_ID, 'APCA-API-SECRET-KEY': keys.APCA_API_SECRET_KEY },
    });
    expect(res.status).toBe(200);
    await gw?.close();
    expect(gw?.venue.clock.pending).toBe(0);
  });
});
