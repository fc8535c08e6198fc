// SimExchange driven directly: an L2 book set level by level, market trades, and our orders,
// with a listener collecting what the venue does. Prices are ticks and quantities lots
// (tick 1, lot 1), so the numbers in the tests are the numbers the exchange sees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import { clientOrderId, parentOrderId, symbol, type ClientOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from '../../core/model/order.ts';
import { L2Book } from '../book/l2-book.ts';
import type { ExchangeOrder, ExchangeTrade } from './exchange-order.ts';
import { makeQueueModel, type QueueModelSpec } from './queue-model.ts';
import { SimExchange, type ExchangeConfig } from './sim-exchange.ts';

const instrument = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });

interface Fill {
  readonly id: ClientOrderId;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
}

interface Options extends Partial<Omit<ExchangeConfig, 'queue'>> {
  readonly queue?: QueueModelSpec;
}

function setup(options: Options = {}) {
  const { queue, ...rest } = options;
  const clock = { t: 0 };
  const book = new L2Book();
  const config: ExchangeConfig = {
    instrument,
    makerFeeBps: 0,
    takerFeeBps: 0,
    queue: makeQueueModel(queue ?? { model: 'risk_averse' }),
    fillOnTouch: false,
    account: null,
    clientIdUniqueness: 'open-orders',
    ...rest,
  };
  const ex = new SimExchange(book, config, () => clock.t);
  const fills: Fill[] = [];
  const expired: Array<{ id: ClientOrderId; reason: string }> = [];
  const canceled: ClientOrderId[] = [];
  ex.setListener({
    accepted: () => {},
    filled: (o: ExchangeOrder, t: ExchangeTrade) =>
      fills.push({ id: o.clientOrderId, side: o.side, qty: t.qty, price: t.price, fee: t.fee, liquidity: t.liquidity }),
    canceled: (o) => canceled.push(o.clientOrderId),
    expired: (o, reason) => expired.push({ id: o.clientOrderId, reason }),
  });
  /** Sets the levels of both sides, best first. */
  const levels = (bids: Array<[number, number]>, asks: Array<[number, number]>) => {
    for (const [p, q] of bids) ex.setLevel('bid', p, q);
    for (const [p, q] of asks) ex.setLevel('ask', p, q);
  };
  const of = (id: string) => fills.filter((f) => f.id === id);
  const filled = (id: string) => of(id).reduce((s, f) => s + f.qty, 0);
  return { ex, book, clock, fills, expired, canceled, levels, of, filled };
}

interface Req {
  readonly tif?: TimeInForce;
  readonly limit?: number;
  readonly stop?: number;
}

function req(id: string, side: Side, qty: number, type: OrderType, r: Req = {}): OrderRequest {
  return {
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('T'),
    side,
    type,
    tif: r.tif ?? (type === 'market' ? 'IOC' : 'GTC'),
    qty,
    ...(r.limit === undefined ? {} : { limitPrice: r.limit }),
    ...(r.stop === undefined ? {} : { stopPrice: r.stop }),
  };
}

const market = (id: string, side: Side, qty: number, tif: TimeInForce = 'IOC') => req(id, side, qty, 'market', { tif });
const limit = (id: string, side: Side, qty: number, price: number, tif: TimeInForce = 'GTC') =>
  req(id, side, qty, 'limit', { limit: price, tif });

/** Submits and returns the accepted order (fails the test on a refusal). */
function accept(ex: SimExchange, r: OrderRequest, postOnly = false): ExchangeOrder {
  const out = ex.submit(r, postOnly);
  if (typeof out === 'string') throw new Error(`${r.clientOrderId} refused: ${out}`);
  return out;
}

describe('SimExchange: taking liquidity', () => {
  it('walks the ask levels best first with one fill per level, and the remainder of a market order expires', () => {
    const { ex, fills, expired, levels } = setup();
    levels(
      [[99, 5]],
      [
        [103, 4],
        [101, 2],
        [102, 3],
      ],
    );
    const o = accept(ex, market('m', 'buy', 7));
    expect(fills.map((f) => [f.price, f.qty, f.liquidity])).toEqual([
      [101, 2, 'taker'],
      [102, 3, 'taker'],
      [103, 2, 'taker'],
    ]);
    expect(o.status).toBe('filled');
    expect(o.notional).toBe(101 * 2 + 102 * 3 + 103 * 2);
    expect(expired).toEqual([]);

    accept(ex, market('m2', 'buy', 5));
    expect(fills.filter((f) => f.id === 'm2').map((f) => [f.price, f.qty])).toEqual([[103, 2]]);
    expect(expired).toEqual([{ id: 'm2', reason: expect.stringContaining('market order') }]);
  });

  it('a limit order takes only the levels at or better than its price, then rests the rest', () => {
    const { ex, of, levels } = setup();
    levels(
      [[99, 5]],
      [
        [101, 2],
        [102, 3],
        [104, 9],
      ],
    );
    const o = accept(ex, limit('l', 'buy', 8, 102));
    expect(of('l').map((f) => [f.price, f.qty])).toEqual([
      [101, 2],
      [102, 3],
    ]);
    expect(o.status).toBe('partially_filled');
    expect(ex.openOrders().map((x) => x.clientOrderId)).toEqual(['l']);
    expect(ex.resting.at('buy', 102)).toEqual([o]);
  });

  it('consumed liquidity is not there for a second order until the model refreshes the level', () => {
    const { ex, of, expired, levels } = setup();
    levels([[99, 5]], [[101, 4]]);
    accept(ex, market('a', 'buy', 3));
    expect(ex.available('ask', 101)).toBe(1);
    accept(ex, market('b', 'buy', 3));
    expect(of('b').map((f) => f.qty)).toEqual([1]);
    expect(expired.map((e) => e.id)).toEqual(['b']);
    expect(ex.available('ask', 101)).toBe(0);
    // Still displayed (the model has not refreshed it), still gone for us.
    expect(ex.book.qty('ask', 101)).toBe(4);
    accept(ex, market('c', 'buy', 1));
    expect(of('c')).toEqual([]);

    ex.setLevel('ask', 101, 4); // a refresh
    expect(ex.available('ask', 101)).toBe(4);
    accept(ex, market('d', 'buy', 2));
    expect(of('d').map((f) => [f.price, f.qty])).toEqual([[101, 2]]);
  });

  it('a market-trade shrink (refresh=false) keeps our consumption, clamped to what is displayed', () => {
    const { ex, of, levels } = setup();
    levels([[99, 5]], [[101, 10]]);
    accept(ex, market('a', 'buy', 4));
    expect(ex.available('ask', 101)).toBe(6);
    // Someone buys 3 at 101: the level shows 7; what we took stays taken.
    ex.marketTrade(101, 3, 'buy');
    ex.setLevel('ask', 101, 7, false);
    expect(ex.available('ask', 101)).toBe(3);
    accept(ex, market('b', 'buy', 5));
    expect(of('b').map((f) => f.qty)).toEqual([3]);
    // A shrink below what we consumed leaves nothing available, never a negative amount.
    ex.marketTrade(101, 5, 'buy');
    ex.setLevel('ask', 101, 2, false);
    expect(ex.available('ask', 101)).toBe(0);
    ex.setLevel('ask', 101, 0, false);
    ex.setLevel('ask', 101, 6, false);
    expect(ex.available('ask', 101)).toBe(6); // a removed level comes back fresh
  });

  it('sells walk the bids best first', () => {
    const { ex, of, levels } = setup();
    levels(
      [
        [97, 1],
        [99, 2],
        [98, 3],
      ],
      [[101, 1]],
    );
    accept(ex, market('s', 'sell', 4));
    expect(of('s').map((f) => [f.price, f.qty])).toEqual([
      [99, 2],
      [98, 2],
    ]);
  });
});

describe('SimExchange: the best price left after our trades', () => {
  it('skips a displayed level our trades emptied, and only such levels; a refresh makes it the best again', () => {
    const { ex, levels } = setup();
    levels(
      [
        [99, 5],
        [98, 4],
      ],
      [
        [101, 2],
        [102, 3],
        [104, 9],
      ],
    );
    expect(ex.bestAvailable('ask')).toBe(101);
    accept(ex, market('a', 'buy', 4)); // all 2 at 101, 2 of the 3 at 102
    expect(ex.book.bestAsk()).toBe(101); // still displayed: the model has not refreshed it
    expect(ex.bestAvailable('ask')).toBe(102);
    accept(ex, market('b', 'buy', 1));
    expect(ex.bestAvailable('ask')).toBe(104);
    accept(ex, market('c', 'sell', 5));
    expect(ex.bestAvailable('bid')).toBe(98);
    accept(ex, market('d', 'buy', 9));
    expect(ex.bestAvailable('ask')).toBeNull();
    ex.setLevel('ask', 102, 3); // the model refreshes one level
    expect(ex.bestAvailable('ask')).toBe(102);
  });

  it('a post-only order at an emptied price rests instead of being refused as one that would take', () => {
    const { ex, of, levels } = setup();
    levels(
      [[99, 5]],
      [
        [101, 2],
        [103, 4],
      ],
    );
    accept(ex, market('a', 'buy', 2));
    expect(accept(ex, limit('p', 'buy', 1, 101), true).status).toBe('new');
    expect(of('p')).toEqual([]);
    expect(ex.submit(limit('q', 'buy', 1, 103), true)).toBe('post-only-would-take');
  });

  it('property: it is the best level with volume left, as a walk over the whole book finds it', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        side: fc.constantFrom('bid' as const, 'ask' as const),
        offset: fc.integer({ min: 0, max: 8 }),
        qty: fc.integer({ min: 0, max: 5 }),
        refresh: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('take' as const),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        qty: fc.integer({ min: 1, max: 14 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60, size: 'max' }), (ops) => {
        const { ex } = setup();
        const walk = (side: 'bid' | 'ask'): number | null =>
          ex.book.depth(side, Number.MAX_SAFE_INTEGER).find(([price]) => ex.available(side, price) > 0)?.[0] ?? null;
        let id = 0;
        for (const o of ops) {
          // Bids at 92-100, asks at 101-109: the book never crosses, as the models draw it.
          if (o.kind === 'set')
            ex.setLevel(o.side, o.side === 'bid' ? 100 - o.offset : 101 + o.offset, o.qty, o.refresh);
          else ex.submit(market(`t${++id}`, o.side, o.qty), false);
          // Checked after every one of up to 60 steps: expect is called only on a mismatch.
          expectIs(ex.bestAvailable('bid'), walk('bid'));
          expectIs(ex.bestAvailable('ask'), walk('ask'));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('SimExchange: queue position of resting orders', () => {
  it('starts behind the displayed quantity at its price (and behind our own earlier orders there)', () => {
    const { ex, levels } = setup();
    levels(
      [
        [100, 7],
        [99, 5],
      ],
      [[102, 5]],
    );
    expect(accept(ex, limit('a', 'buy', 3, 100)).ahead).toBe(7);
    expect(accept(ex, limit('b', 'buy', 2, 100)).ahead).toBe(10);
    expect(accept(ex, limit('c', 'buy', 2, 101)).ahead).toBe(0);
  });

  it('trades at its price eat the queue first; only the excess fills it, at its price, as maker', () => {
    const { ex, of, levels } = setup({ makerFeeBps: 100, takerFeeBps: 300 });
    levels([[100, 7]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    ex.marketTrade(100, 5, 'sell');
    expect(o.ahead).toBe(2);
    expect(of('a')).toEqual([]);
    ex.marketTrade(100, 3, 'sell');
    expect(o.ahead).toBe(0);
    expect(of('a')).toEqual([{ id: 'a', side: 'buy', qty: 1, price: 100, fee: 1, liquidity: 'maker' }]);
    ex.marketTrade(100, 10, 'sell');
    expect(of('a').map((f) => f.qty)).toEqual([1, 3]);
    expect(o.status).toBe('filled');
    expect(ex.resting.size).toBe(0);
  });

  it('trades on the other side of the book do not touch it', () => {
    const { ex, levels, fills } = setup();
    levels([[100, 1]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    ex.marketTrade(100, 5, 'buy'); // a buyer lifting an ask at 100 is not a seller hitting our bid
    expect(o.ahead).toBe(1);
    expect(fills).toEqual([]);
  });

  it('a trade through its price fills it in full at its own price, however small the trade', () => {
    const { ex, of, levels } = setup();
    levels(
      [
        [100, 7],
        [99, 5],
      ],
      [[102, 5]],
    );
    const o = accept(ex, limit('a', 'buy', 6, 100));
    ex.marketTrade(99, 1, 'sell');
    expect(of('a')).toEqual([{ id: 'a', side: 'buy', qty: 6, price: 100, fee: 0, liquidity: 'maker' }]);
    expect(o.status).toBe('filled');
  });

  it('touch is not a fill by default, but fillOnTouch fills on any trade at the price', () => {
    const strict = setup();
    strict.levels([[100, 7]], [[102, 5]]);
    accept(strict.ex, limit('a', 'buy', 4, 100));
    strict.ex.marketTrade(100, 2, 'sell');
    expect(strict.fills).toEqual([]);

    const touch = setup({ fillOnTouch: true });
    touch.levels([[100, 7]], [[102, 5]]);
    accept(touch.ex, limit('a', 'buy', 4, 100));
    touch.ex.marketTrade(100, 2, 'sell');
    expect(touch.of('a').map((f) => [f.qty, f.price, f.liquidity])).toEqual([[2, 100, 'maker']]);
    touch.ex.marketTrade(100, 9, 'sell');
    expect(touch.filled('a')).toBe(4);
  });

  it('risk-averse: a shrink without trades clamps ahead to the new level size', () => {
    const { ex, levels } = setup();
    levels([[100, 10]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    ex.setLevel('bid', 100, 8);
    expect(o.ahead).toBe(8);
    ex.setLevel('bid', 100, 3);
    expect(o.ahead).toBe(3);
    ex.setLevel('bid', 100, 12); // growth joins behind us
    expect(o.ahead).toBe(3);
  });

  it('probabilistic: a shrink moves it up by the power-law share of the cancel that was ahead', () => {
    const { ex, levels } = setup({ queue: { model: 'probabilistic', exponent: 2 } });
    levels([[100, 10]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    // Joined at ahead 10, then 10 more joined behind: ahead 10, behind 10 of a level of 20.
    ex.setLevel('bid', 100, 20);
    expect(o.ahead).toBe(10);
    // Cancel of 6 out of 20 (ahead 10, behind 10): share 10^2 / (10^2 + 10^2) = 1/2 -> 3 ahead.
    ex.setLevel('bid', 100, 14);
    expect(o.ahead).toBe(7);
    // Ahead 7 of 14 (behind 7): cancel 4 -> share 1/2 -> 2.
    ex.setLevel('bid', 100, 10);
    expect(o.ahead).toBe(5);
    // Ahead 5, behind 5, grow to 15 (behind 10): cancel 5 -> 5 * 25 / (25 + 100) = 1.
    ex.setLevel('bid', 100, 15);
    ex.setLevel('bid', 100, 10);
    expect(o.ahead).toBe(4);
  });

  it('volume that traded since the last depth update is not counted again as a cancel', () => {
    const { ex, levels } = setup();
    levels([[100, 10]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    ex.setLevel('bid', 100, 20); // 10 behind us
    ex.marketTrade(100, 4, 'sell');
    expect(o.ahead).toBe(6);
    // The depth update that follows shows the level down by the 4 that traded: not a cancel.
    ex.setLevel('bid', 100, 16);
    expect(o.ahead).toBe(6);
    // The next one down by 10 more without trades: a cancel, clamped (risk-averse) to 6.
    ex.setLevel('bid', 100, 6);
    expect(o.ahead).toBe(6);
    ex.setLevel('bid', 100, 2);
    expect(o.ahead).toBe(2);
  });

  it('a trade and a cancel in the same depth update: only the cancel part moves the queue model', () => {
    const { ex, levels } = setup({ queue: { model: 'probabilistic', exponent: 1 } });
    levels([[100, 10]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 4, 100));
    ex.setLevel('bid', 100, 20);
    ex.marketTrade(100, 2, 'sell'); // ahead 8, level 18 after the trade (8 ahead, 10 behind)
    ex.setLevel('bid', 100, 9); // 2 traded, 9 cancelled: 9 * 8 / 18 = 4 ahead
    expect(o.ahead).toBe(4);
  });

  it('cancelling our earlier order at a level moves our later one up by its remainder', () => {
    const { ex, levels } = setup();
    levels([[100, 5]], [[102, 5]]);
    accept(ex, limit('a', 'buy', 3, 100));
    const b = accept(ex, limit('b', 'buy', 2, 100));
    expect(b.ahead).toBe(8);
    expect(ex.cancel(clientOrderId('a'))).toBe(true);
    expect(b.ahead).toBe(5);
  });

  it('our two orders at one level fill in time order from a trade, never more than the trade beyond the queue', () => {
    const { ex, of, levels } = setup();
    levels([[100, 5]], [[102, 5]]);
    accept(ex, limit('a', 'buy', 3, 100));
    accept(ex, limit('b', 'buy', 4, 100));
    ex.marketTrade(100, 7, 'sell'); // 5 market lots ahead, then a (3), then b
    expect(of('a').map((f) => f.qty)).toEqual([2]);
    expect(of('b')).toEqual([]);
    ex.marketTrade(100, 3, 'sell');
    expect(of('a').map((f) => f.qty)).toEqual([2, 1]);
    expect(of('b').map((f) => f.qty)).toEqual([2]);
  });

  it('a cancel-shrink under our two orders keeps them in time order and conserves trade volume', () => {
    const { ex, of, levels } = setup();
    levels([[100, 10]], [[102, 5]]);
    const a = accept(ex, limit('a', 'buy', 5, 100));
    const b = accept(ex, limit('b', 'buy', 5, 100));
    ex.setLevel('bid', 100, 2); // 8 market lots cancelled; at most 2 market lots are still ahead
    expect(a.ahead).toBe(2);
    expect(b.ahead).toBe(7); // the 2 market lots and our a
    ex.marketTrade(100, 3, 'sell'); // 2 market lots, then 1 for a; nothing reaches b
    expect(of('a').map((f) => f.qty)).toEqual([1]);
    expect(of('b')).toEqual([]);
  });

  it('fillOnTouch shares a trade between our orders at the price instead of filling each with all of it', () => {
    const { ex, fills, levels } = setup({ fillOnTouch: true });
    levels([[100, 10]], [[102, 5]]);
    accept(ex, limit('a', 'buy', 5, 100));
    accept(ex, limit('b', 'buy', 5, 100));
    ex.marketTrade(100, 3, 'sell');
    expect(fills.map((f) => [f.id, f.qty])).toEqual([['a', 3]]);
    ex.marketTrade(100, 4, 'sell');
    expect(fills.map((f) => [f.id, f.qty])).toEqual([
      ['a', 3],
      ['a', 2],
      ['b', 2],
    ]);
  });
});

describe('SimExchange: the book moving onto our resting orders', () => {
  it('an ask that moves down onto our bid fills us as maker at our price, against the displayed volume', () => {
    const { ex, of, levels } = setup();
    levels([[99, 5]], [[102, 5]]);
    const o = accept(ex, limit('a', 'buy', 6, 100));
    expect(of('a')).toEqual([]);
    ex.setLevel('ask', 102, 0);
    ex.setLevel('ask', 100, 2);
    ex.setLevel('ask', 99, 1);
    // The ask at 99 appears after the one at 100: each update fills what is on offer at or below 100.
    expect(of('a').map((f) => [f.qty, f.price, f.liquidity])).toEqual([
      [2, 100, 'maker'],
      [1, 100, 'maker'],
    ]);
    expect(o.filled).toBe(3);
    expect(ex.available('ask', 100)).toBe(0);
    expect(ex.available('ask', 99)).toBe(0);
    // A sell of ours now finds nothing to take at 99 or 100.
    expect(ex.book.bestAsk()).toBe(99);
  });

  it('a bid that moves up onto our ask fills our sell', () => {
    const { ex, of, levels } = setup();
    levels([[98, 5]], [[103, 5]]);
    accept(ex, limit('s', 'sell', 4, 101));
    ex.setLevel('bid', 102, 3);
    expect(of('s').map((f) => [f.qty, f.price, f.liquidity])).toEqual([[3, 101, 'maker']]);
  });

  it('a rebuild that sets both sides (bids first, then asks) fills us as soon as the ask crosses', () => {
    const { ex, of, levels } = setup();
    levels([[99, 5]], [[102, 5]]);
    accept(ex, limit('a', 'buy', 2, 100));
    // The model rebuilds the book one tick lower: the bids first, then the asks.
    ex.setLevel('bid', 98, 5);
    ex.setLevel('bid', 99, 0);
    ex.setLevel('ask', 100, 5);
    ex.setLevel('ask', 102, 0);
    expect(of('a').map((f) => [f.qty, f.price])).toEqual([[2, 100]]);
  });
});

describe('SimExchange: stops', () => {
  it('trigger on the last trade price: a buy stop waits while trades stay below it', () => {
    const { ex, of, levels } = setup();
    levels(
      [[99, 5]],
      [
        [101, 5],
        [106, 5],
      ],
    );
    const o = accept(ex, req('st', 'buy', 3, 'stop', { stop: 105, tif: 'GTC' }));
    expect(o.triggered).toBe(false);
    ex.marketTrade(101, 1, 'buy');
    ex.marketTrade(104, 1, 'buy');
    expect(of('st')).toEqual([]);
    expect(o.triggered).toBe(false);
    ex.marketTrade(105, 1, 'buy');
    expect(o.triggered).toBe(true);
    expect(of('st').map((f) => [f.qty, f.price, f.liquidity])).toEqual([[3, 101, 'taker']]);
  });

  it('a sell stop triggers on a trade at or below it; a stop-limit then rests at its limit', () => {
    const { ex, of, levels } = setup();
    levels(
      [
        [99, 2],
        [95, 5],
      ],
      [[101, 5]],
    );
    const o = accept(ex, req('sl', 'sell', 4, 'stop_limit', { stop: 97, limit: 98 }));
    ex.marketTrade(98, 1, 'sell');
    expect(o.triggered).toBe(false);
    ex.marketTrade(97, 1, 'sell');
    expect(o.triggered).toBe(true);
    expect(of('sl').map((f) => [f.qty, f.price])).toEqual([[2, 99]]);
    expect(ex.resting.at('sell', 98)).toEqual([o]);
  });

  it('a stop whose price the last trade already passed triggers on submit', () => {
    const { ex, of, levels } = setup();
    levels([[99, 5]], [[101, 5]]);
    ex.marketTrade(110, 1, 'buy');
    accept(ex, req('st', 'buy', 2, 'stop', { stop: 105, tif: 'GTC' }));
    expect(of('st').map((f) => [f.qty, f.price])).toEqual([[2, 101]]);
  });

  it('without any trade a stop never triggers (a static book has no last price)', () => {
    const { ex, fills, levels } = setup();
    levels([[99, 5]], [[101, 5]]);
    accept(ex, req('st', 'buy', 2, 'stop', { stop: 50, tif: 'GTC' }));
    ex.setLevel('ask', 101, 9);
    expect(fills).toEqual([]);
  });

  it('our own fills are trades on the tape too: each price they print is checked, and its stops fire after it', () => {
    const { ex, of, levels } = setup();
    levels(
      [
        [99, 5],
        [97, 5],
      ],
      [
        [101, 2],
        [103, 5],
      ],
    );
    const high = accept(ex, req('high', 'buy', 1, 'stop', { stop: 103, tif: 'GTC' }));
    const mid = accept(ex, req('mid', 'buy', 1, 'stop', { stop: 102, tif: 'GTC' }));
    const never = accept(ex, req('never', 'buy', 1, 'stop', { stop: 104, tif: 'GTC' }));
    // Our market buy walks 101 then 103: the venue's last trade is 103, which both stops reached.
    accept(ex, market('m', 'buy', 3));
    expect(of('m').map((f) => [f.qty, f.price])).toEqual([
      [2, 101],
      [1, 103],
    ]);
    expect(ex.lastTradePrice).toBe(103);
    expect([high.triggered, mid.triggered, never.triggered]).toEqual([true, true, false]);
    // Each fired after the order that printed it, in the order they wait, taking what it left.
    expect([...of('high'), ...of('mid')].map((f) => [f.id, f.qty, f.price])).toEqual([
      ['high', 1, 103],
      ['mid', 1, 103],
    ]);
    // A sell of ours through the bids prints 97: a sell stop placed after it at 98 fires at once.
    accept(ex, market('s', 'sell', 6));
    expect(ex.lastTradePrice).toBe(97);
    const late = accept(ex, req('late', 'sell', 1, 'stop', { stop: 98, tif: 'GTC' }));
    expect(late.triggered).toBe(true);
    // The buy stop at 104 still waits: nothing printed at or above it.
    expect(never.triggered).toBe(false);
  });

  it('a stop fired by our fill can fire the next: a cascade, each stop once, in tape order', () => {
    const { ex, of, levels } = setup();
    levels(
      [[90, 50]],
      [
        [100, 1],
        [101, 1],
        [102, 1],
        [103, 10],
      ],
    );
    const a = accept(ex, req('a', 'buy', 1, 'stop', { stop: 100, tif: 'GTC' }));
    const b = accept(ex, req('b', 'buy', 1, 'stop', { stop: 101, tif: 'GTC' }));
    const c = accept(ex, req('c', 'buy', 1, 'stop', { stop: 102, tif: 'GTC' }));
    accept(ex, market('m', 'buy', 1)); // prints 100: a fires, prints 101: b fires, prints 102: c fires
    expect([a, b, c].map((o) => o.triggered)).toEqual([true, true, true]);
    expect(['a', 'b', 'c'].map((id) => of(id).map((f) => f.price))).toEqual([[101], [102], [103]]);
    expect(ex.lastTradePrice).toBe(103);
  });
});

describe('SimExchange: time in force and post-only', () => {
  it('FOK without enough liquidity at its price expires without any fill', () => {
    const { ex, fills, expired, levels } = setup();
    levels(
      [[99, 5]],
      [
        [101, 2],
        [102, 3],
        [110, 50],
      ],
    );
    const o = accept(ex, limit('f', 'buy', 6, 102, 'FOK'));
    expect(fills).toEqual([]);
    expect(o.status).toBe('expired');
    expect(expired).toEqual([{ id: 'f', reason: expect.stringContaining('FOK') }]);
    expect(ex.available('ask', 101)).toBe(2);
    const ok = accept(ex, limit('g', 'buy', 5, 102, 'FOK'));
    expect(ok.status).toBe('filled');
  });

  it('FOK counts only liquidity we have not consumed', () => {
    const { ex, fills, levels } = setup();
    levels([[99, 5]], [[101, 4]]);
    accept(ex, market('m', 'buy', 2));
    const o = accept(ex, market('f', 'buy', 3, 'FOK'));
    expect(o.status).toBe('expired');
    expect(fills.filter((f) => f.id === 'f')).toEqual([]);
  });

  it('IOC takes what crosses and the remainder expires instead of resting', () => {
    const { ex, of, expired, levels } = setup();
    levels(
      [[99, 5]],
      [
        [101, 2],
        [103, 3],
      ],
    );
    const o = accept(ex, limit('i', 'buy', 5, 102, 'IOC'));
    expect(of('i').map((f) => [f.qty, f.price])).toEqual([[2, 101]]);
    expect(o.status).toBe('expired');
    expect(o.filled).toBe(2);
    expect(expired).toEqual([{ id: 'i', reason: expect.stringContaining('IOC') }]);
    expect(ex.resting.size).toBe(0);
  });

  it("post-only that would cross is refused ('post-only-would-take'); one that would not rests", () => {
    const { ex, fills, levels } = setup();
    levels([[99, 5]], [[101, 2]]);
    expect(ex.submit(limit('p', 'buy', 1, 101), true)).toBe('post-only-would-take');
    expect(ex.submit(limit('q', 'sell', 1, 99), true)).toBe('post-only-would-take');
    expect(ex.order(clientOrderId('p'))).toBeUndefined();
    const ok = accept(ex, limit('r', 'buy', 1, 100), true);
    expect(ok.status).toBe('new');
    expect(ok.postOnly).toBe(true);
    expect(fills).toEqual([]);
    expect(ex.submit(market('m', 'buy', 1), true)).toBe('unsupported-order-type');
  });
});

describe('SimExchange: refusals', () => {
  it("a client id in use by an open order is refused; with 'open-orders' it is free again once that order is done", () => {
    const { ex, levels } = setup({ clientIdUniqueness: 'open-orders' });
    levels([[99, 5]], [[101, 5]]);
    accept(ex, limit('x', 'buy', 1, 90));
    expect(ex.submit(limit('x', 'buy', 1, 91), false)).toBe('duplicate-client-id');
    ex.cancel(clientOrderId('x'));
    const again = accept(ex, limit('x', 'buy', 1, 92));
    expect(again.limitPrice).toBe(92);
    expect(ex.order(clientOrderId('x'))).toBe(again);
    // A filled order frees its id too.
    accept(ex, market('y', 'buy', 1));
    expect(typeof ex.submit(market('y', 'buy', 1), false)).toBe('object');
  });

  it("with 'all-orders' a client id is never reused, even after its order is done", () => {
    const { ex, levels } = setup({ clientIdUniqueness: 'all-orders' });
    levels([[99, 5]], [[101, 5]]);
    accept(ex, limit('x', 'buy', 1, 90));
    ex.cancel(clientOrderId('x'));
    expect(ex.submit(limit('x', 'buy', 1, 92), false)).toBe('duplicate-client-id');
    accept(ex, market('y', 'buy', 1));
    expect(ex.submit(market('y', 'buy', 1), false)).toBe('duplicate-client-id');
  });

  it('refuses an order below the minimum notional (limit: at its price; market: at the touch)', () => {
    const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '500' });
    const { ex, levels } = setup({ instrument: inst });
    levels([[99, 50]], [[101, 50]]);
    expect(ex.submit(limit('a', 'buy', 4, 100), false)).toBe('below-min-notional');
    expect(typeof ex.submit(limit('b', 'buy', 5, 100), false)).toBe('object');
    expect(ex.submit(market('c', 'buy', 4), false)).toBe('below-min-notional'); // 4 x 101
    expect(typeof ex.submit(market('d', 'buy', 5), false)).toBe('object'); // 5 x 101
    expect(ex.submit(market('e', 'sell', 5), false)).toBe('below-min-notional'); // 5 x 99
  });

  it('with an account: refuses buys beyond the free quote and sells beyond the free position', () => {
    const { ex, levels } = setup({ account: { quoteUnits: 1_000, baseLots: 3 } });
    levels([[99, 50]], [[101, 50]]);
    expect(ex.submit(limit('a', 'buy', 11, 100), false)).toBe('insufficient-balance');
    accept(ex, limit('b', 'buy', 6, 100)); // locks 600
    expect(ex.submit(limit('c', 'buy', 5, 90), false)).toBe('insufficient-balance'); // 450 > 400 free
    accept(ex, limit('d', 'buy', 4, 100));
    expect(ex.submit(limit('e', 'sell', 4, 110), false)).toBe('insufficient-position');
    accept(ex, limit('f', 'sell', 2, 110));
    expect(ex.submit(limit('g', 'sell', 2, 110), false)).toBe('insufficient-position'); // 1 free
    ex.cancel(clientOrderId('f'));
    accept(ex, market('h', 'sell', 3));
    expect(ex.position).toBe(0);
    expect(ex.quoteBalance).toBe(1_000 + 3 * 99);
  });

  it('without an account there are no balance checks', () => {
    const { ex, levels } = setup();
    levels([[99, 50]], [[101, 50]]);
    accept(ex, market('s', 'sell', 10));
    expect(ex.position).toBe(-10);
  });

  it('charges maker fees on resting fills and taker fees on taking fills', () => {
    const { ex, of, levels } = setup({ makerFeeBps: 10, takerFeeBps: 50 });
    levels([[1000, 50]], [[1001, 50]]);
    accept(ex, market('t', 'buy', 20));
    expect(of('t')).toEqual([
      { id: 't', side: 'buy', qty: 20, price: 1001, fee: Math.round((20 * 1001 * 50) / 10_000), liquidity: 'taker' },
    ]);
    accept(ex, limit('m', 'sell', 30, 1002));
    ex.marketTrade(1003, 1, 'buy');
    expect(of('m')).toEqual([
      { id: 'm', side: 'sell', qty: 30, price: 1002, fee: Math.round((30 * 1002 * 10) / 10_000), liquidity: 'maker' },
    ]);
    expect(ex.quoteBalance).toBe(-20 * 1001 - 100 + 30 * 1002 - 30);
  });

  it('halted: new orders are refused, and neither trades nor a crossing book fill resting orders', () => {
    const { ex, fills, levels } = setup();
    levels([[99, 5]], [[101, 5]]);
    const o = accept(ex, limit('a', 'buy', 2, 100));
    const s = accept(ex, req('st', 'buy', 2, 'stop', { stop: 102, tif: 'GTC' }));
    ex.halted = true;
    expect(ex.submit(limit('b', 'buy', 1, 100), false)).toBe('market-closed');
    ex.marketTrade(98, 5, 'sell');
    ex.setLevel('ask', 100, 5);
    ex.marketTrade(103, 1, 'buy');
    expect(fills).toEqual([]);
    expect(s.triggered).toBe(false);
    expect(o.status).toBe('new');
    // Cancels still work while halted; after the halt matching resumes.
    expect(ex.cancel(clientOrderId('st'))).toBe(true);
    ex.halted = false;
    ex.marketTrade(98, 1, 'sell');
    expect(fills.map((f) => [f.id, f.qty])).toEqual([['a', 2]]);
  });

  it('expires open DAY orders at the session close and leaves GTC ones', () => {
    const { ex, expired, levels } = setup();
    levels([[99, 5]], [[101, 5]]);
    accept(ex, limit('d', 'buy', 1, 90, 'DAY'));
    accept(ex, limit('g', 'buy', 1, 90, 'GTC'));
    ex.expireDayOrders();
    expect(expired).toEqual([{ id: 'd', reason: expect.stringContaining('DAY') }]);
    expect(ex.openOrders().map((o) => o.clientOrderId)).toEqual(['g']);
    expect(ex.resting.remainingAt('buy', 90)).toBe(1);
  });
});

// ---- properties -----------------------------------------------------------------------------

type Op =
  | { readonly kind: 'level'; readonly side: 'bid' | 'ask'; readonly offset: number; readonly qty: number }
  | { readonly kind: 'trade'; readonly aggressor: Side; readonly offset: number; readonly qty: number }
  | {
      readonly kind: 'order';
      readonly side: Side;
      readonly type: OrderType;
      readonly tif: TimeInForce;
      readonly qty: number;
      readonly offset: number;
    }
  | { readonly kind: 'cancel'; readonly pick: number };

const MID = 1000;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('level' as const),
      side: fc.constantFrom('bid' as const, 'ask' as const),
      offset: fc.integer({ min: 1, max: 6 }),
      qty: fc.integer({ min: 0, max: 20 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('trade' as const),
      aggressor: fc.constantFrom<Side>('buy', 'sell'),
      offset: fc.integer({ min: -3, max: 6 }),
      qty: fc.integer({ min: 1, max: 15 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      side: fc.constantFrom<Side>('buy', 'sell'),
      type: fc.constantFrom<OrderType>('market', 'limit', 'limit', 'stop', 'stop_limit'),
      tif: fc.constantFrom<TimeInForce>('GTC', 'IOC', 'FOK', 'DAY'),
      qty: fc.integer({ min: 1, max: 25 }),
      offset: fc.integer({ min: -6, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);

const scenarioArb = fc.record({
  bids: fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 })), { maxLength: 6 }),
  asks: fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 })), { maxLength: 6 }),
  ops: fc.array(opArb, { maxLength: 60, size: 'max' }),
  queue: fc.constantFrom<QueueModelSpec>(
    { model: 'risk_averse' },
    { model: 'probabilistic', exponent: 1 },
    { model: 'probabilistic', exponent: 3 },
  ),
  fillOnTouch: fc.boolean(),
});

interface Run {
  readonly fills: Fill[];
  readonly orders: ExchangeOrder[];
  readonly ex: SimExchange;
  readonly violations: string[];
}

/**
 * Plays a random session. Market trades are followed by a level shrink without refresh (what
 * the models do); level updates are refreshes. Checks invariants after every step and records
 * violations (the property then asserts there are none, so a failure shows the first one).
 */
function play(input: {
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
  ops: Op[];
  queue: QueueModelSpec;
  fillOnTouch: boolean;
}): Run {
  const s = setup({ queue: input.queue, fillOnTouch: input.fillOnTouch, takerFeeBps: 20, makerFeeBps: 5 });
  const { ex, clock, fills } = s;
  const violations: string[] = [];
  const orders: ExchangeOrder[] = [];
  // Per level: the quantity displayed at its last refresh and our taker fills there since then.
  const budget = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  const taken = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  const refresh = (side: 'bid' | 'ask', price: number, qty: number) => {
    ex.setLevel(side, price, qty);
    budget[side].set(price, qty);
    taken[side].set(price, 0);
  };
  for (const [off, q] of input.bids) refresh('bid', MID - off, q);
  for (const [off, q] of input.asks) refresh('ask', MID + off, q);
  let seen = 0;
  let n = 0;
  let lastPrint: number | null = null;
  const check = (step: number) => {
    if (fills.length > seen) lastPrint = (fills.at(-1) as Fill).price;
    for (const f of fills.slice(seen)) {
      if (f.liquidity !== 'taker') continue;
      const side = f.side === 'buy' ? 'ask' : 'bid';
      const t = (taken[side].get(f.price) ?? 0) + f.qty;
      taken[side].set(f.price, t);
      const b = budget[side].get(f.price) ?? 0;
      if (t > b) violations.push(`step ${step}: ${t} lots taken at ${side} ${f.price} since its refresh showed ${b}`);
    }
    seen = fills.length;
    for (const o of orders) {
      if (o.filled > o.qty) violations.push(`step ${step}: ${o.clientOrderId} filled ${o.filled} of ${o.qty}`);
      if (o.ahead < 0) violations.push(`step ${step}: ${o.clientOrderId} ahead ${o.ahead}`);
      const sum = o.trades.reduce((x, t) => x + t.qty, 0);
      if (sum !== o.filled)
        violations.push(`step ${step}: ${o.clientOrderId} trades add to ${sum}, filled ${o.filled}`);
    }
    for (const side of ['bid', 'ask'] as const) {
      for (const [price] of ex.book.depth(side, 100)) {
        if (ex.available(side, price) < 0) violations.push(`step ${step}: negative available at ${side} ${price}`);
      }
    }
    // The venue's last trade is the tape's last print: our latest fill, or the latest market
    // trade when we had no fill since; no stop waits that it reached.
    const last = lastPrint;
    expect(ex.lastTradePrice).toBe(last);
    if (last !== null)
      for (const o of ex.openOrders()) {
        if (o.triggered) continue;
        const stop = o.stopPrice as number;
        if (o.side === 'buy' ? last >= stop : last <= stop)
          violations.push(`step ${step}: ${o.clientOrderId} ${o.side} stop ${stop} waits after a trade at ${last}`);
      }
    // A resting order of ours is never left crossed with liquidity it could take.
    for (const o of ex.resting.all()) {
      const other = o.side === 'buy' ? 'ask' : 'bid';
      const limitPrice = o.limitPrice as number;
      for (const [price] of ex.book.depth(other, 100)) {
        const crosses = o.side === 'buy' ? price <= limitPrice : price >= limitPrice;
        if (crosses && ex.available(other, price) > 0)
          violations.push(
            `step ${step}: ${o.clientOrderId} ${o.side} ${limitPrice} rests crossed with ${other} ${price}`,
          );
      }
    }
  };
  input.ops.forEach((op, step) => {
    clock.t += 10;
    switch (op.kind) {
      case 'level': {
        const price = op.side === 'bid' ? MID - op.offset : MID + op.offset;
        refresh(op.side, price, op.qty);
        break;
      }
      case 'trade': {
        // Another participant's order: hits the passive side's level at the price.
        const passive = op.aggressor === 'buy' ? 'ask' : 'bid';
        const price = op.aggressor === 'buy' ? MID + op.offset : MID - op.offset;
        const shown = ex.book.qty(passive, price);
        lastPrint = price;
        ex.marketTrade(price, op.qty, op.aggressor);
        if (shown > 0) ex.setLevel(passive, price, Math.max(0, shown - op.qty), false);
        break;
      }
      case 'order': {
        const id = `o${++n}`;
        const away = op.side === 'buy' ? MID - op.offset : MID + op.offset;
        const r =
          op.type === 'market'
            ? market(id, op.side, op.qty, op.tif === 'FOK' ? 'FOK' : 'IOC')
            : op.type === 'limit'
              ? limit(id, op.side, op.qty, away, op.tif)
              : op.type === 'stop'
                ? req(id, op.side, op.qty, 'stop', {
                    stop: op.side === 'buy' ? MID + op.offset : MID - op.offset,
                    tif: 'GTC',
                  })
                : req(id, op.side, op.qty, 'stop_limit', {
                    stop: op.side === 'buy' ? MID + op.offset : MID - op.offset,
                    limit: away,
                    tif: op.tif === 'DAY' ? 'GTC' : op.tif,
                  });
        const out = ex.submit(r, false);
        if (typeof out !== 'string') orders.push(out);
        break;
      }
      case 'cancel': {
        const open = ex.openOrders();
        if (open.length > 0) ex.cancel((open[op.pick % open.length] as ExchangeOrder).clientOrderId);
        break;
      }
    }
    check(step);
  });
  return { fills: [...fills], orders, ex, violations };
}

describe('SimExchange properties', () => {
  it('never fills an order beyond its quantity, never takes consumed liquidity, keeps queue positions >= 0, never rests crossed, never leaves a reached stop waiting', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const { violations } = play(input);
        expect(violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('position and quote balance are the sums over the fills', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const { ex, fills } = play(input);
        let position = 0;
        let quote = 0;
        for (const f of fills) {
          const sign = f.side === 'buy' ? 1 : -1;
          position += sign * f.qty;
          quote -= sign * f.qty * f.price + f.fee;
        }
        expect(ex.position).toBe(position);
        expect(ex.quoteBalance).toBe(quote);
        const byOrder = new Map<string, number>();
        for (const f of fills) byOrder.set(f.id, (byOrder.get(f.id) ?? 0) + f.qty);
        for (const [id, qty] of byOrder) expect(ex.order(clientOrderId(id))?.filled).toBe(qty);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same inputs give the same fills and the same final orders', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const a = play(input);
        const b = play(input);
        expect(b.fills).toEqual(a.fills);
        expect(b.orders.map((o) => [o.clientOrderId, o.status, o.filled, o.ahead])).toEqual(
          a.orders.map((o) => [o.clientOrderId, o.status, o.filled, o.ahead]),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('a market trade at a price never fills our orders there with more than the trade beyond the queue ahead', () => {
    // Our orders at one bid price, a queue of market volume ahead, then trades of random sizes:
    // what we get filled in total never exceeds the traded volume beyond the queue.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.oneof(
            fc.record({ trade: fc.integer({ min: 1, max: 15 }) }),
            fc.record({ shrinkTo: fc.integer({ min: 0, max: 20 }) }),
          ),
          { maxLength: 12, size: 'max' },
        ),
        fc.boolean(),
        (queue, sizes, events, touch) => {
          const { ex, fills, levels } = setup({ fillOnTouch: touch });
          levels(queue > 0 ? [[100, queue]] : [], [[105, 5]]);
          sizes.forEach((q, i) => accept(ex, limit(`o${i}`, 'buy', q, 100)));
          let traded = 0;
          let marketAhead = queue;
          let shown = queue;
          for (const e of events) {
            if ('trade' in e) {
              ex.marketTrade(100, e.trade, 'sell');
              traded += touch ? e.trade : Math.max(0, e.trade - marketAhead);
              marketAhead = Math.max(0, marketAhead - e.trade);
              shown = Math.max(0, shown - e.trade);
              ex.setLevel('bid', 100, shown, false);
            } else {
              shown = Math.min(shown, e.shrinkTo);
              marketAhead = Math.min(marketAhead, shown);
              ex.setLevel('bid', 100, shown);
            }
            const ours = fills.reduce((s, f) => s + f.qty, 0);
            expect(ours).toBeLessThanOrEqual(traded);
          }
          // Time priority among our own orders: a later order never has fills while an earlier one is unfilled.
          const ids = sizes.map((_, i) => `o${i}`);
          for (let i = 1; i < ids.length; i++) {
            const later = fills.some((f) => f.id === ids[i]);
            const earlier = ex.order(clientOrderId(ids[i - 1] as string));
            if (later) expect(earlier?.status).toBe('filled');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('balances, locked books and queue joins (review fixes)', () => {
  it('a market buy walking the book fills only what the balance affords, fees included, and expires the rest', () => {
    const { ex, levels, filled, expired } = setup({ account: { quoteUnits: 1000, baseLots: 0 }, takerFeeBps: 100 });
    levels(
      [[90, 10]],
      [
        [100, 5],
        [110, 5],
      ],
    );
    ex.submit(req('m', 'buy', 10, 'market'), false);
    // 5 @ 100 costs 505 with the 1% fee; 495 left buys 4 @ 110 (444.4 with fee), not 5 (555.5)
    expect(filled('m')).toBe(9);
    expect(ex.quoteBalance).toBeGreaterThanOrEqual(0);
    expect(expired).toEqual([{ id: 'm', reason: 'insufficient balance for the rest' }]);
  });

  it('property: with an account, the quote balance never goes negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.tuple(fc.constantFrom<OrderType>('market', 'limit'), fc.integer({ min: 1, max: 40 })), {
          maxLength: 6,
        }),
        (quote, askSteps, orders) => {
          const { ex, levels } = setup({ account: { quoteUnits: quote, baseLots: 0 }, takerFeeBps: 50 });
          let p = 100;
          levels(
            [[90, 5]],
            askSteps.map(([step, q]) => [(p += step), q] as [number, number]),
          );
          orders.forEach(([type, qty], i) =>
            ex.submit(req(`o${i}`, 'buy', qty, type, type === 'limit' ? { limit: 150 } : {}), false),
          );
          expect(ex.quoteBalance).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a book locked at our price serves the queue ahead of us first', () => {
    const { ex, levels, filled } = setup();
    levels([[100, 5]], [[102, 5]]);
    ex.submit(req('b', 'buy', 3, 'limit', { limit: 100 }), false); // 5 displayed ahead of us
    ex.setLevel('ask', 101, 0);
    // The ask comes down to our price with 4 lots: they go to the 5 lots ahead of us.
    ex.setLevel('ask', 100, 4);
    expect(filled('b')).toBe(0);
    expect(ex.order(clientOrderId('b'))?.ahead).toBe(1);
    // A refresh shows 6 at 100: one more lot for the queue ahead, then ours.
    ex.setLevel('ask', 100, 6);
    expect(filled('b')).toBe(3);
  });

  it('a new resting order queues behind the displayed volume that is still there, not behind what we consumed', () => {
    const { ex, levels } = setup();
    levels([[100, 10]], [[102, 5]]);
    ex.submit(req('s', 'sell', 4, 'market'), false); // takes 4 of the 10 bid lots at 100
    ex.submit(req('b', 'buy', 2, 'limit', { limit: 100 }), false);
    expect(ex.order(clientOrderId('b'))?.ahead).toBe(6);
  });
});

describe('modify (amend) of a resting order', () => {
  it('a size reduction keeps the queue position; an increase or a price change goes to the back', () => {
    const { ex, levels } = setup();
    levels([[100, 10]], [[105, 10]]);
    ex.submit(req('a', 'buy', 6, 'limit', { limit: 100 }), false); // 10 ahead
    ex.marketTrade(100, 4, 'sell'); // queue eaten to 6 ahead
    const a = () => ex.order(clientOrderId('a'));
    expect(a()?.ahead).toBe(6);
    expect(ex.modify(clientOrderId('a'), 3)).toBe(true);
    expect(a()).toMatchObject({ qty: 3, ahead: 6 }); // kept priority
    expect(ex.modify(clientOrderId('a'), 5)).toBe(true);
    expect(a()).toMatchObject({ qty: 5, ahead: 10 }); // lost it: behind the 10 displayed
    expect(ex.modify(clientOrderId('a'), 5, 99)).toBe(true);
    expect(a()).toMatchObject({ limitPrice: 99, ahead: 0 });
  });

  it('a price change that now crosses takes liquidity; an order that is not resting cannot be modified', () => {
    const { ex, levels, filled } = setup();
    levels([[100, 10]], [[105, 10]]);
    ex.submit(req('a', 'buy', 4, 'limit', { limit: 100 }), false);
    expect(ex.modify(clientOrderId('a'), 4, 105)).toBe(true);
    expect(filled('a')).toBe(4);
    expect(ex.modify(clientOrderId('a'), 2)).toBe(false); // filled: nothing to amend
    expect(ex.modify(clientOrderId('nope'), 2)).toBe(false);
  });
});
