// The real ccxt's ticker watches against the Binance gateway, as an unmodified bot calls them:
// watchTicker (ccxt 4.5.84 subscribes `<symbol>@miniTicker`: reading its `stock` option drops the
// `callerMethodName` that would pick its `watchTicker.name`, `ticker`; `@ticker` by `name`),
// watchTickers of symbols (`@miniTicker` by default, `@ticker` or a rolling `@ticker_1h` by
// `name`), watchTickers of every symbol (`!miniTicker@arr`) and watchBidsAsks (`@bookTicker`).
// What ccxt makes of each event agrees with what it makes of the REST ticker (fetchTicker) while
// nothing trades in between. Static books: BTCUSDT asks 0.1 @ 65000, 1 @ 65001, bids 0.2 @
// 64999; ETHUSDT asks 2 @ 2600.00, bids 3 @ 2599.50. Real sockets on 127.0.0.1; every wait is a
// bounded condition.
import type { Ticker, Tickers } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { binanceGateway, ccxtClient, watchUntil, type Ccxt } from '../support/binance-gateway-harness.ts';
import { scoped, waitFor } from '../support/gateway-harness.ts';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';
const TWO = 'scenarios/gateway/btc-eth.yaml';

/** The fields of a ccxt ticker a stream and REST both state. */
const stated = (t: Ticker) => ({
  symbol: t.symbol,
  bid: t.bid,
  bidVolume: t.bidVolume,
  ask: t.ask,
  askVolume: t.askVolume,
  open: t.open,
  high: t.high,
  low: t.low,
  last: t.last,
  previousClose: t.previousClose,
  change: t.change,
  percentage: t.percentage,
  vwap: t.vwap,
  baseVolume: t.baseVolume,
  quoteVolume: t.quoteVolume,
});

/** Watches once, then waits for ccxt's cache to hold every symbol of `symbols` (a watch of
 *  several gives the first new ticker; the others of the same second land in the cache). */
async function everyOf(ex: Ccxt, watch: () => Promise<Tickers>, symbols: readonly string[]): Promise<Tickers> {
  await watchUntil(watch, () => true);
  await waitFor(() => symbols.every((s) => ex.tickers[s] !== undefined));
  return ex.tickers;
}

const eventOf = (t: Ticker | undefined) => (t?.info as Record<string, unknown> | undefined)?.['e'];

describe.concurrent('ccxt ticker watches against the Binance gateway', () => {
  it(
    'watchTicker reads the mini ticker, and by name the full one, which follows a trade as fetchTicker does',
    scoped(async () => {
      const gw = await binanceGateway();
      const ex = await ccxtClient(gw);
      const plain = await ex.watchTicker(BTC);
      expect(gw.streams.subscribers('btcusdt@miniTicker')).toBe(1);
      expect(eventOf(plain)).toBe('24hrMiniTicker');
      expect([plain.baseVolume, (plain.info as Record<string, unknown>)['c']]).toEqual([0, '0.00000000']);

      const first = await ex.watchTicker(BTC, { name: 'ticker' });
      expect(gw.streams.subscribers('btcusdt@ticker')).toBe(1);
      expect(eventOf(first)).toBe('24hrTicker');
      expect([first.bid, first.ask, first.baseVolume]).toEqual([64999, 65000, 0]);
      expect(stated(first)).toEqual(stated(await ex.fetchTicker(BTC)));

      await ex.createOrder(BTC, 'market', 'buy', 0.15, undefined, { newClientOrderId: 'tick-1' });
      const after = await watchUntil(
        () => ex.watchTicker(BTC, { name: 'ticker' }),
        (t) => t.last === 65001 && t.askVolume === 0.95, // the quote may state the second fill later
      );
      expect(after).toMatchObject({
        open: 65000,
        high: 65001,
        low: 65000,
        baseVolume: 0.15,
        ask: 65001,
        askVolume: 0.95,
      });
      expect(after.vwap).toBeCloseTo(65000.33333333, 6);
      expect(typeof after.timestamp).toBe('number');
      expect(stated(after)).toEqual(stated(await ex.fetchTicker(BTC)));
    }),
  );

  it(
    'watchTickers of two symbols: mini tickers by default, full and rolling ones by name',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      const minis = await everyOf(ex, () => ex.watchTickers([BTC, ETH]), [BTC, ETH]);
      expect(gw.streams.subscribers('btcusdt@miniTicker') + gw.streams.subscribers('ethusdt@miniTicker')).toBe(2);
      expect([BTC, ETH].map((s) => eventOf(minis[s]))).toEqual(['24hrMiniTicker', '24hrMiniTicker']);

      // The full tickers replace the mini ones in ccxt's cache, as they come.
      await watchUntil(
        () => ex.watchTickers([BTC, ETH], { name: 'ticker' }),
        () => [BTC, ETH].every((s) => eventOf(ex.tickers[s]) === '24hrTicker'),
      );
      const full = ex.tickers;
      expect(gw.streams.subscribers('ethusdt@ticker')).toBe(1);
      expect([full[ETH]!.bid, full[ETH]!.ask, full[BTC]!.bid, full[BTC]!.ask]).toEqual([2599.5, 2600, 64999, 65000]);
      for (const s of [BTC, ETH]) expect(stated(full[s]!)).toEqual(stated(await ex.fetchTicker(s)));

      await ex.createOrder(ETH, 'market', 'buy', 1, undefined, { newClientOrderId: 'eth-1' });
      const hour = await watchUntil(
        () => ex.watchTickers([ETH], { name: 'ticker_1h' }),
        (t) => t[ETH]?.last === 2600,
      );
      expect(gw.streams.subscribers('ethusdt@ticker_1h')).toBe(1);
      expect(eventOf(hour[ETH])).toBe('1hTicker');
      expect(hour[ETH]).toMatchObject({ open: 2600, baseVolume: 1, quoteVolume: 2600 });
    }),
  );

  it(
    'watchTickers of every symbol reads the all-market mini tickers',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      const all = await everyOf(ex, () => ex.watchTickers(), [BTC, ETH]);
      expect(gw.streams.subscribers('!miniTicker@arr')).toBe(1);
      expect(Object.keys(all).sort()).toEqual([BTC, ETH]);
      expect(all[ETH]).toMatchObject({ symbol: ETH, baseVolume: 0 });
      expect([eventOf(all[BTC]), eventOf(all[ETH])]).toEqual(['24hrMiniTicker', '24hrMiniTicker']);
    }),
  );

  it(
    'watchBidsAsks follows each symbol’s top of book',
    scoped(async () => {
      const gw = await binanceGateway(TWO);
      const ex = await ccxtClient(gw);
      const first = ex.watchBidsAsks([BTC, ETH]);
      await waitFor(() => gw.streams.subscribers('btcusdt@bookTicker') === 1);
      await ex.createOrder(BTC, 'market', 'buy', 0.15, undefined, { newClientOrderId: 'top-1' });
      await watchUntil(
        () => ex.watchBidsAsks([BTC, ETH]),
        (t) => t[BTC]?.ask === 65001,
        first,
      );
      // The take's two fills may reach the stream as two quotes (65001 x 1, then x 0.95), the second
      // before the next watch is asked: ccxt's cache holds it.
      await waitFor(() => ex.bidsasks[BTC]?.askVolume === 0.95);
      expect(ex.bidsasks[BTC]).toMatchObject({ bid: 64999, bidVolume: 0.2, ask: 65001, askVolume: 0.95 });
      const next = ex.watchBidsAsks([BTC, ETH]);
      await ex.createOrder(ETH, 'market', 'buy', 2, undefined, { newClientOrderId: 'top-2' });
      const eth = await watchUntil(
        () => ex.watchBidsAsks([BTC, ETH]),
        (t) => t[ETH]?.ask === 2600.5,
        next,
      );
      expect(eth[ETH]).toMatchObject({ bid: 2599.5, bidVolume: 3, ask: 2600.5, askVolume: 10 });
    }),
  );
});
