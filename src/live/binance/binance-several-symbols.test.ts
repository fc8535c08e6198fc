// The Binance adapter's parts trading BTCUSDT and ETHUSDT on one account, through the real ccxt:
// the account's user data stream read on each event's own market (its grid, its symbol stated),
// executions and order ends remembered per symbol (Binance numbers both per symbol), and a cancel
// of an order the adapter has not seen looked for by its client id on each market, then sent to
// the one that holds it by that client id, never by a venue id another symbol may also use.
import type { Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { clientOrderId, venueOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import { BINANCE_SPOT } from '../../core/venues/binance-spot.ts';
import { EXCHANGE_INFO, exchangeWithMarkets } from '../../../test/support/binance-markets.ts';
import { BoundedSet } from '../bounded-set.ts';
import { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import { ReportSink } from '../report-sink.ts';
import { VenueInstruments } from '../venue-instruments.ts';
import { WallClock } from '../wall-clock.ts';
import { CommissionPrices } from './binance-commissions.ts';
import type { BinanceLink } from './binance-link.ts';
import { OrderMarkets } from './binance-order-markets.ts';
import { BinanceOrderCalls } from './binance-orders.ts';
import { ReadyMarkets, type ReadyMarket } from './binance-ready-markets.ts';
import { BinanceUserStream } from './binance-user-stream.ts';

const CID = clientOrderId('x0123456789abcdef01234567');
const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const ETH = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });

/** The fixture's exchangeInfo with ETHUSDT beside BTCUSDT (BTCUSDT's filters, ETH's lot). */
function twoMarketsInfo() {
  const btc = EXCHANGE_INFO.symbols.find((s) => s['symbol'] === 'BTCUSDT') as Record<string, unknown>;
  const filters = (btc['filters'] as Array<Record<string, unknown>>).map((f) =>
    f['filterType'] === 'LOT_SIZE' ? { ...f, stepSize: '0.00010000' } : f,
  );
  return { symbols: [...EXCHANGE_INFO.symbols, { ...btc, symbol: 'ETHUSDT', baseAsset: 'ETH', filters }] };
}

interface Asked {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

function setup() {
  const ex = exchangeWithMarkets(twoMarketsInfo());
  const market = (inst: typeof BTC, unified: string, base: string): ReadyMarket => ({
    inst,
    market: ex.market(unified),
    symbol: unified,
    assets: { base, quote: 'USDT' },
  });
  const btc = market(BTC, 'BTC/USDT', 'BTC');
  const eth = market(ETH, 'ETH/USDT', 'ETH');
  const markets = new ReadyMarkets([btc, eth]);
  const reports: VenueMessage[] = [];
  const sink = new ReportSink((t) => t, 'test');
  sink.setHandler((m) => reports.push(m));
  const ids = new HashedClientIdNamespace('run-two', 36);
  // The venue's answers by request: ETHUSDT holds the order CID names; nothing else exists.
  const asked: Asked[] = [];
  ex.fetchImplementation = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const q = url.searchParams.size > 0 ? url.searchParams : new URLSearchParams(String(init?.body ?? ''));
    asked.push({ method: init?.method ?? 'GET', path: url.pathname, query: q });
    const ours = q.get('origClientOrderId') === ids.wire(CID) || q.get('orderId') === '4242';
    if (q.get('symbol') !== 'ETHUSDT' || !ours)
      return new Response(JSON.stringify({ code: -2013, msg: 'Order does not exist.' }), { status: 400 });
    const status = (init?.method ?? 'GET') === 'DELETE' ? 'CANCELED' : 'NEW';
    const body = {
      symbol: 'ETHUSDT',
      orderId: 4242,
      clientOrderId: ids.wire(CID),
      origClientOrderId: ids.wire(CID),
      status,
      price: '2600.00000000',
      origQty: '1.00000000',
      executedQty: '0',
      cummulativeQuoteQty: '0',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      time: 1772323200000,
      updateTime: 1772323201000,
      transactTime: 1772323202000,
    };
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
  ex.apiKey = 'key-for-the-test';
  ex.secret = 'secret-for-the-test';
  const link: BinanceLink = {
    ex: ex as BinanceLink['ex'],
    instruments: new VenueInstruments(BTC, [BTC, ETH]),
    clock: new WallClock(),
    ids,
    reports: sink,
    executions: new BoundedSet(1000),
    orderMarkets: new OrderMarkets(),
    commissions: new CommissionPrices(ex, new WallClock(), new Map([['BNB', '600']])),
    scrubbed: (t) => t,
    ready: () => Promise.resolve(markets),
  };
  const orders = new BinanceOrderCalls(link, BINANCE_SPOT);
  const stream = new BinanceUserStream(link, orders);
  const event = (symbol: string, x: string, X: string, over: Record<string, unknown> = {}) => ({
    e: 'executionReport',
    E: 1772323201000,
    s: symbol,
    c: ids.wire(CID),
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '1.00000000',
    p: '2600.00000000',
    P: '0',
    F: '0',
    g: -1,
    C: '',
    x,
    X,
    r: 'NONE',
    i: 4242,
    l: '0',
    z: '0',
    L: '0',
    n: '0',
    N: null,
    T: 1772323201000,
    t: -1,
    I: 1,
    w: true,
    m: false,
    M: false,
    O: 1772323200000,
    Z: '0',
    Y: '0',
    Q: '0',
    ...over,
  });
  const parsed = ex as unknown as { parseWsOrder(m: unknown): Order; parseWsTrade(m: unknown): Trade };
  return {
    reports,
    orders,
    asked,
    link,
    markets,
    order: (symbol: string, x: string, X: string, over?: Record<string, unknown>) =>
      stream.onOrder(markets, parsed.parseWsOrder(event(symbol, x, X, over))),
    trade: (symbol: string, over: Record<string, unknown>) =>
      stream.onTrade(markets, parsed.parseWsTrade(event(symbol, 'TRADE', 'PARTIALLY_FILLED', over))),
  };
}

const waitFor = async (check: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within 3 s');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('the Binance adapter on two symbols of one account', () => {
  it("reads each event on its own symbol's grid, stating the symbol; a symbol not traded is dropped", () => {
    const s = setup();
    s.order('ETHUSDT', 'NEW', 'NEW');
    s.order('BTCUSDT', 'NEW', 'NEW', { q: '0.00300000', p: '61000.00000000', i: 7 });
    s.order('ETHBTC', 'NEW', 'NEW', { q: '1.00000000', p: '0.05000000' });
    expect(s.reports).toEqual([
      expect.objectContaining({ kind: 'OrderStatusReport', symbol: 'ETHUSDT', qty: 10_000, limitPrice: 260_000 }),
      expect.objectContaining({ kind: 'OrderStatusReport', symbol: 'BTCUSDT', qty: 300, limitPrice: 6_100_000 }),
    ]);
  });

  it('tells the same trade id and the same order id on two symbols apart: each is its own', () => {
    const s = setup();
    const fill = { l: '0.10000000', z: '0.10000000', L: '2600.00000000', n: '0', N: 'USDT', t: 77 };
    s.trade('ETHUSDT', fill);
    s.trade('BTCUSDT', { ...fill, l: '0.00100000', z: '0.00100000', L: '61000.00000000' });
    s.trade('ETHUSDT', fill); // told again: nothing more
    expect(s.reports.filter((r) => r.kind === 'FillReport').map((r) => r.kind === 'FillReport' && r.qty)).toEqual([
      1_000, 100,
    ]);
    s.order('ETHUSDT', 'EXPIRED', 'EXPIRED');
    s.order('BTCUSDT', 'EXPIRED', 'EXPIRED', { q: '0.00300000', p: '61000.00000000' });
    s.order('ETHUSDT', 'EXPIRED', 'EXPIRED');
    expect(s.reports.filter((r) => r.kind === 'ExpiredReport')).toHaveLength(2);
  });

  it('cancels an order it has not seen on the market that holds it, by client id, after looking on each', async () => {
    const s = setup();
    s.orders.cancel(CID, venueOrderId('4242'));
    await waitFor(() => s.reports.length > 0);
    expect(s.reports).toEqual([{ kind: 'CancelReport', clientOrderId: CID }]);
    const wire = s.link.ids.wire(CID);
    expect(s.asked.map((a) => [a.method, a.query.get('symbol'), a.query.get('origClientOrderId')])).toEqual([
      ['GET', 'BTCUSDT', wire],
      ['GET', 'ETHUSDT', wire],
      ['DELETE', 'ETHUSDT', null],
    ]);
    // Now known to be on ETHUSDT: a lookup asks there alone.
    expect(s.link.orderMarkets.candidates(wire, s.markets).map((m) => m.inst.symbol)).toEqual(['ETHUSDT']);
  });

  it('answers a cancel of an order on neither market as not found', async () => {
    const s = setup();
    const other = clientOrderId('x0123456789abcdef0123XXXX');
    s.link.orderMarkets.note(s.link.ids.wire(CID), 'BTCUSDT'); // another order, known elsewhere
    s.orders.cancel(other, null);
    await waitFor(() => s.reports.length > 0);
    expect(s.reports).toEqual([
      expect.objectContaining({ kind: 'CancelRejectReport', clientOrderId: other, failure: 'not_found' }),
    ]);
  });
});

describe('which market an order of ours is on', () => {
  it('with one market always it; with several the one it was seen on, else each; bounded', () => {
    const ex = exchangeWithMarkets(twoMarketsInfo());
    const m = (inst: typeof BTC, unified: string): ReadyMarket => ({
      inst,
      market: ex.market(unified),
      symbol: unified,
      assets: { base: inst.symbol.slice(0, 3), quote: 'USDT' },
    });
    const one = new ReadyMarkets([m(BTC, 'BTC/USDT')]);
    const two = new ReadyMarkets([m(BTC, 'BTC/USDT'), m(ETH, 'ETH/USDT')]);
    const memory = new OrderMarkets(2);
    expect(memory.candidates('a', one).map((r) => r.inst.symbol)).toEqual(['BTCUSDT']);
    expect(memory.candidates('a', two).map((r) => r.inst.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    memory.note('a', 'ETHUSDT');
    memory.note('b', 'BTCUSDT');
    expect(memory.known('a', two)?.inst.symbol).toBe('ETHUSDT');
    memory.note('c', 'BTCUSDT'); // past two: the oldest is forgotten
    expect(memory.known('a', two)).toBeNull();
    expect(memory.known('c', two)?.inst.symbol).toBe('BTCUSDT');
    expect(two.forOrder('ETHUSDT')?.symbol).toBe('ETH/USDT');
    expect(two.forOrder('SOLUSDT')).toBeNull();
    expect(one.forOrder('SOLUSDT')?.symbol).toBe('BTC/USDT');
    expect(two.unified('ETH/BTC')).toBeNull();
  });
});
