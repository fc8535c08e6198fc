// `execsim gateway binance` driven by the real ccxt library as an unmodified bot drives Binance
// spot: markets, the order book by REST and by stream (its update ids synced as ccxt syncs them),
// market and limit orders with their client ids, lookups, lists, cancels, balances, and the user
// data stream's orders and trades. A static BTCUSDT book (1,000,000 USDT, no BTC, no fees): asks
// 0.1 @ 65000, 1 @ 65001, 5 @ 65003; bids 0.2 @ 64999, 0.5 @ 64998. Real sockets on 127.0.0.1;
// every wait is a bounded condition.
import { describe, expect, it } from 'vitest';
import type { Trade } from 'ccxt';
import { binanceGateway, ccxtClient, watchUntil } from '../support/binance-gateway-harness.ts';
import { scoped, waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTC/USDT';

/** What a ccxt call was refused with: its class and Binance's code in the message. */
async function refused(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).constructor.name, message: (err as Error).message };
  }
  throw new Error('expected ccxt to throw');
}

describe.concurrent('ccxt against the Binance gateway', () => {
  it(
    'loads the market with the scenario instrument as its filters',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const markets = await ex.loadMarkets();
      expect(Object.keys(markets)).toEqual([SYMBOL]);
      const m = markets[SYMBOL]!;
      expect([m.id, m.base, m.quote, m.spot, m.active]).toEqual(['BTCUSDT', 'BTC', 'USDT', true, true]);
      expect(m.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
      expect(m.limits.amount?.min).toBe(0.00001);
      expect(m.limits.price?.min).toBe(0.01);
      expect(m.limits.cost?.min).toBe(5);
    }),
  );

  it(
    'serves the book by REST and by stream with agreeing update ids, and the stream follows a trade',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const book = await ex.fetchOrderBook(SYMBOL);
      expect(book.bids).toEqual([
        [64999, 0.2],
        [64998, 0.5],
      ]);
      expect(book.asks).toEqual([
        [65000, 0.1],
        [65001, 1],
        [65003, 5],
      ]);
      const watched = await ex.watchOrderBook(SYMBOL);
      expect(watched.asks.slice(0, 3)).toEqual(book.asks);
      expect(watched.nonce).toBe(gw.depth.lastUpdateId);
      // A market buy of 0.15 takes the 0.1 at 65000 and 0.05 of 65001: the stream's diffs say so
      // (the watch is asked first: the diff may arrive before the order's answer does).
      const next = ex.watchOrderBook(SYMBOL);
      await ex.createOrder(SYMBOL, 'market', 'buy', 0.15, undefined, { newClientOrderId: 'take-1' });
      const after = await watchUntil(
        () => ex.watchOrderBook(SYMBOL),
        (b) => b.asks[0]?.[0] === 65001,
        next,
      );
      expect(after.asks.slice(0, 2)).toEqual([
        [65001, 0.95],
        [65003, 5],
      ]);
      expect(after.bids.slice(0, 2)).toEqual(book.bids);
      expect((await ex.fetchOrderBook(SYMBOL)).asks).toEqual(after.asks.slice(0, 2));
    }),
  );

  it(
    'places, looks up, lists and cancels orders; balances and trades follow',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const market = await ex.createOrder(SYMBOL, 'market', 'buy', 0.3, undefined, { newClientOrderId: 'mkt-1' });
      expect([market.status, market.filled, market.clientOrderId]).toEqual(['closed', 0.3, 'mkt-1']);
      expect(market.average).toBeCloseTo((0.1 * 65000 + 0.2 * 65001) / 0.3, 6);
      // FULL's fills are the executions myTrades lists, with the same ids.
      const fills = (market.trades ?? []).map((t) => [t.id, t.price, t.amount]);
      expect(fills.map((f) => f.slice(1))).toEqual([
        [65000, 0.1],
        [65001, 0.2],
      ]);
      const mine = await ex.fetchMyTrades(SYMBOL);
      expect(mine.map((t) => [t.id, t.price, t.amount])).toEqual(fills);
      expect(mine.every((t) => t.order === market.id && t.side === 'buy')).toBe(true);

      const limit = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64990, { newClientOrderId: 'lim-1' });
      expect([limit.status, limit.filled, limit.price]).toEqual(['open', 0, 64990]);
      expect((await ex.fetchOrder(limit.id as string, SYMBOL)).status).toBe('open');
      const byClientId = await ex.fetchOrder(undefined as unknown as string, SYMBOL, { clientOrderId: 'lim-1' });
      expect(byClientId.id).toBe(limit.id);
      expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.id)).toEqual([limit.id]);
      const balance = await ex.fetchBalance();
      expect(balance['BTC']).toMatchObject({ free: 0.3, used: 0, total: 0.3 });
      expect(balance['USDT']?.used).toBeCloseTo(649.9, 6); // 0.01 x 64990 locked by the open buy
      expect(balance['USDT']?.total).toBeCloseTo(1_000_000 - 19_500.2, 6);

      const cancelled = await ex.cancelOrder(limit.id as string, SYMBOL);
      expect(cancelled.status).toBe('canceled');
      expect(await ex.fetchOpenOrders(SYMBOL)).toEqual([]);
      expect((await ex.fetchBalance())['USDT']?.used).toBe(0);
      const again = await refused(ex.cancelOrder(limit.id as string, SYMBOL));
      expect(again.name).toBe('OrderNotFound');
      expect(again.message).toContain('-2011');
      expect((await refused(ex.fetchOrder('987654', SYMBOL))).name).toBe('OrderNotFound');

      // A sell of what was bought, at the bid: the position goes back to nothing.
      const sell = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.2, 64999, { newClientOrderId: 'sell-1' });
      expect([sell.status, sell.filled]).toEqual(['closed', 0.2]);
      expect((await ex.fetchBalance())['BTC']?.total).toBeCloseTo(0.1, 8);
    }),
  );

  it(
    'takes a client id again once its order is done, never while it is open',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const first = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64990, { newClientOrderId: 'same-id' });
      const dup = await refused(ex.createOrder(SYMBOL, 'limit', 'buy', 0.02, 64980, { newClientOrderId: 'same-id' }));
      expect(dup.name).toBe('InvalidOrder');
      expect(dup.message).toContain('Duplicate order sent.');
      await ex.cancelOrder(first.id as string, SYMBOL);
      const second = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.02, 64980, { newClientOrderId: 'same-id' });
      expect(second.id).not.toBe(first.id);
      const found = await ex.fetchOrder(undefined as unknown as string, SYMBOL, { clientOrderId: 'same-id' });
      expect([found.id, found.amount]).toEqual([second.id, 0.02]);
      // An IOC whose first copy filled is taken again: a second order, never a refusal.
      const ioc1 = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { newClientOrderId: 'ioc-1' });
      const ioc2 = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { newClientOrderId: 'ioc-1' });
      expect([ioc1.status, ioc2.status]).toEqual(['closed', 'closed']);
      expect(ioc2.id).not.toBe(ioc1.id);
      const all = await ex.fetchOrders(SYMBOL);
      expect(all.filter((o) => o.clientOrderId === 'ioc-1').map((o) => o.id)).toEqual([ioc1.id, ioc2.id]);
    }),
  );

  it(
    'streams orders and trades on the user data stream: NEW, TRADE, CANCELED, EXPIRED',
    scoped(async () => {
      const events: Array<Record<string, unknown>> = [];
      const gw = await binanceGateway(undefined, { onUserEvent: (e) => events.push(e) });
      const ex = await ccxtClient(gw);
      // Subscribes (userDataStream.subscribe.signature) before anything happens. Both watches keep
      // watching from before the order to its last execution: ccxt hands a message to the watch
      // waiting when it comes and to no later one. An order is updated in place in ccxt's cache, so
      // a list read early still shows its last state; a trade is an entry of its own, and one that
      // came while no trade watch waited (the order's REST answer still awaited, say) is never given.
      const trades = new Map<string, Trade>();
      const ordersDone = watchUntil(
        () => ex.watchOrders(SYMBOL),
        (os) => os.some((o) => o.clientOrderId === 'ws-mkt' && o.status === 'closed'),
        ex.watchOrders(SYMBOL),
      );
      const tradesDone = watchUntil(
        () => ex.watchMyTrades(SYMBOL),
        (ts) => {
          for (const t of ts) trades.set(t.id as string, t);
          return [...trades.values()].filter((t) => (t.info as { c?: unknown }).c === 'ws-mkt').length === 2;
        },
        ex.watchMyTrades(SYMBOL),
      );
      // Subscribed, not just connected: an event before the subscription reaches no one.
      await waitFor(() => gw.wsApi.subscriptions > 0);
      const market = await ex.createOrder(SYMBOL, 'market', 'buy', 0.3, undefined, { newClientOrderId: 'ws-mkt' });
      const [orders] = await Promise.all([ordersDone, tradesDone]);
      expect(orders.find((o) => o.id === market.id)?.filled).toBe(0.3);
      expect([...trades.values()].map((t) => t.order)).toEqual([market.id, market.id]);
      expect([...trades.keys()]).toEqual((market.trades ?? []).map((t) => t.id));

      const cancelled = ex.watchOrders(SYMBOL);
      const resting = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64990, { newClientOrderId: 'ws-lim' });
      await ex.cancelOrder(resting.id as string, SYMBOL);
      await watchUntil(
        () => ex.watchOrders(SYMBOL),
        (os) => os.some((o) => o.id === resting.id && o.status === 'canceled'),
        cancelled,
      );
      // An IOC with nothing at its price expires.
      const expired = ex.watchOrders(SYMBOL);
      const ioc = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64000, {
        newClientOrderId: 'ws-ioc',
        timeInForce: 'IOC',
      });
      await watchUntil(
        () => ex.watchOrders(SYMBOL),
        (os) => os.some((o) => o.id === ioc.id && o.status === 'expired'),
        expired,
      );
      const executions = (cid: string) =>
        events
          // A cancel's report names the cancel's own client id in `c`, the order's in `C`.
          .filter((e) => e['e'] === 'executionReport' && (e['c'] === cid || e['C'] === cid))
          .map((e) => `${e['x']}/${e['X']}`);
      expect(executions('ws-mkt')).toEqual(['NEW/NEW', 'TRADE/PARTIALLY_FILLED', 'TRADE/FILLED']);
      expect(executions('ws-lim')).toEqual(['NEW/NEW', 'CANCELED/CANCELED']);
      expect(executions('ws-ioc')).toEqual(['NEW/NEW', 'EXPIRED/EXPIRED']);
      const positions = events.filter((e) => e['e'] === 'outboundAccountPosition');
      expect(positions.length).toBeGreaterThanOrEqual(7);
      expect(positions.at(-1)?.['B']).toEqual([
        { a: 'BTC', f: '0.30000000', l: '0.00000000' },
        { a: 'USDT', f: '980499.80000000', l: '0.00000000' },
      ]);
    }),
  );

  it(
    'plays a recorded market live: the recorded book and trades, and orders filled against them',
    scoped(async () => {
      const gw = await binanceGateway('scenarios/gateway/btcusdt-replay.yaml');
      const ex = await ccxtClient(gw);
      // 2024-08-08 23:55 UTC: BTCUSDT was near 61,830 (the recording's snapshot, warmed up to start).
      const book = await ex.fetchOrderBook(SYMBOL, 100);
      const [bid, ask] = [book.bids[0]?.[0] ?? 0, book.asks[0]?.[0] ?? 0];
      expect(bid).toBeGreaterThan(61_500);
      expect(ask).toBeLessThan(62_200);
      expect(ask).toBeGreaterThan(bid);
      // The recording's trades and depth changes arrive at their recorded pace.
      const trades = await watchUntil(
        () => ex.watchTrades(SYMBOL),
        (ts) => ts.length > 0,
      );
      expect(trades.every((t) => (t.price as number) > 61_000 && (t.price as number) < 63_000)).toBe(true);
      const first = await ex.watchOrderBook(SYMBOL);
      const nonce = first.nonce as number;
      const moved = await watchUntil(
        () => ex.watchOrderBook(SYMBOL),
        (b) => (b.nonce as number) > nonce,
      );
      expect(moved.bids[0]?.[0]).toBeGreaterThan(61_000);
      // A market buy fills at the recorded asks, paying the scenario's 0.1% in USDT.
      const buy = await ex.createOrder(SYMBOL, 'market', 'buy', 0.05, undefined, { newClientOrderId: 'replay-buy' });
      expect([buy.status, buy.filled]).toEqual(['closed', 0.05]);
      expect(buy.average).toBeGreaterThan(61_000);
      expect(buy.average).toBeLessThan(63_000);
      expect(buy.fee?.currency).toBe('USDT');
      expect(buy.fee?.cost).toBeCloseTo((buy.cost as number) * 0.001, 6);
    }),
  );

  it(
    'streams the venue’s trades',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const first = ex.watchTrades(SYMBOL);
      await waitFor(() => gw.streams.size > 0);
      await ex.createOrder(SYMBOL, 'market', 'buy', 0.15, undefined, { newClientOrderId: 'tape-1' });
      const byId = new Map<string, Trade>();
      await watchUntil(
        () => ex.watchTrades(SYMBOL),
        (ts) => {
          for (const t of ts) byId.set(t.id as string, t);
          return byId.size >= 2;
        },
        first,
      );
      const seen = [...byId.values()];
      expect(seen.slice(0, 2).map((t) => [t.price, t.amount, t.side])).toEqual([
        [65000, 0.1, 'buy'],
        [65001, 0.05, 'buy'],
      ]);
      const rest = await ex.fetchTrades(SYMBOL);
      expect(rest.map((t) => [t.id, t.price, t.amount])).toEqual(
        seen.slice(0, 2).map((t) => [t.id, t.price, t.amount]),
      );
    }),
  );
});
