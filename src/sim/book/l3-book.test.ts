import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Side } from '../../core/model/order.ts';
import { L3Book, L3Status, type L3TimeInForce } from './l3-book.ts';

type Trade = [
  makerId: number,
  takerId: number,
  price: number,
  qty: number,
  makerOwner: number,
  takerOwner: number,
  takerSide: Side,
  makerRemaining: number,
];

function newBook(options: { orderCapacity?: number; levelCapacity?: number } = {}) {
  const trades: Trade[] = [];
  const book = new L3Book((...t) => trades.push(t), options);
  return { book, trades };
}

// ---------------------------------------------------------------------------------------------
// Reference model: one array of resting orders in arrival order; the best maker is found by a
// full scan (best price, then lowest index). Slow and obviously right.
interface RefOrder {
  id: number;
  side: Side;
  price: number;
  qty: number;
  owner: number;
}

class RefBook {
  orders: RefOrder[] = [];
  trades: Trade[] = [];
  filled = 0;

  private crossing(side: Side, limit: number): RefOrder[] {
    return this.orders.filter((o) => o.side !== side && (side === 'buy' ? o.price <= limit : o.price >= limit));
  }

  private match(id: number, side: Side, limit: number, qty: number, owner: number): number {
    let left = qty;
    while (left > 0) {
      let best = -1;
      this.orders.forEach((o, i) => {
        const crosses = o.side !== side && (side === 'buy' ? o.price <= limit : o.price >= limit);
        if (!crosses) return;
        const b = this.orders[best];
        if (b === undefined || (side === 'buy' ? o.price < b.price : o.price > b.price)) best = i;
      });
      const maker = this.orders[best];
      if (maker === undefined) break;
      const fill = Math.min(left, maker.qty);
      maker.qty -= fill;
      left -= fill;
      this.trades.push([maker.id, id, maker.price, fill, maker.owner, owner, side, maker.qty]);
      if (maker.qty === 0) this.orders.splice(best, 1);
    }
    return left;
  }

  limit(
    id: number,
    side: Side,
    price: number,
    qty: number,
    owner: number,
    tif: L3TimeInForce,
    postOnly: boolean,
  ): L3Status {
    this.filled = 0;
    if (postOnly && this.crossing(side, price).length > 0) return L3Status.RejectedPostOnly;
    if (tif === 'FOK' && this.crossing(side, price).reduce((s, o) => s + o.qty, 0) < qty) return L3Status.RejectedFok;
    const left = this.match(id, side, price, qty, owner);
    this.filled = qty - left;
    if (left === 0) return L3Status.Filled;
    if (tif !== 'GTC') return L3Status.Expired;
    this.orders.push({ id, side, price, qty: left, owner });
    return L3Status.Resting;
  }

  market(id: number, side: Side, qty: number, owner: number): L3Status {
    const left = this.match(id, side, side === 'buy' ? Infinity : -Infinity, qty, owner);
    this.filled = qty - left;
    return left === 0 ? L3Status.Filled : L3Status.Expired;
  }

  cancel(id: number): boolean {
    const i = this.orders.findIndex((o) => o.id === id);
    if (i < 0) return false;
    this.orders.splice(i, 1);
    return true;
  }

  modify(id: number, qty: number, price?: number): L3Status {
    this.filled = 0;
    const i = this.orders.findIndex((o) => o.id === id);
    const o = this.orders[i];
    if (o === undefined) return L3Status.UnknownOrder;
    if (price === undefined || price === o.price) {
      if (qty <= o.qty) o.qty = qty;
      else this.orders.push({ ...this.orders.splice(i, 1)[0]!, qty });
      return L3Status.Resting;
    }
    this.orders.splice(i, 1);
    const left = this.match(id, o.side, price, qty, o.owner);
    this.filled = qty - left;
    if (left === 0) return L3Status.Filled;
    this.orders.push({ ...o, price, qty: left });
    return L3Status.Resting;
  }

  depth(side: Side): Array<[number, number]> {
    const byPrice = new Map<number, number>();
    for (const o of this.orders) if (o.side === side) byPrice.set(o.price, (byPrice.get(o.price) ?? 0) + o.qty);
    return [...byPrice].sort((a, b) => (side === 'buy' ? b[0] - a[0] : a[0] - b[0]));
  }
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`violated: ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Random operation sequences. Cancels and modifies pick an issued id by index (some no longer rest).
type Op =
  | { k: 'limit'; side: Side; price: number; qty: number; owner: number; tif: L3TimeInForce; postOnly: boolean }
  | { k: 'market'; side: Side; qty: number; owner: number }
  | { k: 'cancel'; pick: number }
  | { k: 'modify'; pick: number; mode: 'reduce' | 'same' | 'increase' | 'price'; delta: number; price: number };

const side = fc.constantFrom<Side>('buy', 'sell');
const opArb = (lo: number, hi: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        k: fc.constant('limit' as const),
        side,
        price: fc.integer({ min: lo, max: hi }),
        qty: fc.integer({ min: 1, max: 12 }),
        owner: fc.integer({ min: 0, max: 1 }),
        tif: fc.constantFrom<L3TimeInForce>('GTC', 'GTC', 'IOC', 'FOK'),
        postOnly: fc.constantFrom(false, false, false, false, true),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('market' as const),
        side,
        qty: fc.integer({ min: 1, max: 30 }),
        owner: fc.integer({ min: 0, max: 1 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('modify' as const),
        pick: fc.nat(),
        mode: fc.constantFrom('reduce' as const, 'same' as const, 'increase' as const, 'price' as const),
        delta: fc.integer({ min: 1, max: 8 }),
        price: fc.integer({ min: lo, max: hi }),
      }),
    },
  );

interface Step {
  status: L3Status | boolean;
  filled: number;
  trades: Trade[];
}

/** Applies one op to the book; a modify sizes itself from the target order's current qty. */
function apply(book: L3Book, trades: Trade[], op: Op, issued: number[], nextId: number): Step {
  const from = trades.length;
  let status: L3Status | boolean;
  if (op.k === 'limit') status = book.limit(nextId, op.side, op.price, op.qty, op.owner, op.tif, op.postOnly);
  else if (op.k === 'market') status = book.market(nextId, op.side, op.qty, op.owner);
  else if (op.k === 'cancel')
    status = issued.length === 0 ? book.cancel(-1) : book.cancel(issued[op.pick % issued.length]!);
  else {
    const id = issued.length === 0 ? -1 : issued[op.pick % issued.length]!;
    const cur = book.order(id);
    const qty =
      cur === undefined
        ? op.delta
        : op.mode === 'reduce'
          ? Math.max(1, cur.qty - op.delta)
          : op.mode === 'increase'
            ? cur.qty + op.delta
            : cur.qty;
    status = op.mode === 'price' ? book.modify(id, qty, op.price) : book.modify(id, qty);
  }
  const filled = op.k === 'cancel' ? 0 : book.lastFilledQty;
  return { status, filled, trades: trades.slice(from) };
}

function applyRef(ref: RefBook, op: Op, issued: number[], nextId: number): Step {
  const from = ref.trades.length;
  let status: L3Status | boolean;
  if (op.k === 'limit') status = ref.limit(nextId, op.side, op.price, op.qty, op.owner, op.tif, op.postOnly);
  else if (op.k === 'market') status = ref.market(nextId, op.side, op.qty, op.owner);
  else if (op.k === 'cancel')
    status = issued.length === 0 ? ref.cancel(-1) : ref.cancel(issued[op.pick % issued.length]!);
  else {
    const id = issued.length === 0 ? -1 : issued[op.pick % issued.length]!;
    const cur = ref.orders.find((o) => o.id === id);
    const qty =
      cur === undefined
        ? op.delta
        : op.mode === 'reduce'
          ? Math.max(1, cur.qty - op.delta)
          : op.mode === 'increase'
            ? cur.qty + op.delta
            : cur.qty;
    status = op.mode === 'price' ? ref.modify(id, qty, op.price) : ref.modify(id, qty);
  }
  return { status, filled: op.k === 'cancel' ? 0 : ref.filled, trades: ref.trades.slice(from) };
}

function snapshot(book: L3Book) {
  const bids = book.depth('buy', Infinity);
  const asks = book.depth('sell', Infinity);
  const queues = [
    ...bids.map(([p]) => ['buy', p, book.queueIds('buy', p)]),
    ...asks.map(([p]) => ['sell', p, book.queueIds('sell', p)]),
  ];
  return { bids, asks, queues, size: book.size, bestBid: book.bestBid(), bestAsk: book.bestAsk() };
}

/** Runs ops on a fresh book; returns every step and the final snapshot. Checks invariants as it goes. */
function run(ops: Op[], check?: (book: L3Book, op: Op, step: Step, before: Map<number, number>) => void) {
  const { book, trades } = newBook({ orderCapacity: 4, levelCapacity: 2 }); // tiny pools: exercise growth
  const issued: number[] = [];
  const steps: Step[] = [];
  ops.forEach((op, i) => {
    const before = new Map<number, number>();
    if (check)
      for (const id of issued) {
        const o = book.order(id);
        if (o) before.set(id, o.qty);
      }
    const step = apply(book, trades, op, issued, 1000 + i);
    if (op.k === 'limit' || op.k === 'market') issued.push(1000 + i);
    book.assertInvariants();
    check?.(book, op, step, before);
    steps.push(step);
  });
  return { steps, final: snapshot(book), book, trades };
}

/** Everything observable: depth, and per level the queue of (id, qty, owner, lots ahead). */
function bookState(book: L3Book) {
  const sides = (['buy', 'sell'] as const).map((sd) =>
    book.depth(sd, Infinity).map(([price, qty]) => [
      price,
      qty,
      book.levelOrders(sd, price),
      book.queueIds(sd, price).map((id) => {
        const o = book.order(id)!;
        return [id, o.side, o.price, o.qty, o.owner, book.queueAhead(id)];
      }),
    ]),
  );
  return [sides, book.size, book.bestBid(), book.bestAsk()];
}

function refState(ref: RefBook) {
  const sides = (['buy', 'sell'] as const).map((sd) =>
    ref.depth(sd).map(([price, qty]) => {
      let ahead = 0;
      const queue = ref.orders
        .filter((o) => o.side === sd && o.price === price)
        .map((o) => {
          const row = [o.id, o.side, o.price, o.qty, o.owner, ahead];
          ahead += o.qty;
          return row;
        });
      return [price, qty, queue.length, queue];
    }),
  );
  const bids = ref.depth('buy');
  const asks = ref.depth('sell');
  return [sides, ref.orders.length, bids[0]?.[0] ?? null, asks[0]?.[0] ?? null];
}

describe('L3Book against a naive reference book', () => {
  for (const [name, lo, hi] of [
    ['narrow prices (many fills)', 95, 105],
    ['wide prices (many levels)', 1, 400],
  ] as const) {
    it(`same statuses, fills, trades and book, trade by trade: ${name}`, () => {
      fc.assert(
        fc.property(fc.array(opArb(lo, hi), { maxLength: 250, size: 'max' }), (ops) => {
          const { book, trades } = newBook({ orderCapacity: 2, levelCapacity: 2 });
          const ref = new RefBook();
          const issued: number[] = [];
          ops.forEach((op, i) => {
            const got = apply(book, trades, op, issued, 1000 + i);
            const want = applyRef(ref, op, issued, 1000 + i);
            if (op.k === 'limit' || op.k === 'market') issued.push(1000 + i);
            const gotState = JSON.stringify([got, bookState(book)]);
            const wantState = JSON.stringify([want, refState(ref)]);
            if (gotState !== wantState) expect([got, bookState(book)]).toEqual([want, refState(ref)]); // readable diff
          });
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('L3Book properties', () => {
  it('conserves quantity, never overfills, never goes negative, never crosses', () => {
    fc.assert(
      fc.property(fc.array(opArb(90, 110), { maxLength: 300, size: 'max' }), (ops) => {
        run(ops, (book, op, step, before) => {
          const tradedQty = step.trades.reduce((sum, t) => sum + t[3], 0);
          must(tradedQty === step.filled, 'taker filled = sum of its fills');
          const makerFills = new Map<number, number>();
          for (const [makerId, , , qty, , , , remaining] of step.trades) {
            must(qty > 0 && remaining >= 0, 'fills positive, maker remainder not negative');
            makerFills.set(makerId, (makerFills.get(makerId) ?? 0) + qty);
          }
          let decrements = 0;
          for (const [id, qty] of before) {
            const taken = makerFills.get(id) ?? 0;
            must(taken <= qty, "no fill beyond a maker order's quantity");
            if (taken > 0) {
              const after = book.order(id)?.qty ?? 0;
              must(qty - after === taken, 'maker decrement = its fills');
              decrements += qty - after;
            }
          }
          must(decrements === tradedQty, 'sum of maker decrements = taker filled');
          if (op.k === 'limit' || op.k === 'market') must(step.filled <= op.qty, 'taker not overfilled');
          for (const sd of ['buy', 'sell'] as const)
            for (const [, qty] of book.depth(sd, Infinity)) must(qty > 0, 'no empty or negative level');
          const bid = book.bestBid();
          const ask = book.bestAsk();
          must(bid === null || ask === null || bid < ask, 'book not crossed');
        });
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same ops give the same trades and book', () => {
    fc.assert(
      fc.property(fc.array(opArb(95, 105), { maxLength: 200, size: 'max' }), (ops) => {
        const a = run(ops);
        const b = run(ops);
        expect(b.steps).toEqual(a.steps);
        expect(b.final).toEqual(a.final);
      }),
      { numRuns: 100 },
    );
  });

  it('FOK fills entirely or leaves the book untouched; IOC never rests; post-only never trades', () => {
    fc.assert(
      fc.property(
        fc.array(opArb(95, 105), { maxLength: 150, size: 'max' }),
        side,
        fc.integer({ min: 95, max: 105 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<L3TimeInForce>('FOK', 'IOC', 'GTC'),
        (ops, s, price, qty, tif) => {
          const { book, trades } = run(ops);
          const before = snapshot(book);
          const from = trades.length;
          const postOnly = book.limit(1, s, price, qty, 0, tif, true);
          expect(trades.length).toBe(from); // post-only never trades
          if (postOnly === L3Status.Resting) {
            expect(tif).toBe('GTC');
            book.cancel(1);
          }
          expect(snapshot(book)).toEqual(before);
          const status = book.limit(2, s, price, qty, 0, tif, false);
          const filled = book.lastFilledQty;
          if (tif === 'FOK') {
            expect([L3Status.Filled, L3Status.RejectedFok]).toContain(status);
            if (status === L3Status.RejectedFok) {
              expect(trades.length).toBe(from);
              expect(snapshot(book)).toEqual(before);
            } else expect(filled).toBe(qty);
          }
          if (tif === 'IOC') expect(book.order(2)).toBeUndefined();
          if (tif === 'GTC') expect(book.order(2)?.qty ?? 0).toBe(qty - filled);
          book.assertInvariants();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('modify: a cut keeps queue place, an increase or a new price goes to the back', () => {
    fc.assert(
      fc.property(
        fc.array(opArb(95, 105), { maxLength: 150, size: 'max' }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 95, max: 105 }),
        (ops, pick, delta, newPrice) => {
          const { book } = run(ops);
          const resting = [
            ...book.depth('buy', Infinity).flatMap(([p]) => book.queueIds('buy', p)),
            ...book.depth('sell', Infinity).flatMap(([p]) => book.queueIds('sell', p)),
          ];
          fc.pre(resting.length > 0);
          const id = resting[pick % resting.length]!;
          const o = book.order(id)!;
          const queue = book.queueIds(o.side, o.price);
          book.modify(id, Math.max(1, o.qty - delta));
          expect(book.queueIds(o.side, o.price)).toEqual(queue);
          book.modify(id, o.qty + delta);
          expect(book.queueIds(o.side, o.price)).toEqual([...queue.filter((x) => x !== id), id]);
          expect(book.order(id)?.qty).toBe(o.qty + delta);
          book.assertInvariants();
          const status = book.modify(id, 3, newPrice);
          if (status === L3Status.Resting && newPrice !== o.price)
            expect(book.queueIds(o.side, newPrice).at(-1)).toBe(id);
          book.assertInvariants();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('L3Book examples', () => {
  function seeded() {
    const { book, trades } = newBook();
    book.limit(1, 'sell', 101, 5, 0, 'GTC', false);
    book.limit(2, 'sell', 101, 3, 1, 'GTC', false);
    book.limit(3, 'sell', 103, 4, 0, 'GTC', false);
    book.limit(4, 'buy', 99, 2, 0, 'GTC', false);
    book.limit(5, 'buy', 98, 6, 0, 'GTC', false);
    return { book, trades };
  }

  it('walks levels best first and FIFO within a level, reporting each execution', () => {
    const { book, trades } = seeded();
    expect(book.limit(10, 'buy', 103, 10, 1, 'GTC', false)).toBe(L3Status.Filled);
    expect(book.lastFilledQty).toBe(10);
    expect(trades).toEqual([
      [1, 10, 101, 5, 0, 1, 'buy', 0],
      [2, 10, 101, 3, 1, 1, 'buy', 0],
      [3, 10, 103, 2, 0, 1, 'buy', 2],
    ]);
    expect(book.bestAsk()).toBe(103);
    expect(book.levelQty('sell', 101)).toBe(0);
    expect(book.depth('sell', 5)).toEqual([[103, 2]]);
    expect(book.depth('buy', 1)).toEqual([[99, 2]]);
  });

  it('rests a GTC remainder and drops an IOC or market remainder', () => {
    const { book } = seeded();
    expect(book.limit(10, 'buy', 102, 10, 1, 'GTC', false)).toBe(L3Status.Resting);
    expect(book.lastFilledQty).toBe(8);
    expect(book.order(10)).toEqual({ id: 10, side: 'buy', price: 102, qty: 2, owner: 1 });
    expect(book.bestBid()).toBe(102);
    expect(book.limit(11, 'sell', 98, 20, 1, 'IOC', false)).toBe(L3Status.Expired);
    expect(book.lastFilledQty).toBe(10);
    expect(book.order(11)).toBeUndefined();
    expect(book.bestBid()).toBeNull();
    expect(book.market(12, 'buy', 9, 0)).toBe(L3Status.Expired);
    expect(book.lastFilledQty).toBe(4);
    expect(book.bestAsk()).toBeNull();
    expect(book.size).toBe(0);
    expect(book.market(13, 'buy', 1, 0)).toBe(L3Status.Expired);
    expect(book.lastFilledQty).toBe(0);
  });

  it('FOK fills all or nothing; post-only rejects a crossing order', () => {
    const { book, trades } = seeded();
    expect(book.limit(10, 'buy', 101, 9, 1, 'FOK', false)).toBe(L3Status.RejectedFok);
    expect(trades).toEqual([]);
    expect(book.limit(11, 'buy', 103, 12, 1, 'FOK', false)).toBe(L3Status.Filled);
    expect(book.lastFilledQty).toBe(12);
    expect(book.limit(12, 'sell', 99, 1, 1, 'GTC', true)).toBe(L3Status.RejectedPostOnly);
    expect(book.lastFilledQty).toBe(0);
    expect(book.limit(13, 'sell', 100, 1, 1, 'GTC', true)).toBe(L3Status.Resting);
  });

  it('cancel is by id and reports whether the order rested', () => {
    const { book } = seeded();
    expect(book.cancel(1)).toBe(true);
    expect(book.cancel(1)).toBe(false);
    expect(book.queueIds('sell', 101)).toEqual([2]);
    expect(book.levelOrders('sell', 101)).toBe(1);
    expect(book.cancel(2)).toBe(true);
    expect(book.bestAsk()).toBe(103);
    expect(book.levelCount('sell')).toBe(1);
    book.assertInvariants();
  });

  it('modify keeps priority on a cut and loses it on an increase or a price change', () => {
    const { book, trades } = seeded();
    expect(book.queueAhead(2)).toBe(5);
    expect(book.modify(1, 2)).toBe(L3Status.Resting);
    expect(book.queueAhead(2)).toBe(2);
    expect(book.modify(1, 6)).toBe(L3Status.Resting);
    expect(book.queueIds('sell', 101)).toEqual([2, 1]);
    expect(book.levelQty('sell', 101)).toBe(9);
    expect(book.modify(2, 3, 103)).toBe(L3Status.Resting);
    expect(book.queueIds('sell', 103)).toEqual([3, 2]);
    expect(book.modify(4, 7, 101)).toBe(L3Status.Resting); // crosses: takes 6 from order 1
    expect(trades).toEqual([[1, 4, 101, 6, 0, 0, 'buy', 0]]);
    expect(book.lastFilledQty).toBe(6);
    expect(book.order(4)).toEqual({ id: 4, side: 'buy', price: 101, qty: 1, owner: 0 });
    expect(book.modify(999, 1)).toBe(L3Status.UnknownOrder);
    book.assertInvariants();
  });

  it('throws on broken invariants: bad qty, bad price, duplicate id, mutation from a callback', () => {
    const { book } = seeded();
    expect(() => book.limit(1, 'buy', 90, 1, 0, 'GTC', false)).toThrow(/duplicate/);
    expect(() => book.market(2, 'buy', 1, 0)).toThrow(/duplicate/);
    expect(() => book.limit(20, 'buy', 90, 0, 0, 'GTC', false)).toThrow(/qty/);
    expect(() => book.limit(20, 'buy', 90, -3, 0, 'GTC', false)).toThrow(/qty/);
    expect(() => book.limit(20, 'buy', 90, 1.5, 0, 'GTC', false)).toThrow(/qty/);
    expect(() => book.limit(20, 'buy', 90.5, 1, 0, 'GTC', false)).toThrow(/price/);
    expect(() => book.modify(1, 0)).toThrow(/qty/);
    expect(() => book.modify(1, Number.NaN)).toThrow(/qty/);
    expect(() => book.limit(20, 'hold' as Side, 90, 1, 0, 'GTC', false)).toThrow(/side/);
    expect(() => book.limit(20, 'buy', 90, 1, 0, 'DAY' as L3TimeInForce, false)).toThrow(/time in force/);
    expect(() => book.limit(20, 'buy', 90, 1, 0.5, 'GTC', false)).toThrow(/owner/);
    expect(() => book.limit(20, 'buy', 90, 1, 2 ** 31, 'GTC', false)).toThrow(/owner/);
    expect(() => book.limit(2 ** 53, 'buy', 90, 1, 0, 'GTC', false)).toThrow(/id/);
    book.assertInvariants();
    const reentrant = new L3Book(() => reentrant.cancel(1));
    reentrant.limit(1, 'sell', 10, 1, 0, 'GTC', false);
    reentrant.limit(2, 'sell', 10, 1, 0, 'GTC', false);
    expect(() => reentrant.market(3, 'buy', 2, 0)).toThrow(/trade callback/);
  });

  it('finds orders by any safe-integer id through adds and cancels (the id index)', () => {
    const ids = fc.oneof(
      fc.integer({ min: -50, max: 50 }),
      fc.maxSafeInteger(),
      fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((x) => x * 4294967296),
      fc.maxSafeNat(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), ids), { maxLength: 400, size: 'max' }), (steps) => {
        const { book } = newBook({ orderCapacity: 1 });
        const live = new Set<number>();
        for (const [add, id] of steps) {
          if (add && !live.has(id)) {
            book.limit(id, 'buy', 100 - (Math.abs(id) % 7), 1, 0, 'GTC', false);
            live.add(id);
          } else {
            must(book.cancel(id) === live.delete(id), 'cancel finds exactly the live ids');
          }
          must(book.size === live.size, 'size');
        }
        for (const id of live) must(book.order(id)?.id === id, 'every live id is found');
        book.assertInvariants();
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the heap right through many level insertions and removals', () => {
    const { book } = newBook({ levelCapacity: 1 });
    for (let i = 0; i < 500; i++) book.limit(i, 'buy', (i * 7919) % 1000, 1, 0, 'GTC', false);
    book.assertInvariants();
    for (let i = 0; i < 500; i += 2) book.cancel(i);
    book.assertInvariants();
    const bids = book.depth('buy', Infinity);
    expect(bids.length).toBe(250);
    expect(book.bestBid()).toBe(bids[0]![0]);
    expect(book.market(9999, 'sell', 100, 0)).toBe(L3Status.Filled);
    expect(book.levelCount('buy')).toBe(150);
    book.assertInvariants();
  });
});
