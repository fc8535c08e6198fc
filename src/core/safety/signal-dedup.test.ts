import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { roundDecimal } from '../model/decimal.ts';
import type { Side } from '../model/order.ts';
import {
  DEFAULT_DEDUP_CONFIG,
  DedupConfigError,
  SignalDeduplicator,
  fingerprintOf,
  parseDedupConfig,
  signalClientOrderId,
  signalLabel,
  type DedupConfig,
  type DedupSignal,
} from './signal-dedup.ts';
import type { SignalDedupRecord } from '../model/safety-events.ts';

const RUNS = { numRuns: 200 };
const T0 = Date.UTC(2025, 0, 28, 17, 0, 0); // a bucket boundary (17:00 UTC)
const MIN = 60_000;

function setup(config: DedupConfig = DEFAULT_DEDUP_CONFIG, start = T0) {
  const clock = new VirtualClock(start);
  const log: SignalDedupRecord[] = [];
  const dedup = new SignalDeduplicator(clock, (r) => log.push(r), config);
  return { clock, log, dedup };
}
const sig = (time: number, over: Partial<DedupSignal> = {}): DedupSignal => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  entryPrice: '42150.75',
  time,
  ...over,
});

describe('signal deduplicator: the basic cases', () => {
  it('has its defaults in one place (5-minute buckets, 600 s TTL, 0 decimals)', () => {
    expect(DEFAULT_DEDUP_CONFIG).toEqual({ bucketMs: 300_000, ttlMs: 600_000, priceDecimals: 0 });
  });

  it('fingerprints symbol, side, rounded price and bucket (BTCUSDT_BUY_42151_17:00)', () => {
    expect(signalLabel(sig(T0 + 3 * MIN + 22_000))).toBe('BTCUSDT_BUY_42151_2025-01-28T17:00Z');
    const fp = fingerprintOf(sig(T0 + 3 * MIN));
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf(sig(T0 + 4 * MIN + 59_999, { entryPrice: '42150.5' }))).toBe(fp);
    expect(fingerprintOf(sig(T0 + 5 * MIN))).not.toBe(fp);
    expect(fingerprintOf(sig(T0, { entryPrice: null }))).not.toBe(fingerprintOf(sig(T0)));
    expect(signalLabel(sig(T0, { entryPrice: null, side: 'sell' }))).toBe('BTCUSDT_SELL_MKT_2025-01-28T17:00Z');
  });

  it('rounds prices exactly, half away from zero', () => {
    expect(roundDecimal('42150.5', 0)).toBe('42151');
    expect(roundDecimal('42150.49999', 0)).toBe('42150');
    expect(roundDecimal('-1.25', 1)).toBe('-1.3');
    expect(roundDecimal('-0.04', 1)).toBe('0.0');
    expect(roundDecimal('7', 2)).toBe('7.00');
  });

  it('flags the same signal twice (prices that round alike: 42150 and 42149 would not)', () => {
    const { dedup, clock, log } = setup();
    clock.advanceTo(T0 + 3 * MIN);
    expect(dedup.admit(sig(T0 + 3 * MIN, { entryPrice: '42150.4' })).duplicate).toBe(false);
    clock.advanceTo(T0 + 4 * MIN + 30_000);
    const second = dedup.admit(sig(T0 + 4 * MIN + 30_000, { entryPrice: '42149.6' }));
    expect(second.duplicate).toBe(true);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      kind: 'SignalRegistered',
      price: '42150',
      signalTime: T0 + 3 * MIN,
      at: T0 + 3 * MIN,
      executed: false,
    });
  });

  it('does not flag another symbol, side or price', () => {
    const { dedup } = setup();
    for (const over of [
      {},
      { symbol: 'ETHUSDT' },
      { side: 'sell' as Side },
      { entryPrice: '42152' },
      { entryPrice: null },
    ]) {
      expect(dedup.admit(sig(T0, over)).duplicate).toBe(false);
    }
    expect(dedup.admit(sig(T0, { entryPrice: null })).duplicate).toBe(true); // market copies match each other
    expect(dedup.size).toBe(5);
  });

  it('forgets after the TTL on the clock (remembered through ttl, gone after), and prunes', () => {
    const { dedup, clock } = setup();
    dedup.admit(sig(T0));
    clock.advanceBy(600_000);
    expect(dedup.peek(sig(T0))).not.toBeNull();
    clock.advanceBy(1);
    expect(dedup.peek(sig(T0))).toBeNull();
    expect(dedup.size).toBe(0);
    expect(dedup.admit(sig(T0)).duplicate).toBe(false);
  });

  it('fixes the boundary bug: copies 4 s apart across 17:05 are duplicates, both orders of arrival', () => {
    for (const [a, b] of [
      [T0 + 5 * MIN - 2000, T0 + 5 * MIN + 2000],
      [T0 + 5 * MIN + 2000, T0 + 5 * MIN - 2000],
    ] as const) {
      const { dedup } = setup();
      expect(fingerprintOf(sig(a))).not.toBe(fingerprintOf(sig(b)));
      expect(dedup.admit(sig(a)).duplicate).toBe(false);
      expect(dedup.admit(sig(b))).toMatchObject({ duplicate: true, original: { signalTime: a } });
    }
    const { dedup } = setup();
    dedup.admit(sig(T0));
    expect(dedup.admit(sig(T0 + 5 * MIN - 1)).duplicate).toBe(true);
    expect(dedup.admit(sig(T0 + 5 * MIN)).duplicate).toBe(false); // exactly one window apart
  });

  it('markExecuted restarts the TTL, and registers a signal executed without admission', () => {
    const { dedup, clock, log } = setup();
    const first = dedup.admit(sig(T0));
    clock.advanceBy(500_000);
    expect(dedup.markExecuted(sig(T0 + 1000))).toEqual({
      kind: 'SignalExecuted',
      fingerprint: first.fingerprint,
      at: T0 + 500_000,
    });
    clock.advanceBy(500_000);
    expect(dedup.peek(sig(T0))).toMatchObject({ executed: true, at: T0 + 500_000 });
    expect(dedup.markExecuted(sig(T0, { symbol: 'ETHUSDT' }))).toMatchObject({
      kind: 'SignalRegistered',
      executed: true,
    });
    expect(dedup.admit(sig(T0, { symbol: 'ETHUSDT' })).duplicate).toBe(true);
    expect(log.map((r) => r.kind)).toEqual(['SignalRegistered', 'SignalExecuted', 'SignalRegistered']);
  });

  it('survives a restart through its records; expired ones are dropped', () => {
    const { dedup, clock, log } = setup();
    dedup.admit(sig(T0));
    clock.advanceBy(300_000);
    dedup.admit(sig(T0 + 300_000, { symbol: 'ETHUSDT', entryPrice: '2200' }));
    clock.advanceBy(400_000); // the first has expired, the second has not
    const after = setup(DEFAULT_DEDUP_CONFIG, clock.now());
    after.dedup.restore(log);
    expect(after.log).toEqual([]);
    expect(after.dedup.entries().map((e) => e.symbol)).toEqual(['ETHUSDT']);
    expect(after.dedup.admit(sig(T0 + 300_000, { symbol: 'ETHUSDT', entryPrice: '2200' })).duplicate).toBe(true);
    expect(after.dedup.admit(sig(T0)).duplicate).toBe(false);
    expect(JSON.stringify(log)).not.toMatch(/\d\.\d/); // no float in the payloads
  });

  it('derives one client order id per fingerprint', () => {
    const a = signalClientOrderId(fingerprintOf(sig(T0 + 1000)), 36);
    expect(signalClientOrderId(fingerprintOf(sig(T0 + 200_000, { entryPrice: '42151' })), 36)).toBe(a);
    expect(signalClientOrderId(fingerprintOf(sig(T0, { side: 'sell' })), 36)).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(36);
  });

  it('validates its config and its signals with one clear message', () => {
    expect(() => parseDedupConfig({ ttlMs: 1000 })).toThrow('dedup config: ttlMs: must be at least bucketMs');
    expect(() => parseDedupConfig({ bucketMs: 0 })).toThrow('dedup config: bucketMs: must be at least 1 ms');
    expect(() => parseDedupConfig({ priceDecimals: 1.5 })).toThrow(DedupConfigError);
    expect(() => parseDedupConfig({ bucket: 1 })).toThrow('dedup config: unknown field "bucket"');
    expect(parseDedupConfig({ priceDecimals: 2 }).priceDecimals).toBe(2);
    const { dedup } = setup();
    expect(() => dedup.admit(sig(T0 + 0.5))).toThrow('signal: time must be an integer epoch ms');
    expect(() => dedup.admit(sig(T0, { entryPrice: 'abc' }))).toThrow('not a decimal');
    expect(() => dedup.admit(sig(T0, { side: 'long' as Side }))).toThrow('signal: side must be one of buy, sell');
  });
});

// ---- properties ----
const configArb = fc
  .record({
    bucketMs: fc.integer({ min: 1000, max: 600_000 }),
    extra: fc.integer({ min: 0, max: 600_000 }),
    priceDecimals: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ bucketMs, extra, priceDecimals }) => parseDedupConfig({ bucketMs, ttlMs: bucketMs + extra, priceDecimals }));
const startArb = fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 });
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const PRICES = ['100', '100.4', '101', null];

describe('signal deduplicator: properties', () => {
  it('idempotence: any number of admits and peeks of one signal lets exactly one through', () => {
    fc.assert(
      fc.property(
        configArb,
        startArb,
        fc.array(fc.record({ peek: fc.boolean(), wait: fc.nat() }), { minLength: 1, maxLength: 30, size: 'max' }),
        (config, start, ops) => {
          const { dedup, clock } = setup(config, start);
          const s = sig(start);
          let through = 0;
          for (const op of ops) {
            clock.advanceBy(op.wait % Math.floor(config.ttlMs / ops.length + 1)); // stay within the TTL
            if (op.peek) dedup.peek(s);
            else if (!dedup.admit(s).duplicate) {
              through++;
              dedup.markExecuted(s);
            }
          }
          expect(through).toBe(ops.some((o) => !o.peek) ? 1 : 0);
        },
      ),
      RUNS,
    );
  });

  it('boundary symmetry: a copy within the window is a duplicate, one outside is not, whatever the alignment', () => {
    fc.assert(
      fc.property(
        configArb,
        startArb,
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.boolean(),
        (config, t1, d, later) => {
          const { dedup, clock } = setup(config, t1 - 5000);
          const t2 = t1 + (d % (2 * config.bucketMs));
          dedup.admit(sig(t1));
          if (later) clock.advanceBy(Math.min(Math.abs(t2 - t1), config.ttlMs));
          expect(dedup.admit(sig(t2)).duplicate).toBe(Math.abs(t2 - t1) < config.bucketMs);
        },
      ),
      RUNS,
    );
  });

  // Few keys, jitter and waits scaled to the config, so copies, refreshes and expiries all occur.
  type Op =
    | { kind: 'admit' | 'exec' | 'peek'; sym: number; price: number; side: boolean; jitter: number }
    | { kind: 'wait'; ms: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constantFrom('admit' as const, 'exec' as const, 'peek' as const),
      sym: fc.nat(1),
      price: fc.nat(3),
      side: fc.boolean(),
      jitter: fc.integer({ min: -1000, max: 1000 }),
    }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700 }) }),
  );
  const run = (d: SignalDeduplicator, clock: VirtualClock, op: Op): unknown => {
    if (op.kind === 'wait') return clock.advanceBy(Math.floor((op.ms * d.config.ttlMs) / 1000));
    const time = clock.now() + Math.round((op.jitter * d.config.bucketMs) / 1000);
    const s = sig(time, {
      symbol: SYMBOLS[op.sym] as string,
      entryPrice: PRICES[op.price % 2] as string | null,
      side: op.side || op.price > 1 ? 'buy' : 'sell',
    });
    if (op.kind === 'peek') return d.peek(s);
    return op.kind === 'exec' ? d.markExecuted(s) : d.admit(s);
  };

  it('restore equivalence: rebuilt from its records after a restart, it answers like the original', () => {
    fc.assert(
      fc.property(
        configArb,
        startArb,
        fc.array(opArb, { maxLength: 50, size: 'max' }),
        fc.nat(),
        (config, start, ops, cut) => {
          const k = cut % (ops.length + 1);
          const a = setup(config, start);
          const answers = ops.map((op) => run(a.dedup, a.clock, op));
          const b = setup(config, start);
          ops.slice(0, k).forEach((op) => run(b.dedup, b.clock, op));
          const c = setup(config, b.clock.now());
          c.dedup.restore(b.log);
          const tail = ops.slice(k).map((op) => run(c.dedup, c.clock, op));
          expect(tail).toEqual(answers.slice(k));
          expect(c.log).toEqual(a.log.slice(b.log.length));
          expect(c.dedup.entries()).toEqual(a.dedup.entries());
        },
      ),
      RUNS,
    );
  });

  it('never two orders for one signal: copies within the window, shuffled, across restarts', () => {
    const copiesArb = fc.array(
      fc.record({ sym: fc.nat(2), offset: fc.nat(), wait: fc.nat(20_000), restart: fc.boolean() }),
      { minLength: 1, maxLength: 30, size: 'max' },
    );
    fc.assert(
      fc.property(configArb, startArb, copiesArb, (config, start, copies) => {
        let { dedup, clock, log } = setup(config, start);
        const venue = new Map<string, string>(); // client order id -> symbol
        for (const c of copies) {
          clock.advanceBy(c.wait % Math.floor(config.ttlMs / copies.length + 1));
          if (c.restart) {
            const next = setup(config, clock.now());
            next.dedup.restore(log);
            ({ dedup, clock } = next);
            next.log.unshift(...log);
            log = next.log;
          }
          // Offsets within one bucket: every pair is less than the window apart.
          const s = sig(start + (c.offset % config.bucketMs), { symbol: SYMBOLS[c.sym] as string });
          const a = dedup.admit(s);
          if (a.duplicate) continue;
          const id = signalClientOrderId(a.fingerprint, 36);
          expect(venue.has(id)).toBe(false);
          venue.set(id, s.symbol);
          dedup.markExecuted(s);
        }
        expect([...venue.values()].sort()).toEqual([...new Set(copies.map((c) => SYMBOLS[c.sym]))].sort());
      }),
      RUNS,
    );
  });
});
