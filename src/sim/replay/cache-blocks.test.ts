// The columnar blocks give back exactly the messages put in (every kind, field and level, both
// trade sides, empty level lists, fractional receive times, ids past 2^32), and a block whose
// columns cannot be messages is named as such rather than read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinanceMessage } from './binance-message-types.ts';
import {
  blockBodyBytes,
  blockMessage,
  blockProblem,
  blockViews,
  CacheBlockBuilder,
  CachedMessages,
  type CacheBlock,
} from './cache-blocks.ts';

const int = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const level = fc.tuple(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 50 }));
const levels = fc.array(level, { maxLength: 6 }).map((ls) => ls.flat());
const recvMs = fc.double({ min: 1e12, max: 2e12, noNaN: true });

const message: fc.Arbitrary<BinanceMessage> = fc.oneof(
  fc.record({ kind: fc.constant('snapshot' as const), recvMs, lastUpdateId: int, bids: levels, asks: levels }),
  fc.record({
    kind: fc.constant('depth' as const),
    recvMs,
    eventMs: int,
    firstId: int,
    lastId: int,
    bids: levels,
    asks: levels,
  }),
  fc.record({ kind: fc.constant('bbo' as const), recvMs, updateId: int, bid: int, bidQty: int, ask: int, askQty: int }),
  fc.record({
    kind: fc.constant('trade' as const),
    recvMs,
    eventMs: int,
    tradeMs: int,
    tradeId: int,
    price: int,
    qty: int,
    buyerIsMaker: fc.boolean(),
  }),
);

/** Encodes messages into blocks of at most `per` messages and reads them back. */
function roundTrip(messages: readonly BinanceMessage[], per: number): BinanceMessage[] {
  const builder = new CacheBlockBuilder();
  const blocks: CacheBlock[] = [];
  const flush = (): void => {
    if (builder.count === 0) return;
    const n = builder.count;
    const p = builder.pairs;
    const body = builder.encode();
    expect(body.length).toBe(blockBodyBytes(n, p));
    const blk = blockViews(body, n, p);
    expect(blockProblem(blk)).toBeNull();
    blocks.push(blk);
    builder.reset();
  };
  for (const m of messages) {
    builder.add(m);
    if (builder.count >= per) flush();
  }
  flush();
  let next = 0;
  const source = new CachedMessages(() => blocks[next++] ?? null);
  const out: BinanceMessage[] = [];
  for (let m = source.next(); m !== null; m = source.next()) out.push(m);
  return out;
}

describe('cache blocks', () => {
  it('give back every message exactly, across block boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 60, size: 'max' }),
        fc.integer({ min: 1, max: 7 }),
        (messages, per) => {
          expect(roundTrip(messages, per)).toEqual(messages);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grow past their first sizes (many messages, many levels)', () => {
    const many: BinanceMessage[] = [];
    for (let i = 0; i < 3000; i++) {
      const bids = Array.from({ length: 10 }, (_, j) => [60_000 - j, i + j]).flat();
      many.push({
        kind: 'depth',
        recvMs: 1e12 + i + 0.25,
        eventMs: i,
        firstId: 2 ** 40 + i,
        lastId: 2 ** 40 + i,
        bids,
        asks: [],
      });
    }
    expect(roundTrip(many, 5000)).toEqual(many);
  });

  it('count messages by kind', () => {
    const b = new CacheBlockBuilder();
    b.add({ kind: 'bbo', recvMs: 1, updateId: 1, bid: 1, bidQty: 1, ask: 2, askQty: 1 });
    b.add({ kind: 'trade', recvMs: 2, eventMs: 2, tradeMs: 2, tradeId: 1, price: 1, qty: 1, buyerIsMaker: true });
    b.add({ kind: 'trade', recvMs: 3, eventMs: 3, tradeMs: 3, tradeId: 2, price: 1, qty: 1, buyerIsMaker: false });
    expect(b.byKind).toEqual({ snapshot: 0, depth: 0, bbo: 1, trade: 2 });
  });

  it('name columns that cannot be messages', () => {
    const make = (): CacheBlock => {
      const b = new CacheBlockBuilder();
      b.add({ kind: 'depth', recvMs: 1, eventMs: 1, firstId: 1, lastId: 2, bids: [5, 1, 4, 1], asks: [6, 1] });
      b.add({ kind: 'bbo', recvMs: 2, updateId: 3, bid: 5, bidQty: 1, ask: 6, askQty: 1 });
      b.add({ kind: 'trade', recvMs: 3, eventMs: 3, tradeMs: 3, tradeId: 9, price: 5, qty: 1, buyerIsMaker: true });
      return blockViews(b.encode(), 3, 6);
    };
    expect(blockProblem(make())).toBeNull();
    const kind = make();
    kind.kind[1] = 9;
    expect(blockProblem(kind)).toMatch(/unknown kind 9/);
    const order = make();
    order.bidEnd[0] = 3;
    order.askEnd[0] = 2;
    expect(blockProblem(order)).toMatch(/out of order/);
    const past = make();
    past.askEnd[2] = 7;
    expect(blockProblem(past)).toMatch(/out of order/);
    const bbo = make();
    bbo.askEnd[1] = 4;
    expect(blockProblem(bbo)).toMatch(/bbo 1/);
    const trade = make();
    trade.bidEnd[2] = 5; // its pair moved to the ask side
    trade.askEnd[2] = 6;
    expect(blockProblem(trade)).toMatch(/trade 2/);
    expect(blockMessage(make(), 2)).toMatchObject({ kind: 'trade', price: 5, qty: 1, buyerIsMaker: true });
  });
});
