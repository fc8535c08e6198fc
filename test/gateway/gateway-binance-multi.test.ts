// The real ccxt client against `execsim gateway binance` serving two symbols on one account
// (scenarios/gateway/btc-eth.yaml: static books; BTCUSDT asks 0.1 @ 65000, 1 @ 65001, bids 0.2 @
// 64999; ETHUSDT asks 2 @ 2600.00, 10 @ 2600.50, bids 3 @ 2599.50; 100,000 USDT, no BTC and 2 ETH
// at the start; 0.1% fees in USDT). Orders on either symbol fill on its own book; the account,
// the lists, the user data stream and the market data (REST and streams) cover both; a symbol
// the gateway does not serve is -1121, as on Binance. No sleeps: every wait is bounded.
import { describe, expect, it } from 'vitest';
import type { Order, Trade } from 'ccxt';
import { binanceGateway, ccxtClient, raw, rawSocket, watchUntil } from '../support/binance-gateway-harness.ts';
import { scoped, waitFor } from '../support/gateway-harness.ts';

const TWO = 'scenarios/gateway/btc-eth.yaml';
const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';

/** What a ccxt call was refused with: its class and message. */
async function refused(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).constructor.name, message: (err as Error).message };
  }
  throw new Error('expected ccxt to throw');
}

describe.concurrent('ccxt against the Binance gateway serving two symbols', () => {
  it(
    'lists both symbols with their own filters, in exchangeInfo and its symbol= and symbols= forms',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      const markets = await ex.loadMarkets();
      expect(Object.keys(markets).sort()).toEqual([BTC, ETH]);
      const eth = markets[ETH]!;
      expect([eth.id, eth.base, eth.quote, eth.active]).toEqual(['ETHUSDT', 'ETH', 'USDT', true]);
      expect(eth.precision).toMatchObject({ amount: 0.0001, price: 0.01 });
      expect(markets[BTC]!.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
      const names = (body: unknown) => (body as { symbols: Array<{ symbol: string }> }).symbols.map((s) => s.symbol);
      expect(names((await raw(gw, 'GET', 'exchangeInfo', { symbol: 'ETHUSDT' })).body)).toEqual(['ETHUSDT']);
      expect(names((await raw(gw, 'GET', 'exchangeInfo', { symbols: '["ETHUSDT","BTCUSDT"]' })).body)).toEqual([
        'ETHUSDT',
        'BTCUSDT',
      ]);
      expect((await raw(gw, 'GET', 'exchangeInfo', { symbol: 'XRPUSDT' })).body).toEqual({
        code: -1121,
        msg: 'Invalid symbol.',
      });
    }),
  );

  it(
    'fills orders of each symbol on its own book; the account, lists and cancels are per symbol',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      const start = await ex.fetchBalance();
      expect([start['BTC']?.total, start['ETH']?.total, start['USDT']?.total]).toEqual([0, 2, 100_000]);

      const btc = await ex.createOrder(BTC, 'market', 'buy', 0.15, undefined, { newClientOrderId: 'btc-1' });
      const eth = await ex.createOrder(ETH, 'market', 'buy', 3, undefined, { newClientOrderId: 'eth-1' });
      expect([btc.symbol, btc.status, btc.filled]).toEqual([BTC, 'closed', 0.15]);
      expect([eth.symbol, eth.status, eth.filled]).toEqual([ETH, 'closed', 3]);
      expect((btc.trades ?? []).map((t) => [t.price, t.amount])).toEqual([
        [65000, 0.1],
        [65001, 0.05],
      ]);
      expect((eth.trades ?? []).map((t) => [t.price, t.amount])).toEqual([
        [2600, 2],
        [2600.5, 1],
      ]);

      // Each base its own; the quote paid for both, notional and 0.1% fees:
      // 100,000 - 9,750.05 - 7,800.50 - 9.75005 - 7.8005.
      const after = await raw(gw, 'GET', 'account', {}, true);
      expect((after.body as { balances: unknown[] }).balances).toEqual([
        { asset: 'BTC', free: '0.15000000', locked: '0.00000000' },
        { asset: 'ETH', free: '5.00000000', locked: '0.00000000' },
        { asset: 'USDT', free: '82431.89945000', locked: '0.00000000' },
      ]);

      // Resting orders on both; a sell of ETH is held against ETH only.
      const btcBid = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 64990, { newClientOrderId: 'btc-bid' });
      const ethAsk = await ex.createOrder(ETH, 'limit', 'sell', 4, 2700, { newClientOrderId: 'eth-ask' });
      const ethBid = await ex.createOrder(ETH, 'limit', 'buy', 1, 2500, { newClientOrderId: 'eth-bid' });
      const balance = await ex.fetchBalance();
      expect(balance['ETH']).toMatchObject({ free: 1, used: 4, total: 5 });
      expect(balance['BTC']).toMatchObject({ free: 0.15, used: 0 });
      expect(balance['USDT']?.used).toBeCloseTo(649.9 + 2500, 6);
      // A sell of more ETH than is free is refused; BTC's position is no help.
      expect((await refused(ex.createOrder(ETH, 'limit', 'sell', 2, 2700))).name).toBe('InsufficientFunds');

      const open = async (params: Record<string, string>) =>
        (
          (await raw(gw, 'GET', 'openOrders', params, true)).body as Array<{ symbol: string; clientOrderId: string }>
        ).map((o) => `${o.symbol}:${o.clientOrderId}`);
      expect(await open({})).toEqual(['BTCUSDT:btc-bid', 'ETHUSDT:eth-ask', 'ETHUSDT:eth-bid']);
      expect(await open({ symbol: 'ETHUSDT' })).toEqual(['ETHUSDT:eth-ask', 'ETHUSDT:eth-bid']);
      expect((await ex.fetchOpenOrders(BTC)).map((o) => o.id)).toEqual([btcBid.id]);
      // An order is found under its own symbol only, as on Binance.
      expect((await ex.fetchOrder(ethAsk.id as string, ETH)).clientOrderId).toBe('eth-ask');
      expect((await refused(ex.fetchOrder(ethAsk.id as string, BTC))).message).toContain('-2013');
      expect((await refused(ex.cancelOrder(ethAsk.id as string, BTC))).message).toContain('-2011');
      // Cancelling all of ETH's leaves BTC's.
      const gone = await raw(gw, 'DELETE', 'openOrders', { symbol: 'ETHUSDT' }, true);
      expect((gone.body as Array<{ clientOrderId: string }>).map((o) => o.clientOrderId).length).toBe(2);
      expect(await open({})).toEqual(['BTCUSDT:btc-bid']);
      expect(ethBid.id).not.toBe(btcBid.id);

      const all = async (symbol: string) =>
        ((await raw(gw, 'GET', 'allOrders', { symbol }, true)).body as Array<{ clientOrderId: string }>).map(
          (o) => o.clientOrderId,
        );
      expect(await all('BTCUSDT')).toEqual(['btc-1', 'btc-bid']);
      expect(await all('ETHUSDT')).toEqual(['eth-1', 'eth-ask', 'eth-bid']);
      const mine = await ex.fetchMyTrades(ETH);
      expect(mine.map((t) => [t.symbol, t.price, t.amount, t.order])).toEqual([
        [ETH, 2600, 2, eth.id],
        [ETH, 2600.5, 1, eth.id],
      ]);
      expect((await ex.fetchMyTrades(BTC)).map((t) => t.id)).toEqual((btc.trades ?? []).map((t) => t.id));

      // A client id's lookup names its symbol: the closed ETH order under eth-ask is found under
      // ETHUSDT although a later BTC order took the id, and that one under BTCUSDT.
      const reused = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'eth-ask' });
      const byCid = async (symbol: string) =>
        (await raw(gw, 'GET', 'order', { symbol, origClientOrderId: 'eth-ask' }, true)).body as {
          orderId: number;
          status: string;
        };
      expect(await byCid('ETHUSDT')).toMatchObject({ orderId: Number(ethAsk.id), status: 'CANCELED' });
      expect(await byCid('BTCUSDT')).toMatchObject({ orderId: Number(reused.id), status: 'NEW' });
    }),
  );

  it(
    'streams both symbols on the user data stream, each account position with the assets it changed',
    scoped(async () => {
      const events: Array<Record<string, unknown>> = [];
      const gw = await binanceGateway(TWO, { onUserEvent: (e) => events.push(e) });
      const ex = await ccxtClient(gw);
      // Each symbol's orders, watched before its order is placed (a watch sees what comes after it).
      const closed = async (symbol: string, place: () => Promise<Order>): Promise<Order> => {
        const first = ex.watchOrders(symbol);
        // Subscribed, not just connected: an event before the subscription reaches no one.
        await waitFor(() => gw.wsApi.subscriptions > 0);
        const placed = await place();
        const seen = await watchUntil(
          () => ex.watchOrders(symbol),
          (os) => os.some((o) => o.id === placed.id && o.status === 'closed'),
          first,
        );
        return seen.find((o) => o.id === placed.id) as Order;
      };
      const btc = await closed(BTC, () =>
        ex.createOrder(BTC, 'market', 'buy', 0.1, undefined, { newClientOrderId: 'u-btc' }),
      );
      const eth = await closed(ETH, () =>
        ex.createOrder(ETH, 'market', 'sell', 1, undefined, { newClientOrderId: 'u-eth' }),
      );
      expect([btc, eth].map((o) => [o.symbol, o.side, o.filled, o.clientOrderId])).toEqual([
        [BTC, 'buy', 0.1, 'u-btc'],
        [ETH, 'sell', 1, 'u-eth'],
      ]);
      const reports = events.filter((e) => e['e'] === 'executionReport').map((e) => `${e['s']}:${e['x']}`);
      expect(reports).toEqual(['BTCUSDT:NEW', 'BTCUSDT:TRADE', 'ETHUSDT:NEW', 'ETHUSDT:TRADE']);
      const positions = events.filter((e) => e['e'] === 'outboundAccountPosition').map((e) => e['B']);
      expect(positions.at(1)).toEqual([
        { a: 'BTC', f: '0.10000000', l: '0.00000000' },
        { a: 'USDT', f: '93493.50000000', l: '0.00000000' },
      ]);
      // 100,000 - 6,500 - 6.5 + 2,599.50 - 2.5995.
      expect(positions.at(-1)).toEqual([
        { a: 'ETH', f: '1.00000000', l: '0.00000000' },
        { a: 'USDT', f: '96090.40050000', l: '0.00000000' },
      ]);
    }),
  );

  it(
    'serves each symbol’s market data by REST and by stream, combined streams and SUBSCRIBE of both',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      expect((await ex.fetchOrderBook(ETH)).asks.slice(0, 2)).toEqual([
        [2600, 2],
        [2600.5, 10],
      ]);
      expect((await ex.fetchOrderBook(BTC)).bids[0]).toEqual([64999, 0.2]);
      const tickers = await ex.fetchTickers([BTC, ETH]);
      expect([tickers[BTC]?.ask, tickers[ETH]?.ask, tickers[ETH]?.bid]).toEqual([65000, 2600, 2599.5]);
      const prices = (await raw(gw, 'GET', 'ticker/bookTicker', { symbols: '["ETHUSDT","BTCUSDT"]' })).body;
      expect((prices as Array<{ symbol: string; askPrice: string }>).map((p) => [p.symbol, p.askPrice])).toEqual([
        ['ETHUSDT', '2600.00000000'],
        ['BTCUSDT', '65000.00000000'],
      ]);

      // One combined stream of both symbols' book tickers and trades; ETH's book by ccxt's stream.
      const both = await rawSocket(`${gw.url.replace(/^http/, 'ws')}/stream?streams=btcusdt@trade/ethusdt@trade`);
      const sub = await rawSocket(`${gw.streamUrl}`);
      const kline = await rawSocket(`${gw.streamUrl}/ethusdt@kline_1m`);
      sub.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'ethusdt@aggTrade'], id: 1 });
      await waitFor(() => sub.frames.some((f) => f.msg['id'] === 1));
      const book = await ex.watchOrderBook(ETH);
      expect(book.nonce).toBe(gw.markets.get('ETHUSDT')?.depth.lastUpdateId);
      const next = ex.watchOrderBook(ETH);
      const trades = ex.watchTrades(ETH);
      await ex.createOrder(ETH, 'market', 'buy', 2.5, undefined, { newClientOrderId: 'md-eth' });
      await ex.createOrder(BTC, 'market', 'buy', 0.05, undefined, { newClientOrderId: 'md-btc' });
      const moved = await watchUntil(
        () => ex.watchOrderBook(ETH),
        (b) => b.asks[0]?.[0] === 2600.5,
        next,
      );
      expect(moved.asks[0]).toEqual([2600.5, 9.5]);
      const ethTrades = new Map<string, Trade>();
      await watchUntil(
        () => ex.watchTrades(ETH),
        (ts) => {
          for (const t of ts) ethTrades.set(t.id as string, t);
          return ethTrades.size >= 2;
        },
        trades,
      );
      expect([...ethTrades.values()].map((t) => [t.symbol, t.price, t.amount])).toEqual([
        [ETH, 2600, 2],
        [ETH, 2600.5, 0.5],
      ]);
      await waitFor(() => both.frames.length >= 3 && sub.frames.length >= 4);
      const streamed = both.frames.map((f) => `${f.msg['stream']}:${(f.msg['data'] as { p: string }).p}`);
      expect(streamed).toEqual([
        'ethusdt@trade:2600.00000000',
        'ethusdt@trade:2600.50000000',
        'btcusdt@trade:65000.00000000',
      ]);
      const aggs = sub.frames.slice(1).map((f) => `${f.msg['s']}:${f.msg['q']}`);
      expect(aggs).toEqual(['ETHUSDT:2.00000000', 'ETHUSDT:0.50000000', 'BTCUSDT:0.05000000']);
      // ETH's kline stream: its minute's trades, none of BTC's.
      const bar = await waitFor(() =>
        kline.frames.map((f) => f.msg['k'] as Record<string, unknown>).find((k) => k['v'] === '2.50000000'),
      );
      expect([bar['s'], bar['o'], bar['h'], bar['c'], bar['n']]).toEqual([
        'ETHUSDT',
        '2600.00000000',
        '2600.50000000',
        '2600.50000000',
        2,
      ]);
      // REST per symbol agrees.
      const ethRest = (await raw(gw, 'GET', 'trades', { symbol: 'ETHUSDT' })).body as Array<{ price: string }>;
      expect(ethRest.map((t) => t.price)).toEqual(['2600.00000000', '2600.50000000']);
      const btcRest = (await raw(gw, 'GET', 'aggTrades', { symbol: 'BTCUSDT' })).body as Array<{ p: string }>;
      expect(btcRest.map((t) => t.p)).toEqual(['65000.00000000']);
      const candles = await ex.fetchOHLCV(ETH, '1m', undefined, 5);
      // The minute of the trades (a later one, should the minute have turned, has none).
      expect(candles.filter((c) => c[5] !== 0).map((c) => c.slice(1, 6))).toEqual([[2600, 2600.5, 2600, 2600.5, 2.5]]);
    }),
  );

  it(
    'answers a symbol it does not serve -1121, as Binance does, on every route that names one',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const invalid = { code: -1121, msg: 'Invalid symbol.' };
      const order = { symbol: 'XRPUSDT', side: 'BUY', type: 'MARKET', quantity: '1' };
      for (const [method, path, params, signed] of [
        ['POST', 'order', order, true],
        ['POST', 'order/test', order, true],
        ['GET', 'order', { symbol: 'XRPUSDT', orderId: '1' }, true],
        ['DELETE', 'openOrders', { symbol: 'XRPUSDT' }, true],
        ['GET', 'openOrders', { symbol: 'XRPUSDT' }, true],
        ['GET', 'myTrades', { symbol: 'XRPUSDT' }, true],
        ['GET', 'depth', { symbol: 'XRPUSDT' }, false],
        ['GET', 'klines', { symbol: 'XRPUSDT', interval: '1m' }, false],
        ['GET', 'ticker/price', { symbols: '["BTCUSDT","XRPUSDT"]' }, false],
      ] as const) {
        const answer = await raw(gw, method, path, params as Record<string, string>, signed);
        expect([path, answer.status, answer.body]).toEqual([path, 400, invalid]);
      }
      const ex = await ccxtClient(gw);
      await ex.loadMarkets();
      expect((await refused(ex.fetchOrderBook('XRP/USDT'))).name).toBe('BadSymbol');
    }),
  );

  it(
    'counts request weights as Binance does: symbols= of a few tickers is 2, none is 80',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const used = async (path: string, params: Record<string, string>) =>
        Number((await raw(gw, 'GET', path, params)).headers.get('x-mbx-used-weight-1m'));
      const a = await used('ticker/24hr', { symbols: '["BTCUSDT","ETHUSDT"]' });
      const b = await used('ticker/24hr', {});
      const c = await used('ticker/price', { symbols: '["BTCUSDT","ETHUSDT"]' });
      expect([a, b - a, c - b]).toEqual([2, 80, 4]);
    }),
  );
});
