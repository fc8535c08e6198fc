// What the user data stream's events become, and that each execution and each order's end is
// told once whichever channel tells it (the POST answer, the stream, a cancel's answer). The
// events are Binance's executionReport payloads (user-data-stream.md) parsed by ccxt's own
// parseWsOrder / parseWsTrade; the cancel's DELETE goes through the real ccxt, its answer held
// back by ccxt's fetch hook until the test releases it.
import type { Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { clientOrderId, venueOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import { BINANCE_SPOT } from '../../core/venues/binance-spot.ts';
import { btcusdt, exchangeWithMarkets } from '../../../test/support/binance-markets.ts';
import { BoundedSet } from '../bounded-set.ts';
import { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import { ReportSink } from '../report-sink.ts';
import { WallClock } from '../wall-clock.ts';
import { CommissionPrices } from './binance-commissions.ts';
import type { BinanceLink } from './binance-link.ts';
import { ReadyMarkets, type ReadyMarket } from './binance-ready-markets.ts';
import { OrderMarkets } from './binance-order-markets.ts';
import { VenueInstruments } from '../venue-instruments.ts';
import { BinanceOrderCalls } from './binance-orders.ts';
import { BinanceUserStream } from './binance-user-stream.ts';

const CID = clientOrderId('x0123456789abcdef01234567');

function setup() {
  const ex = exchangeWithMarkets();
  const market = btcusdt(ex);
  const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
  const ready: ReadyMarket = { inst, market, symbol: 'BTC/USDT', assets: { base: 'BTC', quote: 'USDT' } };
  const markets = new ReadyMarkets([ready]);
  const reports: VenueMessage[] = [];
  const sink = new ReportSink((t) => t, 'test');
  sink.setHandler((m) => reports.push(m));
  const ids = new HashedClientIdNamespace('run-stream', 36);
  // The DELETE's answer waits for release(): a cancel stays in flight meanwhile.
  let release: (body: unknown) => void = () => undefined;
  const answers = { asked: 0, read: 0 };
  /** An answer that counts when ccxt has read its body. */
  const counted = (body: unknown): Response => {
    const response = new Response(JSON.stringify(body), { status: 200 });
    const text = response.text.bind(response);
    Object.defineProperty(response, 'text', { value: () => text().finally(() => answers.read++) });
    return response;
  };
  ex.fetchImplementation = (() =>
    new Promise<Response>((resolve) => {
      answers.asked++;
      release = (body) => resolve(counted(body));
    })) as typeof fetch;
  ex.apiKey = 'key-for-the-test';
  ex.secret = 'secret-for-the-test';
  const link: BinanceLink = {
    ex: ex as BinanceLink['ex'],
    instruments: new VenueInstruments(inst),
    clock: new WallClock(),
    ids,
    reports: sink,
    executions: new BoundedSet(1000),
    orderMarkets: new OrderMarkets(),
    // BNB at the scenario's price: a commission in BNB is valued without a request.
    commissions: new CommissionPrices(ex, new WallClock(), new Map([['BNB', '600']])),
    scrubbed: (t) => t,
    ready: () => Promise.resolve(markets),
  };
  const orders = new BinanceOrderCalls(link, BINANCE_SPOT);
  const stream = new BinanceUserStream(link, orders);
  const wire = ids.wire(CID);
  const event = (x: string, X: string, over: Record<string, unknown> = {}) => ({
    e: 'executionReport',
    E: 1772323201000,
    s: 'BTCUSDT',
    c: wire,
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '0.00300000',
    p: '100000.00000000',
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
    ex,
    reports,
    orders,
    stream,
    ready,
    wire,
    order: (x: string, X: string, over?: Record<string, unknown>) =>
      stream.onOrder(markets, parsed.parseWsOrder(event(x, X, over))),
    trade: (over: Record<string, unknown>) =>
      stream.onTrade(markets, parsed.parseWsTrade(event('TRADE', 'PARTIALLY_FILLED', over))),
    release: (body: unknown) => release(body),
    answers,
  };
}

/** A few turns of the event loop: what an answer already read leads to has run by then. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const waitFor = async (check: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within 3 s');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('the user data stream', () => {
  it('a NEW order is its state; a TRADE an execution with its BNB commission valued, once however often it is told', async () => {
    const s = setup();
    s.order('NEW', 'NEW');
    const fill = { l: '0.00100000', z: '0.00100000', L: '100000.00000000', n: '0.00000150', N: 'BNB', t: 77, m: true };
    s.trade(fill);
    s.trade(fill); // the stream repeats it
    await turns();
    const fromPost = s.orders.fills(
      CID,
      venueOrderId('4242'),
      [{ tradeId: '77' as never, qty: 100, price: 10_000_000, fee: 0, liquidity: 'taker', venueTime: 0 }],
      s.ready,
    );
    expect(fromPost).toEqual([]);
    expect(s.reports).toEqual([
      expect.objectContaining({
        kind: 'OrderStatusReport',
        clientOrderId: CID,
        status: 'new',
        filledQty: 0,
        source: 'stream',
      }),
      {
        kind: 'FillReport',
        clientOrderId: CID,
        venueOrderId: '4242',
        tradeId: '77',
        qty: 100,
        price: 10_000_000,
        liquidity: 'maker',
        venueTime: 1772323201000,
        // 0.0000015 BNB at 600 USDT = 0.0009 USDT = 9,000 units of 1e-7.
        fee: 9_000,
        commission: { asset: 'BNB', amount: '0.0000015', valuedAt: { price: '600', source: 'scenario' } },
      },
    ]);
  });

  it('what the stream tells after a trade whose commission is being valued waits its turn', async () => {
    const s = setup();
    s.trade({ l: '0.00100000', z: '0.00100000', L: '100000.00000000', n: '0.00000150', N: 'BNB', t: 78, m: true });
    s.order('EXPIRED', 'EXPIRED', { z: '0.00100000' });
    expect(s.reports).toEqual([]); // the fill is being valued: the expiry after it waits
    await turns();
    expect(s.reports.map((r) => r.kind)).toEqual(['FillReport', 'ExpiredReport']);
    // Nothing waiting: an event is told at once again.
    s.order('CANCELED', 'CANCELED', { i: 4243 });
    expect(s.reports.map((r) => r.kind)).toEqual(['FillReport', 'ExpiredReport', 'CancelReport']);
  });

  it("reads another symbol's events not at all, and another run's order by the venue's spelling", () => {
    const s = setup();
    s.order('NEW', 'NEW', { s: 'ETHBTC', q: '1.00000000', p: '0.05000000' });
    expect(s.reports).toEqual([]);
    const other = new HashedClientIdNamespace('run-else', 36).wire(CID);
    s.order('NEW', 'NEW', { c: other });
    expect(s.reports).toEqual([expect.objectContaining({ kind: 'OrderStatusReport', clientOrderId: other })]);
  });

  it('an expiry is told once, whether the POST answer or the stream says it first', () => {
    const s = setup();
    expect(s.orders.end(CID, venueOrderId('4242'), 'expired', 'the POST answer', s.ready)).toEqual([
      { kind: 'ExpiredReport', clientOrderId: CID, reason: 'expired (the POST answer): its time in force ended' },
    ]);
    s.order('EXPIRED', 'EXPIRED', { z: '0.00100000' });
    expect(s.reports).toEqual([]);
  });

  it('a CANCELED on the stream answers the cancel in flight, and the DELETE answer after it adds nothing', async () => {
    const s = setup();
    s.orders.cancel(CID, venueOrderId('4242'));
    await waitFor(() => s.answers.asked === 1); // the DELETE is in flight
    s.order('CANCELED', 'CANCELED');
    expect(s.reports).toEqual([{ kind: 'CancelReport', clientOrderId: CID }]);
    s.release({
      symbol: 'BTCUSDT',
      orderId: 4242,
      clientOrderId: s.wire,
      origClientOrderId: s.wire,
      status: 'CANCELED',
      price: '100000.00000000',
      origQty: '0.00300000',
      executedQty: '0',
      cummulativeQuoteQty: '0',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      transactTime: 1772323202000,
    });
    await waitFor(() => s.answers.read === 1);
    await turns();
    s.order('CANCELED', 'CANCELED'); // told again: nothing more
    expect(s.reports).toEqual([{ kind: 'CancelReport', clientOrderId: CID }]);
  });

  it("a cancel's DELETE answer is its answer when the stream has not spoken; the stream's CANCELED then adds nothing", async () => {
    const s = setup();
    s.orders.cancel(CID, venueOrderId('4242'));
    await waitFor(() => s.answers.asked === 1);
    s.release({
      symbol: 'BTCUSDT',
      orderId: 4242,
      clientOrderId: s.wire,
      origClientOrderId: s.wire,
      status: 'CANCELED',
      price: '100000.00000000',
      origQty: '0.00300000',
      executedQty: '0',
      cummulativeQuoteQty: '0',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      transactTime: 1772323202000,
    });
    await waitFor(() => s.reports.length > 0);
    s.order('CANCELED', 'CANCELED');
    expect(s.reports).toEqual([{ kind: 'CancelReport', clientOrderId: CID }]);
  });

  it('a cancel nobody asked for (another session, an operator) is reported once', () => {
    const s = setup();
    s.order('CANCELED', 'CANCELED');
    s.order('CANCELED', 'CANCELED');
    expect(s.reports).toEqual([{ kind: 'CancelReport', clientOrderId: CID }]);
  });
});
