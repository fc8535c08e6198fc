// The replay market model's displayed book: what the venue shows (what our orders match against
// and our market data reads) must never be crossed or locked, at any level update, on the whole
// bundled recording and on generated message sequences; a depth update older than the bookTicker
// already shown must not bring back levels the ticker removed; a rebuilt book that crosses by
// itself is trimmed on its stale side. And the statistics the model records: counts by kind,
// agreement of the rebuilt book with the recording's bookTicker stream, states prevented.
import fc from 'fast-check';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import type { ReplayStatsData } from '../../src/sim/market/replay-model.ts';
import {
  BinanceLineParser,
  type BinanceBbo,
  type BinanceDepth,
  type BinanceMessage,
  type BinanceSnapshot,
} from '../../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';
import { drive, type Driven, type WatchedBook } from '../support/replay-drive.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = path.resolve(here, '../../scenarios/data/binance-spot');
const FILES = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) => path.join(DATA_DIR, f));

// ---- message builders (prices in ticks, quantities in data lots) ----------------------------

let clockMs = 1_000;
const t = (): number => (clockMs += 10);
const snap = (lastUpdateId: number, bids: number[], asks: number[]): BinanceSnapshot => ({
  kind: 'snapshot',
  recvMs: t(),
  lastUpdateId,
  bids,
  asks,
});
const diff = (firstId: number, lastId: number, bids: number[] = [], asks: number[] = []): BinanceDepth => {
  const recvMs = t();
  return { kind: 'depth', recvMs, eventMs: recvMs, firstId, lastId, bids, asks };
};
const bbo = (updateId: number, bid: number, bidQty: number, ask: number, askQty: number): BinanceBbo => ({
  kind: 'bbo',
  recvMs: t(),
  updateId,
  bid,
  bidQty,
  ask,
  askQty,
});

const top = (book: L2Book, side: 'bid' | 'ask', n = 50): Array<[number, number]> => book.depth(side, n);
const stats = (d: Driven): ReplayStatsData => {
  const e = d.events.find((x) => x.kind === 'stats');
  if (e?.kind !== 'stats') throw new Error('no stats event');
  return e.stats;
};
const tickerTotal = (s: ReplayStatsData): number =>
  s.tickersChecked + s.tickersSuperseded + s.tickersLate + s.tickersUnsynced + s.tickersInvalid + s.tickersPending;

// ---- what the display should be, computed from scratch ---------------------------------------

/** The rebuilt book and the ticker in force, followed independently of the model. */
class Shadow {
  readonly sync = new DepthSync(new L2Book());
  ticker: BinanceBbo | null = null;

  apply(m: BinanceMessage): void {
    if (m.kind === 'snapshot') {
      if (this.sync.onSnapshot(m) === 'loaded') this.ticker = null;
    } else if (m.kind === 'depth') {
      if (this.sync.onDepth(m) === 'applied' && this.ticker !== null && this.ticker.updateId <= this.sync.lastUpdateId)
        this.ticker = null;
    } else if (m.kind === 'bbo') {
      const fresh = m.bid < m.ask && this.sync.synced && m.updateId > this.sync.lastUpdateId;
      if (fresh && (this.ticker === null || m.updateId > this.ticker.updateId)) this.ticker = m;
    }
  }

  /**
   * The displayed book's top `n` levels a side may be (one candidate, or two when the rebuilt
   * book crosses by itself with no ticker in force: either side may be the trimmed one); null
   * while the book waits for a snapshot (the display is frozen then).
   */
  expected(lotsPer: number, n: number): Array<{ bid: Array<[number, number]>; ask: Array<[number, number]> }> | null {
    if (this.sync.state === 'awaiting-snapshot') return null;
    const book = this.sync.book;
    const tk = this.ticker;
    const lots = (q: number): number => Math.floor(q / lotsPer);
    const build = (maxBid: number, minAsk: number) => {
      const side = (s: 'bid' | 'ask'): Array<[number, number]> => {
        const tp = tk === null ? null : s === 'bid' ? tk.bid : tk.ask;
        const tq = tk === null ? 0 : lots(s === 'bid' ? tk.bidQty : tk.askQty);
        // dust levels (under one lot) are not displayed: read deeper until n levels are found
        for (let k = n * 2 + 8; ; k *= 4) {
          const out: Array<[number, number]> = [];
          let tickerDone = tp === null;
          const levels = book.depth(s, k);
          for (const [p, q] of levels) {
            if (s === 'bid' ? p > maxBid : p < minAsk) continue;
            if (!tickerDone && (s === 'bid' ? p <= (tp as number) : p >= (tp as number))) {
              tickerDone = true;
              if (tq > 0) out.push([tp as number, tq]);
              if (p === tp) continue;
            }
            if (lots(q) > 0) out.push([p, lots(q)]);
          }
          if (out.length >= n) return out.slice(0, n);
          if (levels.length < k) {
            if (!tickerDone && tq > 0) out.push([tp as number, tq]);
            return out.slice(0, n);
          }
        }
      };
      return { bid: side('bid'), ask: side('ask') };
    };
    if (tk !== null) return [build(tk.bid, tk.ask)];
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid === null || ask === null || bid < ask) return [build(Infinity, -Infinity)];
    return [build(Infinity, bid + 1), build(ask - 1, -Infinity)];
  }
}

/** After each message: the display is one of the expected books (top `n` levels a side). */
function checkDisplay(shadow: Shadow, sink: WatchedBook, lotsPer: number, n: number): string | null {
  const want = shadow.expected(lotsPer, n);
  if (want === null) return null;
  const shown = { bid: top(sink.book, 'bid', n), ask: top(sink.book, 'ask', n) };
  if (want.some((w) => JSON.stringify(w) === JSON.stringify(shown))) return null;
  return `shown ${JSON.stringify(shown)}, expected ${want.map((w) => JSON.stringify(w)).join(' or ')}`;
}

// ---- the whole recording --------------------------------------------------------------------

function recording(): BinanceMessage[] {
  const reader = new ReplayFileReader(FILES);
  const parser = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' });
  const out: BinanceMessage[] = [];
  while (reader.next()) out.push(parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo));
  return out;
}

describe('replay of the whole bundled recording (both files)', () => {
  // The bundled scenarios' instrument lot is 0.00001 and the feed's 0.00000001: 1000 data lots.
  const LOTS_PER = 1000;
  let messages: BinanceMessage[] | undefined;
  const all = (): BinanceMessage[] => (messages ??= recording());

  it('never displays a crossed or locked book: not at any level update, not after any message', () => {
    const shadow = new Shadow();
    let checked = 0;
    let crossedAfter = 0;
    const wrong: string[] = [];
    const d = drive(all(), {
      lotsPerDataLot: LOTS_PER,
      after: (m, { sink }) => {
        shadow.apply(m);
        checked++;
        if (sink.state() !== 'ok') crossedAfter++;
        const problem = checkDisplay(shadow, sink, LOTS_PER, 5);
        if (problem !== null && wrong.length < 5) wrong.push(`after message ${checked} (${m.kind}): ${problem}`);
      },
    });
    expect(checked).toBe(41_249 + 58_325);
    expect(d.sink.levelUpdates).toBeGreaterThan(400_000);
    expect({ crossedAfter, crossedAtUpdate: d.sink.crossedAtUpdate, lockedAtUpdate: d.sink.lockedAtUpdate }).toEqual({
      crossedAfter: 0,
      crossedAtUpdate: 0,
      lockedAtUpdate: 0,
    });
    // and the display is, after every message, the rebuilt book refined by the ticker in force
    expect(wrong).toEqual([]);
  });

  it('records its statistics once, at the end of the data: the rebuilt book agrees with the bookTicker stream', () => {
    const d = drive(all(), { lotsPerDataLot: LOTS_PER });
    expect(d.events.map((e) => e.kind)).toEqual(['snapshot', 'stats', 'end']);
    const s = stats(d);
    console.log(`replay statistics of the bundled recording: ${JSON.stringify(s)}`);
    expect(s).toMatchObject({
      snapshots: 1,
      depthUpdates: 6_495,
      bookTickers: 73_174,
      trades: 19_904,
      depthApplied: 6_493,
      depthSkipped: 2,
      gaps: 0,
      rebuilds: 1,
    });
    expect(s.snapshots + s.depthUpdates + s.bookTickers + s.trades).toBe(41_249 + 58_325);
    expect(tickerTotal(s)).toBe(s.bookTickers);
    // The three tickers recorded before the snapshot cannot be compared; of the rest, those that
    // are the last before a depth update are (the others were superseded within 100 ms).
    expect(s.tickersUnsynced).toBe(3);
    expect(s.tickersChecked).toBe(5_736);
    expect(s.tickersMatched / s.tickersChecked).toBeGreaterThanOrEqual(0.999);
    expect(s.tickersExact).toBeLessThanOrEqual(s.tickersMatched);
    expect(s.maxDeviationTicks).toBe(19);
    // 41 depth updates arrived after a newer ticker; two of them would have shown a crossed book.
    expect(s).toMatchObject({ staleDepthUpdates: 41, crossedPrevented: 2, lockedPrevented: 0 });
    expect(s.levelsHeldBack).toBeGreaterThanOrEqual(s.crossedPrevented);
  });
});

// ---- the mechanism, on small books ------------------------------------------------------------

describe('a depth update older than the ticker shown', () => {
  it('does not bring back the levels the ticker removed: no crossed book, no trade on a stale price', () => {
    const shownAfter: Array<[number | null, number | null, string]> = [];
    const d = drive(
      [
        snap(10, [100, 5, 99, 5], [101, 5, 102, 5]),
        diff(11, 12, [98, 1]),
        // update 15: the 101 ask was taken and a bid joined there; the ticker says so at once
        bbo(15, 101, 2, 102, 5),
        // the depth diff of updates 13-14 arrives later: at 13 someone offered at 100 and 101
        diff(13, 14, [], [100, 3, 101, 7]),
        // the diff covering update 15 brings the book up to the ticker
        diff(15, 16, [101, 2], [100, 0, 101, 0]),
      ],
      { after: (m, { sink }) => shownAfter.push([sink.best('bid'), sink.best('ask'), m.kind]) },
    );
    expect(shownAfter).toEqual([
      [100, 101, 'snapshot'],
      [100, 101, 'depth'],
      [101, 102, 'bbo'],
      [101, 102, 'depth'], // the stale 100 and 101 asks stay hidden behind the ticker's 102
      [101, 102, 'depth'],
    ]);
    expect(d.sink.crossedAtUpdate + d.sink.lockedAtUpdate).toBe(0);
    expect(top(d.sink.book, 'ask')).toEqual([[102, 5]]);
    expect(top(d.sink.book, 'bid')).toEqual([
      [101, 2],
      [100, 5],
      [99, 5],
      [98, 1],
    ]);
    expect(stats(d)).toMatchObject({
      staleDepthUpdates: 1,
      levelsHeldBack: 2,
      crossedPrevented: 1,
      lockedPrevented: 0,
    });
  });

  it('a stale level that only touches the ticker is counted as a locked book prevented', () => {
    const d = drive([snap(10, [100, 5], [102, 5]), bbo(13, 101, 1, 102, 5), diff(11, 12, [], [101, 4])]);
    expect([d.sink.best('bid'), d.sink.best('ask')]).toEqual([101, 102]);
    expect(stats(d)).toMatchObject({
      staleDepthUpdates: 1,
      levelsHeldBack: 1,
      crossedPrevented: 0,
      lockedPrevented: 1,
    });
  });

  it('levels the ticker hid come back when a newer ticker or the covering diff says so', () => {
    const d = drive([
      snap(10, [100, 5, 99, 5], [103, 5]),
      bbo(11, 99, 1, 103, 5), // 100 is gone (for now)
      bbo(12, 100, 6, 103, 5), // and back, with a new quantity
    ]);
    expect(top(d.sink.book, 'bid')).toEqual([
      [100, 6],
      [99, 5],
    ]);
    const e = drive([snap(10, [100, 5, 99, 5], [103, 5]), bbo(11, 99, 1, 103, 5), diff(11, 11, [99, 1, 100, 0])]);
    expect(top(e.sink.book, 'bid')).toEqual([[99, 1]]);
    // a ticker not newer than the book is late: it changes nothing
    const f = drive([snap(10, [100, 5], [103, 5]), diff(11, 12, [101, 1]), bbo(12, 100, 5, 103, 5)]);
    expect(top(f.sink.book, 'bid')).toEqual([
      [101, 1],
      [100, 5],
    ]);
    expect(stats(f).tickersLate).toBe(1);
  });
});

describe('a rebuilt book that crosses by itself (no ticker in force)', () => {
  it('hides the crossing levels of the side the diff did not touch, until the book uncrosses', () => {
    const d = drive(
      [
        snap(10, [100, 5], [101, 5, 102, 5, 103, 5]),
        diff(11, 11, [101, 4, 102, 1]), // bids moved up through asks the diff did not remove
        diff(12, 12, [], [101, 0, 102, 0]), // now it does
      ],
      { after: (_m, { sink }) => expect(sink.state()).toBe('ok') },
    );
    expect(d.sink.crossedAtUpdate + d.sink.lockedAtUpdate).toBe(0);
    expect(top(d.sink.book, 'bid')).toEqual([
      [102, 1],
      [101, 4],
      [100, 5],
    ]);
    expect(top(d.sink.book, 'ask')).toEqual([[103, 5]]);
    expect(stats(d)).toMatchObject({ crossedPrevented: 1, lockedPrevented: 0 });

    const asksMoved = drive([snap(10, [100, 5, 99, 5], [102, 5]), diff(11, 11, [], [100, 2])]);
    expect(top(asksMoved.sink.book, 'bid')).toEqual([[99, 5]]); // the stale 100 bid is hidden
    expect(top(asksMoved.sink.book, 'ask')).toEqual([
      [100, 2],
      [102, 5],
    ]);
    expect(stats(asksMoved)).toMatchObject({ crossedPrevented: 0, lockedPrevented: 1 });
  });
});

describe('gaps, rebuilds and the statistics event', () => {
  it('a gap freezes the display until a snapshot rebuilds it; tickers meanwhile are not compared', () => {
    const d = drive([
      snap(10, [100, 5], [102, 5]),
      diff(11, 12, [101, 1]),
      bbo(13, 101, 1, 102, 4),
      diff(15, 16, [100, 0]), // 13-14 are missing
      bbo(17, 99, 1, 102, 4),
      diff(17, 18, [99, 1]),
      snap(18, [98, 3], [104, 2]),
      diff(19, 19, [97, 1]),
    ]);
    expect(d.events.map((e) => e.kind)).toEqual(['snapshot', 'gap', 'snapshot', 'stats', 'end']);
    const gap = d.events[1];
    expect(gap?.kind === 'gap' && gap.gap).toMatchObject({ expectedId: 13, gotId: 15, lastId: 16 });
    expect(top(d.sink.book, 'bid')).toEqual([
      [98, 3],
      [97, 1],
    ]);
    expect(top(d.sink.book, 'ask')).toEqual([[104, 2]]);
    const s = stats(d);
    expect(s).toMatchObject({
      gaps: 1,
      rebuilds: 2,
      snapshots: 2,
      depthUpdates: 4,
      bookTickers: 2,
      tickersUnsynced: 2,
      tickersChecked: 0,
    });
    expect(s.maxDeviationTicks).toBeNull();
    expect(tickerTotal(s)).toBe(s.bookTickers);
  });

  it('a venue that restarted while recorded (its update ids begin again) is a gap, the book rebuilt from its snapshot', () => {
    const d = drive([
      snap(8000, [100, 5], [102, 5]),
      diff(8001, 8390, [101, 1]),
      diff(1, 2319, [90, 5]), // the restarted venue's: below the book's id, taken for stale
      snap(2329, [95, 4], [96, 4]),
      diff(2330, 2340, [94, 2]),
    ]);
    expect(d.events.map((e) => e.kind)).toEqual(['snapshot', 'snapshot', 'gap', 'stats', 'end']);
    const gap = d.events[2];
    expect(gap?.kind === 'gap' && gap.gap).toMatchObject({ expectedId: 8391, gotId: 2329 });
    expect(top(d.sink.book, 'bid')).toEqual([
      [95, 4],
      [94, 2],
    ]);
    expect(top(d.sink.book, 'ask')).toEqual([[96, 4]]);
    expect(stats(d)).toMatchObject({ gaps: 1, rebuilds: 2, snapshots: 2 });
  });

  it('compares each ticker that is the last before its covering diff with the rebuilt book, in ticks', () => {
    const d = drive([
      snap(10, [100, 5, 99, 1], [102, 5]),
      diff(11, 11, [], [101, 1]),
      bbo(12, 100, 5, 101, 1), // superseded by the next one before the diff covering it
      bbo(13, 100, 5, 101, 2),
      diff(12, 13, [], [101, 2]), // agrees with the ticker at 13, prices and quantities
      bbo(14, 100, 4, 101, 2),
      diff(14, 14, [100, 3]), // the prices agree, not the bid quantity
      bbo(15, 97, 1, 101, 2),
      diff(15, 15, [100, 0]), // the book's best bid is 99, the ticker said 97: 2 ticks off
      bbo(20, 99, 1, 101, 1), // no diff covers it yet
      bbo(16, 99, 1, 101, 1), // older than the ticker shown: late
      bbo(21, 101, 1, 101, 1), // bid not below ask: invalid
    ]);
    const s = stats(d);
    expect(s).toMatchObject({
      bookTickers: 7,
      tickersChecked: 3,
      tickersMatched: 2,
      tickersExact: 1,
      tickersSuperseded: 1,
      tickersPending: 1,
      tickersLate: 1,
      tickersInvalid: 1,
      tickersUnsynced: 0,
    });
    expect(s.maxDeviationTicks).toBe(2);
    expect(tickerTotal(s)).toBe(s.bookTickers);
  });

  it('is recorded once, when the run reaches its end, and counts only what was applied by then', () => {
    const msgs = [snap(10, [100, 5], [102, 5]), diff(11, 11, [101, 1]), diff(12, 12, [101, 2]), diff(13, 13, [101, 3])];
    const start = msgs[0]?.recvMs as number;
    // the run ends between the second and the third diff
    const runMs = (msgs[2]?.recvMs as number) - start + 1;
    const d = drive(msgs, { startMs: start, runMs, untilMs: start + runMs });
    expect(d.events.map((e) => e.kind)).toEqual(['snapshot', 'stats']);
    expect(stats(d)).toMatchObject({ depthUpdates: 2, depthApplied: 2 });
  });
});

// ---- generated message sequences --------------------------------------------------------------

type Op =
  | { kind: 'diff'; ids: number; bids: Array<[number, number]>; asks: Array<[number, number]> }
  | { kind: 'gap' }
  | { kind: 'bbo'; ahead: number; bid: number; spread: number; bidQty: number; askQty: number }
  | { kind: 'snapshot'; bids: Array<[number, number]>; asks: Array<[number, number]> };

const level = fc.tuple(fc.integer({ min: 990, max: 1010 }), fc.integer({ min: 0, max: 4 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('diff' as const),
      ids: fc.integer({ min: 1, max: 3 }),
      bids: fc.array(level, { maxLength: 4 }),
      asks: fc.array(level, { maxLength: 4 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('bbo' as const),
      ahead: fc.integer({ min: -1, max: 3 }),
      bid: fc.integer({ min: 990, max: 1009 }),
      spread: fc.integer({ min: 0, max: 3 }),
      bidQty: fc.integer({ min: 0, max: 4 }),
      askQty: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'gap' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('snapshot' as const),
      bids: fc.array(fc.tuple(fc.integer({ min: 980, max: 999 }), fc.integer({ min: 1, max: 4 })), { maxLength: 6 }),
      asks: fc.array(fc.tuple(fc.integer({ min: 1001, max: 1020 }), fc.integer({ min: 1, max: 4 })), { maxLength: 6 }),
    }),
  },
);

const flat = (levels: Array<[number, number]>): number[] => {
  const seen = new Map<number, number>();
  for (const [p, q] of levels) seen.set(p, q);
  return [...seen].flat();
};

function messagesOf(ops: readonly Op[]): BinanceMessage[] {
  let id = 100;
  const out: BinanceMessage[] = [snap(id, [999, 2, 998, 3, 995, 1], [1001, 2, 1002, 3, 1005, 1])];
  for (const op of ops) {
    if (op.kind === 'diff') {
      out.push(diff(id + 1, id + op.ids, flat(op.bids), flat(op.asks)));
      id += op.ids;
    } else if (op.kind === 'gap') {
      out.push(diff(id + 2, id + 2));
      id += 2;
    } else if (op.kind === 'bbo') {
      out.push(bbo(id + op.ahead, op.bid, op.bidQty, op.bid + op.spread, op.askQty));
    } else {
      out.push(snap(id, flat(op.bids), flat(op.asks)));
    }
  }
  return out;
}

describe('generated replays (fast-check)', () => {
  it('the displayed book is never crossed or locked, and is always the rebuilt book refined by the ticker in force', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60, size: 'max' }), fc.constantFrom(1, 2), (ops, lotsPer) => {
        const shadow = new Shadow();
        const problems: string[] = [];
        const d = drive(messagesOf(ops), {
          lotsPerDataLot: lotsPer,
          after: (m, { sink }) => {
            shadow.apply(m);
            const p = checkDisplay(shadow, sink, lotsPer, 50);
            if (p !== null) problems.push(`${m.kind} ${JSON.stringify(m)}: ${p}`);
          },
        });
        expect(d.sink.crossedAtUpdate + d.sink.lockedAtUpdate).toBe(0);
        expect(problems).toEqual([]);
        const s = stats(d);
        expect(tickerTotal(s)).toBe(s.bookTickers);
        expect(s.snapshots + s.depthUpdates + s.bookTickers + s.trades).toBe(ops.length + 1);
      }),
      { numRuns: 300 },
    );
  });
});
