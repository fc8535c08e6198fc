import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import type { LogEntry } from '../model/events.ts';
import { symbol as toSymbol, type Symbol } from '../model/ids.ts';
import type { QuoteFallbackEvent } from '../model/quote-fallback-events.ts';
import type { MarketDataPort, MarketWindow, TapeSlice, TopOfBook } from '../ports/broker.ts';
import {
  DEFAULT_QUOTE_FALLBACK,
  parseQuoteFallbackConfig,
  QuoteFallbackConfigError,
  type QuoteFallbackConfig,
} from './quote-fallback-config.ts';
import { QuoteFallback } from './quote-fallback.ts';

const BTC = toSymbol('BTCUSDT');
const ETH = toSymbol('ETHUSDT');
const EMPTY: TopOfBook = { bid: null, bidQty: 0, ask: null, askQty: 0 };
const T0 = 1_700_000_000_000;

/** A market-data source a test drives: a quote per symbol (a new object per change, as every
 *  source builds), when it arrived, and whether its feed says it failed. */
class Source implements MarketDataPort {
  readonly tops = new Map<Symbol, TopOfBook>();
  readonly at = new Map<Symbol, number>();
  readonly failures = new Map<Symbol, string>();
  /** When each quote object arrived (to check a served quote's age). */
  readonly arrived = new Map<TopOfBook, number>();
  reads = 0;
  constructor(private readonly clock: { now(): number }) {}
  quote(s: Symbol, bid: number): TopOfBook {
    const t = { bid, bidQty: 3, ask: bid + 2, askQty: 4 };
    this.tops.set(s, t);
    this.at.set(s, this.clock.now());
    this.arrived.set(t, this.clock.now());
    return t;
  }
  empty(s: Symbol): void {
    this.tops.set(s, EMPTY);
    this.at.set(s, this.clock.now());
  }
  topOfBook(s: Symbol): TopOfBook {
    this.reads++;
    return this.tops.get(s) ?? EMPTY;
  }
  window(): MarketWindow {
    return { vwap: 1, twapMid: 2, volume: 3 };
  }
  lastUpdateAt(s: Symbol): number | null {
    return this.at.get(s) ?? null;
  }
  feedFailure(s: Symbol): string | null {
    return this.failures.get(s) ?? null;
  }
}

function setup(config: Partial<QuoteFallbackConfig> = {}) {
  const clock = { t: T0, now: () => clock.t };
  const source = new Source(clock);
  const events: QuoteFallbackEvent[] = [];
  const port = new QuoteFallback(source, { ...DEFAULT_QUOTE_FALLBACK, ...config }, clock, (e) => events.push(e));
  return { clock, source, events, port, kinds: () => events.map((e) => e.kind) };
}

describe('quote fallback config', () => {
  it('has its defaults in one place: on, 100 quotes, 60 s, no staleness trigger', () => {
    expect(DEFAULT_QUOTE_FALLBACK).toEqual({ enabled: true, quotes: 100, maxAgeMs: 60_000, staleAfterMs: null });
  });

  it('names the bad field', () => {
    expect(() => parseQuoteFallbackConfig({ quotes: 0 })).toThrow(QuoteFallbackConfigError);
    expect(() => parseQuoteFallbackConfig({ quotes: 0 })).toThrow(/quotes: must be at least 1/);
    expect(() => parseQuoteFallbackConfig({ maxAgeMs: 1.5 })).toThrow(/maxAgeMs: must be a whole number/);
    expect(() => parseQuoteFallbackConfig({ ringSize: 5 })).toThrow(/unknown field "ringSize"/);
  });
});

describe('quote fallback: a healthy source', () => {
  it('passes the source through: its own objects, no events', () => {
    const { source, port, events } = setup();
    const a = source.quote(BTC, 100);
    expect(port.topOfBook(BTC)).toBe(a);
    expect(port.topOfBook(BTC)).toBe(a);
    expect(port.window(BTC, 0, 1)).toEqual({ vwap: 1, twapMid: 2, volume: 3 });
    expect(port.lastUpdateAt(BTC)).toBe(T0);
    expect(port.topOfBook(ETH)).toBe(EMPTY);
    expect(events).toEqual([]);
    expect(port.noQuoteReason(BTC)).toBeNull();
  });

  it('keeps a quote older than the limit while the source is healthy (the limit is for fallback quotes)', () => {
    const { clock, source, port, events } = setup();
    const a = source.quote(BTC, 100);
    clock.t += 10 * 60_000;
    expect(port.topOfBook(BTC)).toBe(a);
    expect(events).toEqual([]);
  });

  it('offers tradesSince exactly when its source does', () => {
    const { port } = setup();
    expect(port.tradesSince).toBeUndefined();
    const clock = { now: () => T0 };
    const slice: TapeSlice = { cursor: 4, trades: 1, volume: 2, notional: 3, last: 5, high: 5, low: 5 };
    const withTape = new QuoteFallback(
      Object.assign(new Source(clock), { tradesSince: () => slice }),
      DEFAULT_QUOTE_FALLBACK,
      clock,
      () => {},
    );
    expect(withTape.tradesSince?.(BTC, 0)).toBe(slice);
    // The passive port passes the same tape on, and its method holds when taken off the port.
    const { tradesSince } = withTape.passive();
    expect(tradesSince?.(BTC, 0)).toBe(slice);
  });

  it('rings the distinct quotes it read, the newest last, never more than `quotes`', () => {
    const { clock, source, port } = setup({ quotes: 3 });
    const seen: TopOfBook[] = [];
    for (let i = 0; i < 5; i++) {
      clock.t += 1000;
      seen.push(source.quote(BTC, 100 + i));
      port.topOfBook(BTC);
      port.topOfBook(BTC); // the same quote again is not a second entry
    }
    source.empty(BTC);
    port.topOfBook(BTC); // an empty top is no quote to fall back to
    expect(port.recent(BTC).map((q) => q.top)).toEqual(seen.slice(-3));
    expect(port.recent(BTC).map((q) => q.at)).toEqual([T0 + 3000, T0 + 4000, T0 + 5000]);
  });
});

describe('quote fallback: the source fails', () => {
  it('answers the newest ring quote within the limit, then no quote; one event per transition', () => {
    const { clock, source, port, events } = setup();
    source.quote(BTC, 100);
    clock.t += 500;
    const b = source.quote(BTC, 101);
    expect(port.topOfBook(BTC)).toBe(b);
    clock.t += 1000;
    source.failures.set(BTC, 'market data stream disconnected: closed');
    source.empty(BTC); // a failed source may show nothing
    expect(port.topOfBook(BTC)).toBe(b);
    expect(port.topOfBook(BTC)).toBe(b);
    expect(events).toEqual([
      {
        kind: 'MarketDataDegraded',
        symbol: 'BTCUSDT',
        reason: 'market data stream disconnected: closed',
        fallbackAgeMs: 1000,
        quoteAt: T0 + 500,
        maxAgeMs: 60_000,
      },
    ]);
    clock.t = T0 + 500 + 60_000; // exactly the limit: still a quote
    expect(port.topOfBook(BTC)).toBe(b);
    clock.t += 1;
    expect(port.topOfBook(BTC)).toEqual(EMPTY);
    expect(port.topOfBook(BTC)).toEqual(EMPTY);
    expect(events.slice(1)).toEqual([
      { kind: 'MarketDataFallbackExpired', symbol: 'BTCUSDT', quoteAt: T0 + 500, maxAgeMs: 60_000, fallbackReads: 3 },
    ]);
    expect(port.noQuoteReason(BTC)).toBe(
      'no quote: market data stream disconnected: closed, and the newest fallback quote is 60001 ms old, past the 60000 ms limit',
    );
    clock.t += 4000;
    source.failures.delete(BTC);
    const c = source.quote(BTC, 105);
    expect(port.topOfBook(BTC)).toBe(c);
    expect(port.topOfBook(BTC)).toBe(c);
    expect(events.slice(2)).toEqual([
      { kind: 'MarketDataRestored', symbol: 'BTCUSDT', degradedMs: 63_001, fallbackReads: 3, blindReads: 2 },
    ]);
    expect(port.noQuoteReason(BTC)).toBeNull();
  });

  it('with an empty ring it degrades straight to no quote, and says so', () => {
    const { source, port, events } = setup();
    source.failures.set(BTC, 'feed down');
    expect(port.topOfBook(BTC)).toEqual(EMPTY);
    expect(events).toEqual([
      {
        kind: 'MarketDataDegraded',
        symbol: 'BTCUSDT',
        reason: 'feed down',
        fallbackAgeMs: null,
        quoteAt: null,
        maxAgeMs: 60_000,
      },
    ]);
    expect(port.noQuoteReason(BTC)).toBe('no quote: feed down, and no fallback quote is held');
  });

  it('keeps each symbol apart', () => {
    const { source, port, kinds } = setup();
    const btc = source.quote(BTC, 100);
    const eth = source.quote(ETH, 50);
    port.topOfBook(BTC);
    port.topOfBook(ETH);
    source.failures.set(ETH, 'down');
    expect(port.topOfBook(BTC)).toBe(btc);
    expect(port.topOfBook(ETH)).toBe(eth);
    expect(kinds()).toEqual(['MarketDataDegraded']);
    expect(port.status().map((s) => s.symbol)).toEqual([ETH]);
  });

  it('rings what a failed source still shows: its last quote, the fallback while young enough', () => {
    const { clock, source, port, events } = setup();
    const a = source.quote(BTC, 100); // never read while the source was healthy
    clock.t += 3000;
    source.failures.set(BTC, 'stream dropped');
    expect(port.topOfBook(BTC)).toBe(a);
    expect(events).toEqual([expect.objectContaining({ kind: 'MarketDataDegraded', fallbackAgeMs: 3000, quoteAt: T0 })]);
    // A quote that still arrives (another path of the source) is the newer fallback.
    const b = source.quote(BTC, 101);
    expect(port.topOfBook(BTC)).toBe(b);
    expect(port.recent(BTC).map((q) => q.top)).toEqual([a, b]);
  });

  it('with staleAfterMs, degrades a source that stopped updating (and not before)', () => {
    const { clock, source, port, events } = setup({ staleAfterMs: 5000 });
    const a = source.quote(BTC, 100);
    clock.t += 5000;
    expect(port.topOfBook(BTC)).toBe(a);
    clock.t += 1;
    expect(port.topOfBook(BTC)).toBe(a); // now from the ring: the same quote, 5001 ms old
    expect(events).toEqual([
      {
        kind: 'MarketDataDegraded',
        symbol: 'BTCUSDT',
        reason: 'no market data for 5001 ms (stale after 5000 ms)',
        fallbackAgeMs: 5001,
        quoteAt: T0,
        maxAgeMs: 60_000,
      },
    ]);
    const b = source.quote(BTC, 101);
    expect(port.topOfBook(BTC)).toBe(b);
    expect(events.at(-1)).toMatchObject({ kind: 'MarketDataRestored', degradedMs: 0 });
  });

  it('status() assesses without recording or changing state', () => {
    const { clock, source, port, events } = setup();
    source.quote(BTC, 100);
    port.topOfBook(BTC);
    expect(port.status()).toEqual([]);
    clock.t += 2000;
    source.failures.set(BTC, 'down');
    expect(port.status()).toEqual([{ symbol: BTC, reason: 'down', onFallback: true, fallbackAgeMs: 2000 }]);
    clock.t += 60_000;
    expect(port.status([ETH])).toEqual([{ symbol: BTC, reason: 'down', onFallback: false, fallbackAgeMs: 62_000 }]);
    source.failures.set(ETH, 'down too');
    expect(port.status([ETH])).toContainEqual({
      symbol: ETH,
      reason: 'down too',
      onFallback: false,
      fallbackAgeMs: null,
    });
    expect(events).toEqual([]);
  });

  it('a restarted process takes the degraded state from the log: it restores rather than degrading twice', () => {
    const { clock, source, port } = setup();
    source.failures.set(BTC, 'down');
    const prior: LogEntry[] = [
      {
        seq: 1,
        time: T0 - 10_000,
        event: {
          kind: 'MarketDataDegraded',
          symbol: 'BTCUSDT',
          reason: 'down',
          fallbackAgeMs: 5,
          quoteAt: T0 - 10_005,
          maxAgeMs: 60_000,
        },
      },
    ];
    const events: QuoteFallbackEvent[] = [];
    const restarted = new QuoteFallback(source, DEFAULT_QUOTE_FALLBACK, clock, (e) => events.push(e));
    restarted.restore(prior);
    expect(restarted.topOfBook(BTC)).toEqual(EMPTY); // its ring is empty
    expect(events.map((e) => e.kind)).toEqual(['MarketDataFallbackExpired']);
    source.failures.delete(BTC);
    source.quote(BTC, 100);
    restarted.topOfBook(BTC);
    expect(events.at(-1)).toEqual({
      kind: 'MarketDataRestored',
      symbol: 'BTCUSDT',
      degradedMs: 10_000,
      fallbackReads: 0,
      blindReads: 1,
    });
    expect(port).toBeDefined();
  });
});

/** One step of a property: time passes, the source quotes, empties, fails or recovers, a read. */
type Op =
  | { readonly op: 'wait'; readonly ms: number }
  | { readonly op: 'quote'; readonly s: number; readonly bid: number }
  | { readonly op: 'empty'; readonly s: number }
  | { readonly op: 'fail'; readonly s: number }
  | { readonly op: 'recover'; readonly s: number }
  | { readonly op: 'read'; readonly s: number };

const SYMBOLS = [BTC, ETH];
const sym = fc.integer({ min: 0, max: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Mostly short waits, so reads land near the age limit as often as far past it.
  {
    arbitrary: fc.record({
      op: fc.constant('wait' as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 0, max: 40_000 }),
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ op: fc.constant('quote' as const), s: sym, bid: fc.integer({ min: 1, max: 1000 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('empty' as const), s: sym }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('fail' as const), s: sym }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('recover' as const), s: sym }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('read' as const), s: sym }), weight: 5 },
);
/** Long enough runs that quotes are read, the feed fails, time passes and reads come again. */
const opsArb = fc.array(opArb, { minLength: 20, maxLength: 120, size: 'max' });
const configArb = fc.record({
  quotes: fc.integer({ min: 1, max: 5 }),
  maxAgeMs: fc.oneof(
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1, max: 3000 }),
    fc.integer({ min: 1, max: 90_000 }),
  ),
  staleAfterMs: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: null }),
});

describe('quote fallback: properties', () => {
  it('a consumer never gets a fallback quote older than the limit; a healthy read is the source itself; a peek answers the same and changes nothing', () => {
    fc.assert(
      fc.property(configArb, opsArb, (config, ops) => {
        const { clock, source, port, events } = setup(config);
        for (const o of ops) {
          if (o.op === 'wait') clock.t += o.ms;
          else if (o.op === 'quote') source.quote(SYMBOLS[o.s]!, o.bid);
          else if (o.op === 'empty') source.empty(SYMBOLS[o.s]!);
          else if (o.op === 'fail') source.failures.set(SYMBOLS[o.s]!, 'down');
          else if (o.op === 'recover') source.failures.delete(SYMBOLS[o.s]!);
          else {
            const s = SYMBOLS[o.s]!;
            // A peek answers what the read will, and changes nothing.
            const logged = events.length;
            const rung = port.recent(s).length;
            const peeked = port.peek(s);
            // Checked at every read of every case: expect is called only on a mismatch.
            expectIs(events.length, logged);
            expectIs(port.recent(s).length, rung);
            const got = port.topOfBook(s);
            expectIs(peeked, got);
            const last = source.lastUpdateAt(s);
            const stale = config.staleAfterMs !== null && last !== null && clock.t - last > config.staleAfterMs;
            if (!source.failures.has(s) && !stale) {
              expectIs(got, source.topOfBook(s));
              continue;
            }
            if (got.bid === null && got.ask === null) continue;
            const arrived = source.arrived.get(got);
            if (arrived === undefined) expect(arrived).toBeDefined();
            const age = clock.t - arrived!;
            if (!(age <= config.maxAgeMs)) expect(age).toBeLessThanOrEqual(config.maxAgeMs);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the ring never exceeds its bound, and degraded / expired / restored alternate per symbol', () => {
    fc.assert(
      fc.property(configArb, opsArb, (config, ops) => {
        const { clock, source, port, events } = setup(config);
        for (const o of ops) {
          if (o.op === 'wait') clock.t += o.ms;
          else if (o.op === 'quote') source.quote(SYMBOLS[o.s]!, o.bid);
          else if (o.op === 'empty') source.empty(SYMBOLS[o.s]!);
          else if (o.op === 'fail') source.failures.set(SYMBOLS[o.s]!, 'down');
          else if (o.op === 'recover') source.failures.delete(SYMBOLS[o.s]!);
          else port.topOfBook(SYMBOLS[o.s]!);
          // Checked after every step of every case: expect is called only on a mismatch.
          for (const s of SYMBOLS) {
            const rung = port.recent(s).length;
            if (!(rung <= config.quotes)) expect(rung).toBeLessThanOrEqual(config.quotes);
          }
        }
        for (const s of SYMBOLS) {
          // Healthy -(Degraded)-> degraded -(Expired, at most once)-> ... -(Restored)-> healthy.
          const word = events
            .filter((e) => e.symbol === s)
            .map((e) => ({ MarketDataDegraded: 'D', MarketDataFallbackExpired: 'E', MarketDataRestored: 'R' })[e.kind])
            .join('');
          const alternating = /^(DE?R)*(DE?)?$/;
          if (!alternating.test(word)) expect(word).toMatch(alternating);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a source that never fails (no staleness trigger) is passed through with no event and nothing in the way', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { clock, source, port, events } = setup();
        // Checked at every read of every case: expect is called only on a mismatch.
        for (const o of ops) {
          if (o.op === 'wait') clock.t += o.ms;
          else if (o.op === 'quote') source.quote(SYMBOLS[o.s]!, o.bid);
          else if (o.op === 'empty') source.empty(SYMBOLS[o.s]!);
          else if (o.op === 'read') expectIs(port.topOfBook(SYMBOLS[o.s]!), source.topOfBook(SYMBOLS[o.s]!));
        }
        expectEqual(events, []);
      }),
      { numRuns: 200 },
    );
  });
});

describe('quote fallback: passive readers', () => {
  it('passive() peeks: the same quotes as a read, no ring, no event, the source tape passed on', () => {
    const { clock, source, port, events } = setup();
    const passive = port.passive();
    expect(passive.tradesSince).toBeUndefined();
    const a = source.quote(BTC, 100);
    expect(passive.topOfBook(BTC)).toBe(a);
    expect(port.recent(BTC)).toEqual([]);
    clock.t += 2000;
    source.failures.set(BTC, 'down');
    expect(passive.topOfBook(BTC)).toBe(a); // the source's last quote, 2 s old
    clock.t += 60_000;
    expect(passive.topOfBook(BTC)).toEqual(EMPTY);
    expect(passive.lastUpdateAt(BTC)).toBe(T0);
    expect(events).toEqual([]);
  });
});
