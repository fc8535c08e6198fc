// A generated market's venue (exchange over a GridBook, each side redrawn in one setGrid call) must
// do exactly what the previous venue did (exchange over an L2Book, the model writing every new
// level best first and then removing the old ones): the same fills at the same prices, the same
// book, the same volume available to others, the same queue positions, for random sequences of
// redraws, other participants' trades walking the book, and our orders (marketable, resting,
// cancelled), with and without resting orders of ours when the book is redrawn, halted or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual } from '../../../test/support/hot-expect.ts';
import { clientOrderId, parentOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { OrderRequest, Side } from '../../core/model/order.ts';
import { GridBook } from '../book/grid-book.ts';
import { L2Book, type DisplayedBook } from '../book/l2-book.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';

const instrument = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });
const SLICE = { sliceNum: 1, totalSlices: 1, scheduledTime: 0, symbol: instrument.symbol };

type Op =
  | { kind: 'redraw'; bid: number; spread: number; gap: number; qtys: number[] }
  | { kind: 'trade'; aggressor: Side; qty: number }
  | { kind: 'order'; side: Side; qty: number; offset: number | null; tif: 'GTC' | 'IOC' }
  | { kind: 'cancel'; n: number }
  | { kind: 'halt'; on: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('redraw' as const),
    bid: fc.integer({ min: 1, max: 40 }),
    spread: fc.integer({ min: 1, max: 4 }),
    gap: fc.integer({ min: 1, max: 3 }),
    qtys: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('trade' as const),
    aggressor: fc.constantFrom<Side>('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    kind: fc.constant('order' as const),
    side: fc.constantFrom<Side>('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 8 }),
    offset: fc.option(fc.integer({ min: -4, max: 4 })),
    tif: fc.constantFrom<'GTC' | 'IOC'>('GTC', 'IOC'),
  }),
  fc.record({ kind: fc.constant('cancel' as const), n: fc.nat(20) }),
  fc.record({ kind: fc.constant('halt' as const), on: fc.boolean() }),
);

/** One venue: an exchange, the model's last drawn grid, and what happened to our orders. */
function venue(kind: 'grid' | 'l2', queue: 'risk_averse' | 'probabilistic') {
  const book: DisplayedBook = kind === 'grid' ? new GridBook() : new L2Book();
  const ex = new SimExchange(
    book,
    {
      instrument,
      makerFeeBps: 1,
      takerFeeBps: 2,
      queue: makeQueueModel(queue === 'risk_averse' ? { model: queue } : { model: queue, exponent: 2 }),
      fillOnTouch: false,
      account: null,
      clientIdUniqueness: 'open-orders',
    },
    () => 0,
  );
  const log: string[] = [];
  ex.setListener({
    accepted: () => {},
    filled: (o, t) => log.push(`fill ${o.clientOrderId} ${t.qty}@${t.price} ${t.liquidity}`),
    canceled: (o) => log.push(`cancel ${o.clientOrderId}`),
    expired: (o, reason) => log.push(`expire ${o.clientOrderId} ${reason}`),
  });
  const drawn = {
    bid: { best: 0, gap: 1, qtys: [] as number[], count: 0 },
    ask: { best: 0, gap: 1, qtys: [] as number[], count: 0 },
  };
  let previous = { bid: [] as number[], ask: [] as number[] };

  const redraw = (o: Extract<Op, { kind: 'redraw' }>): void => {
    const bidCount = Math.min(o.qtys.length, Math.floor((o.bid - 1) / o.gap) + 1);
    const sides = [
      ['bid', o.bid, bidCount, -1],
      ['ask', o.bid + o.spread, o.qtys.length, 1],
    ] as const;
    for (const [side, best, count, sign] of sides) {
      drawn[side] = { best, gap: o.gap, qtys: o.qtys, count };
      if (kind === 'grid') ex.setGrid(side, best, o.gap, o.qtys, count);
      else {
        // The previous implementation: every new level best first, then every old one removed.
        const next = new Set<number>();
        for (let i = 0; i < count; i++) {
          const q = o.qtys[i] as number;
          if (q <= 0) continue;
          next.add(best + sign * i * o.gap);
          ex.setLevel(side, best + sign * i * o.gap, q);
        }
        for (const p of previous[side]) if (!next.has(p)) ex.setLevel(side, p, 0);
        previous = { ...previous, [side]: [...next] };
      }
    }
  };

  /** Another participant's market order walks the drawn levels (as the synthetic model's trades do). */
  const trade = (aggressor: Side, qty: number): void => {
    const side = aggressor === 'buy' ? 'ask' : 'bid';
    const d = drawn[side];
    const sign = side === 'ask' ? 1 : -1;
    let remaining = qty;
    for (let i = 0; i < d.count && remaining > 0; i++) {
      if ((d.qtys[i] as number) <= 0) continue;
      const price = d.best + sign * i * d.gap;
      const take = Math.min(ex.available(side, price), remaining);
      if (take <= 0) continue;
      remaining -= take;
      ex.marketTrade(price, take, aggressor);
      ex.setLevel(side, price, ex.book.qty(side, price) - take, false);
    }
  };
  return { ex, book, log, redraw, trade };
}

function state(v: ReturnType<typeof venue>) {
  const { ex } = v;
  const levels = (side: 'bid' | 'ask') =>
    ex.book.depth(side, 100).map(([p, q]) => [p, q, ex.available(side, p)] as const);
  return {
    log: v.log,
    best: [ex.book.bestBid(), ex.book.bestAsk()],
    bids: levels('bid'),
    asks: levels('ask'),
    resting: ex.resting.all().map((o) => [o.clientOrderId, o.limitPrice, o.filled, o.ahead]),
  };
}

/** One step of a property's sequence on a venue (`n` numbers the orders). */
function apply(v: ReturnType<typeof venue>, o: Op, n: number): void {
  if (o.kind === 'redraw') v.redraw(o);
  else if (o.kind === 'trade') v.trade(o.aggressor, o.qty);
  else if (o.kind === 'halt') v.ex.halted = o.on;
  else if (o.kind === 'cancel') {
    const open = v.ex.openOrders();
    const target = open[o.n % Math.max(1, open.length)];
    if (target) v.ex.cancel(target.clientOrderId);
  } else {
    const touch = o.side === 'buy' ? v.ex.book.bestAsk() : v.ex.book.bestBid();
    const limit = o.offset === null || touch === null ? undefined : Math.max(1, touch + o.offset);
    const req: OrderRequest = {
      clientOrderId: clientOrderId(`c${n}`),
      parentId: parentOrderId('p'),
      ...SLICE,
      side: o.side,
      qty: o.qty,
      type: limit === undefined ? 'market' : 'limit',
      tif: limit === undefined ? 'IOC' : o.tif,
      ...(limit === undefined ? {} : { limitPrice: limit }),
    };
    v.ex.submit(req, false);
  }
}

describe('a generated market over a GridBook', () => {
  it('property: fills, book, available volume and queue positions are those of the level-by-level venue', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'risk_averse' | 'probabilistic'>('risk_averse', 'probabilistic'),
        fc.array(op, { minLength: 1, maxLength: 40, size: 'max' }),
        (queue, ops) => {
          const a = venue('grid', queue);
          const b = venue('l2', queue);
          let n = 0;
          // Both venues compared after every step: expect is called only on a mismatch.
          for (const o of ops) {
            for (const v of [a, b]) apply(v, o, n);
            n++;
            expectEqual(state(a), state(b));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: a redraw that jumps onto our resting orders, filling them, leaves what the level-by-level venue leaves', () => {
    // The market steps far (a model catching up after keeping its steps as data) onto passive
    // orders of ours: a write of the redraw fills them, often the last of them before the redraw's
    // other writes, which are then taken as a grid. Trades before it leave volume traded at levels
    // it rewrites; the steps after it read what it left.
    const drawing = fc.record({
      spread: fc.integer({ min: 1, max: 3 }),
      gap: fc.integer({ min: 1, max: 2 }),
      qtys: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }),
    });
    const passive = fc.record({
      side: fc.constantFrom<Side>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 5 }),
      away: fc.integer({ min: 0, max: 4 }),
    });
    const trade = fc.record({
      kind: fc.constant('trade' as const),
      aggressor: fc.constantFrom<Side>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom<'risk_averse' | 'probabilistic'>('risk_averse', 'probabilistic'),
        fc.integer({ min: 15, max: 30 }),
        drawing,
        fc.array(trade, { maxLength: 3 }),
        fc.array(passive, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 3, max: 12 }),
        fc.boolean(),
        drawing,
        fc.array(op, { maxLength: 6 }),
        (queue, bid, first, trades, orders, jump, up, second, after) => {
          const a = venue('grid', queue);
          const b = venue('l2', queue);
          const steps: Op[] = [
            { kind: 'redraw', bid, ...first },
            ...trades,
            ...orders.map((o): Op => ({
              kind: 'order',
              side: o.side,
              qty: o.qty,
              // Away from the touch on the order's own side: it rests.
              offset: o.side === 'buy' ? -(first.spread + o.away) : first.spread + o.away,
              tif: 'GTC',
            })),
            { kind: 'redraw', bid: up ? bid + jump : bid - jump, ...second },
            ...after,
          ];
          // Both venues compared after every step: expect is called only on a mismatch.
          steps.forEach((o, n) => {
            for (const v of [a, b]) apply(v, o, n);
            expectEqual(state(a), state(b));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  const restingBuy = (v: ReturnType<typeof venue>, id: string, limitPrice: number, qty = 1): void => {
    v.ex.submit(
      {
        clientOrderId: clientOrderId(id),
        parentId: parentOrderId('p'),
        ...SLICE,
        side: 'buy',
        qty,
        type: 'limit',
        tif: 'GTC',
        limitPrice,
      },
      false,
    );
  };

  it('takes a redraw as a grid while it cannot fill a resting order of ours, moving its queue as the level-by-level writes would', () => {
    const v = venue('grid', 'risk_averse');
    v.redraw({ kind: 'redraw', bid: 10, spread: 2, gap: 1, qtys: [3, 3] });
    restingBuy(v, 'r', 9);
    expect(v.ex.resting.all()[0]?.ahead).toBe(3); // the level at 9 shows 3
    // The bids move up past our buy and the asks stay above it: no write can fill it.
    v.redraw({ kind: 'redraw', bid: 11, spread: 2, gap: 1, qtys: [3, 3] });
    expect((v.book as GridBook).isGrid('bid')).toBe(true);
    expect((v.book as GridBook).isGrid('ask')).toBe(true);
    expect(v.ex.resting.all()[0]?.ahead).toBe(0); // the redraw removed the level at 9: nothing is ahead of us
    expect(v.log).toEqual([]);
  });

  it('redraws level by level when a write could reach a resting order of ours, and fills it as that write does', () => {
    const v = venue('grid', 'risk_averse');
    v.redraw({ kind: 'redraw', bid: 10, spread: 2, gap: 1, qtys: [3, 3] });
    restingBuy(v, 'r', 10, 5);
    // The asks come down to our buy at 10: their first write fills 3 of its 5, and the rest of
    // it still rests while the other writes go on one by one.
    v.redraw({ kind: 'redraw', bid: 8, spread: 2, gap: 1, qtys: [3, 3] });
    expect((v.book as GridBook).isGrid('ask')).toBe(false);
    expect(v.log).toEqual(['fill r 3@10 maker']);
  });

  it('takes the rest of such a redraw as a grid once its write filled the last order of ours, leaving what the writes one by one leave', () => {
    const run = (kind: 'grid' | 'l2') => {
      const v = venue(kind, 'risk_averse');
      v.redraw({ kind: 'redraw', bid: 10, spread: 2, gap: 1, qtys: [3, 3, 2] });
      // Another participant takes from the ask at 12 (volume traded there since its last write).
      v.trade('buy', 4);
      restingBuy(v, 'r', 10, 2);
      // The market jumps down onto our buy: the ask's first write at 10 fills all of it.
      v.redraw({ kind: 'redraw', bid: 7, spread: 3, gap: 1, qtys: [3, 3, 2] });
      return v;
    };
    const grid = run('grid');
    expect((grid.book as GridBook).isGrid('ask')).toBe(true);
    expect(grid.log).toEqual(['fill r 2@10 maker']);
    // The volume we took at 10 stays taken for others until the level is written again.
    expect(grid.ex.available('ask', 10)).toBe(1);
    expect(state(grid)).toEqual(state(run('l2')));
  });
});

describe('whether a generated market may keep its events as data (gridQuiet)', () => {
  const order = (id: string, side: Side, type: 'limit' | 'stop', price: number): OrderRequest => ({
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('p'),
    ...SLICE,
    side,
    qty: 1,
    type,
    tif: 'GTC',
    ...(type === 'limit' ? { limitPrice: price } : { stopPrice: price }),
  });

  it('says yes while our resting orders lie outside the range the book may be drawn in, no once one is inside', () => {
    const v = venue('grid', 'risk_averse');
    v.redraw({ kind: 'redraw', bid: 50, spread: 2, gap: 1, qtys: [3, 3] });
    expect(v.ex.gridQuiet(40, 60)).toBe(true);
    v.ex.submit(order('b', 'buy', 'limit', 39), false);
    v.ex.submit(order('s', 'sell', 'limit', 61), false);
    expect(v.ex.resting.size).toBe(2);
    expect(v.ex.gridQuiet(40, 60)).toBe(true);
    // A bid level at 39 could move the buy's queue; an ask level at 61 the sell's.
    expect(v.ex.gridQuiet(39, 60)).toBe(false);
    expect(v.ex.gridQuiet(40, 61)).toBe(false);
    v.ex.cancel(clientOrderId('b'));
    expect(v.ex.gridQuiet(39, 60)).toBe(true);
  });

  it('says no while a stop of ours waits, wherever it is', () => {
    const v = venue('grid', 'risk_averse');
    v.redraw({ kind: 'redraw', bid: 50, spread: 2, gap: 1, qtys: [3, 3] });
    expect(v.ex.gridQuiet(0, 10_000)).toBe(true);
    v.ex.submit(order('st', 'buy', 'stop', 1_000), false);
    expect(v.ex.gridQuiet(0, 10_000)).toBe(false);
  });
});
